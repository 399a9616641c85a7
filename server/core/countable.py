"""Whether a document is counted at all: binary and oversized texts are not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DEFAULT_MAX_DOCUMENT_CHARACTERS = 4_000_000
BINARY_SNIFF_CHARACTERS = 8192


@dataclass(frozen=True)
class Skip:
    """Why a text is not counted at all."""

    code: Literal["binary", "too-large", "error", "stopped"]
    reason: str


def why_not_counted(text: str, max_characters: int) -> Skip | None:
    """Cheap: it runs before every count."""
    if len(text) > max_characters:
        return Skip(
            "too-large",
            f"document has {len(text):,} characters, over the limit of {max_characters:,} "
            "(setting promptweight.maxDocumentCharacters)",
        )
    # git's heuristic: a NUL near the start means binary, not a prompt.
    if "\x00" in text[:BINARY_SNIFF_CHARACTERS]:
        return Skip("binary", "document looks binary (it contains NUL characters)")
    return None
