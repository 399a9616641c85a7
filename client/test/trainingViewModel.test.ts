import assert from "node:assert/strict";
import { test } from "node:test";
import { RunSummary } from "../src/generated/protocol";
import {
  applyEvent,
  applyNotification,
  emptyView,
  formatDuration,
  MAX_POINTS,
  secondsLeft,
  statusRows,
  TrainingEvent,
  TrainingView,
  viewOfRun,
} from "../src/trainingViewModel";

const CONFIG = "file:///work/promptweight.train.yaml";
const RUN = "/work/runs/20261201-100000-triage";

function started(runDir = RUN, resumedFromStep = 0): TrainingEvent {
  return {
    type: "started",
    runDir,
    baseModel: "tiny",
    trainableParameters: 1,
    totalParameters: 2,
    quantization: "nf4",
    device: "cuda:0",
    totalSteps: 100,
    trainExamples: 10,
    evalExamples: 2,
    resumedFromStep,
  };
}

function step(n: number, memoryBytes: number | null = 3 * 2 ** 30): TrainingEvent {
  return { type: "step", step: n, totalSteps: 100, epoch: n / 100, loss: 2 - n / 100, learningRate: 1e-4 * n, tokensPerSecond: 1234.4, memoryBytes };
}

function fold(events: TrainingEvent[], at?: (i: number) => number): TrainingView {
  const view = emptyView();
  view.config = CONFIG;
  events.forEach((event, i) => applyEvent(view, event, at?.(i)));
  return view;
}

test("steps become the train loss and learning-rate curves", () => {
  const view = fold([started(), step(1), step(2)]);
  assert.deepEqual(view.trainLoss, [
    { x: 1, y: 1.99 },
    { x: 2, y: 1.98 },
  ]);
  assert.deepEqual(view.learningRate.map((p) => p.x), [1, 2]);
});

test("evaluations become the eval loss curve", () => {
  assert.deepEqual(fold([started(), step(1), { type: "eval", step: 1, loss: 1.5 }]).evalLoss, [{ x: 1, y: 1.5 }]);
});

test("a resumed run redoes the points after its checkpoint", () => {
  const view = fold([started(), step(1), step(2), step(3), started(RUN, 2), step(3)]);
  assert.deepEqual(view.trainLoss.map((p) => p.x), [1, 2, 3]);
});

test("another run's start clears the curves", () => {
  const view = fold([started(), step(1), started("/work/runs/20261201-110000-next")]);
  assert.deepEqual([view.trainLoss, view.runDir], [[], "/work/runs/20261201-110000-next"]);
});

const ENDINGS: Array<[string, TrainingEvent, string, string]> = [
  ["finished", { type: "finished", adapterPath: "/a", steps: 2, trainLoss: 1.9, evalLoss: null }, "finished", "Finished after 2 steps. Adapter: /a"],
  [
    "stopped",
    { type: "finished", adapterPath: "/a", steps: 2, trainLoss: 1.9, evalLoss: null, cancelled: true },
    "stopped",
    "Stopped after 2 steps. Adapter: /a",
  ],
  ["failed", { type: "failed", error: "CUDA out of memory", hint: "lower batchSize" }, "failed", "Failed: CUDA out of memory. lower batchSize"],
];
for (const [name, event, state, message] of ENDINGS) {
  test(`a ${name} run says so`, () => {
    const view = fold([started(), step(1), step(2), event]);
    assert.deepEqual([view.state, view.message], [state, message]);
  });
}

test("curves keep at most the server's history of points", () => {
  const view = fold([started(), ...Array.from({ length: MAX_POINTS + 5 }, (_, i) => step(i + 1))]);
  assert.equal(view.trainLoss.length, MAX_POINTS);
  assert.equal(view.trainLoss[0].x, 6);
});

test("the time left is the remaining steps at the pace of live steps", () => {
  const view = fold([started(), step(10), step(20)], (i) => i * 5000); // 10 steps in 5 s
  assert.equal(secondsLeft(view), 40); // 80 steps left
});

test("history alone gives no time left: its events carry no times", () => {
  assert.equal(secondsLeft(fold([started(), step(10), step(20)])), null);
});

test("an ended run has no time left", () => {
  const view = fold([started(), step(10), step(20), { type: "failed", error: "x" }], (i) => i * 1000);
  assert.equal(secondsLeft(view), null);
});

test("the status shows step, time left, throughput and GPU memory", () => {
  const view = fold([started(), step(10), step(20)], (i) => i * 5000);
  assert.deepEqual(statusRows(view), [
    ["Step", "20 / 100"],
    ["Time left", "40 s"],
    ["Tokens/s", "1,234"],
    ["GPU memory", "3.0 GiB"],
  ]);
});

test("on a CPU the memory shows the device instead", () => {
  const view = fold([{ ...started(), device: "cpu" } as TrainingEvent, step(1, null)]);
  assert.deepEqual(statusRows(view)[3], ["GPU memory", "cpu"]);
});

const DURATIONS: Array<[number, string]> = [
  [42, "42 s"],
  [125, "2 min 5 s"],
  [7384, "2 h 3 min"],
];
for (const [seconds, text] of DURATIONS) {
  test(`${seconds} seconds read ${text}`, () => assert.equal(formatDuration(seconds), text));
}

test("a run found again keeps its history and the state its files tell", () => {
  const run: RunSummary = {
    runDir: RUN,
    name: "triage",
    state: "interrupted",
    steps: 2,
    totalSteps: 100,
    lastLoss: 1.98,
    evalLoss: null,
    adapterPath: null,
    events: [started(), step(1), step(2)],
  };
  const view = viewOfRun(CONFIG, run);
  assert.deepEqual([view.state, view.step, view.trainLoss.length, view.config], ["interrupted", 2, 2, CONFIG]);
  assert.match(view.message ?? "", /--resume/);
});

test("a live event of another config is not shown", () => {
  const view = fold([started(), step(1)]);
  applyNotification(view, "file:///other.train.yaml", step(2), 0);
  assert.equal(view.step, 1);
});

test("another config's new run replaces the one shown", () => {
  const view = fold([started(), step(1)]);
  applyNotification(view, "file:///other.train.yaml", started("/other/runs/x"), 0);
  assert.deepEqual([view.config, view.runDir, view.trainLoss], ["file:///other.train.yaml", "/other/runs/x", []]);
});
