// What the token report shows, worked out from a `TokenReport`: the bars, the gauge's segments
// and the cost table. Free of `vscode` and of the DOM, so that the webview and the tests share it;
// the messages between the panel and its webview are typed here too.
import { Range, TokenReport } from "./generated/protocol";
import { formatCount, formatTokens, formatUsd } from "./format";
import { CONTENT_TOKENS, INPUT_TOKENS } from "./statusText";

// The same figures under the same names as the status bar, the hover and the CLI.
const capitalised = (name: string): string => name[0].toUpperCase() + name.slice(1);

/** Panel → webview. */
export type TokenReportToView =
  | { type: "report"; report: TokenReport; fileName: string }
  | { type: "empty"; reason: string };

/** Webview → panel. `reveal`: a bar was clicked; show that message or example in its editor. */
export type TokenReportFromView = { type: "ready" } | { type: "reveal"; uri: string; range: Range };

export interface GaugeSegment {
  id: "input" | "budget" | "output" | "free";
  label: string;
  tokens: number;
}

export interface Gauge {
  segments: GaugeSegment[];
  /** (input + budget + max output) / context window. */
  saturation: number;
  /** Tokens past the window, 0 when the call fits. */
  overflow: number;
  contextWindow: number;
}

/** The context window split into what one call takes: its input, the runtime budget, the
 * room kept for the answer, and what is left; null when the model's window is unknown. */
export function gauge(report: TokenReport): Gauge | null {
  const window = report.contextWindow ?? 0;
  if (window <= 0) return null;
  const input = report.inputTokens ?? report.promptTokens;
  const budget = report.budgetTokens ?? 0;
  const output = report.maxOutputTokens ?? 0;
  const used = input + budget + output;
  return {
    segments: [
      { id: "input", label: capitalised(INPUT_TOKENS), tokens: input },
      { id: "budget", label: "Runtime budget", tokens: budget },
      { id: "output", label: "Max output", tokens: output },
      { id: "free", label: "Free", tokens: Math.max(0, window - used) },
    ],
    saturation: used / window,
    overflow: Math.max(0, used - window),
    contextWindow: window,
  };
}

// The smallest arc a used segment is drawn with, as a share of the window: a 300-token prompt
// in a million-token window is otherwise a sliver no one can see. Only the drawing is
// widened; labels, tooltips and the caption give the true figures.
export const MIN_ARC_SHARE = 0.015;

/** The gauge's drawn arc per segment (same order): true sizes, except that a used segment
 * under `MIN_ARC_SHARE` of the window is widened to it, taken from the free part. */
export function gaugeArcs(g: Gauge): number[] {
  const least = g.contextWindow * MIN_ARC_SHARE;
  const arcs = g.segments.map((s) => (s.id !== "free" && s.tokens > 0 ? Math.max(s.tokens, least) : s.tokens));
  const added = arcs.reduce((sum, arc, i) => sum + arc - g.segments[i].tokens, 0);
  return arcs.map((arc, i) => (g.segments[i].id === "free" ? Math.max(0, arc - added) : arc));
}

export function percent(share: number): string {
  return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`;
}

export function gaugeCaption(g: Gauge, exact: boolean): string {
  const used = g.segments.filter((s) => s.id !== "free").reduce((sum, s) => sum + s.tokens, 0);
  const over = g.overflow > 0 ? ` · ${formatCount(g.overflow)} over` : "";
  return `${percent(g.saturation)} of ${formatCount(g.contextWindow)} tokens (${formatTokens(used, exact)} used${over})`;
}

export interface Bars {
  labels: string[];
  ranges: Range[];
}

export interface MessageBars extends Bars {
  tokens: number[];
}

export interface ExampleBars extends Bars {
  input: number[];
  output: number[];
}

export function messageBars(report: TokenReport): MessageBars {
  return {
    labels: report.messages.map((m, i) => `${i + 1} ${m.role}${m.name ? ` (${m.name})` : ""}`),
    ranges: report.messages.map((m) => m.range),
    tokens: report.messages.map((m) => m.contentTokens),
  };
}

export function exampleBars(report: TokenReport): ExampleBars {
  return {
    labels: report.fewShotExamples.map((e, i) => `${i + 1}. ${e.label || "(empty)"}`),
    ranges: report.fewShotExamples.map((e) => e.range),
    input: report.fewShotExamples.map((e) => e.inputTokens),
    output: report.fewShotExamples.map((e) => e.outputTokens),
  };
}

/** A chart's height that gives each bar room for its label, within sensible bounds. */
export function barChartHeight(bars: number): number {
  return Math.min(2400, Math.max(120, 28 + bars * 22));
}

export interface CostRow {
  callsPerDay: string;
  perCall: string;
  perMonth: string;
  configured: boolean;
}

export function costRows(report: TokenReport): CostRow[] {
  const perCall = report.costPerCallUsd;
  if (perCall === null || perCall === undefined) return [];
  return report.volumes.map((v) => ({
    callsPerDay: `${formatCount(v.callsPerDay)}/day`,
    perCall: formatUsd(perCall),
    perMonth: formatUsd(v.costPerMonthUsd),
    configured: v.configured,
  }));
}

/** `gpt-4o-mini · o200k_base · exact`, or `≈` with the reason counts are approximate. */
export function countingLine(report: TokenReport): string {
  const model = report.modelId && report.modelId !== report.model ? `${report.model} (${report.modelId})` : report.model;
  const exactness = report.exact ? "exact counts" : `≈ approximate${report.note ? `: ${report.note}` : ""}`;
  return `${model} · ${report.encoding} · ${exactness}`;
}

/** The headline figures, label and value, in reading order. */
export function headline(report: TokenReport): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    [`${capitalised(INPUT_TOKENS)} per call`, formatTokens(report.inputTokens ?? report.promptTokens, report.exact)],
    [capitalised(CONTENT_TOKENS), formatTokens(report.promptTokens, report.exact)],
  ];
  if (report.fewShotTokens) rows.push(["Few-shot examples", formatTokens(report.fewShotTokens, report.exact)]);
  if (report.costPerCallUsd !== null && report.costPerCallUsd !== undefined) {
    rows.push(["Cost per call", formatUsd(report.costPerCallUsd)]);
  }
  return rows;
}

/** Said under a chart that shows only the first items. */
export function omittedNote(count: number | undefined, what: string): string | null {
  return count ? `${formatCount(count)} more ${what} not charted.` : null;
}
