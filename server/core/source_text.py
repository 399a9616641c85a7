"""Bytes from disk to text, keeping track of what could not be decoded."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceText:
    text: str
    invalid_count: int = 0
    first_invalid: tuple[int, int] | None = None  # (line, UTF-16 column), 0-based


def decode_source(raw: bytes) -> SourceText:
    """UTF-8 (a byte-order mark is dropped); undecodable bytes become U+FFFD, as in the editor."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return SourceText(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        first = error.start
    text = raw.decode("utf-8", errors="replace")
    before = raw[:first].decode("utf-8")
    line = before.count("\n")
    column_text = before[before.rfind("\n") + 1 :]
    column = len(column_text.encode("utf-16-le")) // 2
    invalid = len(raw) - len(raw.decode("utf-8", errors="ignore").encode("utf-8"))
    return SourceText(text, invalid_count=invalid, first_invalid=(line, column))
