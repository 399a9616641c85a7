"""The editor checks `promptweight.train.yaml` as it is typed."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from tests.lsp.conftest import PromptClient
from tests.lsp.test_editor_features import diagnostics_for

URI = "file:///work/promptweight.train.yaml"
TEXT = "name: triage\nbaseModel: models/base\ndatasets: [a.jsonl]\nbatchSize: 0\n"


async def test_a_bad_value_is_a_diagnostic_at_the_value(client: PromptClient) -> None:
    client.open(URI, TEXT)
    [diagnostic] = await diagnostics_for(client, URI)
    assert diagnostic.code == "train-config" and "batchSize" in diagnostic.message
    assert diagnostic.range == types.Range(types.Position(3, 11), types.Position(3, 12))


async def test_fixing_it_clears_the_diagnostic(client: PromptClient) -> None:
    client.open(URI, TEXT)
    await diagnostics_for(client, URI)
    client.edit(URI, types.Range(types.Position(3, 11), types.Position(3, 12)), "4")
    for _ in range(100):
        if not client.lsp.diagnostics.get(URI, [None]):
            break
        await asyncio.sleep(0.05)
    assert list(client.lsp.diagnostics[URI]) == []
