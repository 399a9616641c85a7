// Compare Adapter with Prompt: the comparison's report as Markdown. Pure (no `vscode`),
// unit-tested in client/test/evalText.test.ts.
import { formatUsd } from "./format";
import { EvalReport, EvalTotals } from "./generated/protocol";

const percent = (rate: number | null): string => (rate === null ? "not checked" : `${Math.round(rate * 100)}%`);

function column(totals: EvalTotals): string[] {
  return [
    percent(totals.validRate),
    percent(totals.matchRate),
    Math.round(totals.promptTokensPerCall).toLocaleString("en-US"),
    `${totals.secondsPerCall.toFixed(2)} s`,
  ];
}

export function evalMarkdown(report: EvalReport): string {
  const full = column(report.full);
  const short = column(report.short);
  const rows = ["Format valid", "Exact match", "Prompt tokens per call", "Latency per call"];
  const lines = [
    `# Adapter against prompt: ${report.examples.length} held-out examples`,
    "",
    `Run \`${report.runDir}\` on \`${report.baseModel}\` (${report.device ?? "cpu"}), prompt \`${report.promptPath}\`.`,
    report.formatRule ? `A valid answer is ${report.formatRule}.` : "The expected answers share no format: validity is not checked.",
    "",
    "| | Base model, full few-shot prompt | Adapter, short prompt |",
    "| --- | ---: | ---: |",
    ...rows.map((label, i) => `| ${label} | ${full[i]} | ${short[i]} |`),
  ];
  const saving = report.saving;
  if (saving) {
    lines.push(
      "",
      `The short prompt saves ${Math.round(saving.tokensSavedPerCall).toLocaleString("en-US")} tokens per call in ${saving.model}'s ` +
        `tokens${saving.exactCounts ? "" : " (estimated)"}: ${formatUsd(saving.savingPerMonthUsd)} a month at ` +
        `${saving.callsPerDay.toLocaleString("en-US")} calls/day.`,
    );
  }
  lines.push("", "## Answers", "", "| Expected | Full prompt | Adapter |", "| --- | --- | --- |");
  const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");
  for (const example of report.examples) {
    const mark = (match: boolean) => (match ? "✓ " : "");
    lines.push(`| ${cell(example.expected)} | ${mark(example.matchFull)}${cell(example.answerFull)} | ${mark(example.matchShort)}${cell(example.answerShort)} |`);
  }
  return lines.join("\n") + "\n";
}
