"""Open documents apply edits by splicing: the text after any edits is pygls's, exactly."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pygls.workspace import PositionCodec, TextDocument, Workspace

from server.lsp.documents import (
    LinesView,
    SplicingTextDocument,
    newline_starts,
    use_splicing_documents,
)

URI = "file:///w/a.prompty"
PIECES = st.sampled_from(
    ["a", "word ", "\n", "\r\n", "\r", "\u2028", "\x0c", "é", "😋", "東", "user:\n", ""]
)
TEXTS = st.lists(PIECES, max_size=30).map("".join)
POSITIONS = st.builds(types.Position, st.integers(0, 12), st.integers(0, 14))
EDITS = st.lists(st.tuples(POSITIONS, POSITIONS, TEXTS), max_size=12)
ENCODINGS = st.sampled_from(
    [
        types.PositionEncodingKind.Utf16,
        types.PositionEncodingKind.Utf8,
        types.PositionEncodingKind.Utf32,
    ]
)


def edited(document: TextDocument, start: types.Position, end: types.Position, text: str) -> str:
    # pygls mutates positions it clamps, so each document gets its own copies.
    change = types.TextDocumentContentChangePartial(
        range=types.Range(
            types.Position(start.line, start.character), types.Position(end.line, end.character)
        ),
        text=text,
    )
    document.apply_change(change)
    return document.source


@settings(max_examples=500, deadline=None)
@given(TEXTS, EDITS, ENCODINGS)
def test_edits_land_where_pygls_puts_them(
    text: str, edits: list[tuple[types.Position, types.Position, str]], encoding: str
) -> None:
    codec = PositionCodec(encoding)
    reference = TextDocument(URI, text, version=1, position_codec=codec)
    splicing = SplicingTextDocument(URI, text, version=1, position_codec=codec)
    for start, end, inserted in edits:
        assert edited(splicing, start, end, inserted) == edited(reference, start, end, inserted)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("\na", (1, 0), (0, 1)),  # hypothesis found it: both ends clamp to offset 1
        ("ab\ncd", (1, 1), (0, 1)),
        ("ab\ncd", (0, 2), (0, 1)),
    ],
)
def test_an_inverted_range_is_applied_as_pygls_applies_it(
    text: str, start: tuple[int, int], end: tuple[int, int]
) -> None:
    codec = PositionCodec(types.PositionEncodingKind.Utf16)
    reference = TextDocument(URI, text, version=1, position_codec=codec)
    splicing = SplicingTextDocument(URI, text, version=1, position_codec=codec)
    first, last = types.Position(*start), types.Position(*end)
    assert edited(splicing, first, last, "X") == edited(reference, first, last, "X")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "bc", "\n", "\r\n", ""]), max_size=20).map("".join))
def test_the_lines_view_is_splitlines(text: str) -> None:
    view = LinesView(text, [0, *newline_starts(text)])
    assert list(view) == text.splitlines(keepends=True)
    assert len(view) == len(text.splitlines(keepends=True))
    if len(view):
        assert view[-1] == text.splitlines(keepends=True)[-1]


def test_a_full_change_replaces_the_text_and_forgets_the_line_index() -> None:
    document = SplicingTextDocument(URI, "system:\nHello\n", version=1)
    edited(document, types.Position(1, 5), types.Position(1, 5), "!")
    document.apply_change(types.TextDocumentContentChangeWholeDocument(text="user:\nHi\n"))
    assert edited(document, types.Position(1, 2), types.Position(1, 2), "!") == "user:\nHi!\n"


def test_the_workspace_opens_splicing_documents() -> None:
    """pygls makes documents in one place; if that changes, this fails rather than the server
    silently going back to rewriting every line on each keystroke."""
    workspace = Workspace(None, types.TextDocumentSyncKind.Incremental)
    use_splicing_documents(workspace)
    workspace.put_text_document(
        types.TextDocumentItem(uri=URI, language_id="prompty", version=1, text="user:\nHi\n")
    )
    document = workspace.get_text_document(URI)
    assert isinstance(document, SplicingTextDocument)
    assert edited(document, types.Position(1, 2), types.Position(1, 2), "!") == "user:\nHi!\n"
