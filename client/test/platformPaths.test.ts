import assert from "node:assert/strict";
import { test } from "node:test";
import {
  managedEnvironmentDir,
  MoveOperations,
  moveIntoPlace,
  pathsFor,
  pipInstallArguments,
  unstartable,
  venvPython,
} from "../src/platformPaths";

// Windows paths, checked on any machine: the functions take the platform.
const WINDOWS_STORAGE = "C:\\Users\\Ada Lovelace\\AppData\\Roaming\\Code\\User\\globalStorage\\promptweight.promptweight";
const MAC_STORAGE = "/Users/ada/Library/Application Support/Code/User/globalStorage/promptweight.promptweight";

const interpreters: Array<[NodeJS.Platform, string, string]> = [
  ["win32", "C:\\envs\\py3.12", "C:\\envs\\py3.12\\Scripts\\python.exe"],
  ["win32", "\\\\server\\share\\envs\\py3.12", "\\\\server\\share\\envs\\py3.12\\Scripts\\python.exe"],
  ["linux", "/home/ada/.vscode-server/data/envs/py3.12", "/home/ada/.vscode-server/data/envs/py3.12/bin/python"],
  ["darwin", "/Users/ada/envs/py3.12", "/Users/ada/envs/py3.12/bin/python"],
];
for (const [platform, envDir, expected] of interpreters) {
  test(`a venv's interpreter on ${platform}: ${expected}`, () => {
    assert.equal(venvPython(envDir, platform), expected);
  });
}

const environments: Array<[NodeJS.Platform, string, string]> = [
  ["win32", WINDOWS_STORAGE, `${WINDOWS_STORAGE}\\envs\\py3.12-0.1.0-0123456789ab`],
  // A storage URI's fsPath may come with forward slashes: Windows' join normalises them.
  ["win32", "c:/Users/ada/globalStorage/pw", "c:\\Users\\ada\\globalStorage\\pw\\envs\\py3.12-0.1.0-0123456789ab"],
  ["darwin", MAC_STORAGE, `${MAC_STORAGE}/envs/py3.12-0.1.0-0123456789ab`],
  ["linux", "/srv/storage", "/srv/storage/envs/py3.12-0.1.0-0123456789ab"],
];
for (const [platform, storage, expected] of environments) {
  test(`the managed environment's folder on ${platform} under ${storage}`, () => {
    const envDir = managedEnvironmentDir(storage, [3, 12, 7], "0.1.0", "0123456789ab", platform);
    assert.equal(envDir, expected);
    // The folder the partial build is made in, and renamed from, is its sibling.
    assert.equal(pathsFor(platform).dirname(envDir), pathsFor(platform).join(storage, "envs"));
  });
}

test("the venv's deepest path stays under Windows' 260 characters for a long user name", () => {
  const envDir = managedEnvironmentDir(WINDOWS_STORAGE, [3, 14], "10.20.30", "0123456789ab", "win32");
  // The longest name in the Windows wheelhouse today (measured over its wheels), as the
  // byte-code pip compiles beside it.
  const deepest =
    "Lib\\site-packages\\huggingface_hub\\inference\\_generated\\types\\__pycache__\\" +
    "zero_shot_image_classification.cpython-314.pyc";
  assert.ok(`${envDir}\\${deepest}`.length < 260, `${envDir}\\${deepest}`);
});

test("pip installs from the wheelhouse alone, its path one argument even with spaces", () => {
  const wheels = "C:\\Program Files\\Microsoft VS Code\\resources\\app\\extensions\\pw\\bundled\\wheels";
  const args = pipInstallArguments(wheels, "0.1.0");
  assert.deepEqual(args.slice(args.indexOf("--find-links"), args.indexOf("--find-links") + 2), ["--find-links", wheels]);
  assert.ok(args.includes("--no-index"));
  assert.equal(args.at(-1), "promptweight==0.1.0");
});

const starts: Array<[NodeJS.Platform, string, boolean]> = [
  ["win32", "C:\\Users\\ada\\.pyenv\\pyenv-win\\shims\\python.bat", false],
  ["win32", "C:\\tools\\PYTHON.CMD", false],
  ["win32", "C:\\Python313\\python.exe", true],
  ["win32", "python", true],
  ["win32", "py", true],
  // Elsewhere a file's name says nothing about how it runs.
  ["linux", "/opt/tools/python.cmd", true],
];
for (const [platform, command, startable] of starts) {
  test(`${command} on ${platform} ${startable ? "starts" : "is refused"} without a shell`, () => {
    const refusal = unstartable(command, platform);
    assert.equal(refusal === undefined, startable);
    if (refusal) {
      assert.match(refusal, /python\.exe/);
    }
  });
}

/** A file system whose renames fail with the given codes, then succeed. */
function fakeFs(failures: string[], existing: string[] = []) {
  const calls: string[] = [];
  const ops: MoveOperations = {
    rename: async (from, to) => {
      calls.push(`rename ${from} ${to}`);
      const code = failures.shift();
      if (code) {
        throw Object.assign(new Error(code), { code });
      }
    },
    exists: (file) => existing.includes(file),
    remove: async (folder) => {
      calls.push(`remove ${folder}`);
    },
    sleep: async (ms) => {
      calls.push(`sleep ${ms}`);
    },
  };
  return { ops, calls };
}

const partial = "C:\\s\\envs\\.partial-x1";
const envDir = "C:\\s\\envs\\py3.12-0.1.0-k";
const python = "C:\\s\\envs\\py3.12-0.1.0-k\\Scripts\\python.exe";

const moves: Array<[string, string[], string[], "moved" | "existing", number]> = [
  ["a plain rename", [], [], "moved", 1],
  ["a scanner holding a file for a moment (Windows)", ["EPERM", "EBUSY", "EACCES"], [], "moved", 4],
  ["another window finished first", ["ENOTEMPTY"], [python], "existing", 1],
  ["another window finished first, Windows' EPERM", ["EPERM"], [python], "existing", 1],
];
for (const [situation, failures, existing, outcome, renames] of moves) {
  test(`moving the built environment into place: ${situation}`, async () => {
    const { ops, calls } = fakeFs([...failures], existing);
    assert.equal(await moveIntoPlace(partial, envDir, python, ops), outcome);
    assert.equal(calls.filter((c) => c.startsWith("rename")).length, renames);
    assert.equal(calls.includes(`remove ${partial}`), outcome === "existing");
  });
}

const refusals: Array<[string, string[]]> = [
  ["a disk that is full", ["ENOSPC"]],
  ["a file that stays locked", Array(10).fill("EPERM")],
];
for (const [situation, failures] of refusals) {
  test(`moving the built environment into place fails on ${situation}`, async () => {
    const { ops, calls } = fakeFs([...failures]);
    await assert.rejects(moveIntoPlace(partial, envDir, python, ops), { code: failures[0] });
    assert.ok(!calls.some((c) => c.startsWith("remove")), "the caller removes the partial build");
  });
}
