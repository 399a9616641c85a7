import assert from "node:assert/strict";
import { test } from "node:test";
import { DocumentStats } from "../src/generated/protocol";
import { languageStatusText } from "../src/languageStatusText";

function stats(overrides: Partial<DocumentStats> = {}): DocumentStats {
  return {
    uri: "file:///support-triage.prompty",
    version: 1,
    format: "prompty",
    model: "gpt-4o-mini",
    modelId: "gpt-4o-mini",
    encoding: "o200k_base",
    exact: true,
    promptTokens: 1200,
    ...overrides,
  };
}

const CASES: Array<[string, Partial<DocumentStats>, ReturnType<typeof languageStatusText>]> = [
  ["the model and encoding, exact", {}, { text: "gpt-4o-mini · o200k_base", detail: "exact token counts", severity: "information" }],
  [
    "≈ and why when the tokenizer only approximates",
    { model: "claude-3-5-sonnet", modelId: "claude-3-5-sonnet", exact: false, note: "no public tokenizer: estimated with o200k_base" },
    {
      text: "≈ claude-3-5-sonnet · o200k_base",
      detail: "approximate counts: no public tokenizer: estimated with o200k_base",
      severity: "information",
    },
  ],
  ["≈ without a note", { exact: false, note: null }, { text: "≈ gpt-4o-mini · o200k_base", detail: "approximate counts", severity: "information" }],
  [
    "the catalog entry when the file's name differs",
    { model: "GPT-4o", modelId: "gpt-4o" },
    { text: "GPT-4o → gpt-4o · o200k_base", detail: "exact token counts", severity: "information" },
  ],
  [
    "a warning with the reason when the file was not counted",
    { promptTokens: null, skippedReason: "over maxDocumentCharacters" },
    { text: "gpt-4o-mini · o200k_base", detail: "not counted: over maxDocumentCharacters", severity: "warning" },
  ],
];

for (const [name, overrides, expected] of CASES) {
  test(name, () => assert.deepEqual(languageStatusText(stats(overrides)), expected));
}
