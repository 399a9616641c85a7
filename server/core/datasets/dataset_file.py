"""A JSONL dataset on disk, written so that a failure never costs the user their old file.

Every write goes to a temporary file beside the dataset, is flushed to disk, and only then
takes the dataset's name (`os.replace`, atomic on one filesystem). Until that moment the old
file is untouched; after any failure the temporary file is removed.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
from collections.abc import Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from server.core.datasets.export import Record, jsonl_line, record_key

WriteMode = Literal["create", "append", "force"]
WRITE_MODES: tuple[WriteMode, ...] = ("create", "append", "force")

_CHUNK_CHARACTERS = 1 << 20  # lines are written in batches of about this size


class DatasetError(Exception):
    """Why a dataset was not written; its message is meant for the user."""


class DatasetExistsError(DatasetError):
    """The dataset exists and the write was asked to create it."""


class DatasetWriteError(DatasetError):
    """The dataset could not be written; the old file (if any) is as it was."""


@dataclass(frozen=True)
class WriteResult:
    written: int
    skipped: int  # already in the file, or repeated within this export


def existing_keys(path: Path) -> set[str]:
    """The keys (`record_key`) of the records already in a JSONL file; none if it is absent.

    Streams the file line by line; blank lines and lines that are not JSON are passed over.
    """
    try:
        # utf-8-sig: a byte-order mark some editors add would make the first line unreadable.
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as lines:
            return keys_of_lines(lines)
    except FileNotFoundError:
        return set()


def keys_of_lines(lines: Iterable[str]) -> set[str]:
    """The keys of the records among `lines` (a file's, or an editor's unsaved text)."""
    return {key for line in lines if line.strip() and (key := _line_key(line)) is not None}


def _line_key(line: str) -> str | None:
    try:
        return record_key(json.loads(line))
    except (ValueError, RecursionError):
        return None


def _fresh(keyed_lines: Iterable[tuple[str, str]], keys: AbstractSet[str]) -> list[str]:
    seen = set(keys)
    fresh = []
    for key, line in keyed_lines:
        if key not in seen:
            seen.add(key)
            fresh.append(line)
    return fresh


def new_lines(records: Iterable[Record], keys: AbstractSet[str]) -> list[str]:
    """The JSONL lines of the records not in `keys` and not repeated earlier in `records`."""
    return _fresh(((record_key(r), jsonl_line(r)) for r in records), keys)


def inside(path: Path | str, root: Path | str) -> bool:
    """Whether `path` lies under `root` once both are resolved (symlinks followed)."""
    try:
        return Path(path).resolve().is_relative_to(Path(root).resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return False


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def write_dataset(path: Path, lines: Sequence[str], mode: WriteMode) -> WriteResult:
    """Write JSONL lines (without their newlines) to `path`, atomically.

    create: refuse an existing file (`DatasetExistsError`); append: add the lines whose records
    are not in the file yet, keeping its bytes as they are; force: replace the file. Lines that
    repeat a record earlier in `lines` are skipped in every mode. Raises `DatasetWriteError`
    when the file cannot be written; the old file is then untouched.
    """
    # Through a symlink to the file it names, so the link stays a link.
    target = Path(os.path.realpath(path))
    if not target.parent.is_dir():
        raise DatasetWriteError(f"cannot write {path}: folder {target.parent} does not exist")
    if target.is_dir():
        raise DatasetWriteError(f"cannot write {path}: it is a folder")
    exists = target.exists()
    if exists and mode == "create":
        raise DatasetExistsError(
            f"{path} already exists: use --append to add the new records or --force to replace it"
        )
    appending = exists and mode == "append"
    try:
        keys = existing_keys(target) if appending else set()
    except OSError as error:
        raise DatasetWriteError(f"cannot read {path}: {_reason(error)}") from error

    fresh = _fresh(((_line_key(line) or line, line) for line in lines), keys)
    skipped = len(lines) - len(fresh)
    if appending and not fresh:
        return WriteResult(0, skipped)  # nothing new: leave the file as it is, mtime included
    try:
        _replace_atomically(target, fresh, appending, exists)
    except OSError as error:
        raise DatasetWriteError(f"cannot write {path}: {_reason(error)}") from error
    return WriteResult(len(fresh), skipped)


def _replace_atomically(target: Path, lines: list[str], appending: bool, exists: bool) -> None:
    old_mode = stat.S_IMODE(target.stat().st_mode) if exists else None
    descriptor, temporary = _create_temporary(target)
    try:
        try:
            if appending:
                _copy_with_final_newline(target, descriptor)
            for chunk in _encoded_chunks(lines):
                _write_all(descriptor, chunk)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        if old_mode is not None:
            temporary.chmod(old_mode)
        temporary.replace(target)  # os.replace: atomic
    except BaseException:
        with suppress(OSError):
            temporary.unlink()
        raise
    _sync_folder(target.parent)


def _create_temporary(target: Path) -> tuple[int, Path]:
    """A new file beside `target`. Created with 0o666 so the umask decides, as for any new file
    (mkstemp's 0o600 would leave a fresh dataset unreadable to the user's group)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temporary = target.with_name(f".{target.name[:100]}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {target}")


def _copy_with_final_newline(source: Path, descriptor: int) -> None:
    last = b""
    with source.open("rb") as old:
        while chunk := old.read(_CHUNK_CHARACTERS):
            _write_all(descriptor, chunk)
            last = chunk[-1:]
    if last not in (b"", b"\n"):
        _write_all(descriptor, b"\n")


def _encoded_chunks(lines: list[str]) -> Iterator[bytes]:
    batch: list[str] = []
    size = 0
    for line in lines:
        batch.append(line + "\n")
        size += len(line) + 1
        if size >= _CHUNK_CHARACTERS:
            yield "".join(batch).encode("utf-8")
            batch, size = [], 0
    if batch:
        yield "".join(batch).encode("utf-8")


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; best effort (not every platform opens folders)."""
    with suppress(OSError, AttributeError):
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
