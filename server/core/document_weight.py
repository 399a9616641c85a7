"""The weight of one document's text: what the editor's status bar and the CLI report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from server.core.encodings import get_encoding
from server.core.token_count import count_tokens
from server.core.tokenizer_choice import choose_tokenizer

DEFAULT_MAX_DOCUMENT_CHARACTERS = 4_000_000
BINARY_SNIFF_CHARACTERS = 8192


@dataclass(frozen=True)
class DocumentWeight:
    model: str
    encoding: str
    exact: bool
    prompt_tokens: int | None
    skipped: Skip | None = None
    note: str | None = None


@dataclass(frozen=True)
class Skip:
    """Why a text is not counted at all."""

    code: Literal["binary", "too-large", "error"]
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


def weigh_text(
    text: str, model: str, max_characters: int = DEFAULT_MAX_DOCUMENT_CHARACTERS
) -> DocumentWeight:
    choice = choose_tokenizer(model)
    skipped = why_not_counted(text, max_characters)
    tokens = None if skipped else count_tokens(get_encoding(choice.encoding), text)
    return DocumentWeight(
        model=choice.model,
        encoding=choice.encoding,
        exact=choice.exact,
        prompt_tokens=tokens,
        skipped=skipped,
        note=choice.note,
    )
