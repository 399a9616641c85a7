"""Opening files that someone else may have put there: regular files only, bounded, no hangs.

A path named by a prompt, a folder walk or a dataset option can be a FIFO (whose open blocks
until a writer comes), a device (`/dev/zero` never ends), or a link to anywhere. Every read
here opens with `O_NONBLOCK` (so a FIFO cannot block the open), then checks `S_ISREG` on the
`fstat` of the descriptor it opened (not on a separate `stat`, which a swap could outrun), and
reads at most a given number of bytes. Refusals are `OSError`s whose `strerror` says why, so
callers that already report unreadable files report these the same way.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_READ_FLAGS = (
    os.O_RDONLY
    | _NONBLOCK
    | getattr(os, "O_NOCTTY", 0)  # a terminal device must not become the controlling one
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_READ_CHUNK = 1 << 20


class UnsafeFileError(OSError):
    """A file that is not read: not a regular file, a link where none is followed, or outside
    the folder it must be in. `strerror` is the reason, worded for the user."""

    def __init__(self, code: int, reason: str, path: str | os.PathLike[str]) -> None:
        super().__init__(code, reason, os.fspath(path))


class FileTooLargeError(OSError):
    """A regular file over the size limit; `size` is None when it grew past it while read."""

    def __init__(self, path: str | os.PathLike[str], size: int | None, limit: int) -> None:
        self.size, self.limit = size, limit
        shown = f"{size:,} bytes" if size is not None else f"over {limit:,} bytes"
        super().__init__(errno.EFBIG, f"file is {shown}, over the limit of {limit:,} bytes")
        self.filename = os.fspath(path)


def file_kind(mode: int) -> str:
    """What a non-regular file is, for messages: `a FIFO`, `a character device`, ..."""
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISLNK, "a symbolic link"),
    )
    return next((kind for test, kind in kinds if test(mode)), "not a regular file")


def not_regular(path: str | os.PathLike[str], mode: int) -> UnsafeFileError:
    if stat.S_ISLNK(mode):
        return UnsafeFileError(errno.ELOOP, "a symbolic link, not followed here", path)
    code = errno.EISDIR if stat.S_ISDIR(mode) else errno.EINVAL
    return UnsafeFileError(code, f"not a regular file ({file_kind(mode)})", path)


def open_regular_fd(
    path: str | os.PathLike[str], *, follow_links: bool = True, dir_fd: int | None = None
) -> tuple[int, os.stat_result]:
    """A read-only descriptor of the regular file at `path` (blocking again once it is known to
    be regular) and its `fstat`. With `follow_links=False` a link at `path` itself is refused;
    `dir_fd` as for `os.open`. Raises `OSError` (`UnsafeFileError` for a refusal)."""
    flags = _READ_FLAGS | (0 if follow_links else _NOFOLLOW)
    # A first look, so that a device is not even opened (opening some has effects). The check
    # that counts is the fstat below; when this look fails, the open reports why.
    try:
        first: os.stat_result | None = os.stat(path, dir_fd=dir_fd, follow_symlinks=follow_links)
    except OSError:
        first = None
    if first is not None and not stat.S_ISREG(first.st_mode):
        raise not_regular(path, first.st_mode)
    try:
        descriptor = os.open(path, flags, dir_fd=dir_fd)
    except OSError as error:
        if not follow_links and error.errno in (errno.ELOOP, errno.EMLINK):
            raise UnsafeFileError(
                errno.ELOOP, "a symbolic link, not followed here", path
            ) from error
        raise
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise not_regular(path, status.st_mode)
        if _NONBLOCK:
            os.set_blocking(descriptor, True)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor, status


def open_regular(path: str | os.PathLike[str], *, follow_links: bool = True) -> BinaryIO:
    """The regular file at `path` opened for reading in binary (see `open_regular_fd`)."""
    descriptor, _ = open_regular_fd(path, follow_links=follow_links)
    return os.fdopen(descriptor, "rb")


def read_descriptor(
    descriptor: int, size: int, max_bytes: int, path: str | os.PathLike[str]
) -> bytes:
    """At most `max_bytes` from an open regular file whose fstat size is `size`."""
    if size > max_bytes:
        raise FileTooLargeError(path, size, max_bytes)
    chunks: list[bytes] = []
    left = max_bytes + 1  # one byte more tells a file that grew past the limit
    while left > 0 and (chunk := os.read(descriptor, min(left, _READ_CHUNK))):
        chunks.append(chunk)
        left -= len(chunk)
    if left <= 0:
        raise FileTooLargeError(path, None, max_bytes)
    return b"".join(chunks)


def read_regular_bytes(
    path: str | os.PathLike[str], max_bytes: int, *, follow_links: bool = True
) -> bytes:
    """The bytes of the regular file at `path`, refused beyond `max_bytes` (unread when its size
    already says so)."""
    descriptor, status = open_regular_fd(path, follow_links=follow_links)
    try:
        return read_descriptor(descriptor, status.st_size, max_bytes, path)
    finally:
        os.close(descriptor)


def resolved_inside(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> Path | None:
    """`path` with every link resolved, if that lies in `folder` (resolved too), else None."""
    target, root = Path(os.path.realpath(path)), Path(os.path.realpath(folder))
    return target if target.is_relative_to(root) else None


def read_regular_inside(
    path: str | os.PathLike[str], folder: str | os.PathLike[str], max_bytes: int
) -> bytes:
    """Like `read_regular_bytes`, but only if `path`, links resolved, lies in `folder`.

    Links are resolved once; the file is then opened component by component from the folder
    with `O_NOFOLLOW`, so a link swapped in after the check is refused, not followed out.
    """
    target, root = os.path.realpath(path), os.path.realpath(folder)
    if not Path(target).is_relative_to(root):
        raise UnsafeFileError(
            errno.EACCES, f"a link to {target}, outside {folder}; not followed", path
        )
    if not (_NOFOLLOW and _DIRECTORY and os.open in os.supports_dir_fd):
        return read_regular_bytes(target, max_bytes, follow_links=False)
    *folders, name = Path(target).relative_to(root).parts or (".",)
    descriptor = os.open(root, os.O_RDONLY | _DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    try:
        for part in folders:
            inner = os.open(part, os.O_RDONLY | _DIRECTORY | _NOFOLLOW, dir_fd=descriptor)
            os.close(descriptor)
            descriptor = inner
        file, status = open_regular_fd(name, follow_links=False, dir_fd=descriptor)
    finally:
        os.close(descriptor)
    try:
        return read_descriptor(file, status.st_size, max_bytes, path)
    finally:
        os.close(file)


def lines_within(stream: BinaryIO, limit: int) -> Iterator[bytes]:
    """The lines of `stream` (each with its `\\n`) up to `limit` bytes in all: a file that keeps
    growing is read as far as it was when it was opened."""
    left = limit
    while left > 0 and (line := stream.readline(left)):
        left -= len(line)
        yield line
