"""End to end over stdio: edits go in, `promptweight/documentStats` with tiktoken's count out."""

from __future__ import annotations

import pytest
from lsprotocol import types

from server.core.encodings import get_encoding
from server.core.formats.prompty import parse_prompty
from shared_schemas.methods import COUNT_SELECTION
from tests.lsp.conftest import PromptClient

URI = "file:///work/examples/triage.prompty"
START = "system:\nYou are terse.\n\nuser:\n{{question}}\n"


def pos(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


def o200k(text: str) -> int:
    return len(get_encoding("o200k_base").encode_ordinary(text))


def message_tokens(text: str) -> int:
    """What the server must report: the tokens of every message's content, per the core."""
    document = parse_prompty(text)
    return sum(o200k(m.content) for m in document.messages)


def apply_edit(text: str, start: tuple[int, int], end: tuple[int, int], new_text: str) -> str:
    """What the editor does to its copy: LSP positions are (line, UTF-16 column)."""

    def offset(line: int, column: int) -> int:
        lines = text.split("\n")
        prefix = lines[line].encode("utf-16-le")[: 2 * column].decode("utf-16-le")
        return sum(len(lines[i]) + 1 for i in range(line)) + len(prefix)

    return text[: offset(*start)] + new_text + text[offset(*end) :]


# Each edit: (start, end, new text) in the document as it stands after the ones before it.
EDITS = [
    ((1, 14), (1, 14), " Cite sources."),  # insert
    ((0, 0), (0, 0), "---\nmodel: gpt-4o\n---\n"),  # insert lines at the top
    ((4, 8), (4, 13), "brief"),  # replace a word
    ((7, 0), (8, 0), ""),  # delete a line
    ((7, 0), (7, 0), "Emoji 🧪 and 東京\n"),  # non-ASCII
    ((7, 8), (7, 8), "!"),  # after a surrogate pair: column 8 in UTF-16
    ((3, 0), (8, 0), ""),  # delete across lines
]


async def test_open_reports_tiktokens_count(client: PromptClient) -> None:
    client.open(URI, START)
    stats = await client.stats(URI)
    assert (stats.prompt_tokens, stats.format, stats.model, stats.encoding, stats.exact) == (
        o200k("You are terse.") + o200k("{{question}}"),
        "prompty",
        "gpt-4o-mini",
        "o200k_base",
        True,
    )


async def test_plain_text_prompt_counts_its_whole_text(client: PromptClient) -> None:
    uri = "file:///work/plain.prompt"
    text = "  Summarise the following article in three bullet points.\n\n{{article}}\n"
    client.open(uri, text)
    assert (await client.stats(uri)).prompt_tokens == o200k(text.strip())


async def test_every_incremental_edit_is_recounted(client: PromptClient) -> None:
    client.open(URI, START)
    await client.stats(URI)
    text = START
    for start, end, new_text in EDITS:
        version = client.edit(URI, types.Range(pos(*start), pos(*end)), new_text)
        text = apply_edit(text, start, end, new_text)
        stats = await client.stats(URI, version)
        assert stats.prompt_tokens == message_tokens(text), f"at version {version}: {text!r}"


async def test_debounced_burst_reports_only_the_final_version(
    debounced_client: PromptClient,
) -> None:
    debounced_client.open(URI, "")
    await debounced_client.stats(URI)
    text = ""
    for i, char in enumerate("hello world"):
        debounced_client.edit(URI, types.Range(pos(0, i), pos(0, i)), char)
        text += char
    final = await debounced_client.stats(URI)
    assert final.prompt_tokens == message_tokens(text)
    reported = [s.version for s in debounced_client.inbox.received if s.uri == URI]
    assert reported == [1, final.version]


async def test_documents_are_counted_independently(client: PromptClient) -> None:
    other = "file:///work/examples/other.prompt"
    client.open(URI, START)
    client.open(other, "one two three")
    assert (await client.stats(URI)).prompt_tokens == message_tokens(START)
    assert (await client.stats(other)).prompt_tokens == o200k("one two three")


@pytest.mark.parametrize(
    ("selection", "expected_text"),
    [
        ([((1, 0), (1, 14))], "You are terse."),
        ([((0, 0), (0, 7)), ((3, 0), (3, 5))], "system:user:"),
        ([((4, 0), (5, 0))], "{{question}}\n"),
    ],
)
async def test_count_selection(
    client: PromptClient,
    selection: list[tuple[tuple[int, int], tuple[int, int]]],
    expected_text: str,
) -> None:
    client.open(URI, START)
    await client.stats(URI)
    ranges = [
        {"start": {"line": s[0], "character": s[1]}, "end": {"line": e[0], "character": e[1]}}
        for s, e in selection
    ]
    result = await client.lsp.protocol.send_request_async(
        COUNT_SELECTION.name, {"uri": URI, "ranges": ranges}
    )
    assert result["tokens"] == o200k(expected_text)
