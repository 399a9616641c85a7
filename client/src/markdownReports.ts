// Reports (advice, validation, environment, adapter trials) as read-only virtual documents shown
// in the Markdown preview. An untitled document would do the same until the user closes the
// window: then each report asks whether to save it.
import * as vscode from "vscode";

const SCHEME = "promptweight-report";
// Reports are small, but a session can open many: the oldest are forgotten.
const KEPT = 50;

class ReportDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private count = 0;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? "This report is no longer kept: run its command again.";
  }

  add(name: string, markdown: string): vscode.Uri {
    this.count += 1;
    // The query makes each report its own document, so an old preview never changes under
    // the reader; the path's name is what the preview's tab shows.
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${name}.md`, query: String(this.count) });
    this.texts.set(uri.toString(), markdown);
    for (const old of this.texts.keys()) {
      if (this.texts.size <= KEPT) break;
      this.texts.delete(old);
    }
    return uri;
  }
}

const documents = new ReportDocuments();

export function registerMarkdownReports(): vscode.Disposable {
  return vscode.workspace.registerTextDocumentContentProvider(SCHEME, documents);
}

/** Shows `markdown` rendered beside the active editor, under `name`. */
export async function showMarkdownReport(name: string, markdown: string): Promise<void> {
  await vscode.commands.executeCommand("markdown.showPreviewToSide", documents.add(name, markdown));
}
