// Show Advice: the advisor's report of a prompt (the lens on its first line, or the palette for
// the active editor), as Markdown beside it.
import * as vscode from "vscode";
import { LanguageClient } from "vscode-languageclient/node";
import { adviceMarkdown } from "./adviceText";
import { METHODS } from "./generated/protocol";
import { sendRequest } from "./serverMethods";

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
    const document = await vscode.workspace.openTextDocument({ language: "markdown", content: adviceMarkdown(advice) });
    await vscode.commands.executeCommand("markdown.showPreviewToSide", document.uri);
  });
}
