import assert from "node:assert/strict";
import { test } from "node:test";
import { CountSelectionResult, DocumentStats } from "../src/generated/protocol";
import {
  breakdownDetail,
  breakdownRows,
  isShown,
  saturationLevel,
  statusText,
  tooltipParts,
} from "../src/statusText";

/** A counted gpt-4o-mini prompt; each test overrides what it is about. */
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
    inputTokens: 1234,
    saturation: 0.25,
    contextWindow: 128000,
    maxOutputTokens: 1000,
    budgetTokens: 2000,
    costPerCallUsd: 0.0021,
    costPerMonthUsd: 6.3,
    callsPerDay: 100,
    breakdown: { system: 200, examples: 600, instructions: 400, overhead: 24, tools: 10 },
    ...overrides,
  };
}

const texts: Array<[string, Partial<DocumentStats>, CountSelectionResult | undefined, string]> = [
  ["tokens, share of the context window and cost per call", {}, undefined, "$(symbol-numeric) 1,234 input tokens · 25% · $0.0021/call"],
  ["a dash when the document was not counted", { promptTokens: null }, undefined, "$(symbol-numeric) — input tokens"],
  ["≈ when the tokenizer only approximates", { exact: false }, undefined, "$(symbol-numeric) ≈1,234 input tokens · 25% · $0.0021/call"],
  ["the content tokens, so named, when there is no input total", { inputTokens: null, saturation: null, costPerCallUsd: null }, undefined, "$(symbol-numeric) 1,200 content tokens"],
  ["no comparison with an original without an input total", { inputTokens: null, saturation: null, costPerCallUsd: null, original: { uri: "file:///support-triage.prompty", inputTokens: 1534 } }, undefined, "$(symbol-numeric) 1,200 content tokens"],
  ["a decimal below 10% of the window", { saturation: 0.054 }, undefined, "$(symbol-numeric) 1,234 input tokens · 5.4% · $0.0021/call"],
  ["over 100% when the window overflows", { saturation: 1.5 }, undefined, "$(symbol-numeric) 1,234 input tokens · 150% · $0.0021/call"],
  ["the selection's tokens", {}, { tokens: 42, exact: true, encoding: "o200k_base" }, "$(symbol-numeric) 1,234 input tokens (42 selected) · 25% · $0.0021/call"],
  ["no selection when it was not counted", {}, { tokens: null, exact: true, encoding: "o200k_base" }, "$(symbol-numeric) 1,234 input tokens · 25% · $0.0021/call"],
  ["the tokens a short prompt saves against its original", { original: { uri: "file:///support-triage.prompty", inputTokens: 1534 } }, undefined, "$(symbol-numeric) 1,234 input tokens (−300 vs original) · 25% · $0.0021/call"],
  ["the tokens a short prompt adds to its original", { original: { uri: "file:///support-triage.prompty", inputTokens: 1200 } }, undefined, "$(symbol-numeric) 1,234 input tokens (+34 vs original) · 25% · $0.0021/call"],
  ["≈ on the difference when the tokenizer only approximates", { exact: false, original: { uri: "file:///support-triage.prompty", inputTokens: 1534 } }, undefined, "$(symbol-numeric) ≈1,234 input tokens (≈−300 vs original) · 25% · $0.0021/call"],
];
for (const [shows, overrides, selection, text] of texts) {
  test(`the status text shows ${shows}`, () => {
    assert.equal(statusText(stats(overrides), selection), text);
  });
}

test("the breakdown has the content's parts, the content tokens, the rest, then the input tokens", () => {
  assert.deepEqual(breakdownRows(stats({ exact: false })), [
    ["System", "≈200"],
    ["Few-shot examples", "≈600"],
    ["Instructions and other messages", "≈400"],
    ["Content tokens", "≈1,200"],
    ["Chat overhead", "≈24"],
    ["Tools and output schema", "≈10"],
    ["Input tokens per call", "≈1,234"],
  ]);
});

test("the breakdown is empty without the server's breakdown", () => {
  assert.deepEqual(breakdownRows(stats({ breakdown: null })), []);
});

test("the breakdown dialog's detail has one `label: tokens` line per row", () => {
  assert.equal(
    breakdownDetail(stats()),
    "System: 200\nFew-shot examples: 600\nInstructions and other messages: 400\n" +
      "Content tokens: 1,200\nChat overhead: 24\nTools and output schema: 10\n" +
      "Input tokens per call: 1,234",
  );
});

test("the tooltip has the model, the breakdown table, the window, the cost and the exactness", () => {
  assert.deepEqual(tooltipParts(stats()), [
    { markdown: "**Promptweight** · gpt-4o-mini · o200k_base\n\n" },
    { markdown: "| | tokens |\n| --- | ---: |\n" },
    { markdown: "| System | 200 |\n" },
    { markdown: "| Few-shot examples | 600 |\n" },
    { markdown: "| Instructions and other messages | 400 |\n" },
    { markdown: "| Content tokens | 1,200 |\n" },
    { markdown: "| Chat overhead | 24 |\n" },
    { markdown: "| Tools and output schema | 10 |\n" },
    { markdown: "| Input tokens per call | 1,234 |\n" },
    { markdown: "\n25.0% of 128,000 tokens (with 1,000 output, 2,000 budget)\n\n" },
    { markdown: "$0.0021 per call · $6.30 per month at 100 calls/day\n\n" },
    { text: "Exact count." },
  ]);
});

test("the tooltip of a skipped document says why, as plain text", () => {
  assert.deepEqual(tooltipParts(stats({ skippedReason: "longer than 2,000,000 characters", modelId: null })), [
    { markdown: "**Promptweight** · gpt-4o-mini · o200k_base\n\n" },
    { text: "Not counted: longer than 2,000,000 characters" },
  ]);
});

test("the tooltip's approximation note is plain text, not markdown", () => {
  const parts = tooltipParts(stats({ exact: false, note: "*estimated* with o200k_base", breakdown: null }));
  assert.deepEqual(parts.at(-1), { text: "Approximate: *estimated* with o200k_base" });
});

const levels: Array<[number | null, number, "error" | "warning" | undefined]> = [
  [null, 0.8, undefined],
  [0.79, 0.8, undefined],
  [0.8, 0.8, "warning"],
  [1, 0.8, "warning"],
  [1.01, 0.8, "error"],
  [0.5, 0.5, "warning"],
];
for (const [saturation, warningAt, level] of levels) {
  test(`a saturation of ${saturation} with a warning at ${warningAt} is ${level ?? "no alert"}`, () => {
    assert.equal(saturationLevel(saturation, warningAt), level);
  });
}

const shown: Array<[string, DocumentStats | undefined, boolean]> = [
  ["a prompt", stats(), true],
  ["a prompt that was not counted", stats({ promptTokens: null }), true],
  ["JSON or YAML that is not a prompt", stats({ format: null }), false],
  ["a document the server has not reported", undefined, false],
];
for (const [what, documentStats, expected] of shown) {
  test(`the item is ${expected ? "shown" : "hidden"} for ${what}`, () => {
    assert.equal(isShown(documentStats), expected);
  });
}
