// Which Python interpreters to try for the language server, in order. Free of `vscode` so that
// the trust rules can be tested without an editor.

/** The `promptweight.python` setting as `WorkspaceConfiguration.inspect` reports it. */
export interface PythonSettingValues {
  globalValue?: string;
  workspaceValue?: string;
  workspaceFolderValue?: string;
}

export interface CandidateInputs {
  setting: PythonSettingValues | undefined;
  trusted: boolean;
  /** The Python extension's active interpreter, when it has one. */
  fromExtension: string | undefined;
  platform: NodeJS.Platform;
}

export interface Candidate {
  command: string;
  /** Arguments that come before the interpreter's own (the py launcher's version choice). */
  args?: string[];
  /** Where the command came from, for messages and logs. */
  source: string;
}

/**
 * An untrusted workspace's own settings could point at any program it brought, so only the
 * user's global value counts there.
 */
export function configuredInterpreter(setting: PythonSettingValues | undefined, trusted: boolean): string | undefined {
  return trusted
    ? setting?.workspaceFolderValue || setting?.workspaceValue || setting?.globalValue
    : setting?.globalValue;
}

/** Whether the Python extension's choice can matter, so that it is worth activating it. */
export function consultsPythonExtension(setting: PythonSettingValues | undefined, trusted: boolean): boolean {
  return trusted && !configuredInterpreter(setting, trusted);
}

/**
 * The `promptweight.python` setting when set (and nothing else: a broken explicit choice is an
 * error, not a silent fallback); else the Python extension's interpreter, then `python3` on
 * PATH. In an untrusted workspace, workspace-level settings and the Python extension's choice
 * (which may point into the workspace) are skipped: both could run code the workspace brought.
 * On Windows, `python` on PATH comes before the py launcher (`py -3`): python.org's installer
 * leaves PATH alone unless asked, but installs the launcher, which starts the newest Python 3.
 */
export function interpreterCandidates({ setting, trusted, fromExtension, platform }: CandidateInputs): Candidate[] {
  const configured = configuredInterpreter(setting, trusted);
  if (configured) {
    return [{ command: configured, source: "setting promptweight.python" }];
  }
  const found: Candidate[] = [];
  if (trusted && fromExtension) {
    found.push({ command: fromExtension, source: "the Python extension's interpreter" });
  }
  if (platform === "win32") {
    found.push({ command: "python", source: "PATH" }, { command: "py", args: ["-3"], source: "the py launcher" });
  } else {
    found.push({ command: "python3", source: "PATH" });
  }
  return found;
}
