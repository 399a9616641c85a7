import assert from "node:assert/strict";
import { test } from "node:test";
import { costChartSvg } from "../src/costChart";
import { CurvePoint } from "../src/generated/protocol";

// Prompting at $0.01 a call; one GPU at $720 a month (and twice that past 50,000 calls a day).
const curve: CurvePoint[] = [10, 100, 1000, 2400, 10_000, 60_000].map((calls) => ({
  callsPerDay: calls,
  promptingUsdPerMonth: calls * 0.01 * 30,
  fineTunedUsdPerMonth: { "local QLoRA": calls > 50_000 ? 1440 : 720 },
}));

function xOf(svg: string, label: string): number {
  const match = new RegExp(`<line class="mark" x1="([\\d.]+)"[^>]*/><text[^>]*>${label}`).exec(svg);
  assert.ok(match, `no ${label} mark`);
  return Number(match[1]);
}

test("one line per option, and a legend naming each", () => {
  const svg = costChartSvg(curve, 1000, 2400);
  assert.equal(svg.match(/<path class="series"/g)?.length, 2);
  assert.match(svg, />prompting</);
  assert.match(svg, />local QLoRA</);
});

test("the break-even is marked to the right of a smaller volume, on a log scale", () => {
  const svg = costChartSvg(curve, 1000, 2400);
  const here = xOf(svg, "this prompt: 1,000");
  const even = xOf(svg, "break-even: 2,400");
  // log10(2,400 / 1,000) of the log10(60,000 / 10) wide axis, over the 560-pixel plot.
  const expected = (Math.log10(2.4) / Math.log10(6000)) * 560;
  assert.ok(Math.abs(even - here - expected) < 0.01, `${even - here} against ${expected}`);
});

test("nothing to draw is no chart", () => {
  assert.equal(costChartSvg([], 1000, null), "");
  assert.equal(costChartSvg(curve.slice(0, 1), 1000, null), "");
});

test("labels are escaped", () => {
  const named = curve.map((p) => ({ ...p, fineTunedUsdPerMonth: { "<fine & tuned>": 720 } }));
  assert.match(costChartSvg(named, 1000, null), /&lt;fine &amp; tuned&gt;/);
});
