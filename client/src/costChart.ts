// The advisor's chart for the report: monthly cost against calls per day (both on log scales),
// prompting against each fine-tuned option, with this prompt's volume and the break-even marked.
// An SVG string, embedded in the Markdown report as an image: the preview shows it without a
// webview or a network. Scales and paths come from d3-scale and d3-shape. Pure (no `vscode`).
import { scaleLog } from "d3-scale";
import { line } from "d3-shape";
import { CurvePoint } from "./generated/protocol";

const WIDTH = 640;
const HEIGHT = 320;
const MARGIN = { top: 16, right: 16, bottom: 40, left: 64 };
// Mid-tone colours read on light, dark and high-contrast previews alike (an image cannot take
// the theme's CSS variables).
const COLOURS = ["#3b82f6", "#f97316", "#16a34a", "#a855f7"];
const INK = "#8a8a8a";

function escapeXml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

function shortNumber(value: number): string {
  if (value >= 1_000_000) return `${value / 1_000_000}M`;
  if (value >= 1000) return `${value / 1000}k`;
  return String(value);
}

function shortUsd(value: number): string {
  if (value >= 1_000_000) return `$${value / 1_000_000}M`;
  if (value >= 1000) return `$${value / 1000}k`;
  return value >= 1 ? `$${value}` : `$${value.toPrecision(1)}`;
}

export interface Series {
  name: string;
  costs: number[];
}

export function curveSeries(curve: CurvePoint[]): Series[] {
  const names = curve.length ? Object.keys(curve[0].fineTunedUsdPerMonth) : [];
  return [
    { name: "prompting", costs: curve.map((p) => p.promptingUsdPerMonth) },
    ...names.map((name) => ({ name, costs: curve.map((p) => p.fineTunedUsdPerMonth[name] ?? 0) })),
  ];
}

/** The chart as SVG text; empty when there is nothing to draw. */
export function costChartSvg(curve: CurvePoint[], calls: number, breakEven: number | null): string {
  const volumes = curve.map((p) => p.callsPerDay);
  const series = curveSeries(curve);
  const costs = series.flatMap((s) => s.costs).filter((c) => c > 0);
  if (volumes.length < 2 || !costs.length) return "";
  const x = scaleLog()
    .domain([Math.min(...volumes), Math.max(...volumes)])
    .range([MARGIN.left, WIDTH - MARGIN.right]);
  const y = scaleLog()
    .domain([Math.min(...costs), Math.max(...costs)])
    .nice()
    .range([HEIGHT - MARGIN.bottom, MARGIN.top]);
  const parts: string[] = [];
  for (const tick of x.ticks().filter((t) => Number.isInteger(Math.log10(t)))) {
    parts.push(`<line x1="${x(tick)}" x2="${x(tick)}" y1="${MARGIN.top}" y2="${HEIGHT - MARGIN.bottom}" stroke="${INK}" stroke-opacity="0.25"/>`);
    parts.push(`<text x="${x(tick)}" y="${HEIGHT - MARGIN.bottom + 16}" text-anchor="middle">${shortNumber(tick)}</text>`);
  }
  for (const tick of y.ticks().filter((t) => Number.isInteger(Math.log10(t)))) {
    parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(tick)}" y2="${y(tick)}" stroke="${INK}" stroke-opacity="0.25"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${y(tick) + 4}" text-anchor="end">${shortUsd(tick)}</text>`);
  }
  parts.push(`<text x="${(MARGIN.left + WIDTH - MARGIN.right) / 2}" y="${HEIGHT - 6}" text-anchor="middle">calls per day</text>`);
  parts.push(`<text transform="translate(14 ${HEIGHT / 2}) rotate(-90)" text-anchor="middle">US dollars per month</text>`);
  const marks: Array<[number | null, string, string]> = [
    [calls, "this prompt", "4 3"],
    [breakEven, "break-even", "8 4"],
  ];
  marks.forEach(([at, label, dash], i) => {
    if (!at || at < x.domain()[0] || at > x.domain()[1]) return;
    parts.push(`<line class="mark" x1="${x(at)}" x2="${x(at)}" y1="${MARGIN.top}" y2="${HEIGHT - MARGIN.bottom}" stroke="${INK}" stroke-dasharray="${dash}"/>`);
    // One row each, so that two marks close together do not write over each other.
    parts.push(`<text x="${x(at) + 4}" y="${MARGIN.top + 10 + 14 * i}">${escapeXml(`${label}: ${at.toLocaleString("en-US")}`)}</text>`);
  });
  const path = line<number>()
    .x((_, i) => x(volumes[i]))
    .y((cost) => y(Math.max(cost, y.domain()[0])));
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    parts.push(`<path class="series" d="${path(s.costs) ?? ""}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    const legendY = MARGIN.top + 28 + 16 * i;
    parts.push(`<rect x="${MARGIN.left + 8}" y="${legendY - 9}" width="12" height="3" fill="${colour}"/>`);
    parts.push(`<text x="${MARGIN.left + 26}" y="${legendY - 4}">${escapeXml(s.name)}</text>`);
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
    `font-family="sans-serif" font-size="11" fill="${INK}">${parts.join("")}</svg>`
  );
}
