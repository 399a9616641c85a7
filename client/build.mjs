// Bundles the extension into dist/extension.js: one file, no node_modules in the .vsix.
import { build } from "esbuild";

await build({
  entryPoints: ["client/src/extension.ts"],
  bundle: true,
  outfile: "dist/extension.js",
  external: ["vscode"],
  format: "cjs",
  platform: "node",
  target: "node20",
  sourcemap: true,
  minify: process.argv.includes("--minify"),
  logLevel: "warning",
});
