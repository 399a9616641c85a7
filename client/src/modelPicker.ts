// Promptweight: Select Model: the server's model list in a quick pick; the choice is written to
// `promptweight.model`, and the settings change restarts the server, which recounts.
// Allowed in Restricted Mode: it reads the catalog and writes an analysis setting, as the user
// could in the Settings editor.
import * as vscode from "vscode";
import { LanguageClient } from "vscode-languageclient/node";
import { METHODS } from "./generated/protocol";
import { PickerRow, pickerRows, pickerText, settingTarget } from "./modelPickerItems";
import { sendRequest } from "./serverMethods";

const TARGETS = {
  workspaceFolder: vscode.ConfigurationTarget.WorkspaceFolder,
  workspace: vscode.ConfigurationTarget.Workspace,
  global: vscode.ConfigurationTarget.Global,
} as const;

interface ModelItem extends vscode.QuickPickItem {
  id?: string;
}

function toItem(row: PickerRow): ModelItem {
  if (row.kind === "separator") {
    return { label: row.label, kind: vscode.QuickPickItemKind.Separator };
  }
  return { label: row.label, description: row.description, id: row.id };
}

async function chooseModel(client: () => LanguageClient | undefined): Promise<void> {
  const running = client();
  if (!running) {
    await vscode.window.showErrorMessage("Promptweight: the language server is not running.");
    return;
  }
  const uri = vscode.window.activeTextEditor?.document.uri;
  const folder = uri ? vscode.workspace.getWorkspaceFolder(uri) : undefined;
  const config = vscode.workspace.getConfiguration("promptweight", folder?.uri);
  const target = settingTarget(folder !== undefined, config.inspect("model")?.workspaceValue);
  const result = await sendRequest(running, METHODS.models.name, { uri: uri?.toString() ?? null });
  const rows = pickerRows(result);
  const items = rows.map(toItem);
  const fileName = uri ? vscode.workspace.asRelativePath(uri, false) : undefined;
  const { title, placeholder } = pickerText(result, fileName, target);
  const picker = vscode.window.createQuickPick<ModelItem>();
  picker.title = title;
  picker.placeholder = placeholder;
  picker.items = items;
  picker.matchOnDescription = true;
  const current = rows.findIndex((row) => row.kind === "model" && row.current);
  if (current >= 0) {
    picker.activeItems = [items[current]];
  }
  const chosen = await new Promise<ModelItem | undefined>((resolve) => {
    picker.onDidAccept(() => resolve(picker.selectedItems[0]));
    picker.onDidHide(() => resolve(undefined));
    picker.show();
  });
  picker.dispose();
  if (!chosen?.id) {
    return;
  }
  // The configuration change restarts the server (extension.ts), which then counts with it.
  await config.update("model", chosen.id, TARGETS[target]);
  const where = target === "workspaceFolder" ? folder?.name : target === "workspace" ? "the workspace" : "user settings";
  vscode.window.setStatusBarMessage(`Promptweight: model ${chosen.id} set in ${where}`, 5000);
}

export function registerModelPicker(client: () => LanguageClient | undefined): vscode.Disposable {
  return vscode.commands.registerCommand("promptweight.selectModel", () => chooseModel(client));
}
