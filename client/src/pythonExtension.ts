// The slice of the Python extension (ms-python.python) that Promptweight uses: its active
// interpreter, and the event that says the user picked another one.
import * as vscode from "vscode";

export const PYTHON_EXTENSION_ID = "ms-python.python";

interface EnvironmentPath {
  id: string;
  path: string;
}

interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): EnvironmentPath;
    resolveEnvironment?(environment: EnvironmentPath): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
    onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
  };
}

/** Activates the Python extension if it is installed (it may run workspace code: trusted only). */
export async function pythonExtensionInterpreter(): Promise<string | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION_ID);
  if (!extension) {
    return undefined;
  }
  const api = extension.isActive ? extension.exports : await extension.activate();
  const active = api.environments?.getActiveEnvironmentPath();
  if (!active) {
    return undefined;
  }
  // `path` may be an environment's folder rather than its interpreter (a conda environment,
  // whose python.exe sits at the top on Windows and in bin/ elsewhere): the extension
  // resolves which. fsPath turns its file URI into this platform's path (`C:\...` on Windows).
  const resolved = await api.environments?.resolveEnvironment?.(active).catch(() => undefined);
  return resolved?.executable.uri?.fsPath ?? active.path;
}

/**
 * Calls `onChange` when the user picks another interpreter in the Python extension. That
 * extension may activate after ours (our interpreter search activates it, and only in a
 * trusted workspace), so `subscribe` is called whenever its API may have appeared; it
 * subscribes once.
 */
export class InterpreterChangeWatch implements vscode.Disposable {
  private subscription: vscode.Disposable | undefined;

  constructor(private readonly onChange: () => void) {}

  subscribe(): void {
    if (this.subscription) {
      return;
    }
    const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION_ID);
    const event = extension?.isActive ? extension.exports?.environments?.onDidChangeActiveEnvironmentPath : undefined;
    if (event) {
      this.subscription = event(() => this.onChange());
    }
  }

  dispose(): void {
    this.subscription?.dispose();
    this.subscription = undefined;
  }
}
