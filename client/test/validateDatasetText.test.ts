import assert from "node:assert/strict";
import { test } from "node:test";
import { DatasetProblem, DatasetReport, ValidateDatasetResult } from "../src/generated/protocol";
import { problemsByKind, summaryLine, validationMarkdown } from "../src/validateDatasetText";

function problem(code: string, severity: DatasetProblem["severity"], line: number): DatasetProblem {
  return { code, severity, line, message: code, startCharacter: 0, endCharacter: 1 };
}

function report(problems: DatasetProblem[], overrides: Partial<DatasetReport> = {}): DatasetReport {
  return {
    path: null,
    problems,
    omittedProblems: 0,
    errorCount: problems.filter((p) => p.severity === "error").length,
    warningCount: problems.filter((p) => p.severity === "warning").length,
    summary: {
      records: 4,
      examples: 2,
      exampleTokens: { min: 10, median: 12.5, p90: 14.2, max: 15 },
      assistantTokensTotal: 9,
      assistantTokens: { min: 4, median: 4.5, p90: 4.9, max: 5 },
      missingSystem: 2,
      missingUser: 0,
      tooLong: 0,
      maxSequenceTokens: 16_384,
      maxSequenceTokensSource: "setting",
      epochs: 3,
      epochsSource: "default",
      estimatedTrainingTokens: 75,
      guidance: "too few to expect a reliable fine-tune",
    },
    ...overrides,
  };
}

const PROBLEMS = [
  problem("duplicate", "warning", 3),
  problem("no-assistant", "error", 1),
  problem("duplicate", "warning", 5),
  problem("json-syntax", "error", 2),
  problem("no-assistant", "error", 6),
];

function result(r: DatasetReport | null, overrides: Partial<ValidateDatasetResult> = {}): ValidateDatasetResult {
  return {
    report: r,
    error: null,
    source: "editor",
    trainingModel: "gpt-4o-mini",
    tokenizer: "o200k_base",
    exact: true,
    ...overrides,
  };
}

test("problems are counted by kind, errors first, then the most frequent", () => {
  assert.deepEqual(
    problemsByKind(report(PROBLEMS)).map((k) => [k.code, k.severity, k.count]),
    [
      ["no-assistant", "error", 2],
      ["json-syntax", "error", 1],
      ["duplicate", "warning", 2],
    ],
  );
});

test("the notification gives usable examples and the problem counts", () => {
  assert.equal(summaryLine("data/a.jsonl", report(PROBLEMS)), "data/a.jsonl: 2 of 4 records usable, 3 errors, 2 warnings.");
});

test("a clean dataset's notification says no problems", () => {
  assert.equal(summaryLine("a.jsonl", report([])), "a.jsonl: 2 of 4 records usable, no problems.");
});

test("the report tables the problems by kind", () => {
  const markdown = validationMarkdown("a.jsonl", result(report(PROBLEMS)));
  assert.match(markdown, /\| `no-assistant` \| error \| 2 \|\n\| `json-syntax` \| error \| 1 \|\n\| `duplicate` \| warning \| 2 \|/);
});

test("problems beyond the listed ones are said to be left out of the table", () => {
  const markdown = validationMarkdown("a.jsonl", result(report(PROBLEMS, { omittedProblems: 1200 })));
  assert.match(markdown, /…and 1,200 more problems not listed/);
});

test("the report says which epochs and length it assumed, and where from", () => {
  const markdown = validationMarkdown("a.jsonl", result(report([])));
  assert.match(markdown, /- Epochs: 3 \(the default; no setting names them\)/);
  assert.match(markdown, /- Maximum length: 16,384 tokens \(from `promptweight.maxSequenceTokens`\)/);
});

test("the report names the tokenizer and what was read", () => {
  const markdown = validationMarkdown("a.jsonl", result(report([]), { source: "disk" }));
  assert.match(markdown, /- Counted with: `gpt-4o-mini`'s tokenizer \(o200k_base; `promptweight.trainingModel`\)/);
  assert.match(markdown, /- Read from: the file on disk/);
});

test("an estimated tokenizer's counts carry ≈", () => {
  const markdown = validationMarkdown("a.jsonl", result(report([]), { exact: false, tokenizer: "o200k_base" }));
  assert.match(markdown, /- Estimated training tokens: ≈75 \(3 epochs\)/);
  assert.match(markdown, /\(o200k_base, an estimate;/);
});

test("tokens per example round the median and p90", () => {
  assert.match(
    validationMarkdown("a.jsonl", result(report([]))),
    /- Tokens per example: min 10 · median 13 · p90 14 · max 15/,
  );
});

test("a dataset that was not validated says why", () => {
  assert.equal(
    validationMarkdown("a.jsonl", result(null, { error: "cannot read a.jsonl: No such file" })),
    "# a.jsonl\n\nNot validated: cannot read a.jsonl: No such file.\n",
  );
});
