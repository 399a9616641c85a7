// The training view: a run's live curves, progress and cancel button. It opens beside the editor
// when a run starts. After a window reload VS Code restores it (its serializer) with the run it
// showed, whose history the server reads from the run folder (`promptweight/trainingHistory`);
// live events continue it from there.
import * as vscode from "vscode";
import { LanguageClient, State } from "vscode-languageclient/node";
import { METHODS, TrainingNotification } from "./generated/protocol";
import { sendRequest } from "./serverMethods";
import { loadPage, webviewOptions } from "./tokenReportPanel";
import { TrainingCommands } from "./training";
import { TRAINING_VIEW_BODY } from "./trainingViewPage";
import {
  applyNotification,
  emptyView,
  TrainingFromView,
  TrainingToView,
  TrainingView,
  TrainingViewSavedState,
  viewOfRun,
} from "./trainingViewModel";

export const TRAINING_VIEW = "promptweight.training";
const CONFIG_SUFFIX = ".train.yaml";

class TrainingViewPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private view: TrainingView = emptyView();
  /** The run a restored (or newly opened) panel should show, until the server is there to ask. */
  private wanted: TrainingViewSavedState | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly extension: vscode.Uri,
    private readonly client: () => LanguageClient | undefined,
    private readonly training: TrainingCommands,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions = [
      vscode.commands.registerCommand("promptweight.showTraining", () => this.show(true)),
      training.onDidReceiveEvent((notification) => this.onEvent(notification)),
      vscode.window.registerWebviewPanelSerializer(TRAINING_VIEW, {
        deserializeWebviewPanel: async (panel, state: TrainingViewSavedState | undefined) => {
          this.adopt(panel);
          if (state?.config) {
            this.wanted = state;
            await this.loadHistory();
          }
        },
      }),
    ];
  }

  /** After each start of the language client: a restored panel can now ask for its history. */
  connected(): void {
    void this.loadHistory();
  }

  private onEvent(notification: TrainingNotification): void {
    const { config, event } = notification;
    const at = Date.now();
    if (event.type === "started" && notification.reattachedAtStep !== null && notification.reattachedAtStep !== undefined) {
      // A run the server found going after a reload: its curves so far are in its folder, and
      // folding this `started` in would clear them. Live steps continue the history once read.
      if (!this.panel) this.show(false);
      this.wanted = { config, runDir: event.runDir };
      void this.loadHistory();
      return;
    }
    if (event.type === "started" && !this.panel) this.show(false);
    const before = this.view.config;
    applyNotification(this.view, config, event, at);
    if (this.view.config !== before) this.wanted = undefined; // a new run replaces the one awaited
    if (event.type === "started" || this.view.config !== before) {
      void this.post({ type: "view", view: this.view });
    } else if (this.view.config === config) {
      void this.post({ type: "event", config, event, at });
    }
  }

  /** `byUser`: from the command, which shows the active config's newest run when none is live. */
  private show(byUser: boolean): void {
    if (this.panel) {
      this.panel.reveal(undefined, !byUser);
    } else {
      this.adopt(
        vscode.window.createWebviewPanel(
          TRAINING_VIEW,
          "Training",
          { viewColumn: vscode.ViewColumn.Beside, preserveFocus: !byUser },
          webviewOptions(this.extension),
        ),
      );
    }
    const active = vscode.window.activeTextEditor?.document.uri;
    if (byUser && this.view.state !== "running" && active?.path.endsWith(CONFIG_SUFFIX)) {
      this.wanted = { config: active.toString(), runDir: null };
      void this.loadHistory();
    }
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    loadPage(panel, this.extension, "training.js", TRAINING_VIEW_BODY);
    panel.onDidDispose(() => {
      this.panel = undefined;
    });
    panel.webview.onDidReceiveMessage((message: TrainingFromView) => {
      if (message.type === "ready") void this.post({ type: "view", view: this.view });
      else if (message.type === "cancel") void this.training.cancel(this.view.config ?? undefined);
    });
  }

  private async loadHistory(): Promise<void> {
    const wanted = this.wanted;
    const client = this.client();
    if (!wanted?.config || !client || client.state !== State.Running) return;
    try {
      const { run } = await sendRequest(client, METHODS.trainingHistory.name, { config: wanted.config, runDir: wanted.runDir });
      if (this.wanted !== wanted) return; // a live run or another request took its place
      this.wanted = undefined;
      if (!run) {
        this.log.info(`training view: no run found for ${wanted.config}`);
        return;
      }
      this.view = viewOfRun(wanted.config, run);
      await this.post({ type: "view", view: this.view });
    } catch (error) {
      this.log.warn(`training history of ${wanted.config}: ${(error as Error).message}`);
    }
  }

  private post(message: TrainingToView): Thenable<boolean> | undefined {
    return this.panel?.webview.postMessage(message);
  }

  dispose(): void {
    this.panel?.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}

export interface TrainingViews {
  /** After each start of the language client. */
  connected(): void;
}

export function registerTrainingView(
  context: vscode.ExtensionContext,
  client: () => LanguageClient | undefined,
  training: TrainingCommands,
  log: vscode.LogOutputChannel,
): TrainingViews {
  const panel = new TrainingViewPanel(context.extensionUri, client, training, log);
  context.subscriptions.push(panel);
  return { connected: () => panel.connected() };
}
