"""One run's history for the training view, found again from its folder after a window reload.

The view remembers which run it showed (its folder) and asks for that run alone: summarising
every run of a config would read all their `events.jsonl` files to show one. The folder comes
back from the view's saved state, so it is only read when it is one of the config's own runs.
"""

from __future__ import annotations

from pathlib import Path

from server.core.training.run_folders import summarise
from shared_schemas.training import RunSummary

EVENTS = "events.jsonl"


def _runs_folder(output_dir: Path, run_dir: Path) -> Path | None:
    """`run_dir` when it is a run folder directly under `output_dir` (links refused)."""
    if run_dir.is_symlink() or not run_dir.is_dir():
        return None
    if run_dir.resolve().parent != output_dir.resolve():
        return None
    return run_dir if (run_dir / EVENTS).is_file() else None


def _newest(output_dir: Path) -> Path | None:
    if not output_dir.is_dir():
        return None
    # Run folders are named `<time>-<name>`: the newest sorts last.
    runs = [p for p in output_dir.iterdir() if _runs_folder(output_dir, p) is not None]
    return max(runs, key=lambda p: p.name, default=None)


def run_history(output_dir: Path, run_dir: Path | None, running: set[Path]) -> RunSummary | None:
    """The run in `run_dir` (the newest under `output_dir` when None) with its events, or None
    when there is no such run; `running`: the resolved run folders with a trainer."""
    found = _newest(output_dir) if run_dir is None else _runs_folder(output_dir, run_dir)
    if found is None:
        return None
    return summarise(found, found.resolve() in running)
