"""Dotprompt partials on disk: `{{> style}}` is `_style.prompt` beside the prompt."""

from __future__ import annotations

import re
from pathlib import Path

from server.core.prompt_parser import PartialReader
from server.core.source_text import decode_source

# A partial name names a file beside the prompt, nothing else: no folders, no `..`.
_PARTIAL_NAME = re.compile(r"[\w.-]+")


def partials_beside(prompt: Path) -> PartialReader:
    folder = prompt.parent

    def read(name: str) -> str | None:
        if not _PARTIAL_NAME.fullmatch(name) or ".." in name:
            return None
        try:
            return decode_source((folder / f"_{name}.prompt").read_bytes()).text
        except OSError:
            return None

    return read
