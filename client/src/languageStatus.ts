// The language status item of prompt files (the `{}` beside the language mode): the model, the
// encoding that counts it, and whether counts are exact; its wording is languageStatusText.ts.
import * as vscode from "vscode";
import { DocumentStats } from "./generated/protocol";
import { languageStatusText } from "./languageStatusText";

export class PromptLanguageStatus implements vscode.Disposable {
  private readonly item: vscode.LanguageStatusItem;
  private readonly stats = new Map<string, DocumentStats>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(selector: vscode.DocumentSelector, openReport: string) {
    this.item = vscode.languages.createLanguageStatusItem("promptweight.counting", selector);
    this.item.name = "Promptweight tokenizer";
    this.item.command = { title: "Token Report", command: openReport };
    this.subscriptions = [
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.workspace.onDidCloseTextDocument((document) => this.stats.delete(document.uri.toString())),
    ];
    this.render();
  }

  update(stats: DocumentStats): void {
    this.stats.set(stats.uri, stats);
    if (stats.uri === vscode.window.activeTextEditor?.document.uri.toString()) this.render();
  }

  private render(): void {
    const uri = vscode.window.activeTextEditor?.document.uri.toString();
    const stats = uri ? this.stats.get(uri) : undefined;
    if (!stats) {
      // The item shows for every prompt file; until the server has counted this one, say so.
      this.item.text = "Promptweight";
      this.item.detail = "counting…";
      this.item.busy = true;
      this.item.severity = vscode.LanguageStatusSeverity.Information;
      return;
    }
    const shown = languageStatusText(stats);
    this.item.busy = false;
    this.item.text = shown.text;
    this.item.detail = shown.detail;
    this.item.severity = shown.severity === "warning" ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
  }

  dispose(): void {
    this.item.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
