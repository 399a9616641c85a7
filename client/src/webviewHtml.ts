// The HTML shell of Promptweight's webviews. Free of `vscode` so that the content security
// policy can be tested: scripts run only with this page's nonce, styles come only from the
// extension or carry the nonce, and nothing may be fetched from the network.
import { randomBytes } from "node:crypto";

export interface WebviewPage {
  title: string;
  /** `webview.cspSource`: the origin VS Code serves `localResourceRoots` from. */
  cspSource: string;
  nonce: string;
  /** The bundled script, as `webview.asWebviewUri` gives it. */
  scriptUri: string;
  /** Static markup; the script fills in elements by id. */
  body: string;
}

/** A fresh nonce per page load: 128 random bits, so a page's nonce cannot be guessed. */
export function newNonce(): string {
  return randomBytes(16).toString("base64");
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join("; ");
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Every colour is a theme variable, read again by the charts when the theme changes; high
// contrast themes also get borders, since their backgrounds alone do not separate areas.
const STYLE = `
body { color: var(--vscode-foreground); background: var(--vscode-editor-background);
  font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); padding: 0 16px 16px; }
h1 { font-size: 1.3em; font-weight: 600; margin: 12px 0 4px; }
h2 { font-size: 1.05em; font-weight: 600; margin: 18px 0 6px; }
.muted { color: var(--vscode-descriptionForeground); }
.figures { display: flex; flex-wrap: wrap; gap: 8px 24px; margin: 8px 0; }
.figure .value { font-size: 1.4em; font-variant-numeric: tabular-nums; }
.chart { position: relative; width: 100%; max-width: 960px; }
.chart canvas { display: block; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 2px 12px 2px 0; }
td.number, th.number { text-align: right; }
tr.configured { font-weight: 600; }
button { color: var(--vscode-button-foreground); background: var(--vscode-button-background);
  border: 1px solid var(--vscode-button-border, transparent); padding: 4px 12px; cursor: pointer; }
button:hover { background: var(--vscode-button-hoverBackground); }
button:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
progress { width: 100%; max-width: 960px; height: 8px; accent-color: var(--vscode-progressBar-background); }
[hidden] { display: none !important; }
body.vscode-high-contrast .chart, body.vscode-high-contrast-light .chart,
body.vscode-high-contrast table, body.vscode-high-contrast-light table {
  border: 1px solid var(--vscode-contrastBorder); }
`;

export function webviewHtml(page: WebviewPage): string {
  const csp = contentSecurityPolicy(page.cspSource, page.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style nonce="${page.nonce}">${STYLE}</style>
</head>
<body>
${page.body}
<script nonce="${page.nonce}" src="${escapeHtml(page.scriptUri)}"></script>
</body>
</html>
`;
}
