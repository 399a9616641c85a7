// Promptweight: Validate Dataset: the active `.jsonl` (or the one clicked, or one picked from
// the workspace) validated by the server, as `promptweight validate` does it; a notification
// with the verdict, its report as Markdown, and the Problems view with the file's diagnostics.
// Reading only: allowed in Restricted Mode.
import * as vscode from "vscode";
import { LanguageClient } from "vscode-languageclient/node";
import { METHODS } from "./generated/protocol";
import { sendRequest } from "./serverMethods";
import { summaryLine, validationMarkdown } from "./validateDatasetText";
import { showMarkdownReport } from "./markdownReports";

const SHOW_REPORT = "Show Report";
const SHOW_PROBLEMS = "Show Problems";
// Enough to find a dataset by name; a workspace with more is better served by the Explorer.
const MAX_FILES = 500;

function isDataset(uri: vscode.Uri | undefined): uri is vscode.Uri {
  return uri !== undefined && uri.scheme === "file" && uri.path.toLowerCase().endsWith(".jsonl");
}

async function pickDataset(): Promise<vscode.Uri | undefined> {
  const found = await vscode.workspace.findFiles("**/*.jsonl", "**/{node_modules,.git,.venv}/**", MAX_FILES);
  if (found.length === 0) {
    await vscode.window.showWarningMessage("Promptweight: no .jsonl dataset in the workspace.");
    return undefined;
  }
  const items = found
    .map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri }))
    .sort((a, b) => a.label.localeCompare(b.label));
  const picked = await vscode.window.showQuickPick(items, { placeHolder: "Promptweight: the dataset to validate" });
  return picked?.uri;
}

async function validateDataset(client: () => LanguageClient | undefined, clicked?: vscode.Uri): Promise<void> {
  const active = vscode.window.activeTextEditor?.document.uri;
  const target = isDataset(clicked) ? clicked : isDataset(active) ? active : await pickDataset();
  const running = client();
  if (!target || !running) {
    if (target) {
      await vscode.window.showErrorMessage("Promptweight: the language server is not running.");
    }
    return;
  }
  // Open, so that its diagnostics reach the Problems view; the server then validates the
  // editor's text (a file it has not seen yet is read from disk, with the same result).
  try {
    await vscode.window.showTextDocument(target, { preview: true, preserveFocus: true });
  } catch {
    // Too large for the editor to open: the server streams it from disk all the same.
  }
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: "Promptweight: validating the dataset" },
    () => sendRequest(running, METHODS.validateDataset.name, { uri: target.toString() }),
  );
  const name = vscode.workspace.asRelativePath(target);
  if (!result.report) {
    await vscode.window.showErrorMessage(`Promptweight: ${name} was not validated: ${result.error ?? "no report"}`);
    return;
  }
  const report = result.report;
  const show = report.errorCount > 0 ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  const buttons = report.errorCount + report.warningCount > 0 ? [SHOW_REPORT, SHOW_PROBLEMS] : [SHOW_REPORT];
  const choice = await show(`Promptweight: ${summaryLine(name, report)}`, ...buttons);
  if (choice === SHOW_REPORT) {
    await showMarkdownReport(`Validation ${name}`, validationMarkdown(name, result));
  } else if (choice === SHOW_PROBLEMS) {
    await vscode.commands.executeCommand("workbench.actions.view.problems");
  }
}

export function registerValidateDataset(client: () => LanguageClient | undefined): vscode.Disposable {
  return vscode.commands.registerCommand("promptweight.validateDataset", (clicked?: vscode.Uri) =>
    validateDataset(client, clicked),
  );
}
