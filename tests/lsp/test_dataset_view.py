"""`.jsonl` datasets open with a diagnostic per bad line and a summary on the first line."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from tests.lsp.conftest import PromptClient

URI = "file:///work/triage.train.jsonl"
GOOD = (
    '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}'
)
DATASET = "\n".join(
    [
        GOOD,
        '{"messages": [{"role": "user", "content": "No answer"}]}',
        GOOD[:-1],  # the closing brace is missing
        GOOD,
    ]
)


async def diagnostics(client: PromptClient, uri: str) -> list[types.Diagnostic]:
    for _ in range(200):
        if uri in client.lsp.diagnostics:
            return list(client.lsp.diagnostics[uri])
        await asyncio.sleep(0.05)
    raise AssertionError(f"no diagnostics for {uri}")


async def test_each_bad_line_is_a_diagnostic(client: PromptClient) -> None:
    client.open(URI, DATASET)
    found = await diagnostics(client, URI)
    assert [(d.code, d.range.start.line) for d in found] == [
        ("no-assistant", 1),
        ("json-syntax", 2),
        ("duplicate", 3),
    ]


async def test_summary_hover_on_the_first_line(client: PromptClient) -> None:
    client.open(URI, DATASET)
    await diagnostics(client, URI)
    hover = await client.lsp.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=URI),
            position=types.Position(line=0, character=3),
        )
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "too few to expect a reliable fine-tune" in hover.contents.value
    assert "Estimated training tokens" in hover.contents.value


async def test_a_dataset_is_not_read_as_a_prompt(client: PromptClient) -> None:
    client.open(URI, DATASET)
    await diagnostics(client, URI)
    symbols = await client.lsp.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=URI))
    )
    assert not symbols
    assert all(s.uri != URI for s in client.inbox.received)


async def test_too_large_dataset_points_to_the_cli(small_limit_client: PromptClient) -> None:
    small_limit_client.open(URI, GOOD * 20)
    [only] = await diagnostics(small_limit_client, URI)
    assert only.code == "too-large" and "promptweight validate" in only.message
