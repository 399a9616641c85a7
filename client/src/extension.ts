// Promptweight's VS Code extension: starts the Python language server and shows what it reports.
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";
import {
  CountSelectionParams,
  CountSelectionResult,
  DocumentStats,
  ExportDatasetParams,
  ExportDatasetResult,
  InitializationOptions,
} from "./generated/protocol";
import { findInterpreter, InterpreterError } from "./interpreter";
import { prepareServerEnvironment } from "./serverEnvironment";
import { TokenStatusBar } from "./statusBar";

const DOCUMENT_STATS = "promptweight/documentStats";
const COUNT_SELECTION = "promptweight/countSelection";
const SELECTION_DELAY_MS = 150;

// Must agree with server/core/prompt_files.py; a test checks that it does.
export const PROMPT_FILE_PATTERNS = [
  "*.prompty",
  "*.prompt",
  "*.prompt.md",
  "*.instructions.md",
  "*.chatmode.md",
  "*.chat.json",
  "*.chat.yaml",
  "*.chat.yml",
  "*.jinja2",
];

let client: LanguageClient | undefined;
let log: vscode.LogOutputChannel;
let statusBar: TokenStatusBar;

/** Every promptweight.* setting the server reads; it validates them and reports bad ones. */
function initializationOptions(): InitializationOptions {
  const config = vscode.workspace.getConfiguration("promptweight");
  const options: Record<string, unknown> = {};
  for (const key of [
    "model",
    "debounceMs",
    "maxDocumentCharacters",
    "maxOutputTokens",
    "budgetTokens",
    "callsPerDay",
    "saturationWarning",
    "fewShotShareInfo",
    "datasetFolder",
    "exportFormat",
    "exportSystem",
    "trainingModel",
    "maxSequenceTokens",
  ]) {
    options[key] = config.get(key);
  }
  // Model overrides may name tokenizer files: only a trusted workspace may set them.
  const models = config.inspect<Record<string, unknown>>("models");
  options.models = vscode.workspace.isTrusted
    ? { ...models?.globalValue, ...models?.workspaceValue, ...models?.workspaceFolderValue }
    : { ...models?.globalValue };
  return options as InitializationOptions;
}

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  let python: string;
  try {
    const interpreter = await findInterpreter(log);
    python = (await prepareServerEnvironment(context, interpreter, log)).python;
  } catch (error) {
    if (!(error instanceof InterpreterError)) {
      throw error;
    }
    log.error(error.message);
    void showStartError(error.message);
    return;
  }

  const serverOptions: ServerOptions = {
    command: python,
    // -I: isolated mode, so a `server` folder in the working directory cannot shadow ours.
    args: ["-I", "-m", "server"],
    transport: TransportKind.stdio,
    options: { cwd: context.globalStorageUri.fsPath },
  };
  await vscode.workspace.fs.createDirectory(context.globalStorageUri);
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      ...PROMPT_FILE_PATTERNS.flatMap((pattern) => [
        { scheme: "file", pattern: `**/${pattern}` },
        { scheme: "untitled", pattern: `**/${pattern}` },
      ]),
      // Fine-tuning datasets: validated line by line.
      { scheme: "file", pattern: "**/*.jsonl" },
    ],
    initializationOptions: initializationOptions(),
    outputChannel: log,
    traceOutputChannel: log,
  };
  client = new LanguageClient("promptweight", "Promptweight", serverOptions, clientOptions);
  client.onNotification(DOCUMENT_STATS, (stats: DocumentStats) => statusBar.update(stats));
  await client.start();
}

async function showStartError(message: string): Promise<void> {
  const choice = await vscode.window.showErrorMessage(message, "Select Interpreter", "Open Settings", "Show Logs");
  if (choice === "Select Interpreter") {
    await vscode.commands.executeCommand("promptweight.selectInterpreter");
  } else if (choice === "Open Settings") {
    await vscode.commands.executeCommand("workbench.action.openSettings", "promptweight.python");
  } else if (choice === "Show Logs") {
    log.show();
  }
}

async function stopClient(): Promise<void> {
  const running = client;
  client = undefined;
  statusBar.clear();
  if (running) {
    await running.stop().catch((error: Error) => log.warn(`stopping the server: ${error.message}`));
  }
}

async function restartClient(context: vscode.ExtensionContext): Promise<void> {
  await stopClient();
  await startClient(context);
}

function watchSelection(): vscode.Disposable {
  let timer: NodeJS.Timeout | undefined;
  return vscode.window.onDidChangeTextEditorSelection((event) => {
    clearTimeout(timer);
    const uri = event.textEditor.document.uri.toString();
    const ranges = event.selections.filter((s) => !s.isEmpty);
    if (ranges.length === 0 || !client) {
      statusBar.setSelection(uri, undefined);
      return;
    }
    timer = setTimeout(async () => {
      const params: CountSelectionParams = {
        uri,
        ranges: ranges.slice(0, 1000).map((r) => ({
          start: { line: r.start.line, character: r.start.character },
          end: { line: r.end.line, character: r.end.character },
        })),
      };
      try {
        const result = await client?.sendRequest<CountSelectionResult>(COUNT_SELECTION, params);
        statusBar.setSelection(uri, result);
      } catch (error) {
        log.warn(`counting the selection: ${(error as Error).message}`);
      }
    }, SELECTION_DELAY_MS);
  });
}

/** From the palette (the active prompt), or the Explorer (one or several selected prompts). */
async function exportDataset(clicked?: vscode.Uri, selected?: vscode.Uri[]): Promise<void> {
  const uris = selected?.length ? selected : clicked ? [clicked] : activePrompt();
  if (uris.length === 0) {
    await vscode.window.showWarningMessage("Promptweight: open or select prompt files to export.");
    return;
  }
  if (!client) {
    await vscode.window.showErrorMessage("Promptweight: the language server is not running.");
    return;
  }
  let target: string | null = null;
  if (uris.length > 1) {
    const picked = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(uris[0], "..", "dataset.train.jsonl"),
      filters: { "JSON Lines": ["jsonl"] },
      title: `Merge the few-shot examples of ${uris.length} prompts into`,
    });
    if (!picked) {
      return;
    }
    target = picked.toString();
  }
  const [first, ...rest] = uris.map((u) => u.toString());
  const params: ExportDatasetParams = { uris: [first, ...rest], target };
  const result = await client.sendRequest<ExportDatasetResult>("workspace/executeCommand", {
    command: "promptweight.server.exportDataset",
    arguments: [params],
  });
  const show = result.applied ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  await show(`Promptweight: ${result.message}`);
}

function activePrompt(): vscode.Uri[] {
  const editor = vscode.window.activeTextEditor;
  return editor ? [editor.document.uri] : [];
}

async function selectInterpreter(): Promise<void> {
  if (vscode.extensions.getExtension("ms-python.python")) {
    await vscode.commands.executeCommand("python.setInterpreter");
  } else {
    await vscode.commands.executeCommand("workbench.action.openSettings", "promptweight.python");
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  log = vscode.window.createOutputChannel("Promptweight", { log: true });
  statusBar = new TokenStatusBar(() =>
    vscode.workspace.getConfiguration("promptweight").get<number>("saturationWarning", 0.8),
  );
  context.subscriptions.push(
    log,
    statusBar,
    vscode.window.onDidChangeActiveTextEditor(() => statusBar.render()),
    vscode.workspace.onDidCloseTextDocument((document) => statusBar.forget(document.uri.toString())),
    watchSelection(),
    vscode.commands.registerCommand("promptweight.restartServer", () => restartClient(context)),
    vscode.commands.registerCommand("promptweight.showLogs", () => log.show()),
    vscode.commands.registerCommand("promptweight.selectInterpreter", selectInterpreter),
    vscode.commands.registerCommand("promptweight.showBreakdown", (uri?: string) => statusBar.showBreakdown(uri)),
    vscode.commands.registerCommand("promptweight.exportDataset", exportDataset),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("promptweight")) {
        log.info("settings changed: restarting the language server");
        void restartClient(context);
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => restartClient(context)),
  );
  const python = vscode.extensions.getExtension<{ environments?: { onDidChangeActiveEnvironmentPath?: vscode.Event<unknown> } }>("ms-python.python");
  if (python?.isActive) {
    const event = python.exports.environments?.onDidChangeActiveEnvironmentPath;
    if (event) {
      context.subscriptions.push(event(() => restartClient(context)));
    }
  }
  await startClient(context);
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
