// Select Model's quick pick, as plain data: one separator per provider, then its models, each
// with its context window, prices per 1M tokens and whether it counts exactly; the model now in
// effect is marked. Free of `vscode` so that it can be tested without an editor.
import { formatCount } from "./format";
import { ModelListing, ModelsResult } from "./generated/protocol";

export type PickerRow =
  | { kind: "separator"; label: string }
  | { kind: "model"; id: string; label: string; description: string; current: boolean };

/** `128K`, `1M`, `1.05M`: a context window at a glance. */
export function formatWindow(tokens: number): string {
  if (tokens >= 1_000_000) {
    return `${Number((tokens / 1_000_000).toFixed(2))}M`;
  }
  if (tokens >= 1_000) {
    return `${Number((tokens / 1_000).toFixed(1))}K`;
  }
  return formatCount(tokens);
}

/** Per-million prices read best with at most 3 decimals (`$0.15`, `$0.075`, `$15`). */
export function formatPrice(usdPerMillion: number): string {
  return `$${Number(usdPerMillion.toFixed(3))}`;
}

export function modelDescription(model: ModelListing): string {
  const counting = model.exact ? `exact (${model.tokenizer})` : `≈ ${model.tokenizer}`;
  return (
    `${formatWindow(model.contextWindow)} context · ` +
    `${formatPrice(model.inputUsdPerMillion)} in / ${formatPrice(model.outputUsdPerMillion)} out per 1M · ` +
    counting
  );
}

/**
 * Rows in the server's order (by provider), a separator before each provider's first model.
 * The model the setting names now is marked current (choosing replaces it); the model the file
 * itself names, which wins for that file, is marked too.
 */
export function pickerRows(result: ModelsResult): PickerRow[] {
  const rows: PickerRow[] = [];
  let provider: string | undefined;
  for (const model of result.models) {
    if (model.provider !== provider) {
      provider = model.provider;
      rows.push({ kind: "separator", label: provider });
    }
    const current = model.id === result.settingId;
    const marks = [
      ...(current ? ["current setting"] : []),
      ...(result.fileModel && model.id === result.fileModelId ? ["named by this file"] : []),
    ];
    rows.push({
      kind: "model",
      id: model.id,
      label: current ? `$(check) ${model.id}` : model.id,
      description: [...marks, modelDescription(model)].join(" · "),
      current,
    });
  }
  return rows;
}

const WHERE: Record<SettingTarget, string> = {
  workspaceFolder: "this workspace folder",
  workspace: "this workspace",
  global: "your user settings",
};

/** The picker's title and placeholder: what choosing will change, and for which files. */
export function pickerText(
  result: ModelsResult,
  fileName: string | undefined,
  target: SettingTarget,
): { title: string; placeholder: string } {
  const where = WHERE[target];
  if (result.fileModel && fileName) {
    return {
      title: `Promptweight: ${fileName} names ${result.fileModel}`,
      placeholder:
        `This file names ${result.fileModel} in its frontmatter, which wins for it; ` +
        `the model you choose is set for ${where} and applies to files without a model ` +
        `(now ${result.setting})`,
    };
  }
  const unknown = result.settingId === null ? ` (${result.setting} is unknown: counted as gpt-4o-mini)` : "";
  return {
    title: `Promptweight: model for files without their own${unknown}`,
    placeholder: `Choose the model for ${where} (promptweight.model, now ${result.setting}); type to filter ${formatCount(result.models.length)} models`,
  };
}

/** Where the chosen model is written, by VS Code's configuration targets. */
export type SettingTarget = "workspaceFolder" | "workspace" | "global";

/**
 * A file in a workspace folder: that folder's setting (the server reads it per folder). Else
 * the user's setting, unless the workspace sets the model itself, which would hide the user's.
 */
export function settingTarget(inFolder: boolean, workspaceValue: unknown): SettingTarget {
  if (inFolder) {
    return "workspaceFolder";
  }
  return workspaceValue === undefined ? "global" : "workspace";
}
