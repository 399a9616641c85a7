// Validate Dataset's words: the one-line notification and the Markdown report of a `.jsonl`
// dataset's validation. Free of `vscode` so that it can be tested without an editor.
import { formatCount, formatTokens } from "./format";
import { DatasetReport, ValidateDatasetResult } from "./generated/protocol";

type Severity = DatasetReport["problems"][number]["severity"];
type ValueSource = DatasetReport["summary"]["epochsSource"];

export interface ProblemKind {
  code: string;
  severity: Severity;
  count: number;
}

const SEVERITY_ORDER: Severity[] = ["error", "warning", "information", "hint"];

function plural(count: number, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1 ? "" : "s"}`;
}

/** The listed problems counted by code, errors first, then the most frequent. */
export function problemsByKind(report: DatasetReport): ProblemKind[] {
  const kinds = new Map<string, ProblemKind>();
  for (const problem of report.problems) {
    const key = `${problem.severity}\u0000${problem.code}`;
    const kind = kinds.get(key) ?? { code: problem.code, severity: problem.severity, count: 0 };
    kind.count += 1;
    kinds.set(key, kind);
  }
  return [...kinds.values()].sort(
    (a, b) =>
      SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
      b.count - a.count ||
      a.code.localeCompare(b.code),
  );
}

/** The notification: the verdict in one line. */
export function summaryLine(fileName: string, report: DatasetReport): string {
  const s = report.summary;
  const problems =
    report.errorCount + report.warningCount === 0
      ? "no problems"
      : `${plural(report.errorCount, "error")}, ${plural(report.warningCount, "warning")}`;
  return `${fileName}: ${formatCount(s.examples)} of ${plural(s.records, "record")} usable, ${problems}.`;
}

function assumed(source: ValueSource, setting: string | null): string {
  if (source === "setting" && setting) {
    return `from \`${setting}\``;
  }
  return source === "flag" ? "given" : "the default";
}

function kindsTable(report: DatasetReport): string[] {
  const kinds = problemsByKind(report);
  if (kinds.length === 0) {
    return ["No problems found."];
  }
  const rows = kinds.map((k) => `| \`${k.code}\` | ${k.severity} | ${formatCount(k.count)} |`);
  const lines = ["| problem | severity | lines |", "| --- | --- | ---: |", ...rows];
  if (report.omittedProblems > 0) {
    lines.push(
      "",
      `…and ${plural(report.omittedProblems, "more problem")} not listed (and not counted by kind above): ` +
        "run `promptweight validate` on the file for all of them.",
    );
  }
  return lines;
}

function tokenLines(result: ValidateDatasetResult, report: DatasetReport): string[] {
  const s = report.summary;
  const tokens = (n: number): string => formatTokens(n, result.exact);
  const lines = [];
  if (s.exampleTokens) {
    const t = s.exampleTokens;
    lines.push(
      `- Tokens per example: min ${tokens(t.min)} · median ${tokens(Math.round(t.median))} · ` +
        `p90 ${tokens(Math.round(t.p90))} · max ${tokens(t.max)}`,
    );
  }
  lines.push(
    `- Assistant tokens (trained on): ${tokens(s.assistantTokensTotal)}`,
    `- Estimated training tokens: ${tokens(s.estimatedTrainingTokens)} (${plural(s.epochs, "epoch")})`,
    `- Over ${formatCount(s.maxSequenceTokens)} tokens (truncated by trainers): ${formatCount(s.tooLong)}`,
    `- Missing a system message: ${formatCount(s.missingSystem)} · missing a user message: ${formatCount(s.missingUser)}`,
  );
  return lines;
}

/** The whole report, for a Markdown preview. */
export function validationMarkdown(fileName: string, result: ValidateDatasetResult): string {
  const report = result.report;
  if (!report) {
    return `# ${fileName}\n\nNot validated: ${result.error ?? "no report"}.\n`;
  }
  const s = report.summary;
  const counted = result.exact ? result.tokenizer : `${result.tokenizer}, an estimate`;
  const read = result.source === "editor" ? "the editor's text, unsaved changes included" : "the file on disk";
  return [
    `# ${fileName}`,
    "",
    `**${formatCount(s.examples)} usable examples** of ${plural(s.records, "record")}: ${s.guidance}.`,
    "",
    `${plural(report.errorCount, "error")} and ${plural(report.warningCount, "warning")}.`,
    "",
    "## Problems by kind",
    "",
    ...kindsTable(report),
    "",
    "## Tokens",
    "",
    ...tokenLines(result, report),
    "",
    "## Assumed",
    "",
    `- Epochs: ${formatCount(s.epochs)} (${assumed(s.epochsSource, null)}; no setting names them)`,
    `- Maximum length: ${formatCount(s.maxSequenceTokens)} tokens ` +
      `(${assumed(s.maxSequenceTokensSource, "promptweight.maxSequenceTokens")})`,
    `- Counted with: \`${result.trainingModel}\`'s tokenizer (${counted}; \`promptweight.trainingModel\`)`,
    `- Read from: ${read}`,
    "",
  ].join("\n");
}
