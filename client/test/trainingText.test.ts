import assert from "node:assert/strict";
import { test } from "node:test";
import { TrainingEnvironment } from "../src/generated/protocol";
import {
  environmentMarkdown,
  environmentSummary,
  estimateLines,
  eventLine,
  formatBytes,
  newConfig,
  PRESETS,
  runName,
} from "../src/trainingText";

const names: Array<[string, string]> = [
  ["support-triage.train.jsonl", "support-triage"],
  ["data/support triage.jsonl", "support-triage"],
  ["C:\\work\\data\\tickets.train.jsonl", "tickets"],
  ["...jsonl", "run"],
];
for (const [dataset, name] of names) {
  test(`a run made from ${dataset} is named ${name}`, () => {
    assert.equal(runName(dataset), name);
  });
}

const sizes: Array<[number, string]> = [
  [3 * 1024 ** 3, "3.0 GiB"],
  [5.5 * 1024 ** 2, "5.5 MiB"],
  [2048, "2 KiB"],
];
for (const [bytes, shown] of sizes) {
  test(`formatBytes(${bytes}) is ${shown}`, () => {
    assert.equal(formatBytes(bytes), shown);
  });
}

test("a preset's settings go into the config beside the wizard's choices", () => {
  const quick = PRESETS.find((p) => p.label === "Quick try")!;
  const config = newConfig("triage", "models/tiny", ["a.jsonl", "b.jsonl"], quick);
  assert.deepEqual(config, {
    name: "triage",
    baseModel: "models/tiny",
    datasets: ["a.jsonl", "b.jsonl"],
    maxSteps: 30,
    lora: { rank: 8, alpha: 16 },
  });
});

test("the estimate's lines add weights, LoRA state and activations", () => {
  const gib = 1024 ** 3;
  const lines = estimateLines({
    baseWeights: gib,
    otherWeights: gib,
    loraWeights: 0,
    loraGradients: 0,
    optimizerState: 0,
    activations: gib,
    activationsWithoutCheckpointing: 4 * gib,
    logits: gib,
    total: 4 * gib,
  });
  assert.deepEqual(lines.map((l) => l.trim()), [
    "Estimated peak GPU memory: 4.0 GiB",
    "base model (4-bit and the rest): 2.0 GiB",
    "LoRA weights, gradients and optimiser: 0 KiB",
    "activations and logits: 2.0 GiB",
  ]);
});

const missingTorch: TrainingEnvironment = {
  python: "/env/bin/python",
  report: { python: "/env/bin/python", pythonVersion: "3.11.2", missing: ["torch", "bitsandbytes"] },
  install: { command: ["/env/bin/python", "-m", "pip", "install", "torch>=2.4"], commandLine: "/env/bin/python -m pip install 'torch>=2.4'" },
};
const silent: TrainingEnvironment = { python: "/nowhere/python", report: null, error: "cannot start /nowhere/python" };
const ready: TrainingEnvironment = {
  python: "/env/bin/python",
  report: {
    python: "/env/bin/python",
    pythonVersion: "3.11.2",
    missing: [],
    fourBitWorks: true,
    gpus: [{ index: 0, name: "NVIDIA H200", totalBytes: 140 * 1024 ** 3, freeBytes: 139 * 1024 ** 3, bf16: true }],
  },
};
const summaries: Array<[string, TrainingEnvironment, RegExp]> = [
  ["missing libraries", missingTorch, /lacks torch, bitsandbytes/],
  ["no answer", silent, /did not answer: cannot start/],
  ["a GPU", ready, /ready to train on NVIDIA H200/],
];
for (const [what, found, expected] of summaries) {
  test(`the environment summary names ${what}`, () => {
    assert.match(environmentSummary(found), expected);
  });
}

test("the environment report shows the install command to run by hand", () => {
  const text = environmentMarkdown(missingTorch);
  assert.match(text, /Missing: torch, bitsandbytes/);
  assert.match(text, /```sh\n\/env\/bin\/python -m pip install 'torch>=2.4'\n```/);
});

test("a step event is one log line with its loss and throughput", () => {
  const line = eventLine({
    config: "file:///w/promptweight.train.yaml",
    event: { type: "step", step: 3, totalSteps: 30, epoch: 0.1, loss: 1.23456, learningRate: 0.0002, tokensPerSecond: 1234.4, memoryBytes: null },
  });
  assert.equal(line, "step 3/30 loss 1.2346 lr 2.00e-4 1,234 tokens/s");
});

test("a failure's log line carries its hint", () => {
  const line = eventLine({ config: "file:///w/a.train.yaml", event: { type: "failed", error: "CUDA out of memory", hint: "lower batchSize" } });
  assert.equal(line, "failed: CUDA out of memory (lower batchSize)");
});
