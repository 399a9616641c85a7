// The token report's webview: a gauge of the context window, bars per message and per few-shot
// example, and the cost at several volumes, redrawn from each report the panel sends.
import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  ChartConfiguration,
  DoughnutController,
  Legend,
  LinearScale,
  Tooltip,
} from "chart.js";
import { TokenReport } from "../src/generated/protocol";
import {
  barChartHeight,
  costRows,
  countingLine,
  exampleBars,
  gauge,
  gaugeArcs,
  gaugeCaption,
  headline,
  messageBars,
  omittedNote,
  TokenReportFromView,
  TokenReportToView,
} from "../src/tokenReportModel";
import { formatCount } from "../src/format";
import { channel } from "./vscodeApi";
import { applyChartDefaults, element, fillFigures, onThemeChange, setText, showNote, ThemeColours, themeColours } from "./theme";

Chart.register(ArcElement, BarController, BarElement, CategoryScale, DoughnutController, Legend, LinearScale, Tooltip);

const panel = channel<TokenReportToView, TokenReportFromView, null>();
let shown: { report: TokenReport; fileName: string } | null = null;
const charts = new Map<string, Chart>();

const ROLE_SERIES = { user: 0, assistant: 3, system: 2, tool: 1 } as const;

function destroyCharts(): void {
  for (const chart of charts.values()) chart.destroy();
  charts.clear();
}

/** The chart on `id`'s canvas with `config`'s data: updated in place when it exists. */
function drawChart(id: string, config: ChartConfiguration, version: number): void {
  const canvas = element<HTMLCanvasElement>(id);
  const existing = charts.get(id);
  if (existing) {
    existing.data = config.data;
    existing.options = config.options ?? {}; // its click handler knows the newest ranges
    existing.update("none");
  } else {
    charts.set(id, new Chart(canvas, config));
  }
  canvas.dataset.ready = "1";
  canvas.dataset.version = String(version);
}

function reveal(uri: string, index: number, ranges: TokenReport["messages"][number]["range"][]): void {
  const range = ranges[index];
  if (range) panel.post({ type: "reveal", uri, range });
}

function barOptions(colours: ThemeColours, stacked: boolean, onClick: (index: number) => void): ChartConfiguration<"bar">["options"] {
  return {
    indexAxis: "y",
    maintainAspectRatio: false,
    scales: {
      x: { stacked, beginAtZero: true, grid: { color: colours.grid }, ticks: { color: colours.foreground } },
      y: { stacked, grid: { display: false }, ticks: { color: colours.foreground, autoSkip: false } },
    },
    plugins: { legend: { display: stacked, labels: { color: colours.foreground } } },
    onClick: (_event, elements) => {
      const hit = elements[0];
      if (hit) onClick(hit.index);
    },
  };
}

function drawGauge(report: TokenReport, colours: ThemeColours): void {
  const g = gauge(report);
  element("gauge-box").hidden = g === null;
  if (!g) {
    setText("gauge-caption", "The model's context window is unknown.");
    return;
  }
  const palette = { input: colours.series[0], budget: colours.series[1], output: colours.series[2], free: colours.grid };
  const config: ChartConfiguration<"doughnut"> = {
    type: "doughnut",
    data: {
      labels: g.segments.map((s) => `${s.label}: ${formatCount(s.tokens)}`),
      datasets: [
        {
          data: gaugeArcs(g),
          backgroundColor: g.segments.map((s) => palette[s.id]),
          borderColor: colours.highContrast ? colours.border : colours.background,
          borderWidth: colours.highContrast ? 2 : 1,
        },
      ],
    },
    options: {
      rotation: -90,
      circumference: 180,
      cutout: "60%",
      maintainAspectRatio: false,
      plugins: {
        legend: { position: "right", labels: { color: colours.foreground } },
        // The arcs may be widened to be seen: the tooltip says the true count.
        tooltip: { callbacks: { label: (item) => `${formatCount(g.segments[item.dataIndex].tokens)} tokens` } },
      },
    },
  };
  element("gauge-box").style.height = "180px";
  drawChart("gauge-chart", config as ChartConfiguration, report.version);
  setText("gauge-caption", gaugeCaption(g, report.exact));
  element("gauge-caption").style.color = g.overflow > 0 ? getComputedStyle(document.documentElement).getPropertyValue("--vscode-errorForeground") : "";
}

function drawMessages(report: TokenReport, colours: ThemeColours): void {
  const bars = messageBars(report);
  element("messages-box").style.height = `${barChartHeight(bars.labels.length)}px`;
  const config: ChartConfiguration<"bar"> = {
    type: "bar",
    data: {
      labels: bars.labels,
      datasets: [
        {
          label: "Content tokens",
          data: bars.tokens,
          backgroundColor: report.messages.map((m) => colours.series[ROLE_SERIES[m.role]]),
          borderColor: colours.border,
          borderWidth: colours.highContrast ? 2 : 0,
        },
      ],
    },
    options: barOptions(colours, false, (i) => reveal(report.uri, i, bars.ranges)),
  };
  drawChart("messages-chart", config as ChartConfiguration, report.version);
  showNote("messages-omitted", omittedNote(report.omittedMessages, "messages"));
}

function drawExamples(report: TokenReport, colours: ThemeColours): void {
  const bars = exampleBars(report);
  element("examples-section").hidden = bars.labels.length === 0;
  if (bars.labels.length === 0) return;
  element("examples-box").style.height = `${barChartHeight(bars.labels.length)}px`;
  const config: ChartConfiguration<"bar"> = {
    type: "bar",
    data: {
      labels: bars.labels,
      datasets: [
        { label: "Input", data: bars.input, backgroundColor: colours.series[0], borderColor: colours.border, borderWidth: colours.highContrast ? 2 : 0 },
        { label: "Output", data: bars.output, backgroundColor: colours.series[3], borderColor: colours.border, borderWidth: colours.highContrast ? 2 : 0 },
      ],
    },
    options: barOptions(colours, true, (i) => reveal(report.uri, i, bars.ranges)),
  };
  drawChart("examples-chart", config as ChartConfiguration, report.version);
  showNote("examples-omitted", omittedNote(report.omittedExamples, "examples"));
}

function fillCosts(report: TokenReport): void {
  const rows = costRows(report);
  element("costs-section").hidden = rows.length === 0;
  element("costs-body").replaceChildren(
    ...rows.map((row) => {
      const tr = document.createElement("tr");
      tr.className = row.configured ? "configured" : "";
      for (const [text, numeric] of [
        [row.configured ? `${row.callsPerDay} (configured)` : row.callsPerDay, false],
        [row.perCall, true],
        [row.perMonth, true],
      ] as const) {
        const td = document.createElement("td");
        td.textContent = text;
        if (numeric) td.className = "number";
        tr.append(td);
      }
      return tr;
    }),
  );
}

function render(): void {
  if (!shown) return;
  const { report, fileName } = shown;
  const colours = themeColours();
  element("empty").hidden = true;
  element("report").hidden = false;
  setText("title", fileName);
  setText("counting", countingLine(report));
  fillFigures("figures", "figure", headline(report));
  drawGauge(report, colours);
  drawMessages(report, colours);
  drawExamples(report, colours);
  fillCosts(report);
}

panel.onMessage((message) => {
  if (message.type === "report") {
    shown = { report: message.report, fileName: message.fileName };
    render();
  } else {
    shown = null;
    destroyCharts();
    element("report").hidden = true;
    element("empty").hidden = false;
    setText("empty", message.reason);
  }
});

onThemeChange(() => {
  applyChartDefaults(themeColours());
  destroyCharts(); // colours live in each chart's datasets: build them again
  render();
});
applyChartDefaults(themeColours());
panel.post({ type: "ready" });
