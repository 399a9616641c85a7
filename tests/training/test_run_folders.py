"""Runs found again from their folders: their state and history come from `events.jsonl`."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.core.training.run_folders import EventTail, find_runs, live_run_folders
from server.core.training.run_marker import (
    MARKER,
    TrainerMarker,
    process_start_time,
    read_marker,
    remove_marker,
    signal_trainer,
    write_marker,
)
from shared_schemas.training import Failed, Finished, TrainingEvent
from tests.training.events import started, step

ENDINGS: dict[str, tuple[list[TrainingEvent], str]] = {
    "finished": ([Finished(adapter_path="a", steps=3, train_loss=4.8, eval_loss=None)], "finished"),
    "cancelled": (
        [Finished(adapter_path="a", steps=3, train_loss=4.8, eval_loss=None, cancelled=True)],
        "stopped",
    ),
    "failed": ([Failed(error="RunError: boom")], "failed"),
    "killed": ([], "interrupted"),
}


@pytest.mark.parametrize(("ending", "state"), ENDINGS.values(), ids=ENDINGS.keys())
def test_a_runs_state_comes_from_its_last_event(
    tmp_path: Path, ending: list[TrainingEvent], state: str
) -> None:
    run_dir = tmp_path / "runs" / "20261201-120000-triage"
    run_dir.mkdir(parents=True)
    events = [started(run_dir), step(1), step(2), step(3), *ending]
    lines = "".join(e.model_dump_json(by_alias=True) + "\n" for e in events)
    (run_dir / "events.jsonl").write_text(lines + '{"type": "step", "cut short')
    [run] = find_runs(tmp_path / "runs", running=set())
    assert (run.name, run.state, run.steps, run.total_steps) == ("triage", state, 3, 10)
    assert run.last_loss == pytest.approx(4.7) and len(run.events) == len(events)


def test_a_run_with_a_trainer_is_running_and_the_newest_comes_first(tmp_path: Path) -> None:
    older, newer = tmp_path / "20261201-100000-a", tmp_path / "20261201-110000-b"
    for folder in (older, newer):
        folder.mkdir()
        (folder / "events.jsonl").write_text(started(folder).model_dump_json(by_alias=True) + "\n")
    runs = find_runs(tmp_path, running={newer.resolve()})
    assert [(r.name, r.state) for r in runs] == [("b", "running"), ("a", "interrupted")]


# A live run is told by its marker (`trainer.json`): a pid with that process's start time.


@pytest.fixture
def child() -> Iterator[subprocess.Popen[bytes]]:
    """A process that runs until the test ends (it stands for a trainer)."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    yield process
    process.kill()
    process.wait()


def ended_pid() -> int:
    """The pid of a process that has ended and been reaped."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def run_with_events(folder: Path) -> Path:
    folder.mkdir(parents=True)
    lines = [started(folder), step(1)]
    (folder / "events.jsonl").write_text(
        "".join(e.model_dump_json(by_alias=True) + "\n" for e in lines)
    )
    return folder


def mark(run_dir: Path, pid: int, started_at: str | None) -> TrainerMarker:
    marker = TrainerMarker(pid=pid, started=started_at, run_id="r1", config=None)
    (run_dir / MARKER).write_text(json.dumps(dataclasses.asdict(marker)))
    return marker


def test_a_marker_of_a_living_trainer_makes_its_run_running(
    tmp_path: Path, child: subprocess.Popen[bytes]
) -> None:
    run_dir = run_with_events(tmp_path / "20261201-100000-live")
    mark(run_dir, child.pid, process_start_time(child.pid))
    [run] = find_runs(tmp_path)
    assert run.state == "running"
    assert live_run_folders(tmp_path) == [run_dir]


def test_a_stale_marker_is_an_interrupted_run(tmp_path: Path) -> None:
    run_dir = run_with_events(tmp_path / "20261201-100000-killed")
    pid = ended_pid()
    assert process_start_time(pid) is None
    mark(run_dir, pid, "linux:1")
    [run] = find_runs(tmp_path)
    assert run.state == "interrupted"
    assert live_run_folders(tmp_path) == []


def test_a_reused_pid_is_not_the_trainer(tmp_path: Path, child: subprocess.Popen[bytes]) -> None:
    """The pid lives, but it started at another time than the marker's: another process."""
    run_dir = run_with_events(tmp_path / "20261201-100000-reused")
    marker = mark(run_dir, child.pid, "linux:1")
    [run] = find_runs(tmp_path)
    assert run.state == "interrupted"
    # And it is never signalled in the trainer's place.
    assert signal_trainer(marker, kill=True) is False
    assert child.poll() is None


def test_a_verified_trainer_is_killed(tmp_path: Path, child: subprocess.Popen[bytes]) -> None:
    run_dir = run_with_events(tmp_path / "20261201-100000-stuck")
    marker = mark(run_dir, child.pid, process_start_time(child.pid))
    assert signal_trainer(marker, kill=True) is True
    assert child.wait(30) != 0


def test_the_trainer_removes_only_its_own_marker(tmp_path: Path) -> None:
    ours = write_marker(tmp_path, None)
    assert read_marker(tmp_path) == ours and ours.alive()
    later = TrainerMarker(pid=ours.pid, started=ours.started, run_id="later", config=None)
    (tmp_path / MARKER).write_text(json.dumps(dataclasses.asdict(later)))
    remove_marker(tmp_path, ours)
    assert read_marker(tmp_path) == later
    remove_marker(tmp_path, later)
    assert not (tmp_path / MARKER).exists()


@pytest.mark.parametrize("text", ["", "[]", '{"pid": "1", "run_id": "x"}', '{"pid": 1}', "{"])
def test_a_marker_that_is_none_is_ignored(tmp_path: Path, text: str) -> None:
    (tmp_path / MARKER).write_text(text)
    assert read_marker(tmp_path) is None


def test_the_tail_reads_whole_lines_as_they_are_written(tmp_path: Path) -> None:
    tail = EventTail(tmp_path)
    assert tail.read() == []  # no events.jsonl yet
    first, second = step(1).model_dump_json(by_alias=True), step(2).model_dump_json(by_alias=True)
    with (tmp_path / "events.jsonl").open("a") as events:
        events.write(first + "\n" + second[:10])
        events.flush()
        assert tail.read() == [step(1)]  # the second is still being written
        events.write(second[10:] + "\nnot an event\n")
        events.flush()
        assert tail.read() == [step(2)]
    assert tail.read() == []
    tail.close()
    # From the end: what is there now is history, read otherwise.
    later = EventTail.at_end(tmp_path)
    with (tmp_path / "events.jsonl").open("a") as events:
        events.write(step(3).model_dump_json(by_alias=True) + "\n")
    assert later.read() == [step(3)]
    later.close()
