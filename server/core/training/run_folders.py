"""Runs found again from their folders (`<outputDir>/<time>-<name>/events.jsonl`): after the
editor or the server restarts, a run's history and state come from its files alone."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from server.core.safe_files import read_regular_bytes
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

MAX_EVENTS_BYTES = 64 << 20
HISTORY = 10_000


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


def summarise(run_dir: Path, running: bool) -> RunSummary:
    events = read_events(run_dir)
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


def find_runs(output_dir: Path, running: set[Path]) -> list[RunSummary]:
    """Every run under `output_dir`, newest first; `running`: the run folders with a trainer."""
    if not output_dir.is_dir():
        return []
    folders = [p for p in output_dir.iterdir() if p.is_dir() and not p.is_symlink()]
    folders.sort(key=lambda p: p.name, reverse=True)
    return [summarise(p, p.resolve() in running) for p in folders if (p / "events.jsonl").exists()]
