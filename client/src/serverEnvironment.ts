// The Python environment that runs the language server.
//
// A packaged extension carries a wheelhouse (bundled/wheels): the server's own wheel and every
// dependency's, for the Python versions it was built for. On first start with a given
// interpreter, it creates a virtual environment in the extension's global storage and installs
// from that folder with --no-index: nothing is downloaded. Without a wheelhouse (running from
// a source checkout), the interpreter itself must already have the server installed.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, promises as fs } from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { Interpreter, InterpreterError } from "./interpreter";
import { managedEnvironmentDir, moveIntoPlace, pipInstallArguments, venvPython } from "./platformPaths";

export interface ServerEnvironment {
  python: string;
  /** "managed" (created from the wheelhouse) or "interpreter" (used as is). */
  kind: "managed" | "interpreter";
}

/**
 * Runs `python -I -m <module> ...`: isolated mode and a working directory of our own, so that a
 * workspace holding `venv.py` or `pip/__main__.py` cannot have its code run in their place. An
 * argument list, never a shell.
 */
function runModule(
  python: string,
  module: string,
  args: string[],
  cwd: string,
  log: vscode.LogOutputChannel,
): Promise<void> {
  const argv = ["-I", "-m", module, ...args];
  log.info(`running ${python} ${argv.join(" ")} in ${cwd}`);
  return new Promise((resolve, reject) => {
    execFile(python, argv, { cwd, timeout: 300_000, windowsHide: true }, (error, stdout, stderr) => {
      if (stdout.trim()) log.info(stdout.trim());
      if (stderr.trim()) log.warn(stderr.trim());
      if (error) {
        reject(new InterpreterError(`${path.basename(python)} -m ${module} failed: ${stderr.trim() || error.message}`));
      } else {
        resolve();
      }
    });
  });
}

async function wheelhouseKey(wheels: string): Promise<string> {
  const names = (await fs.readdir(wheels)).filter((n) => n.endsWith(".whl")).sort();
  return createHash("sha256").update(names.join("\n")).digest("hex").slice(0, 12);
}

export async function prepareServerEnvironment(
  context: vscode.ExtensionContext,
  interpreter: Interpreter,
  log: vscode.LogOutputChannel,
): Promise<ServerEnvironment> {
  const wheels = context.asAbsolutePath(path.join("bundled", "wheels"));
  if (!existsSync(wheels)) {
    log.info("no bundled wheelhouse (source checkout): using the interpreter as is");
    return { python: interpreter.executable, kind: "interpreter" };
  }
  const [major, minor] = interpreter.version;
  const version = context.extension.packageJSON.version as string;
  const storage = context.globalStorageUri.fsPath;
  const platform = process.platform;
  const envDir = managedEnvironmentDir(storage, [major, minor], version, await wheelhouseKey(wheels), platform);
  const envsDir = path.dirname(envDir);
  const python = venvPython(envDir, platform);
  if (existsSync(python)) {
    return { python, kind: "managed" };
  }

  // With its parent, the storage folder: the working directory of the commands below.
  await fs.mkdir(envsDir, { recursive: true });
  // Built aside and renamed into place, so an interrupted install never looks finished.
  const partial = await fs.mkdtemp(path.join(envsDir, ".partial-"));
  try {
    await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: "Promptweight: preparing its Python environment (first start only)",
      },
      async () => {
        await runModule(interpreter.executable, "venv", [partial], storage, log);
        await runModule(venvPython(partial, platform), "pip", pipInstallArguments(wheels, version), storage, log);
      },
    );
    const moved = await moveIntoPlace(partial, envDir, python, {
      rename: fs.rename,
      exists: existsSync,
      remove: (folder) => fs.rm(folder, { recursive: true, force: true }),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    });
    if (moved === "existing") {
      log.info(`another window prepared ${envDir} first: using it`);
    }
  } catch (error) {
    await fs.rm(partial, { recursive: true, force: true });
    throw new InterpreterError(
      `Could not prepare the language server's environment with Python ${interpreter.version.join(".")} ` +
        `(${interpreter.executable}): ${(error as Error).message}. ` +
        "On Debian and Ubuntu, `python3 -m venv` needs the python3-venv package; this build ships wheels " +
        "for the Python versions listed in the README.",
    );
  }
  log.info(`server environment ready at ${envDir}`);
  return { python, kind: "managed" };
}
