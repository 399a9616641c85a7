// Drives a real VS Code (code-server) in headless Chromium: the status bar must show tiktoken's
// count of the open prompt file, follow typing, count a selection, report a bad interpreter,
// export a dataset, resolve the export source action only when it is picked, start a real QLoRA
// run of a tiny model from the command palette and cancel it from the training view, open the
// token report (its charts drawn, following typing), change the count with Select Model, open
// the walkthrough and the advisor's report from its lens; and, in a second editor in Restricted
// Mode, keep counting while training and dataset writes are off.
// Started by tests/e2e/run_editor_test.sh, which sets the E2E_* variables; E2E_ONLY=<regexp>
// picks tests by name (those marked "Runs alone" need no earlier test). Each test leaves a
// screenshot of what it proved in build/screens/<name>.png (`make screenshots` picks the README's);
// a failed one leaves build/screens/failure-<name>.png.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { after, before, test as nodeTest } from "node:test";
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

/**
 * What one call sends (message contents, chat overhead, tools), from the CLI: the status bar shows
 * it. `model`: as the `promptweight.model` setting, for a file that names none.
 */
function promptTokens(path, model) {
  const cli = join(dirname(env("E2E_PYTHON")), "promptweight");
  const args = ["check", "--format", "json", ...(model ? ["--model", model] : []), path];
  return JSON.parse(execFileSync(cli, args).toString()).files[0].inputTokens;
}

/** The advisor's one-line verdict on a prompt, from the CLI: the lens shows it. */
function adviceSummary(path) {
  const cli = join(dirname(env("E2E_PYTHON")), "promptweight");
  return JSON.parse(execFileSync(cli, ["advise", "--format", "json", path]).toString()).files[0].summary;
}

let browser;
let page;
// The page the running test drives (the Restricted Mode tests have their own), for the failure
// screenshot.
let currentPage;
const VIEWPORT = { width: 1280, height: 800 };

/** Saves the page as build/screens/<name>.png. */
async function shot(name, target = page) {
  // Off the workbench's parts, so that no hover (a file's path in the Explorer) covers the shot;
  // one already shown gets a moment to go (only the picture depends on it, so no failure).
  await target.mouse.move(0, 0);
  await target.locator(".workbench-hover:visible").first().waitFor({ state: "hidden", timeout: 3_000 }).catch(() => {});
  await target.screenshot({ path: join(env("E2E_SCREENSHOT_DIR"), `${name}.png`) });
}

/** A test whose screenshot is <name>.png; on failure the page is saved as failure-<name>.png. */
function test(title, name, body) {
  nodeTest(title, async () => {
    currentPage = page;
    try {
      await body();
    } catch (error) {
      await shot(`failure-${name}`, currentPage).catch(() => {});
      throw error;
    }
  });
}

before(async () => {
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage({ viewport: VIEWPORT });
  await page.goto(env("E2E_URL"));
  await page.waitForSelector(".monaco-workbench", { timeout: 60_000 });
});

after(async () => {
  await browser?.close();
});

const tokenItem = (target = page) => target.locator(".statusbar-item", { hasText: /tokens/ }).first();

async function statusText(target = page) {
  return ((await tokenItem(target).textContent({ timeout: 1000 }).catch(() => "")) ?? "").trim();
}

/** Polls the status bar until `predicate(text)` holds; returns the text. */
async function waitForStatus(predicate, timeoutMs, what, target = page) {
  const deadline = Date.now() + timeoutMs;
  let text = "";
  while (Date.now() < deadline) {
    text = await statusText(target);
    if (predicate(text)) return text;
    await target.waitForTimeout(250);
  }
  assert.fail(`status bar never showed ${what}; last text: ${JSON.stringify(text)}`);
}

/** Waits until the file on disk holds `text`: the CLI counts what the editor saved. */
async function waitForSaved(path, text) {
  const deadline = Date.now() + 15_000;
  while (!readFileSync(path, "utf8").includes(text)) {
    if (Date.now() > deadline) assert.fail(`${path} was never saved with ${JSON.stringify(text)}`);
    await page.waitForTimeout(100);
  }
}

const tokensIn = (text) => {
  const match = /([\d,]+) input tokens/.exec(text);
  return match ? Number(match[1].replaceAll(",", "")) : undefined;
};

test("opening a prompt file shows its token count in the status bar", "status-bar", async () => {
  await page.locator(".explorer-folders-view .monaco-list-row", { hasText: FILE }).dblclick();
  const expected = promptTokens(join(workspace, FILE));
  const text = await waitForStatus((t) => tokensIn(t) !== undefined, FIRST_COUNT_TIMEOUT_MS, "a count");
  assert.equal(tokensIn(text), expected, `status bar: ${text}`);
  await shot("status-bar");
});

// Inlay hints are drawn as CSS content, out of the DOM's text: the LSP tests check them.
test("the code lens sums up a call", "code-lens", async () => {
  await page.locator(".monaco-editor .view-lines").first().click();
  await page.keyboard.press("Control+Home");
  // Each lens is a link in the line's decoration, beside the advisor's lens; a decoration VS
  // Code replaced when the advisor's lens resolved may linger hidden, so only a visible one.
  const lens = page.locator(".monaco-editor .codelens-decoration a:visible", { hasText: "/call" }).first();
  await lens.waitFor({ timeout: 30_000 });
  assert.match(await lens.innerText(), /^[\d,]+ input tokens · [\d.]+% of 128k · \$[\d.]+\/call · \$[\d.,]+\/month at 1,000 calls\/day$/);
  await shot("code-lens");
});

test("typing updates the count", "typing", async () => {
  const before = tokensIn(await statusText());
  await page.locator(".monaco-editor .view-lines").first().click();
  await page.keyboard.press("Control+End");
  const typed = "Please answer in French, and keep the reply under fifty words.";
  await page.keyboard.type(`\n${typed}`);
  await page.keyboard.press("Control+S");
  await waitForSaved(join(workspace, FILE), typed);
  const expected = promptTokens(join(workspace, FILE));
  assert.notEqual(expected, before);
  await waitForStatus((t) => tokensIn(t) === expected, 30_000, `${expected} tokens`);
  await shot("typing");
});

test("a selection shows tiktoken's count of the selected text beside the total", "selection", async () => {
  await page.keyboard.press("Control+A");
  const total = promptTokens(join(workspace, FILE)).toLocaleString("en-US");
  const selected = tiktokenCount(join(workspace, FILE)).toLocaleString("en-US");
  const text = await waitForStatus((t) => /selected/.test(t), 30_000, "a selection count");
  assert.match(text, new RegExp(`${total} input tokens \\(${selected} selected\\)`));
  await shot("selection");
  await page.keyboard.press("ArrowRight");
  await waitForStatus((t) => tokensIn(t) !== undefined && !/selected/.test(t), 30_000, "no selection");
});

test("an unusable interpreter in settings is an error with actions, and fixing it recovers", "no-python", async () => {
  // Workspace settings, as a user would write them; the extension restarts its server on change.
  const settingsPath = join(workspace, ".vscode", "settings.json");
  mkdirSync(dirname(settingsPath), { recursive: true });
  writeFileSync(settingsPath, JSON.stringify({ "promptweight.python": "/nonexistent/python3" }));
  const toast = page.locator(".notification-toast", { hasText: "needs Python 3.11" });
  await toast.waitFor({ timeout: 60_000 });
  for (const action of ["Select Interpreter", "Open Settings", "Show Logs"]) {
    assert.equal(await toast.locator(".monaco-button", { hasText: action }).count(), 1, action);
  }
  await shot("no-python");
  writeFileSync(settingsPath, "{}");
  const expected = promptTokens(join(workspace, FILE));
  await waitForStatus((t) => tokensIn(t) === expected, 60_000, `${expected} tokens after recovery`);
});

test("a parse problem shows in the Problems count, and its fix clears it", "diagnostic", async () => {
  const broken = join(workspace, "broken.prompty");
  writeFileSync(broken, "---\nmodel: [unclosed\n---\nsystem:\nYou are terse.\n");
  await page.locator(".explorer-folders-view .monaco-list-row", { hasText: "broken.prompty" }).dblclick();
  const problems = page.locator('[id="status.problems"]');
  const label = async () => (await problems.getAttribute("aria-label", { timeout: 1000 }).catch(() => "")) ?? "";
  const deadline = Date.now() + 30_000;
  while (!/Errors: 1\b/.test(await label()) && Date.now() < deadline) await page.waitForTimeout(250);
  assert.match(await label(), /Errors: 1\b/);
  await shot("diagnostic");
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

async function runCommand(title, target = page) {
  await target.keyboard.press("F1");
  const input = target.locator(".quick-input-widget input");
  await input.waitFor({ timeout: 10_000 });
  const row = target.locator(".quick-input-list .monaco-list-row", { hasText: title }).first();
  // Just after the window opens (a test run alone), the extension's commands may not be
  // registered yet: the palette lists what it knew when typed into, so type again until listed.
  const deadline = Date.now() + 60_000;
  for (;;) {
    await input.fill(">");
    await input.fill(`>${title}`);
    try {
      await row.waitFor({ timeout: 2_000 });
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
  await target.keyboard.press("Enter");
}

test("Export Dataset writes the few-shot examples as an undoable edit", "export", async () => {
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
  await shot("export");
});

test("the export source action is built when picked, and says so when the dataset holds every example", "source-action", async () => {
  // The test above wrote both examples: the action is still offered (it reads no file on a
  // cursor move), and resolving it finds nothing new.
  await page.locator(".explorer-folders-view .monaco-list-row", { hasText: FILE }).dblclick();
  await runCommand("Source Action...");
  const action = page.locator(".action-widget .monaco-list-row", { hasText: "Export 2 few-shot examples" });
  await action.waitFor({ timeout: 15_000 });
  await action.click();
  const toast = page.locator(".notification-toast", { hasText: "already holds all 2 examples" });
  await toast.waitFor({ timeout: 15_000 });
  await shot("source-action");
});

test("a fine-tuning run starts from the palette, shows its steps in the training view, and stops from its cancel button with a checkpoint", "training-view", async () => {
  // Earlier tests left toasts (an error with buttons stays): VS Code shows only a few at once.
  await runCommand("Notifications: Clear All Notifications");
  await page.locator(".explorer-folders-view .monaco-list-row", { hasText: "promptweight.train.yaml" }).dblclick();
  await runCommand("Promptweight: Start Fine-Tuning");
  // The server's work-done progress: the language client shows it as a notification.
  const progress = page.locator(".notification-toast", { hasText: /step \d+\/1000/ });
  await progress.waitFor({ timeout: 120_000 });
  // The training view opens beside when the run starts; steps counted and loss points drawn mean
  // the run's events reach it (three, so that the screenshot shows a curve).
  const view = await webviewFrameWith(page, "#status-0", 60_000);
  await view.locator("#status-0 .value", { hasText: /^([3-9]|[1-9][\d,]+) \/ 1,000$/ }).waitFor({ timeout: 120_000 });
  await view.locator('#loss-chart[data-ready="1"]:not([data-points="0"]):not([data-points="1"]):not([data-points="2"])').waitFor({ timeout: 30_000 });
  await shot("training-view");
  await view.locator("#cancel").click();
  const stopped = page.locator(".notification-toast", { hasText: /training stopped \(a checkpoint was saved\) after \d+ steps/ });
  await stopped.waitFor({ timeout: 120_000 });
  await view.locator("#message", { hasText: /^Stopped after [\d,]+ steps/ }).waitFor({ timeout: 30_000 });
  const runs = readdirSync(join(workspace, "runs"));
  assert.equal(runs.length, 1, `run folders: ${runs}`);
  const checkpoints = readdirSync(join(workspace, "runs", runs[0], "checkpoints"));
  assert.ok(checkpoints.some((name) => /^checkpoint-\d+$/.test(name)), `checkpoints: ${checkpoints}`);
});

/** The first webview frame (VS Code nests each in two iframes) where `selector` matches, polled. */
async function webviewFrameWith(target, selector, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of target.frames()) {
      if (frame === target.mainFrame()) continue;
      if (await frame.locator(selector).count().catch(() => 0)) return frame;
    }
    await target.waitForTimeout(250);
  }
  assert.fail(`no webview shows ${selector}`);
}

/** How many of a canvas's pixels are painted: a canvas nothing was drawn on has none. */
function paintedPixels(frame, id) {
  return frame.locator(`#${id}`).evaluate((canvas) => {
    const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    let painted = 0;
    for (let alpha = 3; alpha < data.length; alpha += 4) if (data[alpha] !== 0) painted++;
    return painted;
  });
}

/** The token report of FILE, opened as a user does: the status bar count's click. */
async function openTokenReport() {
  await page.locator(".explorer-folders-view .monaco-list-row", { hasText: FILE }).dblclick();
  await page.locator(".editor-group-container.active .tab.active", { hasText: FILE }).waitFor({ timeout: 10_000 });
  await waitForStatus((t) => tokensIn(t) !== undefined, FIRST_COUNT_TIMEOUT_MS, "a count");
  await tokenItem().click();
  return webviewFrameWith(page, '#messages-chart[data-ready="1"]', 60_000);
}

/** Keys to FILE's editor: the report opened beside without taking its group's focus. */
async function focusPromptEditor() {
  await runCommand("View: Focus Active Editor Group");
  await page.locator(".quick-input-widget").waitFor({ state: "hidden", timeout: 10_000 });
  await page.locator(".editor-group-container.active .tab.active", { hasText: FILE }).waitFor({ timeout: 10_000 });
  await page.locator(".editor-group-container.active .monaco-editor.focused").waitFor({ timeout: 10_000 });
}

// Runs alone (E2E_ONLY="token report").
test("the status bar count opens the token report, which draws its charts", "token-report", async () => {
  // One editor group to start from: the training view and earlier editors would squeeze the
  // report (and this is the README's screenshot). Saved first, so that closing asks nothing.
  await runCommand("File: Save All Files");
  await runCommand("View: Close All Editor Groups");
  await runCommand("Notifications: Clear All Notifications");
  const report = await openTokenReport();
  // The first figure is what one call sends, as the status bar counts it.
  const expected = promptTokens(join(workspace, FILE)).toLocaleString("en-US");
  await report.locator("#figure-0 .value", { hasText: new RegExp(`^${expected}\\b`) }).waitFor({ timeout: 30_000 });
  // The context gauge and the bars per message (the prompt has several): each canvas painted.
  for (const chart of ["gauge-chart", "messages-chart"]) {
    await report.locator(`#${chart}[data-ready="1"]`).waitFor({ timeout: 30_000 });
    assert.ok((await paintedPixels(report, chart)) > 500, `${chart} is blank`);
  }
  // The README's picture: the prompt's first lines (with the lenses) beside the report, the
  // side bar closed to give them room; the Explorer comes back for the tests after this one.
  await runCommand("View: Close Primary Side Bar");
  try {
    await focusPromptEditor();
    await page.keyboard.press("Control+Home");
    await shot("token-report");
  } finally {
    await runCommand("View: Show Explorer");
  }
});

// Runs alone (E2E_ONLY="token report").
test("the token report follows typing in its prompt", "token-report-typing", async () => {
  const report = await openTokenReport();
  const chart = report.locator("#messages-chart");
  const drawn = await chart.getAttribute("data-version");
  const before = await report.locator("#figure-0 .value").innerText();
  await focusPromptEditor();
  await page.keyboard.press("Control+End");
  const typed = "If the ticket mentions a security incident, set the priority to high and say so.";
  await page.keyboard.type(`\n${typed}`);
  await page.keyboard.press("Control+S");
  await waitForSaved(join(workspace, FILE), typed);
  const expected = promptTokens(join(workspace, FILE)).toLocaleString("en-US");
  assert.ok(!before.startsWith(expected), `${before} already`);
  await report.locator("#figure-0 .value", { hasText: new RegExp(`^${expected}\\b`) }).waitFor({ timeout: 30_000 });
  // Redrawn for the new version, not just relabelled.
  await report.locator(`#messages-chart:not([data-version="${drawn}"])`).waitFor({ timeout: 30_000 });
  assert.ok((await paintedPixels(report, "messages-chart")) > 500, "messages-chart is blank after the update");
  await shot("token-report-typing");
});

// Runs alone (E2E_ONLY="Select Model").
test("Select Model changes the status bar count of a prompt that names no model", "select-model", async () => {
  // French counts differently with cl100k (gpt-4) than with o200k (gpt-4o-mini, the default).
  const name = "pick-model.prompt.md";
  const path = join(workspace, name);
  writeFileSync(path, "---\ndescription: Résumé d'un ticket\n---\nRésume le ticket ci-dessous en deux phrases " +
    "pour l'ingénieur d'astreinte, puis énumère les symptômes visibles par le client : délais, erreurs " +
    "502/504, pertes de données éventuelles.\n\n${input:ticket}\n");
  await page.locator(".explorer-folders-view .monaco-list-row", { hasText: name }).dblclick();
  const before = promptTokens(path);
  await waitForStatus((t) => tokensIn(t) === before, FIRST_COUNT_TIMEOUT_MS, `${before} tokens`);
  const expected = promptTokens(path, "gpt-4");
  assert.notEqual(expected, before);
  await runCommand("Promptweight: Select Model");
  const input = page.locator(".quick-input-widget input");
  await input.fill("gpt-4");
  const row = page.locator(".quick-input-list .monaco-list-row", { has: page.locator(".label-name", { hasText: /^gpt-4$/ }) });
  await row.first().waitFor({ timeout: 30_000 });
  await shot("select-model");
  await row.first().click();
  // The setting restarts the server, which counts with the model chosen.
  await waitForStatus((t) => tokensIn(t) === expected, 60_000, `${expected} tokens with gpt-4`);
});

// Runs alone (E2E_ONLY=walkthrough).
test("the walkthrough opens from the palette with its steps and its first step's page", "walkthrough", async () => {
  const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
  const walkthrough = manifest.contributes.walkthroughs.find((w) => w.id === "promptweight.firstRun");
  // The whole window, as on a first run: the page leaves out a step's media when it is narrower
  // than 950 pixels (beside other groups, or the side bar at this size). Saved first, so that
  // closing asks nothing; the Explorer comes back at the end for the tests after this one.
  await runCommand("File: Save All Files");
  await runCommand("View: Close All Editor Groups");
  await runCommand("View: Close Primary Side Bar");
  try {
    await runCommand("Welcome: Open Walkthrough...");
    const input = page.locator(".quick-input-widget input");
    await input.fill(walkthrough.title);
    await page.locator(".quick-input-list .monaco-list-row", { hasText: walkthrough.title }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.press("Enter");
    const category = page.locator(".gettingStartedContainer .getting-started-category h2.category-title:visible", { hasText: walkthrough.title });
    await category.waitFor({ timeout: 30_000 });
    const steps = page.locator(".gettingStartedContainer button.getting-started-step h3.step-title:visible");
    assert.deepEqual(await steps.allInnerTexts(), walkthrough.steps.map((s) => s.title));
    // The first step is selected and shows its Markdown page: the file travelled in the .vsix.
    const media = readFileSync(new URL(`../../${walkthrough.steps[0].media.markdown}`, import.meta.url), "utf8");
    const heading = /^# (.+)$/m.exec(media)[1];
    await page.locator(".gettingStartedContainer .getting-started-media:visible").first().waitFor({ timeout: 30_000 });
    await webviewFrameWith(page, `h1:text-is(${JSON.stringify(heading)})`, 30_000);
    await shot("walkthrough");
    await runCommand("View: Close Editor");
  } finally {
    await runCommand("View: Show Explorer");
  }
});

// Runs alone (E2E_ONLY=advisor): it opens the prompt itself and waits for a first start.
test("the advisor's lens opens the advisor's report of that prompt", "advice-report", async () => {
  await page.locator(".explorer-folders-view .monaco-list-row", { hasText: FILE }).dblclick();
  // Lenses are on the first line: earlier tests typed at the end.
  await page.locator(".editor-group-container.active .view-lines").click();
  await page.keyboard.press("Control+Home");
  // The verdict's lens ("Keep prompting · 2 of 5 conditions · …"), resolved once it is shown:
  // the CLI's verdict on the file as saved, so that the lens clicked is the settled one (an
  // earlier test's save makes the advisor work it out again).
  const verdict = adviceSummary(join(workspace, FILE));
  const lens = page.locator(".monaco-editor .codelens-decoration a:visible", { hasText: verdict }).first();
  await lens.waitFor({ timeout: FIRST_COUNT_TIMEOUT_MS });
  await lens.click();
  // The report is Markdown in a preview (a webview): its heading is the verdict the lens showed,
  // and it names this prompt.
  const report = await webviewFrameWith(page, `h1:text-is(${JSON.stringify(verdict)})`, 60_000);
  await report.locator("code", { hasText: FILE }).first().waitFor({ timeout: 10_000 });
  // A read-only report: no unsaved editor is left behind to ask "save changes?" on close.
  assert.equal(await page.locator(".tabs-container .tab.dirty").count(), 0);
  await shot("advice-report");
});

// Restricted Mode: a second editor (run_editor_test.sh), workspace trust on and this folder
// not trusted. Opened by the first test that needs it, so that either runs alone
// (E2E_ONLY="Restricted Mode"); VS Code's own Restricted Mode indicator proves the mode.
let restricted;
async function restrictedPage() {
  if (!restricted) {
    restricted = await browser.newPage({ viewport: VIEWPORT });
    await restricted.goto(env("E2E_RESTRICTED_URL"));
    await restricted.waitForSelector(".monaco-workbench", { timeout: 60_000 });
    await restricted.locator('[id="status.workspaceTrust"]', { hasText: "Restricted Mode" }).waitFor({ timeout: 60_000 });
  }
  currentPage = restricted;
  return restricted;
}

test("in Restricted Mode the status bar still counts a prompt", "restricted-mode", async () => {
  const editor = await restrictedPage();
  await editor.locator(".explorer-folders-view .monaco-list-row", { hasText: FILE }).dblclick();
  const expected = promptTokens(join(env("E2E_RESTRICTED_WORKSPACE"), FILE));
  await waitForStatus((t) => tokensIn(t) === expected, FIRST_COUNT_TIMEOUT_MS, `${expected} tokens`, editor);
  await shot("restricted-mode", editor);
});

/** The rows the palette lists for `>Promptweight:`, once it lists exactly those, all rendered. */
async function promptweightCommands(target) {
  await target.keyboard.press("F1");
  const input = target.locator(".quick-input-widget input");
  await input.waitFor({ timeout: 10_000 });
  const rows = target.locator(".quick-input-list .monaco-list-row");
  // Settled: every row is one of ours (the unfiltered list is hundreds of commands), the list
  // holds no row out of view (aria-setsize is its length), and it is not empty (typed again
  // each time: the extension's commands may be registered after the window opens).
  const deadline = Date.now() + 60_000;
  let labels = [];
  while (Date.now() < deadline) {
    await input.fill(">");
    await input.fill(">Promptweight:");
    // The label itself: a row's aria-label adds its group ("…, recently used").
    labels = await rows.evaluateAll((els) => els.map((e) => [e.querySelector(".label-name")?.textContent ?? "", Number(e.getAttribute("aria-setsize"))]));
    if (labels.length && labels.every(([label, size]) => /^Promptweight: /.test(label) && size === labels.length)) break;
    labels = [];
    await target.waitForTimeout(250);
  }
  assert.ok(labels.length, "the palette never listed just Promptweight's commands");
  return labels.map(([label]) => label);
}

test("in Restricted Mode the palette offers no training and no dataset writes", "restricted-palette", async () => {
  const trustedOnly = [
    "Promptweight: Export Dataset",
    "Promptweight: Start Fine-Tuning",
    "Promptweight: Check Training Environment",
    "Promptweight: Try Adapter",
    "Promptweight: Compare Adapter with Prompt",
  ];
  // The same prompt active in both editors (some commands are offered for prompt files only):
  // the trusted one offers every command, so their absence below is Restricted Mode's doing.
  const editor = await restrictedPage();
  for (const target of [page, editor]) {
    await target.locator(".explorer-folders-view .monaco-list-row", { hasText: FILE }).dblclick();
    await target.locator(".editor-group-container.active .tab.active", { hasText: FILE }).waitFor({ timeout: 10_000 });
  }
  const trusted = await promptweightCommands(page);
  await page.keyboard.press("Escape");
  for (const title of trustedOnly) assert.ok(trusted.includes(title), `trusted editor lacks ${title}: ${trusted}`);
  const offered = await promptweightCommands(editor);
  assert.ok(offered.includes("Promptweight: Show Prompt Breakdown"), `${offered}`);
  for (const title of trustedOnly) assert.ok(!offered.includes(title), `${title} offered in Restricted Mode: ${offered}`);
  await shot("restricted-palette", editor);
  await editor.keyboard.press("Escape");
});
