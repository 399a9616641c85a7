// The status-bar item: the active prompt file's token count, and the selection's.
import * as vscode from "vscode";
import { CountSelectionResult, DocumentStats } from "./generated/protocol";

const numberFormat = new Intl.NumberFormat("en-US");

export function formatTokens(tokens: number, exact: boolean): string {
  return `${exact ? "" : "≈"}${numberFormat.format(tokens)}`;
}

export function statusText(stats: DocumentStats, selection?: CountSelectionResult): string {
  if (stats.promptTokens === null) {
    return "$(symbol-numeric) — tokens";
  }
  const total = `$(symbol-numeric) ${formatTokens(stats.promptTokens, stats.exact)} tokens`;
  if (selection?.tokens === null || selection === undefined) {
    return total;
  }
  return `${total} (${formatTokens(selection.tokens, selection.exact)} selected)`;
}

export function statusTooltip(stats: DocumentStats): string {
  const lines = [`Promptweight: ${stats.model} (${stats.encoding})`];
  if (stats.skippedReason) {
    lines.push(`Not counted: ${stats.skippedReason}`);
  } else {
    lines.push(stats.exact ? "Exact count" : `Approximate count: ${stats.note ?? ""}`);
  }
  return lines.join("\n");
}

export class TokenStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    "promptweight.tokens",
    vscode.StatusBarAlignment.Right,
    100,
  );
  private readonly stats = new Map<string, DocumentStats>();
  private selection: { uri: string; result: CountSelectionResult } | undefined;

  constructor() {
    this.item.name = "Promptweight token count";
    this.item.command = "promptweight.showLogs";
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
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
