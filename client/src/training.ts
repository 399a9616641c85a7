// The fine-tuning commands: Check Training Environment (and install the libraries), Start
// Fine-Tuning (a short wizard when no config is open), Cancel Fine-Tuning, Open Last Run and Try
// Adapter. The server does the work (and refuses it in an untrusted workspace); this module
// asks the user and shows the answers. A run's progress and cancel button are the server's
// work-done progress, which the language client shows as a notification. A run outlives the
// window: after a reload the new server finds it going and sends its `started` again
// (`reattachedAtStep`), which brings back the notification and the running context key.
import { existsSync } from "node:fs";
import * as vscode from "vscode";
import { LanguageClient } from "vscode-languageclient/node";
import { METHODS, RunSummary, TrainingChoices, TrainingNotification } from "./generated/protocol";
import { showMarkdownReport } from "./markdownReports";
import { executeCommand, onNotification, sendRequest } from "./serverMethods";
import {
  environmentMarkdown,
  environmentSummary,
  estimateLines,
  eventLine,
  newConfig,
  PRESETS,
  runName,
  trialMarkdown,
} from "./trainingText";

const RUNNING_CONTEXT = "promptweight.trainingRunning";
const CONFIG_SUFFIX = ".train.yaml";

export class TrainingCommands implements vscode.Disposable {
  /** The configs with a run going, as the server's events tell. */
  private readonly running = new Set<string>();
  /** The notification of each running config's progress. */
  private readonly progress = new Map<string, { step(step: number, total: number, message: string): void; end(): void }>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly events = new vscode.EventEmitter<TrainingNotification>();
  /** Each event of a run, for the training view (trainingViewPanel.ts). */
  readonly onDidReceiveEvent = this.events.event;

  constructor(
    private readonly client: () => LanguageClient | undefined,
    private readonly log: vscode.LogOutputChannel,
    private readonly wheelhouse: string,
  ) {
    this.subscriptions.push(this.events);
    const command = (name: string, run: () => Promise<void>) =>
      vscode.commands.registerCommand(name, () => run().catch((error: Error) => this.fail(error)));
    this.subscriptions.push(
      command("promptweight.checkTrainingEnvironment", () => this.checkEnvironment()),
      command("promptweight.startFineTuning", () => this.start()),
      command("promptweight.cancelFineTuning", () => this.cancel()),
      command("promptweight.openLastRun", () => this.openLastRun()),
      command("promptweight.tryAdapter", () => this.tryAdapter()),
    );
    void this.setRunning();
  }

  /** After each (re)start of the client: its events come through the new connection. */
  follow(client: LanguageClient): vscode.Disposable {
    this.running.clear();
    for (const shown of [...this.progress.values()]) shown.end();
    void this.setRunning();
    return onNotification(client, METHODS.training.name, (notification) => this.onEvent(notification));
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private async fail(error: Error): Promise<void> {
    this.log.error(error.message);
    await vscode.window.showErrorMessage(`Promptweight: ${error.message}`);
  }

  private server(): LanguageClient {
    const running = this.client();
    if (!running) throw new Error("the language server is not running");
    return running;
  }

  private setRunning(): Thenable<unknown> {
    return vscode.commands.executeCommand("setContext", RUNNING_CONTEXT, this.running.size > 0);
  }

  private onEvent(notification: TrainingNotification): void {
    const event = notification.event;
    const reattached = event.type === "started" ? notification.reattachedAtStep : null;
    this.events.fire(notification);
    this.log.info(`training ${notification.config}: ${eventLine(notification)}`);
    if (event.type === "started") {
      this.running.add(notification.config);
      void this.setRunning();
      this.showProgress(notification.config, event.runDir, event.totalSteps, reattached ?? 0);
    } else if (event.type === "step") {
      this.progress.get(notification.config)?.step(event.step, event.totalSteps, `step ${event.step}/${event.totalSteps} · loss ${event.loss.toFixed(4)}`);
    } else if (event.type === "finished" || event.type === "failed") {
      this.running.delete(notification.config);
      this.progress.get(notification.config)?.end();
      void this.setRunning();
      void this.announceEnd(notification);
    }
  }

  /**
   * A notification with the run's percentage and a cancel button. The server's work-done
   * progress says the same, but the language client shows it in the status bar, where VS Code
   * offers no cancel button.
   */
  private showProgress(config: string, runDir: string, totalSteps: number, atStep: number): void {
    this.progress.get(config)?.end();
    const name = runDir.split(/[\\/]/).pop() ?? runDir;
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Promptweight: training ${name}`, cancellable: true },
      (progress, cancelled) =>
        new Promise<void>((resolve) => {
          let done = 0;
          const shown = {
            step: (step: number, total: number, message: string) => {
              const percent = (100 * step) / Math.max(total || totalSteps, 1);
              progress.report({ message, increment: Math.max(0, percent - done) });
              done = Math.max(done, percent);
            },
            end: () => {
              this.progress.delete(config);
              resolve();
            },
          };
          this.progress.set(config, shown);
          // A run found going after a reload: where it is, before its next step arrives.
          if (atStep > 0) shown.step(atStep, totalSteps, `step ${atStep}/${totalSteps}`);
          cancelled.onCancellationRequested(() => void this.cancel(config));
        }),
    );
  }

  private async announceEnd(notification: TrainingNotification): Promise<void> {
    const event = notification.event;
    if (event.type === "failed") {
      const choice = await vscode.window.showErrorMessage(
        `Promptweight: training failed: ${event.error}${event.hint ? `. ${event.hint}` : ""}`,
        "Show Logs",
      );
      if (choice) this.log.show();
      return;
    }
    if (event.type !== "finished") return;
    const loss = event.trainLoss === null ? "" : `, train loss ${event.trainLoss.toFixed(4)}`;
    const state = event.cancelled ? "stopped (a checkpoint was saved)" : "finished";
    const choice = await vscode.window.showInformationMessage(
      `Promptweight: training ${state} after ${event.steps} steps${loss}.`,
      "Open Run",
      "Try Adapter",
    );
    const config = vscode.Uri.parse(notification.config);
    if (choice === "Open Run") await this.openLastRun(config);
    if (choice === "Try Adapter") await this.tryAdapter(config);
  }

  /** The workspace folder to work in: the active editor's, the only one, or the user's pick. */
  private async folder(): Promise<vscode.WorkspaceFolder | undefined> {
    const active = vscode.window.activeTextEditor?.document.uri;
    const owner = active && vscode.workspace.getWorkspaceFolder(active);
    if (owner) return owner;
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length <= 1) return folders[0];
    return vscode.window.showWorkspaceFolderPick({ placeHolder: "Which folder's training?" });
  }

  private activeConfig(): vscode.Uri | undefined {
    const uri = vscode.window.activeTextEditor?.document.uri;
    return uri && uri.path.endsWith(CONFIG_SUFFIX) ? uri : undefined;
  }

  async checkEnvironment(): Promise<void> {
    const client = this.server();
    const folder = await this.folder();
    const config = this.activeConfig();
    const found = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: "Promptweight: checking the training environment" },
      () =>
        sendRequest(client, METHODS.trainingEnvironment.name, {
          config: config?.toString() ?? null,
          folder: folder?.uri.toString() ?? null,
        }),
    );
    await showMarkdownReport("Training environment", environmentMarkdown(found));
    const summary = `Promptweight: ${environmentSummary(found)}.`;
    if (!found.install) {
      await (found.report ? vscode.window.showInformationMessage(summary) : vscode.window.showWarningMessage(summary));
      return;
    }
    const choice = await vscode.window.showWarningMessage(summary, "Install", "Copy Command");
    if (choice === "Copy Command") {
      await vscode.env.clipboard.writeText(found.install.commandLine);
    } else if (choice === "Install") {
      // The server shows pip's progress, with a cancel button, as work-done progress.
      const result = await executeCommand(client, METHODS.installTrainingExtra.name, {
        folder: folder?.uri.toString() ?? null,
        findLinks: existsSync(this.wheelhouse) ? this.wheelhouse : null,
      });
      const show = result.installed ? vscode.window.showInformationMessage : vscode.window.showErrorMessage;
      await show(`Promptweight: ${result.message}`);
    }
  }

  async start(): Promise<void> {
    const client = this.server();
    let config = this.activeConfig();
    if (!config) {
      const folder = await this.folder();
      if (!folder) throw new Error("open a folder to train in");
      config = await this.pickOrCreateConfig(client, folder);
      if (!config) return;
    }
    const result = await executeCommand(client, METHODS.startTraining.name, { config: config.toString(), maxSteps: null });
    if (!result.started) {
      await vscode.window.showWarningMessage(`Promptweight: ${result.message}`);
    }
  }

  private async pickOrCreateConfig(client: LanguageClient, folder: vscode.WorkspaceFolder): Promise<vscode.Uri | undefined> {
    const choices = await sendRequest(client, METHODS.trainingChoices.name, { folder: folder.uri.toString() });
    if (choices.configs.length) {
      const items = [
        ...choices.configs.map((uri) => ({ label: `$(play) ${vscode.workspace.asRelativePath(vscode.Uri.parse(uri))}`, uri })),
        { label: "$(add) New run…", uri: undefined },
      ];
      const picked = await vscode.window.showQuickPick(items, { placeHolder: "Start which run?" });
      if (!picked) return undefined;
      if (picked.uri) return vscode.Uri.parse(picked.uri);
    }
    return this.newConfig(client, folder, choices);
  }

  /** The wizard: datasets, base model, preset, then a confirmation with the memory estimate. */
  private async newConfig(
    client: LanguageClient,
    folder: vscode.WorkspaceFolder,
    choices: TrainingChoices,
  ): Promise<vscode.Uri | undefined> {
    if (!choices.datasets.length) {
      throw new Error("no .jsonl dataset in this folder: export one from a prompt first (Promptweight: Export Dataset)");
    }
    const datasets = await vscode.window.showQuickPick(
      choices.datasets.map((label) => ({ label, picked: choices.datasets.length === 1 })),
      { canPickMany: true, title: "Fine-tune (1/3): datasets to train on" },
    );
    if (!datasets?.length) return undefined;
    const baseModel = await this.pickBaseModel(folder, choices);
    if (!baseModel) return undefined;
    const preset = await vscode.window.showQuickPick(PRESETS, { title: "Fine-tune (3/3): how long to train" });
    if (!preset) return undefined;
    const names = datasets.map((d) => d.label);
    const config = newConfig(runName(names[0]), baseModel, names, preset);
    const plan = await sendRequest(client, METHODS.planTraining.name, { folder: folder.uri.toString(), config });
    const file = vscode.workspace.asRelativePath(vscode.Uri.parse(plan.uri));
    const estimate = plan.estimate ? estimateLines(plan.estimate) : [plan.estimateNote ?? "no estimate"];
    const detail = [
      `Base model: ${baseModel} (4-bit NF4 + LoRA)`,
      `Datasets: ${names.join(", ")}`,
      `Preset: ${preset.label}: ${preset.detail}`,
      "",
      ...estimate,
      "",
      `Writes ${file}; the run goes to runs/ beside it.`,
    ].join("\n");
    const answer = await vscode.window.showInformationMessage(`Start fine-tuning ${config.name}?`, { modal: true, detail }, "Start");
    if (answer !== "Start") return undefined;
    const written = await executeCommand(client, METHODS.createTrainingConfig.name, { uri: plan.uri, text: plan.text });
    if (!written.written) throw new Error(written.message);
    return vscode.Uri.parse(plan.uri);
  }

  private async pickBaseModel(folder: vscode.WorkspaceFolder, choices: TrainingChoices): Promise<string | undefined> {
    const browse = "$(folder-opened) Browse for a model folder…";
    const typed = "$(edit) Type a Hugging Face id…";
    const picked = await vscode.window.showQuickPick(
      [
        ...choices.baseModels.map((m) => ({
          label: m.id,
          description: m.source === "cache" ? "Hugging Face cache" : "in the workspace",
          detail: m.detail,
        })),
        { label: browse, description: "", detail: "a folder with config.json and a tokenizer" },
        { label: typed, description: "", detail: "downloaded only if the config allows it" },
      ],
      { title: "Fine-tune (2/3): base model (nothing is downloaded)" },
    );
    if (!picked) return undefined;
    if (picked.label === typed) {
      return vscode.window.showInputBox({ prompt: "A Hugging Face model id", placeHolder: "Qwen/Qwen2.5-0.5B-Instruct" });
    }
    if (picked.label === browse) {
      const [chosen] = (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, defaultUri: folder.uri })) ?? [];
      return chosen ? vscode.workspace.asRelativePath(chosen, false) : undefined;
    }
    return picked.label;
  }

  async cancel(config?: string): Promise<void> {
    const client = this.server();
    const active = config ?? this.activeConfig()?.toString();
    const target = active && this.running.has(active) ? active : null;
    const result = await executeCommand(client, METHODS.cancelTraining.name, { config: target });
    const show = result.cancelled ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    await show(`Promptweight: ${result.message}`);
  }

  /** The newest run of a config (the active one, or picked), or undefined after telling why. */
  private async lastRun(config: vscode.Uri | undefined, finished: boolean): Promise<RunSummary | undefined> {
    const client = this.server();
    let chosen = config ?? this.activeConfig();
    if (!chosen) {
      const folder = await this.folder();
      if (!folder) throw new Error("open a folder first");
      const { configs } = await sendRequest(client, METHODS.trainingChoices.name, { folder: folder.uri.toString() });
      if (!configs.length) throw new Error("no *.train.yaml in this folder: Start Fine-Tuning makes one");
      const picked =
        configs.length === 1
          ? configs[0]
          : (await vscode.window.showQuickPick(configs.map((uri) => ({ label: vscode.workspace.asRelativePath(vscode.Uri.parse(uri)), uri }))))?.uri;
      if (!picked) return undefined;
      chosen = vscode.Uri.parse(picked);
    }
    const { runs } = await sendRequest(client, METHODS.trainingRuns.name, { config: chosen.toString() });
    const run = finished ? runs.find((r) => r.adapterPath) : runs[0];
    if (!run) {
      await vscode.window.showWarningMessage(
        `Promptweight: ${vscode.workspace.asRelativePath(chosen)} has no ${finished ? "finished run with an adapter" : "run"} yet.`,
      );
    }
    return run;
  }

  async openLastRun(config?: vscode.Uri): Promise<void> {
    const run = await this.lastRun(config, false);
    if (!run) return;
    const folder = vscode.Uri.file(run.runDir);
    const card = vscode.Uri.joinPath(folder, "README.md");
    const target = existsSync(card.fsPath) ? card : vscode.Uri.joinPath(folder, "events.jsonl");
    if (target === card) {
      await vscode.commands.executeCommand("markdown.showPreview", card);
    } else {
      await vscode.window.showTextDocument(target);
    }
    await vscode.commands.executeCommand("revealInExplorer", folder);
  }

  async tryAdapter(config?: vscode.Uri): Promise<void> {
    const client = this.server();
    const run = await this.lastRun(config, true);
    if (!run) return;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Promptweight: trying the adapter of ${run.name}` },
      () => executeCommand(client, METHODS.tryAdapter.name, { runDir: run.runDir, maxNewTokens: 128 }),
    );
    if (!result.trial) throw new Error(`the adapter could not be tried: ${result.error ?? "no reason given"}`);
    await showMarkdownReport(`Adapter trial ${run.name}`, trialMarkdown(result.trial));
  }
}
