"""Bad input: the server says what it can, logs the rest, and keeps serving other documents."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types

from server.core.encodings import get_encoding
from shared_schemas.methods import COUNT_SELECTION
from tests.lsp.conftest import PromptClient

GOOD = "file:///work/good.prompty"


def o200k(text: str) -> int:
    return len(get_encoding("o200k_base").encode_ordinary(text))


async def assert_still_serving(client: PromptClient) -> None:
    client.open(GOOD, "still counting")
    assert (await client.stats(GOOD)).prompt_tokens == o200k("still counting")


async def test_binary_document_is_reported_not_counted(client: PromptClient) -> None:
    uri = "file:///work/image.prompt"
    client.open(uri, "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    stats = await client.stats(uri)
    assert stats.prompt_tokens is None
    assert stats.skipped_reason is not None and "binary" in stats.skipped_reason
    await assert_still_serving(client)


async def test_50_mb_document_is_reported_not_counted(client: PromptClient) -> None:
    uri = "file:///work/huge.prompt"
    client.open(uri, "word " * (10 * 1024 * 1024))
    stats = await client.stats(uri)
    assert stats.prompt_tokens is None
    assert stats.skipped_reason is not None and "maxDocumentCharacters" in stats.skipped_reason
    await assert_still_serving(client)


async def test_document_limit_comes_from_initialization_options(
    small_limit_client: PromptClient,
) -> None:
    uri = "file:///work/a.prompt"
    small_limit_client.open(uri, "x" * 1001)
    assert (await small_limit_client.stats(uri)).prompt_tokens is None


async def test_invalid_utf8_decoded_as_lone_surrogates_counts_as_replacement(
    client: PromptClient,
) -> None:
    uri = "file:///work/latin1.prompty"
    client.open(uri, "caf\udce9 au lait")  # how surrogateescape carries an undecodable byte
    assert (await client.stats(uri)).prompt_tokens == o200k("caf\ufffd au lait")


async def test_file_deleted_while_open_keeps_being_counted(
    client: PromptClient, tmp_path: Path
) -> None:
    path = tmp_path / "gone.prompty"
    path.write_text("user:\nhello")
    uri = path.as_uri()
    client.open(uri, path.read_text())
    await client.stats(uri)
    path.unlink()
    end = types.Position(line=1, character=5)
    version = client.edit(uri, types.Range(end, end), " world")
    assert (await client.stats(uri, version)).prompt_tokens == o200k("hello world")


async def test_edits_for_a_document_never_opened_are_ignored(client: PromptClient) -> None:
    uri = "file:///work/never-opened.prompty"
    client.versions[uri] = 1
    start = types.Position(line=0, character=0)
    client.edit(uri, types.Range(start, start), "text")
    await assert_still_serving(client)
    assert all(s.uri != uri for s in client.inbox.received)


async def test_selection_of_a_document_not_open_has_no_count(client: PromptClient) -> None:
    result = await client.lsp.protocol.send_request_async(
        COUNT_SELECTION.name, {"uri": "file:///work/not-open.prompt", "ranges": []}
    )
    assert result["tokens"] is None


async def test_malformed_request_is_an_error_response(client: PromptClient) -> None:
    with pytest.raises(Exception, match="ranges"):
        await client.lsp.protocol.send_request_async(
            COUNT_SELECTION.name, {"uri": GOOD, "ranges": "all of it"}
        )
    await assert_still_serving(client)


async def test_invalid_settings_fall_back_to_defaults_and_say_so(
    misconfigured_client: PromptClient,
) -> None:
    await assert_still_serving(misconfigured_client)
    stats = await misconfigured_client.stats(GOOD)
    assert stats.model == "gpt-4o-mini"
    shown = [m.message for m in misconfigured_client.lsp.messages]
    assert any("invalid settings" in m for m in shown)


async def test_json_syntax_error_is_a_diagnostic_at_the_error(client: PromptClient) -> None:
    uri = "file:///work/broken.chat.json"
    client.open(uri, '[\n  {"role": "user", "content": "hi"}\n  {"role": "user"}\n]')
    stats = await client.stats(uri)
    assert (stats.format, stats.prompt_tokens) == ("chat-json", 0)
    for _ in range(100):
        if client.lsp.diagnostics.get(uri):
            break
        await asyncio.sleep(0.05)
    [diagnostic] = client.lsp.diagnostics[uri]
    assert (diagnostic.code, diagnostic.range.start.line) == ("json-syntax", 2)
    await assert_still_serving(client)


async def test_unclosed_example_is_a_diagnostic(client: PromptClient) -> None:
    uri = "file:///work/unclosed.prompty"
    client.open(uri, "system:\nClassify.\n<example>\n<input>a</input>\n")
    await client.stats(uri)
    for _ in range(100):
        if client.lsp.diagnostics.get(uri):
            break
        await asyncio.sleep(0.05)
    assert [(d.code, d.range.start.line) for d in client.lsp.diagnostics[uri]] == [
        ("unclosed-example", 2)
    ]


async def test_each_bad_setting_falls_back_alone(partly_misconfigured_client: PromptClient) -> None:
    client = partly_misconfigured_client
    client.open(GOOD, "---\nmodel: house-model\n---\nuser:\nHi")
    stats = await client.stats(GOOD)
    # The good values are kept; each bad one is replaced by its default and named.
    assert (stats.max_output_tokens, stats.calls_per_day, stats.budget_tokens) == (256, 1000, 0)
    assert (stats.model_id, stats.context_window) == ("house-model", 32_000)
    [shown] = [m.message for m in client.lsp.messages]
    for name in ("callsPerDay", "budgetTokens", "broken-window"):
        assert name in shown
