"""The trainer as the language server starts it: in a run folder named by the caller, with a
live-run marker while it runs, and stopped by a `stop` file alone (no signal), as a server that
did not start it (after a window reload) or any platform can ask."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from server.core.training.run_folders import find_runs, read_events
from server.core.training.run_marker import (
    MARKER,
    STOP,
    process_start_time,
    read_marker,
    request_stop,
)
from shared_schemas.training import Checkpoint, Failed, Finished, Started, Step, parse_event

pytest.importorskip("torch")
pytest.importorskip("peft")
pytest.importorskip("bitsandbytes")

TIMEOUT_S = 180
CONFIG = """name: detached
baseModel: tiny
datasets: [data.jsonl]
evalSplit: 0
saveSteps: 50
learningRate: 0.003
batchSize: 1
maxSequenceTokens: 64
"""


def wait_until(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.fixture
def folder(tiny_model: Path, tmp_path: Path) -> Path:
    (tmp_path / "tiny").symlink_to(tiny_model)
    records = [
        {"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]}
        for q, a in [("The VPN drops.", "network"), ("Printer on fire.", "hardware")] * 8
    ]
    (tmp_path / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (tmp_path / "promptweight.train.yaml").write_text(CONFIG)
    return tmp_path


@pytest.fixture
def trainer(folder: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """A trainer of a long run, its stdout kept in a file, in a folder made here."""
    run_dir = folder / "runs" / "20261201-100000-detached"
    run_dir.mkdir(parents=True)
    command = [sys.executable, "-I", "-m", "server.training", "train", "promptweight.train.yaml"]
    command += ["--max-steps", "100000", "--run-dir", str(run_dir)]
    with (folder / "stdout.jsonl").open("w") as out:
        process = subprocess.Popen(command, cwd=folder, stdout=out, text=True)
    yield process, run_dir
    process.kill()  # a failed test leaves no trainer behind
    process.wait()


def test_a_stop_file_stops_the_run_with_a_checkpoint_and_the_marker_goes(
    trainer: tuple[subprocess.Popen[str], Path], folder: Path
) -> None:
    process, run_dir = trainer
    wait_until(lambda: any(isinstance(e, Step) for e in read_events(run_dir)), "a step")
    marker = read_marker(run_dir)
    assert marker is not None and marker.pid == process.pid and marker.alive()
    assert marker.started == process_start_time(process.pid)
    assert marker.config == str((folder / "promptweight.train.yaml").resolve())
    [running] = find_runs(run_dir.parent)
    assert running.state == "running"

    request_stop(run_dir)
    assert process.wait(TIMEOUT_S) == 0
    events = read_events(run_dir)
    finished = events[-1]
    assert isinstance(finished, Finished) and finished.cancelled and finished.steps < 100000
    saved = [e.step for e in events if isinstance(e, Checkpoint)]
    assert saved and saved[-1] == finished.steps
    assert (run_dir / "checkpoints" / f"checkpoint-{finished.steps}").is_dir()
    assert not (run_dir / MARKER).exists() and not (run_dir / STOP).exists()
    [stopped] = find_runs(run_dir.parent)
    assert stopped.state == "stopped"
    # Everything it printed is in its events.jsonl, in order.
    printed = (folder / "stdout.jsonl").read_text().splitlines()
    assert [parse_event(line) for line in printed] == events
    assert isinstance(events[0], Started) and events[0].run_dir == str(run_dir.resolve())


def test_a_failure_before_the_trainer_loads_is_in_the_named_folder(folder: Path) -> None:
    """With `--run-dir`, events go to the folder from the first: a server following only the
    folder learns why a run never started."""
    run_dir = folder / "runs" / "20261201-100000-broken"
    run_dir.mkdir(parents=True)
    (folder / "promptweight.train.yaml").write_text("baseModel: tiny\ndatasets: []\n")
    command = [sys.executable, "-I", "-m", "server.training", "train", "promptweight.train.yaml"]
    result = subprocess.run(
        [*command, "--run-dir", str(run_dir)],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert result.returncode == 2
    [failed] = read_events(run_dir)
    assert isinstance(failed, Failed) and "datasets" in failed.error
    assert not (run_dir / MARKER).exists()
