"""Dotprompt partials on disk: `{{> style}}` is `_style.prompt` beside the prompt."""

from __future__ import annotations

import errno
import re
from pathlib import Path

from server.core.countable import DEFAULT_MAX_DOCUMENT_CHARACTERS
from server.core.prompt_parser import PartialReader
from server.core.safe_files import read_regular_inside
from server.core.source_text import decode_source

# A partial name names a file beside the prompt, nothing else: no folders, no `..`.
# Linear: one class run, matched whole.
_PARTIAL_NAME = re.compile(r"[\w.-]+")


def read_partial(folder: Path, name: str, max_characters: int) -> str:
    """The text of `_{name}.prompt` in `folder`. Raises `OSError` when it cannot be read:
    absent, a bad name, not a regular file (a FIFO, a device), a link out of `folder`, or over
    `max_characters`."""
    if not _PARTIAL_NAME.fullmatch(name) or ".." in name:
        raise FileNotFoundError(f"not a partial name: {name!r}")
    path = folder / f"_{name}.prompt"
    # UTF-8 needs at most 4 bytes a character: the bytes are bounded before they are decoded.
    text = decode_source(read_regular_inside(path, folder, 4 * max_characters)).text
    if len(text) > max_characters:
        reason = f"{len(text):,} characters, over the limit of {max_characters:,}"
        raise OSError(errno.EFBIG, reason, str(path))
    return text


def partials_beside(
    prompt: Path, max_characters: int = DEFAULT_MAX_DOCUMENT_CHARACTERS
) -> PartialReader:
    """Reads partials beside `prompt`; an absent partial is None, one refused (not a regular
    file, a link out of the folder, too large) raises `OSError` saying why. One reader serves
    one analysis: all it reads together stays within `max_characters`, however many partials
    the prompt includes."""
    folder = prompt.parent
    left = max_characters

    def read(name: str) -> str | None:
        """None when absent; other refusals raise `OSError`, whose reason the parser shows."""
        nonlocal left
        try:
            text = read_partial(folder, name, left)
        except FileNotFoundError:
            return None
        left -= len(text)
        return text

    return read
