import assert from "node:assert/strict";
import { test } from "node:test";
import { ModelListing, ModelsResult } from "../src/generated/protocol";
import {
  formatPrice,
  formatWindow,
  modelDescription,
  pickerRows,
  pickerText,
  SettingTarget,
  settingTarget,
} from "../src/modelPickerItems";

function model(id: string, provider: string, exact = true): ModelListing {
  return {
    id,
    provider,
    contextWindow: 128_000,
    maxOutputTokens: 16_384,
    inputUsdPerMillion: 0.15,
    outputUsdPerMillion: 0.6,
    exact,
    tokenizer: exact ? "o200k_base" : "estimated with o200k_base",
  };
}

const MODELS = [
  model("claude-3-5-haiku", "anthropic", false),
  model("gpt-4o", "openai"),
  model("gpt-4o-mini", "openai"),
  model("azure/eu/gpt-4o", "openai"),
];

function result(overrides: Partial<ModelsResult> = {}): ModelsResult {
  return {
    models: MODELS,
    setting: "gpt-4o-mini",
    settingId: "gpt-4o-mini",
    fileModel: null,
    fileModelId: null,
    folder: "file:///work",
    ...overrides,
  };
}

const windows: Array<[number, string]> = [
  [128_000, "128K"],
  [1_048_576, "1.05M"],
  [2_000_000, "2M"],
  [8_192, "8.2K"],
  [512, "512"],
];
for (const [tokens, shown] of windows) {
  test(`a context window of ${tokens} tokens reads ${shown}`, () => {
    assert.equal(formatWindow(tokens), shown);
  });
}

const prices: Array<[number, string]> = [
  [0.15, "$0.15"],
  [0.075, "$0.075"],
  [15, "$15"],
  [0, "$0"],
  [1.23456, "$1.235"],
];
for (const [usd, shown] of prices) {
  test(`a price of ${usd} per 1M reads ${shown}`, () => {
    assert.equal(formatPrice(usd), shown);
  });
}

test("a model's description has its window, prices and exact tokenizer", () => {
  assert.equal(modelDescription(MODELS[1]), "128K context · $0.15 in / $0.6 out per 1M · exact (o200k_base)");
});

test("an estimated model's description says so with ≈", () => {
  assert.match(modelDescription(MODELS[0]), /· ≈ estimated with o200k_base$/);
});

test("each provider gets one separator before its models, in the server's order", () => {
  const rows = pickerRows(result());
  assert.deepEqual(
    rows.map((r) => (r.kind === "separator" ? `-- ${r.label}` : r.id)),
    ["-- anthropic", "claude-3-5-haiku", "-- openai", "gpt-4o", "gpt-4o-mini", "azure/eu/gpt-4o"],
  );
});

test("the setting's model is marked current, and only it", () => {
  const current = pickerRows(result()).filter((r) => r.kind === "model" && r.current);
  assert.deepEqual(
    current.map((r) => r.kind === "model" && [r.label, r.description.split(" · ")[0]]),
    [["$(check) gpt-4o-mini", "current setting"]],
  );
});

test("an unknown setting marks no model", () => {
  const rows = pickerRows(result({ setting: "no-such-model", settingId: null }));
  assert.equal(rows.filter((r) => r.kind === "model" && r.current).length, 0);
});

test("the model the file names is marked as the file's", () => {
  const rows = pickerRows(result({ fileModel: "GPT-4o", fileModelId: "gpt-4o" }));
  const marked = rows.filter((r) => r.kind === "model" && r.description.includes("named by this file"));
  assert.deepEqual(
    marked.map((r) => r.kind === "model" && r.id),
    ["gpt-4o"],
  );
});

test("a file that names its model is told that its own wins", () => {
  const text = pickerText(
    result({ fileModel: "claude-3-5-haiku", fileModelId: "claude-3-5-haiku" }),
    "a.prompty",
    "workspaceFolder",
  );
  assert.equal(text.title, "Promptweight: a.prompty names claude-3-5-haiku");
  assert.match(text.placeholder, /^This file names claude-3-5-haiku in its frontmatter, which wins for it;/);
  assert.match(text.placeholder, /applies to files without a model \(now gpt-4o-mini\)$/);
});

test("without a file model the picker says where the choice is written", () => {
  const text = pickerText(result(), "a.prompty", "workspaceFolder");
  assert.equal(text.title, "Promptweight: model for files without their own");
  assert.match(text.placeholder, /^Choose the model for this workspace folder \(promptweight.model, now gpt-4o-mini\)/);
});

const places: Array<[SettingTarget, string]> = [
  ["global", "your user settings"],
  ["workspace", "this workspace"],
];
for (const [target, where] of places) {
  test(`a choice written to ${target} says it is for ${where}`, () => {
    assert.match(pickerText(result({ folder: null }), undefined, target).placeholder, new RegExp(`for ${where} \\(`));
  });
}

test("an unknown setting is named in the title", () => {
  const text = pickerText(result({ setting: "nope", settingId: null }), undefined, "global");
  assert.equal(text.title, "Promptweight: model for files without their own (nope is unknown: counted as gpt-4o-mini)");
});

const targets: Array<[boolean, unknown, string]> = [
  [true, undefined, "workspaceFolder"],
  [true, "gpt-4.1", "workspaceFolder"],
  [false, undefined, "global"],
  [false, "gpt-4.1", "workspace"], // a workspace value would hide the user's
];
for (const [inFolder, workspaceValue, target] of targets) {
  test(`a file ${inFolder ? "in" : "outside"} a folder, workspace value ${String(workspaceValue)}: ${target}`, () => {
    assert.equal(settingTarget(inFolder, workspaceValue), target);
  });
}
