// Finding a Python 3.11+ interpreter to run the language server.
import { execFile } from "node:child_process";
import * as vscode from "vscode";
import { Candidate, consultsPythonExtension, interpreterCandidates } from "./interpreterCandidates";
import { unstartable } from "./platformPaths";
import { pythonExtensionInterpreter } from "./pythonExtension";

export const MIN_PYTHON: readonly [number, number] = [3, 11];

export interface Interpreter {
  /** Absolute path, as the interpreter reports it (sys.executable). */
  executable: string;
  version: [number, number, number];
  /** Where the path came from, for messages and logs. */
  source: string;
}

export class InterpreterError extends Error {}

const PROBE =
  "import json, sys; print(json.dumps({'executable': sys.executable, 'version': list(sys.version_info[:3])}))";

function run(command: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    // An argument list, never a shell: a path from settings cannot inject commands.
    execFile(command, args, { timeout: timeoutMs, windowsHide: true }, (error, stdout, stderr) => {
      if (error) {
        reject(new InterpreterError(`${command}: ${stderr.trim() || error.message}`));
      } else {
        resolve(stdout);
      }
    });
  });
}

/** Runs `command [...args] -I -c PROBE`; the interpreter reports its own path and version. */
export async function probe(command: string, source: string, args: string[] = []): Promise<Interpreter> {
  const refusal = unstartable(command, process.platform);
  if (refusal) {
    throw new InterpreterError(refusal);
  }
  const out = await run(command, [...args, "-I", "-c", PROBE], 15_000);
  const facts = JSON.parse(out) as { executable: string; version: [number, number, number] };
  return { executable: facts.executable, version: facts.version, source };
}

export function isSupported(interpreter: Interpreter): boolean {
  const [major, minor] = interpreter.version;
  return major > MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor >= MIN_PYTHON[1]);
}

/** What to try, in order; the rules are in interpreterCandidates.ts. */
export async function candidates(): Promise<Candidate[]> {
  const setting = vscode.workspace.getConfiguration("promptweight").inspect<string>("python");
  const trusted = vscode.workspace.isTrusted;
  const fromExtension = consultsPythonExtension(setting, trusted)
    ? await pythonExtensionInterpreter().catch(() => undefined)
    : undefined;
  return interpreterCandidates({ setting, trusted, fromExtension, platform: process.platform });
}

/** The first candidate that runs and is new enough; the error lists what was tried. */
export async function findInterpreter(log: vscode.LogOutputChannel): Promise<Interpreter> {
  const tried: string[] = [];
  for (const { command, args, source } of await candidates()) {
    const shown = [command, ...(args ?? [])].join(" ");
    try {
      const interpreter = await probe(command, source, args);
      if (isSupported(interpreter)) {
        log.info(`Python ${interpreter.version.join(".")} at ${interpreter.executable} (${source})`);
        return interpreter;
      }
      tried.push(`${shown} (${source}) is Python ${interpreter.version.join(".")}`);
    } catch (error) {
      tried.push(`${shown} (${source}) did not run: ${(error as Error).message}`);
    }
  }
  throw new InterpreterError(
    `Promptweight needs Python ${MIN_PYTHON.join(".")} or newer for its language server. ` +
      `Tried: ${tried.join("; ")}.`,
  );
}
