"""What the editor shows besides the count: diagnostics, outline, folding and hovers."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from server.core.encodings import get_encoding
from tests.lsp.conftest import PromptClient

URI = "file:///work/triage.prompty"
TEXT = """---
name: triage
---
system:
Classify the ticket.
Input: printer on fire
Output: hardware

user:
The VPN drops every hour.

assistant:
network

user:
{{ticket}}
"""


def o200k(text: str) -> int:
    return len(get_encoding("o200k_base").encode_ordinary(text))


def doc() -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=URI)


async def opened(client: PromptClient, text: str = TEXT) -> None:
    client.open(URI, text)
    await client.stats(URI)


async def diagnostics_for(client: PromptClient, uri: str) -> list[types.Diagnostic]:
    for _ in range(100):
        if uri in client.lsp.diagnostics:
            return list(client.lsp.diagnostics[uri])
        await asyncio.sleep(0.05)
    raise AssertionError(f"no diagnostics published for {uri}")


async def test_outline_lists_messages_with_their_tokens(client: PromptClient) -> None:
    await opened(client)
    symbols = await client.lsp.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=doc())
    )
    assert symbols is not None
    outline = [(s.name, s.detail) for s in symbols if isinstance(s, types.DocumentSymbol)]
    system = "Classify the ticket.\nInput: printer on fire\nOutput: hardware"
    assert outline == [
        ("system", f"{o200k(system)} tokens"),
        ("user", f"{o200k('The VPN drops every hour.')} tokens"),
        ("example 2", f"{o200k('The VPN drops every hour.') + o200k('network')} tokens"),
        ("assistant", f"{o200k('network')} tokens"),
        ("user", f"{o200k('{{ticket}}')} tokens"),
    ]


async def test_in_text_examples_nest_under_their_message(client: PromptClient) -> None:
    await opened(client)
    symbols = await client.lsp.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=doc())
    )
    assert symbols is not None and isinstance(symbols[0], types.DocumentSymbol)
    children = symbols[0].children or []
    assert [(c.name, c.range.start.line, c.range.end.line) for c in children] == [
        ("example 1", 5, 6)
    ]


async def test_folding_per_frontmatter_message_and_example(client: PromptClient) -> None:
    await opened(client)
    ranges = await client.lsp.text_document_folding_range_async(
        types.FoldingRangeParams(text_document=doc())
    )
    assert ranges is not None
    assert [(r.start_line, r.end_line) for r in ranges] == [
        (0, 2),  # frontmatter
        (3, 7),  # system message: from the body start to the next marker
        (5, 6),  # the Input/Output example
        (8, 10),  # user
        (8, 13),  # the chat pair
        (11, 13),  # assistant
        (14, 15),  # last user
    ]


async def test_hover_on_a_role_marker_shows_its_tokens(client: PromptClient) -> None:
    await opened(client)
    result = await client.lsp.text_document_hover_async(
        types.HoverParams(text_document=doc(), position=types.Position(line=11, character=3))
    )
    assert result is not None and isinstance(result.contents, types.MarkupContent)
    value = result.contents.value
    assert value.startswith(f"**assistant** message: {o200k('network')} content tokens")
    assert result.range is not None and result.range.start == types.Position(11, 0)


async def test_hover_elsewhere_in_text_shows_nothing(client: PromptClient) -> None:
    await opened(client)
    result = await client.lsp.text_document_hover_async(
        types.HoverParams(text_document=doc(), position=types.Position(line=4, character=4))
    )
    assert result is None


async def test_parse_problems_are_diagnostics_with_codes_and_ranges(client: PromptClient) -> None:
    client.open(
        URI, "---\nmodel: [unclosed\n---\nsystem:\nA\nuser:\n\nassistant:\nB\n# narrator:\n"
    )
    await client.stats(URI)
    found = await diagnostics_for(client, URI)
    assert [(d.code, d.range.start.line, d.severity) for d in found] == [
        ("frontmatter-yaml", 2, types.DiagnosticSeverity.Error),
        ("empty-message", 5, types.DiagnosticSeverity.Warning),
        ("unknown-role", 9, types.DiagnosticSeverity.Warning),
    ]
    assert all(d.source == "promptweight" for d in found)


async def test_fixing_the_problem_clears_its_diagnostic(client: PromptClient) -> None:
    client.open(URI, "system:\nA\nuser:\n")
    await client.stats(URI)
    assert [d.code for d in await diagnostics_for(client, URI)] == ["empty-message"]
    end = types.Position(line=3, character=0)
    version = client.edit(URI, types.Range(end, end), "filled")
    await client.stats(URI, version)
    await asyncio.sleep(0.1)
    assert list(client.lsp.diagnostics[URI]) == []


async def test_a_chat_named_file_without_messages_is_not_counted_and_is_an_error(
    client: PromptClient,
) -> None:
    uri = "file:///work/package.chat.json"
    client.open(uri, '{"name": "not a chat", "version": "1.0.0"}')
    stats = await client.stats(uri)
    assert (stats.format, stats.prompt_tokens) == (None, None)
    [diagnostic] = await diagnostics_for(client, uri)
    assert (diagnostic.code, diagnostic.range.start.line) == ("not-chat", 0)
    assert diagnostic.severity == types.DiagnosticSeverity.Error
