// What the language status item says about a prompt file: the model, the encoding that counts
// it, and whether the counts are exact. Free of `vscode` so that the wording is testable.
import { DocumentStats } from "./generated/protocol";

export interface LanguageStatusText {
  text: string;
  detail: string;
  /** Approximate counts are normal (most models have no public tokenizer): `≈` says so, not a
   * warning icon; a document left uncounted is worth one. */
  severity: "information" | "warning";
}

export function languageStatusText(stats: DocumentStats): LanguageStatusText {
  const model = stats.modelId && stats.modelId !== stats.model ? `${stats.model} → ${stats.modelId}` : stats.model;
  const text = `${stats.exact ? "" : "≈ "}${model} · ${stats.encoding}`;
  if (stats.skippedReason) {
    return { text, detail: `not counted: ${stats.skippedReason}`, severity: "warning" };
  }
  if (stats.exact) {
    return { text, detail: "exact token counts", severity: "information" };
  }
  return { text, detail: `approximate counts${stats.note ? `: ${stats.note}` : ""}`, severity: "information" };
}
