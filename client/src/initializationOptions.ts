// The settings sent to the server in `initialize`: every key in the generated SETTINGS, for the
// window and for each workspace folder. The server validates them and reports bad ones. Free of
// `vscode` so that the trust rule can be tested without an editor.
import { FolderSettings, InitializationOptions, SETTINGS, SettingKey } from "./generated/protocol";

/** The part of `vscode.WorkspaceConfiguration` read here. */
export interface SettingsReader {
  get(key: string): unknown;
  inspect(key: string): { globalValue?: unknown; workspaceValue?: unknown; workspaceFolderValue?: unknown } | undefined;
}

export interface WorkspaceSettings {
  trusted: boolean;
  /** `getConfiguration("promptweight")`. */
  window: SettingsReader;
  /** `getConfiguration("promptweight", folder.uri)` for each workspace folder. */
  folders: Array<{ uri: string; settings: SettingsReader }>;
}

// Model overrides may name tokenizer files: only a trusted workspace may set them (package.json
// lists the key under restrictedConfigurations too).
const TRUSTED_ONLY: SettingKey = "models";

// The scopes that a workspace folder's settings may set; "window" settings apply to the window.
const FOLDER_SCOPES: ReadonlySet<string> = new Set(["resource", "machine-overridable", "language-overridable"]);

const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

type ObjectSetting = Record<string, unknown> | undefined;

function read(config: SettingsReader, key: SettingKey, trusted: boolean): unknown {
  if (key !== TRUSTED_ONLY) {
    return config.get(key);
  }
  const values = config.inspect(key);
  return trusted
    ? {
        ...(values?.globalValue as ObjectSetting),
        ...(values?.workspaceValue as ObjectSetting),
        ...(values?.workspaceFolderValue as ObjectSetting),
      }
    : { ...(values?.globalValue as ObjectSetting) };
}

function readAll(config: SettingsReader, keys: readonly SettingKey[], trusted: boolean): Record<string, unknown> {
  return Object.fromEntries(keys.map((key) => [key, read(config, key, trusted)]));
}

export function initializationOptions({ trusted, window, folders }: WorkspaceSettings): InitializationOptions {
  const folderKeys = SETTING_KEYS.filter((key) => FOLDER_SCOPES.has(SETTINGS[key]));
  const perFolder: FolderSettings[] = folders.map(({ uri, settings }) => ({
    uri,
    settings: readAll(settings, folderKeys, trusted),
  }));
  // Training runs code: the server refuses it unless the editor trusts the workspace.
  return {
    ...readAll(window, SETTING_KEYS, trusted),
    workspaceTrusted: trusted,
    folders: perFolder,
  } as InitializationOptions;
}
