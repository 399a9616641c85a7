// The advisor's report as Markdown, for a preview beside the prompt: the verdict, each condition
// with its value, threshold and evidence, the costs per call and month, and what would change
// the verdict. Pure (no `vscode`), unit-tested in client/test/adviceText.test.ts.
import { costChartSvg } from "./costChart";
import { formatUsd } from "./format";
import { CostOption, CurvePoint, FileAdvice } from "./generated/protocol";

const MARKS = new Map<boolean | null, string>([
  [true, "✓"],
  [false, "✗"],
  [null, "–"],
]);

function escapeCell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

function costRow(option: CostOption): string {
  const training = option.trainingCostUsd ? formatUsd(option.trainingCostUsd) : "";
  return `| ${option.name} | ${option.inputTokens.toLocaleString("en-US")} | ${formatUsd(option.costPerCallUsd)} | ${formatUsd(option.costPerMonthUsd)} | ${training} |`;
}

/** Monthly cost by volume, fine-tuned options with their training paid back: the chart's data. */
function curveTable(curve: CurvePoint[], calls: number, breakEven: number | null): string[] {
  if (!curve.length) return [];
  const names = Object.keys(curve[0].fineTunedUsdPerMonth);
  const lines = [
    "",
    "## Monthly cost by calls per day",
    "",
    `| Calls/day | Prompting | ${names.join(" | ")} |`,
    `| ---: | ---: | ${names.map(() => "---:").join(" | ")} |`,
  ];
  for (const point of curve) {
    const mark = point.callsPerDay === calls ? " (this prompt)" : point.callsPerDay === breakEven ? " (break-even)" : "";
    const tuned = names.map((n) => formatUsd(point.fineTunedUsdPerMonth[n] ?? 0));
    lines.push(`| ${point.callsPerDay.toLocaleString("en-US")}${mark} | ${formatUsd(point.promptingUsdPerMonth)} | ${tuned.join(" | ")} |`);
  }
  return lines;
}

export function adviceMarkdown(advice: FileAdvice): string {
  const lines = [`# ${advice.summary}`, "", `\`${advice.path}\``, ""];
  lines.push(...advice.reasons.map((r) => `- ${r}`), "");
  lines.push("| | Condition | Measured | Needs | Evidence |", "| --- | --- | --- | --- | --- |");
  for (const c of advice.conditions) {
    const value = c.pass === null ? `not measured: ${c.note ?? ""}` : c.value;
    const evidence = (c.evidence ?? [])
      .map((e) => (e.startLine ? `${e.path ?? "line"} ${e.startLine}${e.endLine && e.endLine !== e.startLine ? `–${e.endLine}` : ""}: ${e.text}` : `${e.path ? `${e.path}: ` : ""}${e.text}`))
      .join("; ");
    lines.push(`| ${MARKS.get(c.pass) ?? "–"} | ${escapeCell(c.label)} | ${escapeCell(value)} | ${escapeCell(c.threshold)} | ${escapeCell(evidence)} |`);
  }
  const costs = advice.breakEven;
  if (costs) {
    lines.push("", `## Costs at ${costs.callsPerDay.toLocaleString("en-US")} calls/day`, "");
    lines.push("| Option | Prompt tokens/call | Per call | Per month | Training |", "| --- | ---: | ---: | ---: | ---: |");
    lines.push(costRow(costs.prompting));
    if (costs.promptingCached) lines.push(costRow(costs.promptingCached));
    lines.push(...costs.fineTuned.map(costRow));
    lines.push("");
    lines.push(`A fine-tune removes ${costs.tokensSavedPerCall.toLocaleString("en-US")} tokens per call.`);
    if (costs.breakEvenCallsPerDay) {
      lines.push(`Break-even: ${costs.breakEvenCallsPerDay.toLocaleString("en-US")} calls/day` + (costs.paybackDays !== null ? `; payback at this volume in ${costs.paybackDays.toFixed(0)} days.` : "."));
    } else {
      lines.push("No break-even: a fine-tuned model costs no less per call.");
    }
    if (costs.cachingSavingPerMonthUsd) lines.push(`Prompt caching alone saves ${formatUsd(costs.cachingSavingPerMonthUsd)} a month.`);
    const svg = costChartSvg(costs.curve ?? [], costs.callsPerDay, costs.breakEvenCallsPerDay);
    if (svg) {
      const data = Buffer.from(svg, "utf8").toString("base64");
      lines.push("", `![Monthly cost against calls per day](data:image/svg+xml;base64,${data})`);
    }
    lines.push(...curveTable(costs.curve ?? [], costs.callsPerDay, costs.breakEvenCallsPerDay));
  }
  if (advice.flips.length) lines.push("", "## What would change the verdict", "", ...advice.flips.map((f) => `- ${f.text}`));
  if (advice.notMeasured?.length) lines.push("", "## Not measured", "", ...advice.notMeasured.map((n) => `- ${n}`));
  return lines.join("\n") + "\n";
}
