"""Token economics in the editor: figures in documentStats, inlay hints, the code lens, the
breakdown hover, and saturation diagnostics."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types

from server.core.encodings import get_encoding
from tests.lsp.conftest import PromptClient

URI = "file:///work/triage.prompty"
TEXT = """---
model:
  configuration:
    name: gpt-4o
  parameters:
    max_tokens: 500
promptweight:
  callsPerDay: 2000
---
system:
Classify the ticket.
Input: printer on fire
Output: hardware

user:
{{ticket}}
"""


def o200k(text: str) -> int:
    return len(get_encoding("o200k_base").encode_ordinary(text))


def doc() -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=URI)


async def test_document_stats_carry_the_figures(client: PromptClient) -> None:
    client.open(URI, TEXT)
    stats = await client.stats(URI)
    system = o200k("Classify the ticket.\nInput: printer on fire\nOutput: hardware")
    prompt = system + o200k("{{ticket}}")
    assert (stats.model_id, stats.prompt_tokens, stats.overhead_tokens) == ("gpt-4o", prompt, 9)
    assert (stats.context_window, stats.max_output_tokens, stats.calls_per_day) == (
        128_000,
        500,
        2000,
    )
    assert stats.input_tokens == prompt + 9
    # gpt-4o lists at $2.50 / $10 per million tokens in the bundled catalog.
    assert stats.cost_per_call_usd == pytest.approx((prompt + 9) * 2.5e-6 + 500 * 10e-6)
    assert stats.cost_per_month_usd == pytest.approx(stats.cost_per_call_usd * 2000 * 30)
    assert stats.saturation == pytest.approx((prompt + 9 + 500) / 128_000)
    assert stats.breakdown is not None
    assert stats.breakdown.examples == o200k("printer on fire") + o200k("hardware")


async def test_inlay_hints_after_markers_and_examples(client: PromptClient) -> None:
    client.open(URI, TEXT)
    await client.stats(URI)
    hints = await client.lsp.text_document_inlay_hint_async(
        types.InlayHintParams(
            text_document=doc(),
            range=types.Range(types.Position(0, 0), types.Position(20, 0)),
        )
    )
    assert hints is not None
    system = o200k("Classify the ticket.\nInput: printer on fire\nOutput: hardware")
    example = o200k("printer on fire") + o200k("hardware")
    assert [(h.position.line, h.position.character, h.label) for h in hints] == [
        (9, 7, f"{system} tok"),
        (11, 22, f"{example} tok example"),
        (14, 5, f"{o200k('{{ticket}}')} tok"),
    ]


async def test_code_lens_summarises_one_call(client: PromptClient) -> None:
    client.open(URI, TEXT)
    stats = await client.stats(URI)
    lenses = await client.lsp.text_document_code_lens_async(
        types.CodeLensParams(text_document=doc())
    )
    assert lenses is not None and len(lenses) == 1
    assert lenses[0].command is not None
    title = lenses[0].command.title
    assert title.startswith(f"{stats.input_tokens} tokens · 0.")
    assert "% of 128k · $" in title and title.endswith("/month at 2,000 calls/day")


async def test_hover_on_the_frontmatter_shows_the_breakdown(client: PromptClient) -> None:
    client.open(URI, TEXT)
    await client.stats(URI)
    result = await client.lsp.text_document_hover_async(
        types.HoverParams(text_document=doc(), position=types.Position(line=3, character=4))
    )
    assert result is not None and isinstance(result.contents, types.MarkupContent)
    text = result.contents.value
    for row in ("System", "Few-shot examples", "Chat overhead", "Tools", "Input per call"):
        assert row in text
    assert "per call" in text and "per month" in text


SATURATION = [
    # budget in frontmatter, expected diagnostic code
    (0, None),
    (110_000, "context-saturation"),
    (130_000, "context-overflow"),
]


@pytest.mark.parametrize(("budget", "code"), SATURATION)
async def test_saturation_diagnostics(client: PromptClient, budget: int, code: str | None) -> None:
    text = TEXT.replace("callsPerDay: 2000", f"callsPerDay: 2000\n  budget: {budget}")
    client.open(URI, text)
    await client.stats(URI)
    for _ in range(100):
        if URI in client.lsp.diagnostics:
            break
        await asyncio.sleep(0.05)
    codes = [d.code for d in client.lsp.diagnostics[URI] if d.code != "fine-tuning-candidate"]
    assert codes == ([code] if code else [])
    if code:
        [found] = [d for d in client.lsp.diagnostics[URI] if d.code == code]
        assert found.range.start.line == 0


async def test_unknown_model_falls_back_to_the_default_and_says_so(client: PromptClient) -> None:
    client.open(URI, TEXT.replace("name: gpt-4o", "name: my-house-model"))
    stats = await client.stats(URI)
    assert stats.model_id == "gpt-4o-mini"
    for _ in range(100):
        if URI in client.lsp.diagnostics:
            break
        await asyncio.sleep(0.05)
    assert "unknown-model" in [d.code for d in client.lsp.diagnostics[URI]]


async def test_claude_is_estimated_and_marked_inexact(client: PromptClient) -> None:
    client.open(URI, TEXT.replace("name: gpt-4o", "name: claude-sonnet-4-5"))
    stats = await client.stats(URI)
    assert (stats.model_id, stats.exact) == ("claude-sonnet-4-5", False)
    assert stats.note is not None and "estimated" in stats.note
