import assert from "node:assert/strict";
import { test } from "node:test";
import { evalMarkdown } from "../src/evalText";
import { EvalReport } from "../src/generated/protocol";

const totals = (validRate: number | null, matchRate: number, tokens: number, seconds: number) => ({
  valid: validRate === null ? null : Math.round(validRate * 4),
  validRate,
  matches: Math.round(matchRate * 4),
  matchRate,
  promptTokensPerCall: tokens,
  answerTokensPerCall: 9,
  secondsPerCall: seconds,
});

const report: EvalReport = {
  runDir: "runs/20261201-120000-triage",
  baseModel: "tiny-model",
  promptPath: "triage.prompty",
  formatRule: "JSON with keys category",
  device: "cuda",
  batchSize: 8,
  maxNewTokens: 32,
  examples: [
    {
      input: "The VPN drops.",
      expected: '{"category": "network"}',
      answerFull: '{"category": "hardware"}',
      answerShort: '{"category": "network"}',
      validFull: true,
      validShort: true,
      matchFull: false,
      matchShort: true,
      promptTokensFull: 410,
      promptTokensShort: 92,
      heldOut: true,
      exampleLeftOut: true,
    },
  ],
  full: totals(1, 0.5, 410.4, 0.21),
  short: totals(1, 0.75, 92, 0.05),
  saving: {
    model: "gpt-4o-mini",
    exactCounts: true,
    promptTokensFull: 400,
    promptTokensShort: 90,
    tokensSavedPerCall: 310,
    callsPerDay: 1000,
    inputPricePerMillion: 0.15,
    savingPerMonthUsd: 1.395,
  },
};

test("the comparison is a table of both sides", () => {
  const text = evalMarkdown(report);
  assert.match(text, /\| Exact match \| 50% \| 75% \|/);
  assert.match(text, /\| Prompt tokens per call \| 410 \| 92 \|/);
  assert.match(text, /\| Latency per call \| 0\.21 s \| 0\.05 s \|/);
});

test("the saving is said in the prompt model's tokens and dollars", () => {
  assert.match(evalMarkdown(report), /saves 310 tokens per call in gpt-4o-mini's tokens: \$1\.40 a month at 1,000 calls\/day\./);
});

test("each answer is listed with a mark where it matched", () => {
  assert.match(evalMarkdown(report), /\| \{"category": "network"\} \| \{"category": "hardware"\} \| ✓ \{"category": "network"\} \|/);
});

test("validity not checked is said so", () => {
  const unchecked = { ...report, formatRule: "", full: totals(null, 0.5, 410, 0.2) };
  const text = evalMarkdown(unchecked);
  assert.match(text, /share no format: validity is not checked/);
  assert.match(text, /\| Format valid \| not checked \| 100% \|/);
});
