// The charts' colours, from the colour theme's CSS variables as they are now. VS Code changes
// those variables (on <html>) and the body's theme class when the user switches themes, and the
// charts are drawn again with the new ones.
import { Chart } from "chart.js";

export interface ThemeColours {
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  /** Distinct series colours, in order: the theme's chart palette. */
  series: string[];
  highContrast: boolean;
  /** A border around filled areas: the contrast border in high contrast, else none. */
  border: string;
}

function variable(style: CSSStyleDeclaration, name: string, fallback: string): string {
  return style.getPropertyValue(name).trim() || fallback;
}

export function themeColours(): ThemeColours {
  const style = getComputedStyle(document.documentElement);
  const body = document.body.classList;
  const highContrast = body.contains("vscode-high-contrast") || body.contains("vscode-high-contrast-light");
  const foreground = variable(style, "--vscode-foreground", "#cccccc");
  return {
    foreground,
    muted: variable(style, "--vscode-descriptionForeground", foreground),
    grid: variable(style, "--vscode-editorWidget-border", variable(style, "--vscode-widget-border", "#80808040")),
    background: variable(style, "--vscode-editor-background", "#1e1e1e"),
    series: [
      variable(style, "--vscode-charts-blue", "#3794ff"),
      variable(style, "--vscode-charts-orange", "#d18616"),
      variable(style, "--vscode-charts-purple", "#b180d7"),
      variable(style, "--vscode-charts-green", "#89d185"),
      variable(style, "--vscode-charts-red", "#f14c4c"),
      variable(style, "--vscode-charts-yellow", "#cca700"),
    ],
    highContrast,
    border: highContrast ? variable(style, "--vscode-contrastBorder", foreground) : "transparent",
  };
}

/** Chart.js's defaults for text and lines, from the theme. */
export function applyChartDefaults(colours: ThemeColours): void {
  Chart.defaults.color = colours.foreground;
  Chart.defaults.borderColor = colours.grid;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  // Charts update on every keystroke or step: animating each would lag behind the numbers.
  Chart.defaults.animation = false;
}

/** Calls `redraw` after each theme change. */
export function onThemeChange(redraw: () => void): void {
  const observer = new MutationObserver(() => redraw());
  observer.observe(document.body, { attributes: true, attributeFilter: ["class"] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["style", "class"] });
}

/** A string setter that leaves the element alone when nothing changed (no layout churn). */
export function setText(id: string, text: string): void {
  const element = document.getElementById(id);
  if (element && element.textContent !== text) element.textContent = text;
}

export function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

/** Headline figures: a large value over its label, each box `${idPrefix}-${index}`. */
export function fillFigures(id: string, idPrefix: string, rows: Array<[string, string]>): void {
  element(id).replaceChildren(
    ...rows.map(([label, value], i) => {
      const box = document.createElement("div");
      box.className = "figure";
      box.id = `${idPrefix}-${i}`;
      const number = document.createElement("div");
      number.className = "value";
      number.textContent = value;
      const caption = document.createElement("div");
      caption.className = "muted";
      caption.textContent = label;
      box.append(number, caption);
      return box;
    }),
  );
}

/** A note element shown with `text`, or hidden when there is none. */
export function showNote(id: string, text: string | null): void {
  element(id).hidden = text === null;
  setText(id, text ?? "");
}
