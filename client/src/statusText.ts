// What the status-bar item says about a document: its text, tooltip, breakdown and background.
// Free of `vscode` so that the wording can be tested without an editor.
import { CountSelectionResult, DocumentStats } from "./generated/protocol";
import { formatCount, formatTokens, formatUsd } from "./format";

// The two token figures, each under one name wherever it is shown: what one call sends (the
// content with chat overhead, tools and output schema: `inputTokens`) and the messages' content
// alone (`promptTokens`). The server's CLI table, code lens and hovers use the same words
// (server/figures_report.py); two figures both called "tokens" read as one number that changes.
export const INPUT_TOKENS = "input tokens";
export const CONTENT_TOKENS = "content tokens";

export function statusText(stats: DocumentStats, selection?: CountSelectionResult): string {
  if (stats.promptTokens === null) {
    return `$(symbol-numeric) — ${INPUT_TOKENS}`;
  }
  const input = stats.inputTokens ?? null;
  // Without the figures (no input total) the content is shown, under its own name.
  const tokens = input ?? stats.promptTokens;
  const name = input === null ? CONTENT_TOKENS : INPUT_TOKENS;
  const parts = [`$(symbol-numeric) ${formatTokens(tokens, stats.exact)} ${name}`];
  if (stats.original && input !== null) {
    // A short prompt (`<name>.tuned.<ext>`): its weight against the prompt it was written from.
    const change = tokens - stats.original.inputTokens;
    const sign = change > 0 ? "+" : change < 0 ? "−" : "±";
    parts[0] += ` (${stats.exact ? "" : "≈"}${sign}${formatCount(Math.abs(change))} vs original)`;
  }
  if (selection?.tokens !== null && selection !== undefined) {
    parts[0] += ` (${formatTokens(selection.tokens, selection.exact)} selected)`;
  }
  if (stats.saturation !== null && stats.saturation !== undefined) {
    parts.push(`${(stats.saturation * 100).toFixed(stats.saturation < 0.1 ? 1 : 0)}%`);
  }
  if (stats.costPerCallUsd !== null && stats.costPerCallUsd !== undefined) {
    parts.push(`${formatUsd(stats.costPerCallUsd)}/call`);
  }
  return parts.join(" · ");
}

function capitalised(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

export function breakdownRows(stats: DocumentStats): Array<[string, string]> {
  const b = stats.breakdown;
  if (!b) return [];
  const t = (n: number) => formatTokens(n, stats.exact);
  return [
    ["System", t(b.system)],
    ["Few-shot examples", t(b.examples)],
    ["Instructions and other messages", t(b.instructions)],
    [capitalised(CONTENT_TOKENS), t(stats.promptTokens ?? 0)],
    ["Chat overhead", t(b.overhead)],
    ["Tools and output schema", t(b.tools)],
    [`${capitalised(INPUT_TOKENS)} per call`, t(stats.inputTokens ?? 0)],
  ];
}

/** The detail of the breakdown dialog: one `label: tokens` line per row. */
export function breakdownDetail(stats: DocumentStats): string {
  return breakdownRows(stats)
    .map(([label, value]) => `${label}: ${value}`)
    .join("\n");
}

/**
 * A piece of the tooltip. Text from the server that is not ours to format (the skipped reason,
 * the approximation note) stays `text`, which the caller appends escaped.
 */
export type TooltipPart = { markdown: string } | { text: string };

export function tooltipParts(stats: DocumentStats): TooltipPart[] {
  const parts: TooltipPart[] = [
    { markdown: `**Promptweight** · ${stats.modelId ?? stats.model} · ${stats.encoding}\n\n` },
  ];
  if (stats.skippedReason) {
    parts.push({ text: `Not counted: ${stats.skippedReason}` });
    return parts;
  }
  const rows = breakdownRows(stats);
  if (rows.length > 0) {
    parts.push({ markdown: "| | tokens |\n| --- | ---: |\n" });
    for (const [label, value] of rows) parts.push({ markdown: `| ${label} | ${value} |\n` });
  }
  if (stats.contextWindow && stats.saturation !== null && stats.saturation !== undefined) {
    parts.push({
      markdown:
        `\n${(stats.saturation * 100).toFixed(1)}% of ${formatCount(stats.contextWindow)} tokens ` +
        `(with ${formatCount(stats.maxOutputTokens ?? 0)} output, ${formatCount(stats.budgetTokens ?? 0)} budget)\n\n`,
    });
  }
  if (stats.costPerCallUsd !== null && stats.costPerCallUsd !== undefined) {
    parts.push({
      markdown:
        `${formatUsd(stats.costPerCallUsd)} per call · ${formatUsd(stats.costPerMonthUsd ?? 0)} per month ` +
        `at ${formatCount(stats.callsPerDay ?? 0)} calls/day\n\n`,
    });
  }
  parts.push({ text: stats.exact ? "Exact count." : `Approximate: ${stats.note ?? ""}` });
  return parts;
}

/** Over the context window is an error; from `warningAt` (a share, 0.8 by default) a warning. */
export function saturationLevel(
  saturation: number | null | undefined,
  warningAt: number,
): "error" | "warning" | undefined {
  const share = saturation ?? 0;
  if (share > 1) return "error";
  if (share >= warningAt) return "warning";
  return undefined;
}

/** JSON or YAML that is not a prompt (format null) is left alone: no item at all. */
export function isShown(stats: DocumentStats | undefined): stats is DocumentStats {
  return stats !== undefined && stats.format !== null;
}
