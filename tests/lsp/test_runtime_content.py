"""Runtime content in the editor: what a placeholder's hover says, and the loop diagnostic."""

from __future__ import annotations

import pytest
from lsprotocol import types

from tests.lsp.conftest import PromptClient
from tests.lsp.test_editor_features import diagnostics_for

URI = "file:///work/runtime.prompty"
TEXT = """---
inputs:
  talk:
    kind: thread
  photo:
    kind: image
---
system:
Be brief.
{% for m in history %}{{m.role}}:
{{m.content}}{% endfor %}

user:
{{talk}}
{{photo}}
"""


async def hover_at(client: PromptClient, line: int, character: int) -> str:
    client.open(URI, TEXT)
    await client.stats(URI)
    result = await client.lsp.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=URI),
            position=types.Position(line=line, character=character),
        )
    )
    assert result is not None and isinstance(result.contents, types.MarkupContent)
    return result.contents.value


HOVERS = [
    (13, 3, "**conversation history**", "promptweight.budgetTokens"),
    (14, 3, "**image**", "the provider bills it by its own rules"),
    (9, 3, "**conversation history**, written out by this loop", "promptweight.budgetTokens"),
]


@pytest.mark.parametrize(("line", "character", "starts", "says"), HOVERS)
async def test_placeholder_hover_says_where_its_cost_goes(
    client: PromptClient, line: int, character: int, starts: str, says: str
) -> None:
    value = await hover_at(client, line, character)
    assert value.startswith(starts) and says in value


async def test_conversation_loop_is_an_information_diagnostic(client: PromptClient) -> None:
    client.open(URI, TEXT)
    await client.stats(URI)
    found = await diagnostics_for(client, URI)
    assert [(d.code, d.severity, d.range.start, d.range.end) for d in found] == [
        (
            "runtime-conversation",
            types.DiagnosticSeverity.Information,
            types.Position(9, 0),
            types.Position(10, 25),
        )
    ]
