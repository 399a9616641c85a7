// The status-bar item: the active prompt file's tokens, share of the context window and cost per
// call, with the theme's warning or error background as the window fills. Its wording is in
// statusText.ts.
import * as vscode from "vscode";
import { CountSelectionResult, DocumentStats } from "./generated/protocol";
import { breakdownDetail, isShown, saturationLevel, statusText, tooltipParts } from "./statusText";

const BACKGROUNDS = {
  error: new vscode.ThemeColor("statusBarItem.errorBackground"),
  warning: new vscode.ThemeColor("statusBarItem.warningBackground"),
};

function statusTooltip(stats: DocumentStats): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  for (const part of tooltipParts(stats)) {
    if ("markdown" in part) md.appendMarkdown(part.markdown);
    else md.appendText(part.text);
  }
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
    this.item.command = "promptweight.showTokenReport";
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
    await vscode.window.showInformationMessage(statusText(stats), { modal: true, detail: breakdownDetail(stats) });
  }

  render(): void {
    const uri = vscode.window.activeTextEditor?.document.uri.toString();
    const stats = uri ? this.stats.get(uri) : undefined;
    if (!uri || !isShown(stats)) {
      this.item.hide();
      return;
    }
    const selection = this.selection?.uri === uri ? this.selection.result : undefined;
    this.item.text = statusText(stats, selection);
    this.item.tooltip = statusTooltip(stats);
    const level = saturationLevel(stats.saturation, this.saturationWarning());
    this.item.backgroundColor = level ? BACKGROUNDS[level] : undefined;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
