// What the training commands say: presets for the Start Fine-Tuning wizard, the environment
// report, the memory estimate, a trial's answer and a log line per trainer event. Pure
// functions (no `vscode`), unit-tested in client/test/trainingText.test.ts.
import { formatCount } from "./format";
import {
  AdapterTrial,
  DoctorReport,
  MemoryEstimate,
  TrainingConfig,
  TrainingEnvironment,
  TrainingNotification,
} from "./generated/protocol";

export interface Preset {
  label: string;
  detail: string;
  settings: Partial<TrainingConfig>;
}

// Settings a preset changes; the rest keep TrainingConfig's defaults.
export const PRESETS: Preset[] = [
  {
    label: "Quick try",
    detail: "30 steps, LoRA rank 8: see the loss fall and the adapter load, in minutes",
    settings: { maxSteps: 30, lora: { rank: 8, alpha: 16 } },
  },
  {
    label: "Standard",
    detail: "3 epochs, LoRA rank 16, early stopping on eval loss: most few-shot tasks",
    settings: {},
  },
  {
    label: "Thorough",
    detail: "5 epochs, LoRA rank 64 at a lower learning rate: large datasets, harder formats",
    settings: { epochs: 5, learningRate: 0.0001, lora: { rank: 64, alpha: 128 } },
  },
];

const GIB = 1024 ** 3;

export function formatBytes(bytes: number): string {
  if (bytes >= GIB) return `${(bytes / GIB).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${formatCount(Math.round(bytes / 1024))} KiB`;
}

/** A run name from the first dataset: `data/support-triage.train.jsonl` → `support-triage`. */
export function runName(dataset: string): string {
  const base = dataset.split(/[\\/]/).pop() ?? dataset;
  const stem = base.replace(/\.jsonl$/, "").replace(/\.train$/, "");
  const name = stem.replace(/[^\w.-]+/g, "-").replace(/^[-.]+|[-.]+$/g, "").slice(0, 80);
  return name || "run";
}

export function newConfig(name: string, baseModel: string, datasets: string[], preset: Preset): TrainingConfig {
  const [first, ...rest] = datasets;
  return { name, baseModel, datasets: [first, ...rest], ...preset.settings };
}

export function estimateLines(estimate: MemoryEstimate): string[] {
  const weights = estimate.baseWeights + estimate.otherWeights;
  const lora = estimate.loraWeights + estimate.loraGradients + estimate.optimizerState;
  return [
    `Estimated peak GPU memory: ${formatBytes(estimate.total)}`,
    `  base model (4-bit and the rest): ${formatBytes(weights)}`,
    `  LoRA weights, gradients and optimiser: ${formatBytes(lora)}`,
    `  activations and logits: ${formatBytes(estimate.activations + estimate.logits)}`,
  ];
}

/** The doctor's report as Markdown, for a preview beside the editor. */
export function environmentMarkdown(found: TrainingEnvironment): string {
  const lines = ["# Promptweight: training environment", "", `Interpreter: \`${found.python}\``, ""];
  const report: DoctorReport | null = found.report;
  if (!report) {
    lines.push(`It did not answer: ${found.error ?? "no reason given"}`, "");
  } else {
    lines.push(
      `- Python ${report.pythonVersion}`,
      `- torch: ${report.torch ?? "missing"}${report.cuda ? ` (CUDA ${report.cuda})` : ""}`,
      `- bitsandbytes: ${report.bitsandbytes ?? "missing"}; 4-bit NF4 ${report.fourBitWorks ? "works" : "does not work"}` +
        (report.fourBitError ? `: ${report.fourBitError}` : ""),
      `- Trains on: ${report.device ?? "cpu"}`,
    );
    for (const gpu of report.gpus ?? []) {
      lines.push(`- GPU ${gpu.index}: ${gpu.name}, ${formatBytes(gpu.freeBytes)} free of ${formatBytes(gpu.totalBytes)}`);
    }
    if (report.missing.length) lines.push(`- Missing: ${report.missing.join(", ")}`);
    if (report.estimate) {
      lines.push("", ...estimateLines(report.estimate).map((l) => (l.startsWith("  ") ? `  - ${l.trim()}` : `- ${l}`)));
      if (report.fits === false) lines.push("- **It does not fit the GPU's free memory.**");
    }
    if (report.advice?.length) lines.push("", "## What to do", "", ...report.advice.map((a) => `1. ${a}`));
  }
  if (found.install) {
    lines.push("", "## Install the training libraries", "", "```sh", found.install.commandLine, "```");
  }
  return lines.join("\n") + "\n";
}

/** One line that says whether this interpreter can train, for a notification. */
export function environmentSummary(found: TrainingEnvironment): string {
  const report = found.report;
  if (!report) return `the training interpreter did not answer: ${found.error ?? "no reason given"}`;
  if (report.missing.length) return `the training interpreter lacks ${report.missing.join(", ")}`;
  if (!report.fourBitWorks) return "bitsandbytes 4-bit does not run on this machine";
  if (report.fits === false) return "the configured run does not fit the GPU's free memory";
  const where = report.gpus?.length ? report.gpus[0].name : "the CPU (tiny models only)";
  return `ready to train on ${where}`;
}

export function trialMarkdown(trial: AdapterTrial): string {
  const prompt = trial.prompt.map((m) => `**${m.role}**: ${m.content}`).join("\n\n");
  return [
    `# Adapter trial: ${trial.runDir}`,
    "",
    `Base model \`${trial.baseModel}\` in 4-bit with the run's adapter, greedy decoding.`,
    trial.heldOut ? "The example was held out of training." : "The run held nothing out: this example was trained on.",
    "",
    "## Prompt",
    "",
    prompt,
    "",
    "## Expected",
    "",
    trial.expected,
    "",
    "## The adapter's answer",
    "",
    trial.answer || "(empty)",
    "",
    `${formatCount(trial.promptTokens)} prompt tokens, ${formatCount(trial.answerTokens)} generated in ${trial.seconds.toFixed(1)} s.`,
    "",
  ].join("\n");
}

/** A trainer event as a line of the extension's log. */
export function eventLine(notification: TrainingNotification): string {
  const event = notification.event;
  switch (event.type) {
    case "started":
      return `training started in ${event.runDir}: ${event.baseModel} (${event.quantization}) on ${event.device}, ${event.totalSteps} steps`;
    case "step":
      return `step ${event.step}/${event.totalSteps} loss ${event.loss.toFixed(4)} lr ${event.learningRate.toExponential(2)} ${formatCount(Math.round(event.tokensPerSecond))} tokens/s`;
    case "eval":
      return `eval at step ${event.step}: loss ${event.loss.toFixed(4)}`;
    case "checkpoint":
      return `checkpoint at step ${event.step}: ${event.path}`;
    case "finished":
      return `${event.cancelled ? "stopped" : "finished"} after ${event.steps} steps; adapter ${event.adapterPath}`;
    case "failed":
      return `failed: ${event.error}${event.hint ? ` (${event.hint})` : ""}`;
    default:
      // A log event: its `type` has a default, so the generated type leaves it optional.
      return "message" in event ? event.message : JSON.stringify(event);
  }
}
