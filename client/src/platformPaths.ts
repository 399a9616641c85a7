// Everything about the server environment that differs between Windows and POSIX: where a
// virtual environment keeps its interpreter, which files Node can start without a shell, and
// how a freshly built environment is moved into place. Free of `vscode` and of the running
// platform: each function takes the platform, so the tests run the Windows rules on Linux.
import * as path from "node:path";

/** Node's path functions for `platform`: backslashes and drive letters on Windows. */
export function pathsFor(platform: NodeJS.Platform): path.PlatformPath {
  return platform === "win32" ? path.win32 : path.posix;
}

/** The interpreter inside a virtual environment made by `python -m venv`. */
export function venvPython(envDir: string, platform: NodeJS.Platform): string {
  const paths = pathsFor(platform);
  return platform === "win32" ? paths.join(envDir, "Scripts", "python.exe") : paths.join(envDir, "bin", "python");
}

/**
 * The managed environment's folder: one per interpreter version (the wheels are per CPython),
 * extension version and wheelhouse, so an update never reuses an environment built from other
 * wheels. Short on purpose: on Windows a venv's deepest file must stay under 260 characters.
 */
export function managedEnvironmentDir(
  storage: string,
  python: readonly [number, number, ...number[]],
  extensionVersion: string,
  wheelhouseKey: string,
  platform: NodeJS.Platform,
): string {
  return pathsFor(platform).join(storage, "envs", `py${python[0]}.${python[1]}-${extensionVersion}-${wheelhouseKey}`);
}

/** pip's arguments that install the server from the wheelhouse alone (`python -I -m pip ...`). */
export function pipInstallArguments(wheelhouse: string, extensionVersion: string): string[] {
  return [
    "--isolated",
    "install",
    "--no-index",
    "--find-links",
    wheelhouse,
    "--disable-pip-version-check",
    "--no-input",
    `promptweight==${extensionVersion}`,
  ];
}

/**
 * Why `command` cannot be started the way Promptweight starts processes (an argument list,
 * no shell), or undefined when it can. On Windows, Node refuses to start a `.bat` or `.cmd`
 * without a shell (since 18.20.2 and 20.12.2: a shell would parse the arguments), and such
 * shims are common (pyenv-win's `python.bat`).
 */
export function unstartable(command: string, platform: NodeJS.Platform): string | undefined {
  if (platform === "win32" && /\.(bat|cmd)$/i.test(command.trim())) {
    return (
      `${command} is a batch file, which only a shell can run; Promptweight starts Python without one. ` +
      "Point promptweight.python at the python.exe it starts (with pyenv-win: `pyenv which python`)."
    );
  }
  return undefined;
}

/** The file system calls `moveIntoPlace` makes, so that tests can play Windows' failures. */
export interface MoveOperations {
  rename(from: string, to: string): Promise<void>;
  exists(file: string): boolean;
  remove(folder: string): Promise<void>;
  sleep(ms: number): Promise<void>;
}

// On Windows a rename fails while any file below is open: an antivirus or the search indexer
// scanning the new environment's files, for a moment. Those errors are retried.
const TRANSIENT = new Set(["EPERM", "EACCES", "EBUSY"]);
const RETRY_DELAYS_MS = [50, 100, 200, 400, 800, 1600];

/**
 * Renames the built environment `partial` to `envDir`. If another window built and moved the
 * same environment first (the rename then fails: ENOTEMPTY, EEXIST, or EPERM on Windows), that
 * one is used and `partial` removed. Returns "moved" or "existing".
 */
export async function moveIntoPlace(
  partial: string,
  envDir: string,
  python: string,
  ops: MoveOperations,
): Promise<"moved" | "existing"> {
  for (let attempt = 0; ; attempt++) {
    try {
      await ops.rename(partial, envDir);
      return "moved";
    } catch (error) {
      if (ops.exists(python)) {
        await ops.remove(partial);
        return "existing";
      }
      const code = (error as NodeJS.ErrnoException).code ?? "";
      if (!TRANSIENT.has(code) || attempt >= RETRY_DELAYS_MS.length) {
        throw error;
      }
      await ops.sleep(RETRY_DELAYS_MS[attempt]);
    }
  }
}
