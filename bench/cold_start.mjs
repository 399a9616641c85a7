// One cold start of the real editor, timed from the moment code-server was spawned: headless
// Chromium opens the workbench, the prompt file is opened from the explorer, and the script
// waits until the status bar shows its token count (or, for the baseline without the
// extension, until the file's text is on screen). Prints one JSON line of milliseconds since
// the spawn: {"workbench": ..., "opened": ..., "counted": ...}. Started by bench/cold_start.py,
// which sets COLD_URL, COLD_FILE, COLD_SPAWNED_AT (epoch ms), COLD_PLAYWRIGHT, COLD_EXPECT.
import { createRequire } from "node:module";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run python -m bench.cold_start`);
  return value;
};
const { chromium } = createRequire(import.meta.url)(env("COLD_PLAYWRIGHT"));
const spawnedAt = Number(env("COLD_SPAWNED_AT"));
const since = () => Date.now() - spawnedAt;
const expectCount = env("COLD_EXPECT") === "count";
const TIMEOUT_MS = Number(process.env.COLD_TIMEOUT_MS ?? 240_000);

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  // code-server may still be binding its port: retry the first load.
  for (let attempt = 0; ; attempt++) {
    try {
      await page.goto(env("COLD_URL"), { timeout: TIMEOUT_MS });
      break;
    } catch (error) {
      if (attempt >= 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await page.waitForSelector(".monaco-workbench .part.statusbar", { timeout: TIMEOUT_MS });
  const workbench = since();
  const file = env("COLD_FILE");
  await page.locator(".explorer-folders-view .monaco-list-row", { hasText: file }).dblclick({ timeout: TIMEOUT_MS });
  await page.locator(".monaco-editor .view-lines", { hasText: /\S/ }).first().waitFor({ timeout: TIMEOUT_MS });
  const opened = since();
  let counted = null;
  if (expectCount) {
    const item = page.locator(".statusbar-item", { hasText: /\d[\d,]* (input )?tokens/ }).first();
    await item.waitFor({ timeout: TIMEOUT_MS });
    counted = since();
  }
  console.log(JSON.stringify({ workbench, opened, counted }));
} catch (error) {
  const pages = browser.contexts().flatMap((context) => context.pages());
  if (process.env.COLD_FAILURE_SHOT && pages.length) {
    await pages[0].screenshot({ path: process.env.COLD_FAILURE_SHOT }).catch(() => {});
  }
  throw error;
} finally {
  await browser.close();
}
