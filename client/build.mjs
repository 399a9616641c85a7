// Bundles the extension into dist/extension.js: one file, no node_modules in the .vsix. Each
// webview's script (client/webview/, with Chart.js) is bundled for the browser into
// dist/webview/, the only folder its panel may load from (`localResourceRoots`).
import { build } from "esbuild";

const minify = process.argv.includes("--minify");

await Promise.all([
  build({
    entryPoints: ["client/src/extension.ts"],
    bundle: true,
    outfile: "dist/extension.js",
    external: ["vscode"],
    format: "cjs",
    platform: "node",
    target: "node20",
    sourcemap: true,
    minify,
    logLevel: "warning",
  }),
  build({
    entryPoints: ["client/webview/tokenReport.ts", "client/webview/training.ts"],
    bundle: true,
    outdir: "dist/webview",
    format: "iife",
    platform: "browser",
    // The Chromium of VS Code 1.90 (Electron 29).
    target: "chrome122",
    sourcemap: true,
    minify,
    logLevel: "warning",
  }),
]);
