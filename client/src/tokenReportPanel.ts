// The token report beside the editor: it follows the active prompt file and asks the server for
// the report (`promptweight/tokenReport`) whenever that file's `documentStats` arrive, so it
// moves as the user types without polling. A non-prompt editor leaves the last report shown.
import * as vscode from "vscode";
import { LanguageClient } from "vscode-languageclient/node";
import { DocumentStats, METHODS } from "./generated/protocol";
import { PromptLanguageStatus } from "./languageStatus";
import { sendRequest } from "./serverMethods";
import { TOKEN_REPORT_BODY } from "./tokenReportPage";
import { TokenReportFromView, TokenReportToView } from "./tokenReportModel";
import { newNonce, webviewHtml } from "./webviewHtml";

export const TOKEN_REPORT_VIEW = "promptweight.tokenReport";
const SHOW_TOKEN_REPORT = "promptweight.showTokenReport";

/** The webview options both views share: scripts, and only the bundled webview folder. */
export function webviewOptions(extension: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extension, "dist", "webview")] };
}

/** Loads `script` (from dist/webview) and `body` into `panel`, under the strict policy. */
export function loadPage(panel: vscode.WebviewPanel, extension: vscode.Uri, script: string, body: string): void {
  const webview = panel.webview;
  webview.options = webviewOptions(extension);
  webview.html = webviewHtml({
    title: panel.title,
    cspSource: webview.cspSource,
    nonce: newNonce(),
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extension, "dist", "webview", script)).toString(),
    body,
  });
}

class TokenReportPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private followed: string | undefined;
  /** Documents whose latest stats say they are prompts. */
  private readonly prompts = new Set<string>();
  private last: TokenReportToView | undefined;
  private asking = false;
  private askAgain = false;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly extension: vscode.Uri,
    private readonly client: () => LanguageClient | undefined,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions.push(
      vscode.window.onDidChangeActiveTextEditor((editor) => this.follow(editor)),
      vscode.workspace.onDidCloseTextDocument((document) => this.prompts.delete(document.uri.toString())),
      vscode.window.registerWebviewPanelSerializer(TOKEN_REPORT_VIEW, {
        deserializeWebviewPanel: async (panel) => {
          this.adopt(panel);
          this.follow(vscode.window.activeTextEditor);
        },
      }),
    );
  }

  update(stats: DocumentStats): void {
    if (stats.format === null) {
      this.prompts.delete(stats.uri);
      return;
    }
    this.prompts.add(stats.uri);
    if (!this.panel) return;
    if (stats.uri === vscode.window.activeTextEditor?.document.uri.toString()) this.followed = stats.uri;
    if (stats.uri === this.followed) void this.ask();
  }

  /** After a (re)start of the server: its answers may differ (settings changed). */
  connected(): void {
    if (this.panel) void this.ask();
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal(undefined, true);
    } else {
      this.adopt(
        vscode.window.createWebviewPanel(
          TOKEN_REPORT_VIEW,
          "Token Report",
          { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
          webviewOptions(this.extension),
        ),
      );
    }
    this.follow(vscode.window.activeTextEditor);
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    loadPage(panel, this.extension, "tokenReport.js", TOKEN_REPORT_BODY);
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.last = undefined;
    });
    panel.onDidChangeViewState(({ webviewPanel }) => {
      if (webviewPanel.visible) void this.ask(); // asked for nothing while it was hidden
    });
    panel.webview.onDidReceiveMessage((message: TokenReportFromView) => void this.onMessage(message));
  }

  private async onMessage(message: TokenReportFromView): Promise<void> {
    if (message.type === "ready") {
      // A webview loads again when it is shown after being hidden: it starts blank.
      if (this.last) void this.post(this.last);
      else void this.ask();
    } else if (message.type === "reveal") {
      const uri = vscode.Uri.parse(message.uri);
      const { start, end } = message.range;
      const column = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === message.uri)?.viewColumn;
      await vscode.window.showTextDocument(uri, {
        viewColumn: column ?? vscode.ViewColumn.One,
        selection: new vscode.Range(start.line, start.character, end.line, end.character),
      });
    }
  }

  private follow(editor: vscode.TextEditor | undefined): void {
    const uri = editor?.document.uri.toString();
    if (!this.panel || !uri || !this.prompts.has(uri) || uri === this.followed) return;
    this.followed = uri;
    void this.ask();
  }

  private post(message: TokenReportToView): Thenable<boolean> | undefined {
    this.last = message;
    return this.panel?.webview.postMessage(message);
  }

  /** One request at a time; stats that arrive meanwhile make one more after it, for the newest. */
  private async ask(): Promise<void> {
    if (this.asking) {
      this.askAgain = true;
      return;
    }
    const client = this.client();
    const uri = this.followed;
    if (!this.panel?.visible || !client || !uri) return;
    this.asking = true;
    try {
      const result = await sendRequest(client, METHODS.tokenReport.name, { uri });
      if (result.report) {
        const file = vscode.Uri.parse(result.report.uri);
        const fileName = vscode.workspace.asRelativePath(file);
        // The URI's path always uses `/`; a relative path outside the workspace is the file
        // system's, with `\` on Windows.
        if (this.panel) this.panel.title = `Tokens: ${file.path.split("/").pop()}`;
        await this.post({ type: "report", report: result.report, fileName });
      } else {
        await this.post({ type: "empty", reason: `Nothing to report: ${result.reason ?? "not a prompt"}.` });
      }
    } catch (error) {
      this.log.warn(`token report of ${uri}: ${(error as Error).message}`);
    } finally {
      this.asking = false;
      if (this.askAgain) {
        this.askAgain = false;
        void this.ask();
      }
    }
  }

  dispose(): void {
    this.panel?.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}

export interface TokenViews {
  /** Each `documentStats` notification. */
  update(stats: DocumentStats): void;
  /** After each start of the language client. */
  connected(): void;
}

/** The token report, its command, and the language status item of prompt files. */
export function registerTokenReport(
  context: vscode.ExtensionContext,
  client: () => LanguageClient | undefined,
  promptPatterns: readonly string[],
  log: vscode.LogOutputChannel,
): TokenViews {
  const panel = new TokenReportPanel(context.extensionUri, client, log);
  const status = new PromptLanguageStatus(
    promptPatterns.flatMap((pattern) => [
      { scheme: "file", pattern: `**/${pattern}` },
      { scheme: "untitled", pattern: `**/${pattern}` },
    ]),
    SHOW_TOKEN_REPORT,
  );
  context.subscriptions.push(panel, status, vscode.commands.registerCommand("promptweight.showTokenReport", () => panel.show()));
  return {
    update: (stats) => {
      panel.update(stats);
      status.update(stats);
    },
    connected: () => panel.connected(),
  };
}
