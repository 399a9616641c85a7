// Show Advice: the advisor's report of a prompt (the lens on its first line, or the palette for
// the active editor), as Markdown beside it.
import * as vscode from "vscode";
import { LanguageClient } from "vscode-languageclient/node";
import { adviceMarkdown } from "./adviceText";
import { evalMarkdown } from "./evalText";
import { METHODS } from "./generated/protocol";
import { showMarkdownReport } from "./markdownReports";
import { executeCommand, sendRequest } from "./serverMethods";

export function registerShowAdvice(client: () => LanguageClient | undefined): vscode.Disposable {
  return vscode.commands.registerCommand("promptweight.showAdvice", async (uri?: string) => {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri.toString();
    const running = client();
    if (!target || !running) {
      await vscode.window.showWarningMessage("Promptweight: open a prompt file for its advice.");
      return;
    }
    const { advice } = await sendRequest(running, METHODS.advice.name, { uri: target });
    if (!advice) {
      await vscode.window.showWarningMessage("Promptweight: this file is not a prompt the advisor can read.");
      return;
    }
    await showMarkdownReport("Advice", adviceMarkdown(advice));
  });
}

/** Compare Adapter with Prompt: the newest fine-tune of the active prompt, on its held-out examples. */
export function registerCompareAdapter(client: () => LanguageClient | undefined): vscode.Disposable {
  return vscode.commands.registerCommand("promptweight.compareAdapter", async (uri?: string) => {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri.toString();
    const running = client();
    if (!target || !running) {
      await vscode.window.showWarningMessage("Promptweight: open the prompt the adapter was trained from.");
      return;
    }
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: "Promptweight: comparing the adapter with the prompt" },
      () => executeCommand(running, METHODS.compareAdapter.name, { prompt: target, maxNewTokens: 128, batchSize: 8 }),
    );
    if (!result.report) {
      await vscode.window.showErrorMessage(`Promptweight: ${result.error ?? "the comparison did not run"}`);
      return;
    }
    await showMarkdownReport("Adapter comparison", evalMarkdown(result.report));
  });
}
