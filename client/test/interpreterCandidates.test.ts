import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CandidateInputs,
  consultsPythonExtension,
  interpreterCandidates,
  PythonSettingValues,
} from "../src/interpreterCandidates";

const SETTING = "setting promptweight.python";
const EXTENSION = "the Python extension's interpreter";

function inputs(overrides: Partial<CandidateInputs>): CandidateInputs {
  return { setting: undefined, trusted: true, fromExtension: undefined, platform: "linux", ...overrides };
}

const orders: Array<[string, Partial<CandidateInputs>, Array<[string, string]>]> = [
  ["nothing set: python3 on PATH", {}, [["python3", "PATH"]]],
  [
    "nothing set on Windows: python on PATH, then the py launcher",
    { platform: "win32" },
    [["python", "PATH"], ["py -3", "the py launcher"]],
  ],
  [
    "Windows: the Python extension's interpreter first",
    { platform: "win32", fromExtension: "C:\\work\\.venv\\Scripts\\python.exe" },
    [["C:\\work\\.venv\\Scripts\\python.exe", EXTENSION], ["python", "PATH"], ["py -3", "the py launcher"]],
  ],
  [
    "Windows: the setting alone, a path with spaces kept whole",
    { platform: "win32", setting: { globalValue: "C:\\Program Files\\Python313\\python.exe" } },
    [["C:\\Program Files\\Python313\\python.exe", SETTING]],
  ],
  [
    "the Python extension's interpreter, then PATH",
    { fromExtension: "/work/.venv/bin/python" },
    [["/work/.venv/bin/python", EXTENSION], ["python3", "PATH"]],
  ],
  [
    "untrusted: the Python extension's interpreter is skipped",
    { trusted: false, fromExtension: "/work/.venv/bin/python" },
    [["python3", "PATH"]],
  ],
  [
    "the setting alone: a broken explicit choice is not silently replaced",
    { setting: { globalValue: "/opt/py/bin/python3" }, fromExtension: "/work/.venv/bin/python" },
    [["/opt/py/bin/python3", SETTING]],
  ],
  [
    "the workspace's setting over the user's",
    { setting: { globalValue: "/opt/py/bin/python3", workspaceValue: "/work/.venv/bin/python" } },
    [["/work/.venv/bin/python", SETTING]],
  ],
  [
    "the folder's setting over the workspace's",
    { setting: { globalValue: "/g", workspaceValue: "/w", workspaceFolderValue: "/f" } },
    [["/f", SETTING]],
  ],
  [
    "untrusted: the user's setting, not the workspace's",
    { trusted: false, setting: { globalValue: "/opt/py/bin/python3", workspaceValue: "/work/evil" } },
    [["/opt/py/bin/python3", SETTING]],
  ],
  [
    "untrusted with only workspace settings: PATH",
    { trusted: false, setting: { workspaceValue: "/work/evil", workspaceFolderValue: "/work/evil2" } },
    [["python3", "PATH"]],
  ],
  ["an empty setting counts as unset", { setting: { globalValue: "" } }, [["python3", "PATH"]]],
];
for (const [rule, overrides, expected] of orders) {
  test(`interpreter candidates: ${rule}`, () => {
    const found = interpreterCandidates(inputs(overrides)).map(({ command, args, source }) => [
      [command, ...(args ?? [])].join(" "),
      source,
    ]);
    assert.deepEqual(found, expected);
  });
}

const consulted: Array<[string, PythonSettingValues | undefined, boolean, boolean]> = [
  ["trusted, nothing set", undefined, true, true],
  ["untrusted", undefined, false, false],
  ["trusted, promptweight.python set", { globalValue: "/opt/py/bin/python3" }, true, false],
  ["untrusted, only a workspace setting", { workspaceValue: "/work/evil" }, false, false],
];
for (const [situation, setting, trusted, expected] of consulted) {
  test(`the Python extension is ${expected ? "" : "not "}asked (so not activated): ${situation}`, () => {
    assert.equal(consultsPythonExtension(setting, trusted), expected);
  });
}
