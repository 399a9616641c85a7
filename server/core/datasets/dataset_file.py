"""A JSONL dataset on disk, written so that a failure never costs the user their old file.

Every write goes to a temporary file beside the dataset, is flushed to disk, and only then
takes the dataset's name (`os.replace`, atomic on one filesystem). Until that moment the old
file is untouched; after any failure the temporary file is removed. A dataset is never
written through a symbolic link (the write is refused), and only regular files are read.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
from collections.abc import Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from server.core.datasets.export import Record, jsonl_line, record_key
from server.core.safe_files import file_kind, lines_within, open_regular

WriteMode = Literal["create", "append", "force"]
WRITE_MODES: tuple[WriteMode, ...] = ("create", "append", "force")

_CHUNK_CHARACTERS = 1 << 20  # lines are written in batches of about this size
_BOM = b"\xef\xbb\xbf"


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


def existing_keys(path: Path, *, follow_links: bool = True) -> set[str]:
    """The keys (`record_key`) of the records already in a JSONL file; none if it is absent.

    Streams the file line by line; blank lines and lines that are not JSON are passed over.
    Only a regular file is read (`OSError` otherwise), and a link only with `follow_links`.
    """
    try:
        stream = open_regular(path, follow_links=follow_links)
    except FileNotFoundError:
        return set()
    with stream:
        return _keys_of_stream(stream)


def _keys_of_stream(stream: BinaryIO) -> set[str]:
    """The keys of the lines of a file opened in binary, as far as it went when opened."""
    lines = lines_within(stream, os.fstat(stream.fileno()).st_size)
    # Decoded as in a text file opened with utf-8-sig, errors="replace" and newline="":
    # a byte-order mark some editors add would make the first line unreadable, and a lone \r
    # ends a line too (JSON strings hold no raw \r, so splitting on it cuts no record).
    texts = (
        line.removeprefix(_BOM if number == 0 else b"").decode("utf-8", errors="replace")
        for number, line in enumerate(lines)
    )
    return keys_of_lines(piece for text in texts for piece in text.split("\r"))


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


def check_dataset_target(path: Path) -> os.stat_result | None:
    """The dataset file's own status (`lstat`), None when there is none yet. A dataset is never
    written through a symbolic link, dangling or not, nor over anything but a regular file:
    `DatasetWriteError` says so."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise DatasetWriteError(f"cannot write {path}: {_reason(error)}") from error
    if stat.S_ISLNK(status.st_mode):
        raise DatasetWriteError(
            f"cannot write {path}: it is a symbolic link, and a dataset is never written "
            "through one; name a regular file"
        )
    if stat.S_ISDIR(status.st_mode):
        raise DatasetWriteError(f"cannot write {path}: it is a folder")
    if not stat.S_ISREG(status.st_mode):
        raise DatasetWriteError(
            f"cannot write {path}: not a regular file ({file_kind(status.st_mode)})"
        )
    return status


def write_dataset(path: Path, lines: Sequence[str], mode: WriteMode) -> WriteResult:
    """Write JSONL lines (without their newlines) to `path`, atomically.

    create: refuse an existing file (`DatasetExistsError`); append: add the lines whose records
    are not in the file yet, keeping its bytes as they are; force: replace the file. Lines that
    repeat a record earlier in `lines` are skipped in every mode. Raises `DatasetWriteError`
    when the file cannot be written (a symbolic link or not a regular file among the reasons:
    `check_dataset_target`); the old file is then untouched.
    """
    status = check_dataset_target(path)
    if not path.parent.is_dir():
        raise DatasetWriteError(f"cannot write {path}: folder {path.parent} does not exist")
    if status is not None and mode == "create":
        raise DatasetExistsError(
            f"{path} already exists: use --append to add the new records or --force to replace it"
        )
    appending = status is not None and mode == "append"
    with ExitStack() as cleanup:
        old: BinaryIO | None = None
        keys: set[str] = set()
        if appending:
            try:
                # The same descriptor gives the keys and the bytes to copy; never a link.
                old = cleanup.enter_context(open_regular(path, follow_links=False))
                keys = _keys_of_stream(old)
            except OSError as error:
                raise DatasetWriteError(f"cannot read {path}: {_reason(error)}") from error

        fresh = _fresh(((_line_key(line) or line, line) for line in lines), keys)
        skipped = len(lines) - len(fresh)
        if appending and not fresh:
            return WriteResult(0, skipped)  # nothing new: leave the file as it is, mtime included
        try:
            _replace_atomically(path, fresh, old, status)
        except OSError as error:
            raise DatasetWriteError(f"cannot write {path}: {_reason(error)}") from error
    return WriteResult(len(fresh), skipped)


def _replace_atomically(
    target: Path, lines: list[str], old: BinaryIO | None, status: os.stat_result | None
) -> None:
    """`os.replace` renames over the name itself: a link put there meanwhile is replaced, not
    followed."""
    descriptor, temporary = _create_temporary(target)
    try:
        try:
            if old is not None:
                _copy_with_final_newline(old, descriptor)
            for chunk in _encoded_chunks(lines):
                _write_all(descriptor, chunk)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        if status is not None:
            temporary.chmod(stat.S_IMODE(status.st_mode))
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


def _copy_with_final_newline(old: BinaryIO, descriptor: int) -> None:
    """The old file's bytes, as far as it went when opened, ending with a newline."""
    old.seek(0)
    left = os.fstat(old.fileno()).st_size
    last = b""
    while left > 0 and (chunk := old.read(min(left, _CHUNK_CHARACTERS))):
        _write_all(descriptor, chunk)
        left -= len(chunk)
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
