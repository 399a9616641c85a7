import assert from "node:assert/strict";
import { test } from "node:test";
import { TokenReport } from "../src/generated/protocol";
import {
  barChartHeight,
  costRows,
  countingLine,
  exampleBars,
  gauge,
  gaugeArcs,
  gaugeCaption,
  messageBars,
  omittedNote,
} from "../src/tokenReportModel";

const AT = { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } };

/** A counted gpt-4o-mini prompt; each test overrides what it is about. */
function report(overrides: Partial<TokenReport> = {}): TokenReport {
  return {
    uri: "file:///triage.prompty",
    version: 3,
    format: "prompty",
    model: "gpt-4o-mini",
    modelId: "gpt-4o-mini",
    encoding: "o200k_base",
    exact: true,
    promptTokens: 1000,
    inputTokens: 1020,
    contextWindow: 10000,
    maxOutputTokens: 1000,
    budgetTokens: 2000,
    costPerCallUsd: 0.002,
    messages: [
      { role: "system", name: null, contentTokens: 700, range: AT },
      { role: "user", name: "ada", contentTokens: 300, range: AT },
    ],
    fewShotExamples: [{ label: "The VPN drops.", kind: "chat-pair", inputTokens: 5, outputTokens: 1, range: AT }],
    volumes: [
      { callsPerDay: 1000, costPerMonthUsd: 60, configured: true },
      { callsPerDay: 10000, costPerMonthUsd: 600, configured: false },
    ],
    ...overrides,
  };
}

test("the gauge splits the window into input, budget, max output and what is free", () => {
  assert.deepEqual(
    gauge(report())?.segments.map((s) => [s.id, s.tokens]),
    [
      ["input", 1020],
      ["budget", 2000],
      ["output", 1000],
      ["free", 5980],
    ],
  );
});

test("the gauge's saturation counts the budget and the max output", () => {
  assert.equal(gauge(report())?.saturation, 0.402);
});

test("an overflowing call has nothing free and says by how much it is over", () => {
  const g = gauge(report({ inputTokens: 9000 }));
  assert.deepEqual([g?.segments[3].tokens, g?.overflow], [0, 2000]);
  assert.equal(gaugeCaption(g!, true), "120% of 10,000 tokens (12,000 used · 2,000 over)");
});

const ARCS: Array<[string, Partial<TokenReport>, number[]]> = [
  ["segments large enough to see are drawn at their size", {}, [1020, 2000, 1000, 5980]],
  [
    "a sliver of a prompt in a large window is widened, from the free part",
    { contextWindow: 1_000_000, inputTokens: 300, budgetTokens: 0, maxOutputTokens: 1024 },
    [15_000, 0, 15_000, 970_000],
  ],
  ["an overflowing call keeps its true sizes", { inputTokens: 9000 }, [9000, 2000, 1000, 0]],
];
for (const [name, overrides, arcs] of ARCS) {
  test(`gauge arcs: ${name}`, () => assert.deepEqual(gaugeArcs(gauge(report(overrides))!), arcs));
}

test("there is no gauge without a context window", () => {
  assert.equal(gauge(report({ contextWindow: null })), null);
});

test("the caption marks approximate counts", () => {
  assert.equal(gaugeCaption(gauge(report())!, false), "40% of 10,000 tokens (≈4,020 used)");
});

test("message bars are numbered, with the role and any name", () => {
  assert.deepEqual(messageBars(report()).labels, ["1 system", "2 user (ada)"]);
  assert.deepEqual(messageBars(report()).tokens, [700, 300]);
});

test("example bars stack input and output", () => {
  const bars = exampleBars(report());
  assert.deepEqual([bars.labels, bars.input, bars.output], [["1. The VPN drops."], [5], [1]]);
});

test("an example with an empty input still has a label", () => {
  const bars = exampleBars(report({ fewShotExamples: [{ label: "", kind: "q-a", inputTokens: 0, outputTokens: 3, range: AT }] }));
  assert.deepEqual(bars.labels, ["1. (empty)"]);
});

const HEIGHTS: Array<[number, number]> = [
  [0, 120],
  [10, 248],
  [500, 2400],
];
for (const [bars, height] of HEIGHTS) {
  test(`a chart of ${bars} bars is ${height}px tall`, () => assert.equal(barChartHeight(bars), height));
}

test("the cost table has a row per volume, the configured one marked", () => {
  assert.deepEqual(costRows(report()), [
    { callsPerDay: "1,000/day", perCall: "$0.0020", perMonth: "$60.00", configured: true },
    { callsPerDay: "10,000/day", perCall: "$0.0020", perMonth: "$600", configured: false },
  ]);
});

test("an unpriced model has no cost table", () => {
  assert.deepEqual(costRows(report({ costPerCallUsd: null })), []);
});

const COUNTING: Array<[string, Partial<TokenReport>, string]> = [
  ["exact", {}, "gpt-4o-mini · o200k_base · exact counts"],
  ["approximate, with why", { exact: false, note: "estimated" }, "gpt-4o-mini · o200k_base · ≈ approximate: estimated"],
  ["the catalog entry when it differs", { model: "GPT-4o", modelId: "gpt-4o" }, "GPT-4o (gpt-4o) · o200k_base · exact counts"],
];
for (const [name, overrides, line] of COUNTING) {
  test(`the counting line: ${name}`, () => assert.equal(countingLine(report(overrides)), line));
}

test("items past the charted ones are counted in a note", () => {
  assert.deepEqual([omittedNote(0, "messages"), omittedNote(1500, "messages")], [null, "1,500 more messages not charted."]);
});
