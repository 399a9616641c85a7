"""The server keeps serving beside hostile documents: a 1 MB chat file on one line gets its
outline, with exact positions, and a small prompt opened beside it gets its figures."""

from __future__ import annotations

from lsprotocol import types

from tests.hostile.test_positions_and_caps import one_line_chat
from tests.lsp.conftest import PromptClient


async def test_the_server_answers_the_outline_of_a_one_line_chat_file(
    client: PromptClient,
) -> None:
    text = one_line_chat(20_000)  # about 880 KB on one line
    uri = "file:///work/history.chat.json"
    client.open(uri, text)
    normal = "file:///work/small.prompty"
    client.open(normal, "system:\nBe brief.\nuser:\n{{q}}\n")
    assert (await client.stats(normal)).prompt_tokens
    symbols = await client.lsp.text_document_document_symbol_async(
        types.DocumentSymbolParams(types.TextDocumentIdentifier(uri=uri))
    )
    assert symbols is not None
    starts = [s.range.start for s in symbols if isinstance(s, types.DocumentSymbol)]
    messages = [s for s in symbols if isinstance(s, types.DocumentSymbol) and s.name != "example"]
    assert len(messages) >= 20_001
    last = text.rindex('{"role"')
    assert (starts[-1].line, starts[-1].character) == (0, len(text[:last].encode("utf-16-le")) // 2)
