"""Runs found again from their folders (`<outputDir>/<time>-<name>/events.jsonl`): after the
editor or the server restarts, a run's history and state come from its files alone: a run is
running while its marker's trainer lives (`run_marker.py`), and `EventTail` follows its events
as they are written."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import BinaryIO

from pydantic import ValidationError

from server.core.safe_files import open_regular, read_regular_bytes
from server.core.training.run_marker import live_marker
from shared_schemas.training import (
    Eval,
    Failed,
    Finished,
    RunSummary,
    Started,
    Step,
    TrainingEvent,
    parse_event,
)

log = logging.getLogger(__name__)
EVENTS = "events.jsonl"
MAX_EVENTS_BYTES = 64 << 20
HISTORY = 10_000
_TAIL_CHUNK = 1 << 20  # bytes read at a time, so one call never reads a huge log at once
_MAX_LINE = 1 << 20  # longer is no event: dropped rather than held forever


def read_events(run_dir: Path) -> list[TrainingEvent]:
    try:
        raw = read_regular_bytes(run_dir / "events.jsonl", MAX_EVENTS_BYTES)
    except OSError:
        return []
    events = []
    for line in raw.splitlines():
        try:
            events.append(parse_event(line))
        except ValidationError:
            continue  # a line cut short by a kill, or written by something else
    return events


def summarise(run_dir: Path, running: bool = False) -> RunSummary:
    """The run in `run_dir`; `running`: known to have a trainer (the caller's own process);
    otherwise its marker tells (a stale marker, of a trainer gone, is an interrupted run)."""
    events = read_events(run_dir)
    running = running or live_marker(run_dir) is not None
    started = next((e for e in events if isinstance(e, Started)), None)
    steps = [e for e in events if isinstance(e, Step)]
    evals = [e for e in events if isinstance(e, Eval)]
    last = events[-1] if events else None
    # A trainer that has written its last event is as good as ended, even while it exits.
    if running and not isinstance(last, Finished | Failed):
        state = "running"
    elif isinstance(last, Finished):
        state = "stopped" if last.cancelled else "finished"
    elif isinstance(last, Failed):
        state = "failed"
    else:
        state = "interrupted"
    adapter = run_dir / "adapter_model.safetensors"
    return RunSummary(
        run_dir=str(run_dir),
        name=run_dir.name.split("-", 2)[-1],
        state=state,
        steps=steps[-1].step if steps else 0,
        total_steps=started.total_steps if started else None,
        last_loss=steps[-1].loss if steps else None,
        eval_loss=evals[-1].loss if evals else None,
        adapter_path=str(adapter) if adapter.is_file() else None,
        events=events[-HISTORY:],
    )


def find_runs(output_dir: Path, running: set[Path] | None = None) -> list[RunSummary]:
    """Every run under `output_dir`, newest first; `running`: run folders known to have a
    trainer, besides those whose marker says so."""
    running = running or set()
    if not output_dir.is_dir():
        return []
    folders = [p for p in output_dir.iterdir() if p.is_dir() and not p.is_symlink()]
    folders.sort(key=lambda p: p.name, reverse=True)
    return [summarise(p, p.resolve() in running) for p in folders if (p / EVENTS).exists()]


def live_run_folders(output_dir: Path) -> list[Path]:
    """The run folders under `output_dir` whose trainer still runs (by its marker), oldest
    first; links are not followed."""
    if not output_dir.is_dir():
        return []
    folders = [p for p in output_dir.iterdir() if p.is_dir() and not p.is_symlink()]
    return sorted(p for p in folders if live_marker(p) is not None)


class EventTail:
    """The events appended to a run's `events.jsonl` since the last read: whole lines only (a
    line being written is kept until its end arrives). The file may not exist yet."""

    def __init__(self, run_dir: Path, offset: int = 0) -> None:
        self.path = run_dir / EVENTS
        self.offset = offset
        self._stream: BinaryIO | None = None
        self._partial = b""

    @classmethod
    def at_end(cls, run_dir: Path) -> EventTail:
        """A tail that starts after what is written now: the history before it is read
        otherwise (`promptweight/trainingHistory`)."""
        try:
            size = (run_dir / EVENTS).stat().st_size
        except OSError:
            size = 0
        return cls(run_dir, size)

    def read(self) -> list[TrainingEvent]:
        if self._stream is None:
            try:
                self._stream = open_regular(self.path)
            except OSError:
                return []  # not written yet
            self._stream.seek(self.offset)
        events: list[TrainingEvent] = []
        while chunk := self._stream.read(_TAIL_CHUNK):
            self.offset += len(chunk)
            *lines, self._partial = (self._partial + chunk).split(b"\n")
            if len(self._partial) > _MAX_LINE:
                self._partial = b""
            for line in lines:
                if not line.strip():
                    continue
                try:
                    events.append(parse_event(line))
                except ValidationError:
                    log.warning("%s: a line that is no event: %r", self.path, line[:200])
            if len(events) >= HISTORY:
                break  # the rest at the next read
        return events

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None
