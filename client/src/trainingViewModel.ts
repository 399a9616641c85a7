// The training view's state, folded from a run's events: the loss and learning-rate curves, the
// progress, throughput and memory, and the time left. The panel folds the live events and its
// webview folds the same ones, so both sides agree; a window reload folds the run's history
// (`promptweight/trainingHistory`) first. Free of `vscode` and of the DOM.
import { RunSummary, TrainingNotification } from "./generated/protocol";
import { formatCount } from "./format";

export type TrainingEvent = TrainingNotification["event"];
export type RunState = RunSummary["state"] | "waiting";

export interface Point {
  x: number;
  y: number;
}

export interface TrainingView {
  config: string | null;
  runDir: string | null;
  state: RunState;
  step: number;
  totalSteps: number | null;
  trainLoss: Point[];
  evalLoss: Point[];
  learningRate: Point[];
  tokensPerSecond: number | null;
  memoryBytes: number | null;
  device: string | null;
  /** How the run ended, or why it failed. */
  message: string | null;
  /** When live steps arrived (ms): history carries no times, so the time left needs two. */
  timing: { firstStep: number; firstAt: number; lastStep: number; lastAt: number } | null;
}

/** Panel → webview. `view`: everything so far (on load, or another run); `event`: one more. */
export type TrainingToView = { type: "view"; view: TrainingView } | { type: "event"; config: string; event: TrainingEvent; at: number };

/** Webview → panel. */
export type TrainingFromView = { type: "ready" } | { type: "cancel" };

/** What the webview keeps with `setState`, for the panel to find its run after a reload. */
export interface TrainingViewSavedState {
  config: string | null;
  runDir: string | null;
}

// Points kept per curve: as many as the server's history, so a reload draws the same curves.
export const MAX_POINTS = 10_000;

export function emptyView(): TrainingView {
  return {
    config: null,
    runDir: null,
    state: "waiting",
    step: 0,
    totalSteps: null,
    trainLoss: [],
    evalLoss: [],
    learningRate: [],
    tokensPerSecond: null,
    memoryBytes: null,
    device: null,
    message: null,
    timing: null,
  };
}

function push(points: Point[], point: Point): void {
  points.push(point);
  if (points.length > MAX_POINTS) points.splice(0, points.length - MAX_POINTS);
}

function upTo(points: Point[], step: number): Point[] {
  return points.filter((p) => p.x <= step);
}

/**
 * Folds one event into `view`, in place (history can be 10,000 events long). `at`: when a live
 * event arrived, for the time left; omitted for history.
 */
export function applyEvent(view: TrainingView, event: TrainingEvent, at?: number): void {
  switch (event.type) {
    case "started":
      if (view.runDir !== event.runDir) {
        Object.assign(view, emptyView(), { config: view.config });
      } else {
        // A resumed run starts again from its checkpoint: later points are redone.
        const from = event.resumedFromStep ?? 0;
        view.trainLoss = upTo(view.trainLoss, from);
        view.evalLoss = upTo(view.evalLoss, from);
        view.learningRate = upTo(view.learningRate, from);
      }
      view.runDir = event.runDir;
      view.state = "running";
      view.step = event.resumedFromStep ?? 0;
      view.totalSteps = event.totalSteps;
      view.device = event.device;
      view.message = null;
      view.timing = null;
      return;
    case "step":
      view.step = event.step;
      view.totalSteps = event.totalSteps;
      push(view.trainLoss, { x: event.step, y: event.loss });
      push(view.learningRate, { x: event.step, y: event.learningRate });
      view.tokensPerSecond = event.tokensPerSecond;
      view.memoryBytes = event.memoryBytes;
      if (at !== undefined) {
        view.timing =
          view.timing && event.step > view.timing.firstStep
            ? { ...view.timing, lastStep: event.step, lastAt: at }
            : { firstStep: event.step, firstAt: at, lastStep: event.step, lastAt: at };
      }
      return;
    case "eval":
      push(view.evalLoss, { x: event.step, y: event.loss });
      return;
    case "finished":
      view.state = event.cancelled ? "stopped" : "finished";
      view.step = Math.max(view.step, event.steps);
      view.message = `${event.cancelled ? "Stopped" : "Finished"} after ${formatCount(event.steps)} steps${
        event.stoppedEarly ? " (early stopping)" : ""
      }. Adapter: ${event.adapterPath}`;
      view.timing = null;
      return;
    case "failed":
      view.state = "failed";
      view.message = `Failed: ${event.error}${event.hint ? `. ${event.hint}` : ""}`;
      view.timing = null;
      return;
    case "checkpoint":
    case "log":
      return;
  }
}

/** The view of a run found again from its folder: its history, in the state its files tell. */
export function viewOfRun(config: string, run: RunSummary): TrainingView {
  const view = emptyView();
  view.config = config;
  view.runDir = run.runDir;
  for (const event of run.events) applyEvent(view, event);
  view.state = run.state;
  view.step = Math.max(view.step, run.steps);
  view.totalSteps = run.totalSteps ?? view.totalSteps;
  if (run.state === "interrupted") {
    view.message = "Interrupted: it ended without a last event. Resume it with `promptweight train --resume`.";
  }
  return view;
}

/** A live event for `config`: folded into `view`, or a fresh view when another run starts. */
export function applyNotification(view: TrainingView, config: string, event: TrainingEvent, at: number): void {
  if (view.config !== config) {
    if (event.type !== "started") return; // another config's run, not the one shown
    Object.assign(view, emptyView(), { config });
  }
  applyEvent(view, event, at);
}

/** Seconds left at the pace of the live steps seen, or null before two have arrived. */
export function secondsLeft(view: TrainingView): number | null {
  const t = view.timing;
  if (view.state !== "running" || !t || t.lastStep <= t.firstStep || view.totalSteps === null) return null;
  const perStep = (t.lastAt - t.firstAt) / 1000 / (t.lastStep - t.firstStep);
  return Math.max(0, view.totalSteps - view.step) * perStep;
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function formatBytes(bytes: number): string {
  const gib = bytes / 2 ** 30;
  return gib >= 1 ? `${gib.toFixed(1)} GiB` : `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

/** The figures under the progress bar, label and value. */
export function statusRows(view: TrainingView): Array<[string, string]> {
  const left = secondsLeft(view);
  return [
    ["Step", view.totalSteps ? `${formatCount(view.step)} / ${formatCount(view.totalSteps)}` : formatCount(view.step)],
    ["Time left", left === null ? "—" : formatDuration(left)],
    ["Tokens/s", view.tokensPerSecond === null ? "—" : formatCount(Math.round(view.tokensPerSecond))],
    ["GPU memory", view.memoryBytes === null ? (view.device ?? "—") : formatBytes(view.memoryBytes)],
  ];
}

export function progressShare(view: TrainingView): number {
  return view.totalSteps ? Math.min(1, view.step / view.totalSteps) : 0;
}

export function runTitle(view: TrainingView): string {
  if (!view.runDir) return "No run yet: Promptweight: Start Fine-Tuning starts one.";
  const name = view.runDir.split(/[\\/]/).pop() ?? view.runDir;
  return `${name} · ${view.state}`;
}
