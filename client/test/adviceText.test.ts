import assert from "node:assert/strict";
import { test } from "node:test";
import { adviceMarkdown } from "../src/adviceText";
import { CostOption, FileAdvice } from "../src/generated/protocol";

const option = (name: string, perCall: number, training = 0): CostOption => ({
  name,
  inputTokens: 1200,
  costPerCallUsd: perCall,
  costPerMonthUsd: perCall * 30_000,
  trainingCostUsd: training,
});

const advice: FileAdvice = {
  path: "triage.prompty",
  verdict: "keep-prompting",
  summary: "Keep prompting · 4 of 6 conditions · break-even 12k calls/day",
  reasons: ["Break-even volume: 1,000 calls/day (needs ≥ 12,400 calls/day)"],
  conditions: [
    { id: "format-stability", label: "Output format is stable", value: "6 of 6 (100%)", measured: 1, threshold: "≥ 90%", pass: true, evidence: [{ text: "JSON with keys category, reply", startLine: 20, endLine: 31 }] },
    { id: "requirements-settled", label: "Requirements settled", value: "", measured: null, threshold: "≤ 3 commits in 30 days", pass: null, note: "no git repository" },
  ],
  breakEven: {
    callsPerDay: 1000,
    tokensSavedPerCall: 800,
    prompting: option("prompting", 0.002),
    promptingCached: option("prompting (cached)", 0.0015),
    fineTuned: [option("local QLoRA", 0.0004, 3.2)],
    cheapestFineTuned: "local QLoRA",
    savingPerCallUsd: 0.0011,
    breakEvenCallsPerDay: 12_400,
    paybackDays: 2.9,
    cachingSavingPerMonthUsd: 15,
    curve: [
      { callsPerDay: 1000, promptingUsdPerMonth: 45, fineTunedUsdPerMonth: { "local QLoRA": 721.07 } },
      { callsPerDay: 12_400, promptingUsdPerMonth: 558, fineTunedUsdPerMonth: { "local QLoRA": 721.07 } },
    ],
  },
  flips: [{ condition: "volume", text: "at 12,400 calls/day or more" }],
  notMeasured: ["Requirements settled: no git repository"],
};

test("the report opens with the verdict's summary", () => {
  assert.match(adviceMarkdown(advice), /^# Keep prompting · 4 of 6 conditions · break-even 12k calls\/day\n/);
});

test("each condition is a row with its mark, value, threshold and evidence lines", () => {
  const text = adviceMarkdown(advice);
  assert.match(text, /\| ✓ \| Output format is stable \| 6 of 6 \(100%\) \| ≥ 90% \| line 20–31: JSON with keys category, reply \|/);
  assert.match(text, /\| – \| Requirements settled \| not measured: no git repository \|/);
});

test("the costs table lists prompting, cached prompting and each fine-tuned option", () => {
  const text = adviceMarkdown(advice);
  assert.match(text, /\| local QLoRA \| 1,200 \| \$0\.0004 \| \$12\.00 \| \$3\.20 \|/);
  assert.match(text, /Break-even: 12,400 calls\/day; payback at this volume in 3 days\./);
  assert.match(text, /Prompt caching alone saves \$15\.00 a month\./);
});

test("what would change the verdict is listed", () => {
  assert.match(adviceMarkdown(advice), /## What would change the verdict\n\n- at 12,400 calls\/day or more/);
});

test("the monthly cost by volume marks the prompt's volume and the break-even", () => {
  const text = adviceMarkdown(advice);
  assert.match(text, /\| Calls\/day \| Prompting \| local QLoRA \|/);
  // formatUsd: cents under $100, whole dollars from $100.
  assert.match(text, /\| 1,000 \(this prompt\) \| \$45\.00 \| \$721 \|/);
  assert.match(text, /\| 12,400 \(break-even\) \| \$558 \| \$721 \|/);
});
