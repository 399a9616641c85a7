// The training view's webview: loss (train and eval) and learning-rate curves, progress, time
// left, throughput and memory, and a cancel button. The panel sends the whole view on load and
// each live event after it; both fold events the same way (trainingViewModel.ts).
import { Chart, ChartConfiguration, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from "chart.js";
import {
  applyNotification,
  emptyView,
  progressShare,
  runTitle,
  statusRows,
  TrainingFromView,
  TrainingToView,
  TrainingView,
  TrainingViewSavedState,
} from "../src/trainingViewModel";
import { channel } from "./vscodeApi";
import { applyChartDefaults, element, fillFigures, onThemeChange, setText, ThemeColours, themeColours } from "./theme";

Chart.register(Legend, LinearScale, LineController, LineElement, PointElement, Tooltip);

const panel = channel<TrainingToView, TrainingFromView, TrainingViewSavedState>();
let view: TrainingView = emptyView();
const charts = new Map<string, Chart<"line">>();
let frame = 0;
/** The run whose cancel was asked for: the button waits for its end rather than asking twice. */
let cancelling: string | null = null;

function lineOptions(colours: ThemeColours, yTitle: string): ChartConfiguration<"line">["options"] {
  return {
    maintainAspectRatio: false,
    parsing: false, // points are {x, y} already: no per-point parsing on each redraw
    normalized: true,
    elements: { point: { radius: 0, hitRadius: 6 }, line: { borderWidth: colours.highContrast ? 3 : 2 } },
    interaction: { mode: "nearest", axis: "x", intersect: false },
    scales: {
      x: { type: "linear", title: { display: true, text: "step", color: colours.muted }, grid: { color: colours.grid }, ticks: { color: colours.foreground } },
      y: { title: { display: true, text: yTitle, color: colours.muted }, grid: { color: colours.grid }, ticks: { color: colours.foreground } },
    },
    plugins: { legend: { labels: { color: colours.foreground } } },
  };
}

function drawLine(id: string, box: string, datasets: ChartConfiguration<"line">["data"]["datasets"], yTitle: string): void {
  const colours = themeColours();
  const canvas = element<HTMLCanvasElement>(id);
  element(box).style.height = "240px";
  const existing = charts.get(id);
  if (existing) {
    existing.data.datasets = datasets;
    existing.update("none");
  } else {
    charts.set(id, new Chart(canvas, { type: "line", data: { datasets }, options: lineOptions(colours, yTitle) }));
  }
  canvas.dataset.ready = "1";
  canvas.dataset.points = String(datasets.reduce((sum, d) => sum + d.data.length, 0));
}

function render(): void {
  frame = 0;
  const colours = themeColours();
  setText("title", runTitle(view));
  setText("message", view.message ?? "");
  const progress = element<HTMLProgressElement>("progress");
  progress.value = progressShare(view);
  fillFigures("status", "status", statusRows(view));
  const cancel = element<HTMLButtonElement>("cancel");
  cancel.hidden = view.state !== "running";
  cancel.disabled = cancelling !== null && cancelling === view.runDir;
  cancel.textContent = cancel.disabled ? "Stopping at the next step…" : "Cancel run";
  // Copies: Chart.js annotates the arrays it draws, and the view keeps appending to its own.
  drawLine(
    "loss-chart",
    "loss-box",
    [
      { label: "train", data: [...view.trainLoss], borderColor: colours.series[0], backgroundColor: colours.series[0] },
      { label: "eval", data: [...view.evalLoss], borderColor: colours.series[1], backgroundColor: colours.series[1], pointRadius: 3, borderDash: colours.highContrast ? [6, 3] : [] },
    ],
    "loss",
  );
  drawLine(
    "lr-chart",
    "lr-box",
    [{ label: "learning rate", data: [...view.learningRate], borderColor: colours.series[2], backgroundColor: colours.series[2] }],
    "learning rate",
  );
}

/** Steps can arrive faster than frames: draw at most once a frame. */
function scheduleRender(): void {
  if (!frame) frame = requestAnimationFrame(render);
}

panel.onMessage((message) => {
  if (message.type === "view") {
    view = message.view;
  } else {
    applyNotification(view, message.config, message.event, message.at);
  }
  panel.setState({ config: view.config, runDir: view.runDir });
  scheduleRender();
});

element("cancel").addEventListener("click", () => {
  cancelling = view.runDir;
  panel.post({ type: "cancel" });
  render();
});
onThemeChange(() => {
  applyChartDefaults(themeColours());
  for (const chart of charts.values()) chart.destroy();
  charts.clear();
  render();
});
applyChartDefaults(themeColours());
render();
panel.post({ type: "ready" });
