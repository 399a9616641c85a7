"""Which files are prompt files. The editor's document selector in package.json must agree."""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import PurePath

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
