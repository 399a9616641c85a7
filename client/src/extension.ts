// Promptweight's VS Code extension: starts the Python language server and shows what it reports.
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";
import { CountSelectionParams, ExportDatasetParams, METHODS } from "./generated/protocol";
import { initializationOptions, WorkspaceSettings } from "./initializationOptions";
import { findInterpreter, InterpreterError } from "./interpreter";
import { InterpreterChangeWatch, PYTHON_EXTENSION_ID } from "./pythonExtension";
import { RestartQueue } from "./restarts";
import { executeCommand, onNotification, sendRequest } from "./serverMethods";
import { prepareServerEnvironment } from "./serverEnvironment";
import { TokenStatusBar } from "./statusBar";
import { TrainingCommands } from "./training";
import { registerCompareAdapter, registerShowAdvice } from "./advice";
import { registerMarkdownReports } from "./markdownReports";
import { registerModelPicker } from "./modelPicker";
import { registerValidateDataset } from "./validateDataset";
import { registerTokenReport, TokenViews } from "./tokenReportPanel";
import { registerTrainingView, TrainingViews } from "./trainingViewPanel";

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
/** Every start and restart, and the last stop, go through it: see restarts.ts. */
let restarts: RestartQueue | undefined;
let interpreterWatch: InterpreterChangeWatch;
let training: TrainingCommands;
let tokenViews: TokenViews;
let trainingViews: TrainingViews;

function workspaceSettings(): WorkspaceSettings {
  return {
    trusted: vscode.workspace.isTrusted,
    window: vscode.workspace.getConfiguration("promptweight"),
    folders: (vscode.workspace.workspaceFolders ?? []).map((folder) => ({
      uri: folder.uri.toString(),
      settings: vscode.workspace.getConfiguration("promptweight", folder.uri),
    })),
  };
}

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  let python: string;
  try {
    // The search may have activated the Python extension (trusted workspaces), even when it
    // found nothing: from then on its interpreter changes can be watched.
    const interpreter = await findInterpreter(log).finally(() => interpreterWatch.subscribe());
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
      // QLoRA run configs (`promptweight.train.yaml`): checked as they are edited.
      { scheme: "file", pattern: "**/*.train.yaml" },
    ],
    initializationOptions: initializationOptions(workspaceSettings()),
    outputChannel: log,
    traceOutputChannel: log,
  };
  client = new LanguageClient("promptweight", "Promptweight", serverOptions, clientOptions);
  onNotification(client, METHODS.documentStats.name, (stats) => {
    statusBar.update(stats);
    tokenViews.update(stats);
  });
  training.follow(client);
  await client.start();
  tokenViews.connected();
  trainingViews.connected();
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

function reportFailedStart(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  log.error(`starting the language server: ${message}`);
  void showStartError(`Promptweight: the language server did not start: ${message}`);
}

/** Resolves once a restart that began after the request has ended. */
function requestRestart(reason: string): Promise<void> {
  log.info(`${reason}: restarting the language server`);
  return restarts?.request() ?? Promise.resolve();
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
        const result = client ? await sendRequest(client, METHODS.countSelection.name, params) : undefined;
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
  const result = await executeCommand(client, METHODS.exportDataset.name, params);
  const show = result.applied ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  await show(`Promptweight: ${result.message}`);
}

function activePrompt(): vscode.Uri[] {
  const editor = vscode.window.activeTextEditor;
  return editor ? [editor.document.uri] : [];
}

async function selectInterpreter(): Promise<void> {
  if (vscode.extensions.getExtension(PYTHON_EXTENSION_ID)) {
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
  training = new TrainingCommands(() => client, log, context.asAbsolutePath("bundled/wheels"));
  restarts = new RestartQueue(() => restartClient(context), reportFailedStart);
  // Before any await: VS Code restores their panels through serializers registered here.
  tokenViews = registerTokenReport(context, () => client, PROMPT_FILE_PATTERNS, log);
  trainingViews = registerTrainingView(context, () => client, training, log);
  interpreterWatch = new InterpreterChangeWatch(() => void requestRestart("the Python interpreter changed"));
  context.subscriptions.push(
    log,
    statusBar,
    interpreterWatch,
    training,
    registerMarkdownReports(),
    registerShowAdvice(() => client),
    registerCompareAdapter(() => client),
    registerModelPicker(() => client),
    registerValidateDataset(() => client),
    vscode.window.onDidChangeActiveTextEditor(() => statusBar.render()),
    vscode.workspace.onDidCloseTextDocument((document) => statusBar.forget(document.uri.toString())),
    watchSelection(),
    vscode.commands.registerCommand("promptweight.restartServer", () => requestRestart("Restart command")),
    vscode.commands.registerCommand("promptweight.showLogs", () => log.show()),
    vscode.commands.registerCommand("promptweight.selectInterpreter", selectInterpreter),
    vscode.commands.registerCommand("promptweight.showBreakdown", (uri?: string) => statusBar.showBreakdown(uri)),
    vscode.commands.registerCommand("promptweight.exportDataset", exportDataset),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("promptweight")) {
        void requestRestart("settings changed");
      }
    }),
    // Each folder has its own settings in initializationOptions.
    vscode.workspace.onDidChangeWorkspaceFolders(() => void requestRestart("workspace folders changed")),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      interpreterWatch.subscribe();
      void requestRestart("workspace trusted");
    }),
  );
  // Already active (another extension started it): watch it now rather than after a search.
  interpreterWatch.subscribe();
  await restarts.request();
}

export async function deactivate(): Promise<void> {
  // A start in progress ends first: a stop under it would miss the server it is starting.
  await restarts?.close();
  await stopClient();
}
