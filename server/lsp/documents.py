"""Open documents that take an edit in time independent of their size.

pygls applies an incremental change by splitting the whole text into lines and writing every
line back (1.7 ms per keystroke on a 1 MB prompt, most of the server's work for it). Here the
change is spliced in at offsets read from a line index that is kept up to date across edits.
Positions are converted by pygls's own position codec, over a lazy view of the same lines that
`str.splitlines(keepends=True)` gives pygls, so an edit lands exactly where pygls would put it.
That view needs lines to end in `\n` or `\r\n`; a text with any other line break Python knows
(a lone `\r`, U+2028, form feed ...) is left to pygls.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from typing import Any, overload

from lsprotocol import types
from pygls.workspace import TextDocument, Workspace

# Line breaks of `str.splitlines` other than `\n` and `\r\n`.
_OTHER_LINE_BREAK = re.compile("\r(?!\n)|[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def newline_starts(text: str, offset: int = 0) -> list[int]:
    """`offset` plus the index after each `\n` of `text`."""
    starts, at = [], text.find("\n")
    while at != -1:
        starts.append(offset + at + 1)
        at = text.find("\n", at + 1)
    return starts


class LinesView(Sequence[str]):
    """`text.splitlines(keepends=True)`, sliced from the text only for the lines asked for."""

    def __init__(self, text: str, starts: list[int]) -> None:
        self.text = text
        self.starts = starts  # 0, then after each "\n"
        trailing_empty = bool(text) and starts[-1] == len(text)
        self._length = 0 if not text else len(starts) - trailing_empty

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._length))]
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError(index)
        end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.text)
        return self.text[self.starts[index] : end]

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(self._length))


class SplicingTextDocument(TextDocument):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._starts: list[int] | None = None  # line starts of `_source`, when it has them

    def _apply_full_change(self, change: types.TextDocumentContentChangeEvent) -> None:
        self._starts = None
        super()._apply_full_change(change)

    def _apply_incremental_change(self, change: types.TextDocumentContentChangePartial) -> None:
        source = self.source
        if self._starts is None:
            if _OTHER_LINE_BREAK.search(source):
                super()._apply_incremental_change(change)
                return
            self._starts = [0, *newline_starts(source)]
        starts = self._starts
        lines = LinesView(source, starts)
        span = self._position_codec.range_from_client_units(lines, change.range)

        def offset(line: int, character: int) -> int:
            # pygls slices the line, so a column past its end stops there.
            line_end = starts[line + 1] if line + 1 < len(starts) else len(source)
            return min(starts[line] + character, line_end)

        if span.start.line >= len(lines):  # pygls: an edit past the last line appends
            start = end = len(source)
        else:
            start = offset(span.start.line, span.start.character)
            end = (
                offset(span.end.line, span.end.character)
                if span.end.line < len(lines)
                else len(source)
            )
        inverted = (span.end.line, span.end.character) < (span.start.line, span.start.character)
        # A range the protocol does not allow (an end before its start, even one that meets
        # its start once columns are clamped): do whatever pygls does.
        if end < start or inverted:
            self._starts = None
            super()._apply_incremental_change(change)
            return
        text = change.text
        updated = source[:start] + text + source[end:]
        # Lines starting inside the replaced text are gone; the inserted text's are new.
        kept = bisect.bisect_right(starts, start)
        after = bisect.bisect_right(starts, end)
        delta = len(text) - (end - start)
        self._starts = [
            *starts[:kept],
            *newline_starts(text, start),
            *(s + delta for s in starts[after:]),
        ]
        self._source = updated
        # The edit may have made a lone `\r` or inserted another break: the next edit will look.
        if _OTHER_LINE_BREAK.search(updated, max(0, start - 1), start + len(text) + 1):
            self._starts = None


def use_splicing_documents(workspace: Workspace) -> None:
    """Make `workspace` open its text documents as `SplicingTextDocument`s."""

    # pygls makes every text document in this one method, from these two settings.
    def create(
        doc_uri: str,
        source: str | None = None,
        version: int | None = None,
        language_id: str | None = None,
    ) -> TextDocument:
        return SplicingTextDocument(
            doc_uri,
            source=source,
            version=version,
            language_id=language_id,
            sync_kind=workspace._sync_kind,
            position_codec=workspace._position_codec,
        )

    workspace._create_text_document = create  # type: ignore[method-assign]
