// Drives a real VS Code (code-server) in headless Chromium: the status bar must show tiktoken's
// count of the open prompt file, follow typing, count a selection, report a bad interpreter,
// export a dataset, resolve the export source action only when it is picked, and start and
// cancel a real QLoRA run of a tiny model from the command palette.
// Started by tests/e2e/run_editor_test.sh, which sets the E2E_* variables.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run tests/e2e/run_editor_test.sh`);
  return value;
};
const { chromium } = createRequire(import.meta.url)(env("E2E_PLAYWRIGHT"));
const workspace = env("E2E_WORKSPACE");
const FILE = "support-triage.prompty";
// The first start creates the server's environment from the bundled wheels: allow for it.
const FIRST_COUNT_TIMEOUT_MS = 180_000;

/** tiktoken's count (o200k_base, gpt-4o-mini's encoding) of a file's whole text, as saved. */
function tiktokenCount(path) {
  const code =
    "import sys; from server.core.encodings import get_encoding; " +
    "print(len(get_encoding('o200k_base').encode_ordinary(open(sys.argv[1], encoding='utf-8').read())))";
  return Number(execFileSync(env("E2E_PYTHON"), ["-c", code, path]).toString().trim());
}

/** What one call sends (message contents, chat overhead, tools), from the CLI: the status bar shows it. */
function promptTokens(path) {
  const cli = join(dirname(env("E2E_PYTHON")), "promptweight");
  const report = JSON.parse(execFileSync(cli, ["check", "--format", "json", path]).toString());
  return report.files[0].inputTokens;
}

let browser;
let page;

before(async () => {
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(env("E2E_URL"));
  await page.waitForSelector(".monaco-workbench", { timeout: 60_000 });
});

after(async () => {
  await browser?.close();
});

const tokenItem = () => page.locator(".statusbar-item", { hasText: /tokens/ }).first();

async function statusText() {
  return ((await tokenItem().textContent({ timeout: 1000 }).catch(() => "")) ?? "").trim();
}

/** Polls the status bar until `predicate(text)` holds; returns the text. */
async function waitForStatus(predicate, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  let text = "";
  while (Date.now() < deadline) {
    text = await statusText();
    if (predicate(text)) return text;
    await page.waitForTimeout(250);
  }
  await page.screenshot({ path: join(env("E2E_SCREENSHOT_DIR"), "editor-e2e-failure.png") });
  assert.fail(`status bar never showed ${what}; last text: ${JSON.stringify(text)}`);
}

const tokensIn = (text) => {
  const match = /([\d,]+) tokens/.exec(text);
  return match ? Number(match[1].replaceAll(",", "")) : undefined;
};

test("opening a prompt file shows its token count in the status bar", async () => {
  await page.locator(".explorer-folders-view .monaco-list-row", { hasText: FILE }).dblclick();
  const expected = promptTokens(join(workspace, FILE));
  const text = await waitForStatus((t) => tokensIn(t) !== undefined, FIRST_COUNT_TIMEOUT_MS, "a count");
  assert.equal(tokensIn(text), expected, `status bar: ${text}`);
});

// Inlay hints are drawn as CSS content, out of the DOM's text: the LSP tests check them.
test("the code lens sums up a call", async () => {
  await page.locator(".monaco-editor .view-lines").first().click();
  await page.keyboard.press("Control+Home");
  // Each lens is a link in the line's decoration, beside the advisor's lens; a decoration VS
  // Code replaced when the advisor's lens resolved may linger hidden, so only a visible one.
  const lens = page.locator(".monaco-editor .codelens-decoration a:visible", { hasText: "/call" }).first();
  await lens.waitFor({ timeout: 30_000 });
  assert.match(await lens.innerText(), /^[\d,]+ tokens · [\d.]+% of 128k · \$[\d.]+\/call · \$[\d.,]+\/month at 1,000 calls\/day$/);
});

test("typing updates the count", async () => {
  const before = tokensIn(await statusText());
  await page.locator(".monaco-editor .view-lines").first().click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("\nPlease answer in French, and keep the reply under fifty words.");
  await page.keyboard.press("Control+S");
  await page.waitForTimeout(500);
  const expected = promptTokens(join(workspace, FILE));
  assert.notEqual(expected, before);
  await waitForStatus((t) => tokensIn(t) === expected, 30_000, `${expected} tokens`);
});

test("a selection shows tiktoken's count of the selected text beside the total", async () => {
  await page.keyboard.press("Control+A");
  const total = promptTokens(join(workspace, FILE)).toLocaleString("en-US");
  const selected = tiktokenCount(join(workspace, FILE)).toLocaleString("en-US");
  const text = await waitForStatus((t) => /selected/.test(t), 30_000, "a selection count");
  assert.match(text, new RegExp(`${total} tokens \\(${selected} selected\\)`));
  await page.screenshot({ path: join(env("E2E_SCREENSHOT_DIR"), "editor-e2e.png") });
  await page.keyboard.press("ArrowRight");
  await waitForStatus((t) => tokensIn(t) !== undefined && !/selected/.test(t), 30_000, "no selection");
});

test("an unusable interpreter in settings is an error with actions, and fixing it recovers", async () => {
  // Workspace settings, as a user would write them; the extension restarts its server on change.
  const settingsPath = join(workspace, ".vscode", "settings.json");
  mkdirSync(dirname(settingsPath), { recursive: true });
  writeFileSync(settingsPath, JSON.stringify({ "promptweight.python": "/nonexistent/python3" }));
  const toast = page.locator(".notification-toast", { hasText: "needs Python 3.11" });
  await toast.waitFor({ timeout: 60_000 });
  for (const action of ["Select Interpreter", "Open Settings", "Show Logs"]) {
    assert.equal(await toast.locator(".monaco-button", { hasText: action }).count(), 1, action);
  }
  await page.screenshot({ path: join(env("E2E_SCREENSHOT_DIR"), "editor-e2e-no-python.png") });
  writeFileSync(settingsPath, "{}");
  const expected = promptTokens(join(workspace, FILE));
  await waitForStatus((t) => tokensIn(t) === expected, 60_000, `${expected} tokens after recovery`);
});

test("a parse problem shows in the Problems count, and its fix clears it", async () => {
  const broken = join(workspace, "broken.prompty");
  writeFileSync(broken, "---\nmodel: [unclosed\n---\nsystem:\nYou are terse.\n");
  await page.locator(".explorer-folders-view .monaco-list-row", { hasText: "broken.prompty" }).dblclick();
  const problems = page.locator('[id="status.problems"]');
  const label = async () => (await problems.getAttribute("aria-label", { timeout: 1000 }).catch(() => "")) ?? "";
  const deadline = Date.now() + 30_000;
  while (!/Errors: 1\b/.test(await label()) && Date.now() < deadline) await page.waitForTimeout(250);
  assert.match(await label(), /Errors: 1\b/);
  await page.screenshot({ path: join(env("E2E_SCREENSHOT_DIR"), "editor-e2e-diagnostic.png") });
  // Close the bracket where the error is: line 2 ends after "[unclosed".
  await page.locator(".monaco-editor .view-lines").first().click();
  await page.keyboard.press("Control+Home");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("End");
  await page.keyboard.type("]");
  const cleared = Date.now() + 30_000;
  // Other kinds may remain (an information diagnostic, say); the error must be gone.
  const noErrors = /^(?![\s\S]*Errors: [1-9])./;
  while (!noErrors.test(await label()) && Date.now() < cleared) await page.waitForTimeout(250);
  assert.match(await label(), noErrors);
});

async function runCommand(title) {
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ timeout: 10_000 });
  await input.fill(`>${title}`);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press("Enter");
}

test("Export Dataset writes the few-shot examples as an undoable edit", async () => {
  await page.locator(".explorer-folders-view .monaco-list-row", { hasText: FILE }).dblclick();
  await runCommand("Promptweight: Export Dataset");
  const toast = page.locator(".notification-toast", { hasText: "few-shot examples" });
  await toast.waitFor({ timeout: 30_000 });
  assert.match(await toast.innerText(), /2 written/);
  await runCommand("File: Save All Files");
  const dataset = join(workspace, "support-triage.train.jsonl");
  const deadline = Date.now() + 15_000;
  let lines = [];
  while (Date.now() < deadline) {
    try {
      lines = readFileSync(dataset, "utf8").split("\n").filter(Boolean);
    } catch {}
    if (lines.length === 2) break;
    await page.waitForTimeout(250);
  }
  assert.equal(lines.length, 2, `dataset lines: ${JSON.stringify(lines)}`);
  const first = JSON.parse(lines[0]);
  assert.deepEqual(first.messages.map((m) => m.role), ["system", "user", "assistant"]);
  await page.screenshot({ path: join(env("E2E_SCREENSHOT_DIR"), "editor-e2e-export.png") });
});

test("the export source action is built when picked, and says so when the dataset holds every example", async () => {
  // The test above wrote both examples: the action is still offered (it reads no file on a
  // cursor move), and resolving it finds nothing new.
  await page.locator(".explorer-folders-view .monaco-list-row", { hasText: FILE }).dblclick();
  await runCommand("Source Action...");
  const action = page.locator(".action-widget .monaco-list-row", { hasText: "Export 2 few-shot examples" });
  await action.waitFor({ timeout: 15_000 });
  await action.click();
  const toast = page.locator(".notification-toast", { hasText: "already holds all 2 examples" });
  await toast.waitFor({ timeout: 15_000 });
  await page.screenshot({ path: join(env("E2E_SCREENSHOT_DIR"), "editor-e2e-source-action.png") });
});

test("a fine-tuning run starts from the palette, shows its progress, and stops from the palette with a checkpoint", async () => {
  // Earlier tests left toasts (an error with buttons stays): VS Code shows only a few at once.
  await runCommand("Notifications: Clear All Notifications");
  await page.locator(".explorer-folders-view .monaco-list-row", { hasText: "promptweight.train.yaml" }).dblclick();
  await runCommand("Promptweight: Start Fine-Tuning");
  // The server's work-done progress: the language client shows it as a notification.
  const progress = page.locator(".notification-toast", { hasText: /step \d+\/1000/ });
  await progress.waitFor({ timeout: 120_000 }).catch(async (error) => {
    await page.screenshot({ path: join(env("E2E_SCREENSHOT_DIR"), "editor-e2e-failure.png") });
    throw error;
  });
  await page.screenshot({ path: join(env("E2E_SCREENSHOT_DIR"), "editor-e2e-training.png") });
  await runCommand("Promptweight: Cancel Fine-Tuning");
  const stopped = page.locator(".notification-toast", { hasText: /training stopped \(a checkpoint was saved\) after \d+ steps/ });
  await stopped.waitFor({ timeout: 120_000 });
  const runs = readdirSync(join(workspace, "runs"));
  assert.equal(runs.length, 1, `run folders: ${runs}`);
  const checkpoints = readdirSync(join(workspace, "runs", runs[0], "checkpoints"));
  assert.ok(checkpoints.some((name) => /^checkpoint-\d+$/.test(name)), `checkpoints: ${checkpoints}`);
});
