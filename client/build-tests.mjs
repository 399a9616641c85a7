// Bundles each client/test/*.test.ts into build/client-tests/ for `node --test`. The modules
// under test must not import `vscode` (it only exists in the editor): bundling fails if they do.
import { readdirSync, rmSync } from "node:fs";
import { build } from "esbuild";

const outdir = "build/client-tests";
const tests = readdirSync("client/test")
  .filter((name) => name.endsWith(".test.ts"))
  .map((name) => `client/test/${name}`);

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: tests,
  bundle: true,
  outdir,
  format: "cjs",
  platform: "node",
  target: "node20",
  sourcemap: "inline",
  logLevel: "warning",
});
