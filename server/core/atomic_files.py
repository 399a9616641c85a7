"""Writing a whole file so that readers see the old one or the new one, never half of either."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def _via_temporary(
    path: Path, data: bytes, mode: int, put_in_place: Callable[[Path, Path], object]
) -> None:
    """`data` in a temporary file beside `path`, flushed to disk, then `put_in_place(temporary,
    path)`; the temporary file never outlives the call."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        temporary.chmod(mode)
        put_in_place(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)  # after a rename or a link, only a name goes


def write_bytes_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Renamed over `path` once whole: on any failure the old file stays as it was."""
    _via_temporary(path, data, mode, lambda temporary, target: temporary.replace(target))


def write_new_file_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Like `write_bytes_atomically`, but never replaces a file: the finished temporary file is
    hard-linked to `path`, which fails with `FileExistsError` when something is there already,
    even when it appeared a moment ago."""
    _via_temporary(path, data, mode, lambda temporary, target: os.link(temporary, target))
