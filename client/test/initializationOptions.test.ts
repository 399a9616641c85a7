import assert from "node:assert/strict";
import { test } from "node:test";
import { SETTINGS, SettingKey } from "../src/generated/protocol";
import { initializationOptions, SettingsReader } from "../src/initializationOptions";

type Levels = { globalValue?: unknown; workspaceValue?: unknown; workspaceFolderValue?: unknown };

/** A `getConfiguration("promptweight")` whose values are `value:<key>@<where>`, and whose `models` has the levels given. */
function settings(where: string, models: Levels = {}): SettingsReader {
  return {
    get: (key) => `value:${key}@${where}`,
    inspect: (key) => (key === "models" ? models : undefined),
  };
}

const keys = Object.keys(SETTINGS) as SettingKey[];
const byScope = (scope: string) => keys.filter((key) => SETTINGS[key] === scope);

const MODELS: Levels = {
  globalValue: { mine: { contextWindow: 1 }, shared: { contextWindow: 2 } },
  workspaceValue: { shared: { contextWindow: 3 }, team: { tokenizerPath: "t.json" } },
  workspaceFolderValue: { team: { tokenizerPath: "folder.json" } },
};

test("every setting the server reads is sent, with the window's value", () => {
  const options = initializationOptions({ trusted: true, window: settings("window"), folders: [] });
  for (const key of byScope("resource").concat(byScope("window"))) {
    assert.equal(options[key as keyof typeof options], `value:${key}@window`);
  }
  assert.deepEqual(Object.keys(options).sort(), [...keys, "folders", "workspaceTrusted"].sort());
});

for (const trusted of [true, false]) {
  test(`the server is told whether the workspace is trusted (${trusted})`, () => {
    const options = initializationOptions({ trusted, window: settings("window"), folders: [] });
    assert.equal(options.workspaceTrusted, trusted);
  });
}

test("each workspace folder gets its resource settings, read for that folder", () => {
  const options = initializationOptions({
    trusted: true,
    window: settings("window"),
    folders: [
      { uri: "file:///a", settings: settings("a") },
      { uri: "file:///b", settings: settings("b") },
    ],
  });
  assert.deepEqual(
    options.folders?.map((folder) => folder.uri),
    ["file:///a", "file:///b"],
  );
  for (const key of byScope("resource")) {
    assert.equal(options.folders?.[1].settings?.[key], `value:${key}@b`);
  }
});

test("window-scoped settings are sent once, not per folder", () => {
  const options = initializationOptions({
    trusted: true,
    window: settings("window"),
    folders: [{ uri: "file:///a", settings: settings("a") }],
  });
  for (const key of byScope("window")) {
    assert.equal(key in (options.folders?.[0].settings ?? {}), false, key);
  }
});

const modelRules: Array<[string, boolean, unknown]> = [
  [
    "trusted: user, workspace and folder models merged, the most specific winning",
    true,
    { mine: { contextWindow: 1 }, shared: { contextWindow: 3 }, team: { tokenizerPath: "folder.json" } },
  ],
  [
    "untrusted: only the user's models (a workspace's could name any tokenizer file)",
    false,
    { mine: { contextWindow: 1 }, shared: { contextWindow: 2 } },
  ],
];
for (const [rule, trusted, expected] of modelRules) {
  test(`models, for the window and each folder: ${rule}`, () => {
    const options = initializationOptions({
      trusted,
      window: settings("window", MODELS),
      folders: [{ uri: "file:///a", settings: settings("a", MODELS) }],
    });
    assert.deepEqual(options.models, expected);
    assert.deepEqual(options.folders?.[0].settings?.models, expected);
  });
}

test("no models set: an empty object", () => {
  const options = initializationOptions({ trusted: true, window: settings("window"), folders: [] });
  assert.deepEqual(options.models, {});
});

test("no workspace folder: an empty list of folders", () => {
  const options = initializationOptions({ trusted: false, window: settings("window"), folders: [] });
  assert.deepEqual(options.folders, []);
});
