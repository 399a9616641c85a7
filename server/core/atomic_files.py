"""Writing a whole file so that readers see the old one or the new one, never half of either."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_bytes_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    """A temporary file in the same folder, flushed to disk, then renamed over `path`; on any
    failure the old file stays as it was and the temporary file is removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temporary).chmod(mode)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_new_file_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Like `write_bytes_atomically`, but never replaces a file: the finished temporary file is
    hard-linked to `path`, which fails with `FileExistsError` when something is there already,
    even when it appeared a moment ago."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temporary).chmod(mode)
        os.link(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
