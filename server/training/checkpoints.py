"""A run's checkpoints (`<run>/checkpoints/checkpoint-N/`), and what to say when one cannot be
written.

The Hugging Face `Trainer` (4.56 to 5.x) writes a checkpoint in place, file by file, with
`trainer_state.json` last, and only then deletes the oldest beyond `save_total_limit`: so an
older checkpoint is never deleted before a newer one is whole. A folder is complete when its
`trainer_state.json` is whole JSON of that folder's step. One cut short (a full disk, a kill
mid-save) is never resumed from, and is removed: it cannot be used, and its space is what a
full disk needs back.
"""

from __future__ import annotations

import errno
import json
import shutil
from pathlib import Path

PREFIX = "checkpoint-"
STATE_FILE = "trainer_state.json"  # the Trainer writes it last
_DISK_FULL_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}
# safetensors and torch.save report a failed write as text, with no errno to read.
_DISK_FULL_TEXTS = (
    "no space left",
    "file too large",
    "quota exceeded",
    "os error 28",
    "os error 27",
    "os error 122",
)


def step_of(folder: Path) -> int | None:
    digits = folder.name.removeprefix(PREFIX)
    return int(digits) if folder.name.startswith(PREFIX) and digits.isdigit() else None


def is_complete(folder: Path) -> bool:
    try:
        state = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(state, dict) and state.get("global_step") == step_of(folder)


def _checkpoints(run_dir: Path) -> list[tuple[int, Path]]:
    found = []
    for folder in (run_dir / "checkpoints").glob(PREFIX + "*"):
        step = step_of(folder)
        if step is not None and folder.is_dir() and not folder.is_symlink():
            found.append((step, folder))
    return sorted(found)


def latest_checkpoint(run_dir: Path) -> Path | None:
    """The newest complete checkpoint of the run in `run_dir`."""
    complete = [folder for _, folder in _checkpoints(run_dir) if is_complete(folder)]
    return complete[-1] if complete else None


def discard_incomplete(run_dir: Path) -> list[Path]:
    """Remove the run's checkpoints that were cut short; the ones removed."""
    removed = [folder for _, folder in _checkpoints(run_dir) if not is_complete(folder)]
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    return removed


def causes(error: BaseException) -> list[BaseException]:
    """`error` and those it was raised from, or while handling."""
    found: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not seen for seen in found):
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def disk_full(error: BaseException) -> bool:
    """Whether `error`, or one it came from, says the disk (or the file size limit, or the
    quota) is full."""
    return any(
        (isinstance(cause, OSError) and cause.errno in _DISK_FULL_ERRNOS)
        or any(text in str(cause).lower() for text in _DISK_FULL_TEXTS)
        for cause in causes(error)
    )


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _megabytes(count: int) -> str:
    return f"{count / 1e6:,.1f} MB"


def storage_hint(run_dir: Path, save_total_limit: int) -> str:
    """What to do when the run's files cannot be written: how much is free, what a checkpoint
    takes, and where `--resume` would continue from."""
    free = shutil.disk_usage(run_dir).free
    last = latest_checkpoint(run_dir)
    each = f"; a checkpoint takes {_megabytes(_size(last))}" if last is not None else ""
    resume = (
        f"`--resume {run_dir}` continues from {last.name}"
        if last is not None
        else f"no checkpoint is complete, so `--resume {run_dir}` starts from step 0"
    )
    return (
        f"free space on the disk of {run_dir} ({_megabytes(free)} free{each}), or lower "
        f"saveTotalLimit (now {save_total_limit}) to keep fewer checkpoints; then {resume}"
    )


class CheckpointWriteError(Exception):
    """A checkpoint could not be written; `hint` says what to do."""

    def __init__(self, folder: Path, error: BaseException, save_total_limit: int) -> None:
        cause = "the disk is full" if disk_full(error) else "writing failed"
        super().__init__(
            f"cannot write {folder.name} ({cause}: {type(error).__name__}: {error}); "
            "the last complete checkpoint is kept"
        )
        self.hint = storage_hint(folder.parent.parent, save_total_limit)
