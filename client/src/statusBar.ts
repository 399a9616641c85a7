// The status-bar item: the active prompt file's tokens, share of the context window and cost per
// call, with the theme's warning or error background as the window fills.
import * as vscode from "vscode";
import { CountSelectionResult, DocumentStats } from "./generated/protocol";

const numberFormat = new Intl.NumberFormat("en-US");

export function formatTokens(tokens: number, exact: boolean): string {
  return `${exact ? "" : "≈"}${numberFormat.format(tokens)}`;
}

export function formatUsd(amount: number): string {
  if (amount >= 100) return `$${numberFormat.format(Math.round(amount))}`;
  if (amount >= 1) return `$${amount.toFixed(2)}`;
  if (amount >= 0.0001) return `$${amount.toFixed(4)}`;
  return `$${amount.toPrecision(2)}`;
}

export function statusText(stats: DocumentStats, selection?: CountSelectionResult): string {
  if (stats.promptTokens === null) {
    return "$(symbol-numeric) — tokens";
  }
  const tokens = stats.inputTokens ?? stats.promptTokens;
  const parts = [`$(symbol-numeric) ${formatTokens(tokens, stats.exact)} tokens`];
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

export function breakdownRows(stats: DocumentStats): Array<[string, string]> {
  const b = stats.breakdown;
  if (!b) return [];
  const t = (n: number) => formatTokens(n, stats.exact);
  return [
    ["System", t(b.system)],
    ["Few-shot examples", t(b.examples)],
    ["Instructions and other messages", t(b.instructions)],
    ["Chat overhead", t(b.overhead)],
    ["Tools and output schema", t(b.tools)],
    ["Input per call", t(stats.inputTokens ?? 0)],
  ];
}

export function statusTooltip(stats: DocumentStats): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**Promptweight** · ${stats.modelId ?? stats.model} · ${stats.encoding}\n\n`);
  if (stats.skippedReason) {
    md.appendText(`Not counted: ${stats.skippedReason}`);
    return md;
  }
  const rows = breakdownRows(stats);
  if (rows.length > 0) {
    md.appendMarkdown("| | tokens |\n| --- | ---: |\n");
    for (const [label, value] of rows) md.appendMarkdown(`| ${label} | ${value} |\n`);
  }
  if (stats.contextWindow && stats.saturation !== null && stats.saturation !== undefined) {
    md.appendMarkdown(
      `\n${(stats.saturation * 100).toFixed(1)}% of ${numberFormat.format(stats.contextWindow)} tokens ` +
        `(with ${numberFormat.format(stats.maxOutputTokens ?? 0)} output, ${numberFormat.format(stats.budgetTokens ?? 0)} budget)\n\n`,
    );
  }
  if (stats.costPerCallUsd !== null && stats.costPerCallUsd !== undefined) {
    md.appendMarkdown(
      `${formatUsd(stats.costPerCallUsd)} per call · ${formatUsd(stats.costPerMonthUsd ?? 0)} per month ` +
        `at ${numberFormat.format(stats.callsPerDay ?? 0)} calls/day\n\n`,
    );
  }
  md.appendText(stats.exact ? "Exact count." : `Approximate: ${stats.note ?? ""}`);
  return md;
}

export class TokenStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    "promptweight.tokens",
    vscode.StatusBarAlignment.Right,
    100,
  );
  private readonly stats = new Map<string, DocumentStats>();
  private selection: { uri: string; result: CountSelectionResult } | undefined;

  constructor(private readonly saturationWarning: () => number) {
    this.item.name = "Promptweight token count";
    this.item.command = "promptweight.showBreakdown";
  }

  update(stats: DocumentStats): void {
    this.stats.set(stats.uri, stats);
    this.render();
  }

  setSelection(uri: string, result: CountSelectionResult | undefined): void {
    this.selection = result ? { uri, result } : undefined;
    this.render();
  }

  forget(uri: string): void {
    this.stats.delete(uri);
    this.render();
  }

  clear(): void {
    this.stats.clear();
    this.selection = undefined;
    this.render();
  }

  async showBreakdown(uri?: string): Promise<void> {
    const key = uri ?? vscode.window.activeTextEditor?.document.uri.toString();
    const stats = key ? this.stats.get(key) : undefined;
    if (!stats) {
      await vscode.window.showInformationMessage("Promptweight: open a prompt file to see its breakdown.");
      return;
    }
    const detail = breakdownRows(stats)
      .map(([label, value]) => `${label}: ${value}`)
      .join("\n");
    await vscode.window.showInformationMessage(statusText(stats), { modal: true, detail });
  }

  render(): void {
    const uri = vscode.window.activeTextEditor?.document.uri.toString();
    const stats = uri ? this.stats.get(uri) : undefined;
    // format null: JSON or YAML that is not a prompt, which the extension leaves alone.
    if (!uri || !stats || stats.format === null) {
      this.item.hide();
      return;
    }
    const selection = this.selection?.uri === uri ? this.selection.result : undefined;
    this.item.text = statusText(stats, selection);
    this.item.tooltip = statusTooltip(stats);
    const saturation = stats.saturation ?? 0;
    this.item.backgroundColor =
      saturation > 1
        ? new vscode.ThemeColor("statusBarItem.errorBackground")
        : saturation >= this.saturationWarning()
          ? new vscode.ThemeColor("statusBarItem.warningBackground")
          : undefined;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
