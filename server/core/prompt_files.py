"""Which files are prompt files, and finding them in folders. The editor's document selector in
package.json must agree with the patterns."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path, PurePath

from server.core.safe_files import file_kind, read_regular_bytes, read_regular_inside

PROMPT_FILE_PATTERNS = (
    "*.prompty",
    "*.prompt",
    "*.prompt.md",
    "*.instructions.md",
    "*.chatmode.md",
    "*.chat.json",
    "*.chat.yaml",
    "*.chat.yml",
    "*.jinja2",
)


def is_prompt_file(path: str | PurePath) -> bool:
    name = PurePath(path).name
    return any(fnmatch(name, pattern) for pattern in PROMPT_FILE_PATTERNS)


def prompt_stem(name: str) -> str:
    """`support-triage.prompty` → `support-triage`; `review.prompt.md` → `review`: the name a
    prompt's exported dataset takes, `<stem>.train.jsonl`."""
    for pattern in sorted(PROMPT_FILE_PATTERNS, key=len, reverse=True):
        suffix = pattern.removeprefix("*")
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name.rsplit(".", 1)[0]


@dataclass(frozen=True)
class FoundFile:
    path: Path
    # The folder searched: the file is read only if it (links resolved) is still in there.
    # None for a file named on the command line, which is read wherever its links lead.
    within: Path | None = None
    skipped: str | None = None  # why the file (or folder) is not read at all


def find_prompt_files(paths: Sequence[Path]) -> Iterator[FoundFile]:
    """Files are taken as given; folders are searched for prompt files, in path order.

    A search never goes through a link to a folder, passes over links that lead out of the
    folder searched, and reads only regular files; the prompt files it passes over (and the
    folders it cannot list) come with the reason.
    """
    for path in paths:
        if path.is_dir():
            yield from sorted(_search(path), key=lambda found: found.path)
        else:
            yield FoundFile(path)


def read_found(found: FoundFile, max_bytes: int) -> bytes:
    """A found file's bytes: regular files only, at most `max_bytes`, never out of `within`."""
    if found.within is None:
        return read_regular_bytes(found.path, max_bytes)
    return read_regular_inside(found.path, found.within, max_bytes)


def _search(root: Path) -> Iterator[FoundFile]:
    real_root = Path(os.path.realpath(root))
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as error:
            yield FoundFile(folder, root, f"folder not searched: {error.strerror or error}")
            continue
        for entry in entries:
            path = Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                folders.append(path)
            elif is_prompt_file(entry.name):
                yield FoundFile(path, root, _why_not_read(path, entry, root, real_root))


def _why_not_read(path: Path, entry: os.DirEntry[str], root: Path, real_root: Path) -> str | None:
    link = entry.is_symlink()
    if link:
        target = Path(os.path.realpath(path))
        if not target.is_relative_to(real_root):
            return f"a symbolic link to {target}, outside {root}; not followed"
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "a symbolic link to a missing file" if link else "removed while searched"
    except OSError as error:
        return f"cannot read: {error.strerror or error}"
    if link and stat.S_ISDIR(mode):
        return "a symbolic link to a folder; not followed"
    if not stat.S_ISREG(mode):
        return f"not a regular file ({file_kind(mode)}); not read"
    return None
