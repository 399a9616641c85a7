"""Token economics in the editor: figures in documentStats, inlay hints, the code lens, the
breakdown hover, and saturation diagnostics."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from server.core.encodings import get_encoding
from tests.advisor.priced_prompts import prompty
from tests.lsp.conftest import PromptClient, start_session

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
    # The advisor's lens follows, resolved only when the editor shows it.
    assert lenses is not None and len(lenses) == 2
    assert lenses[1].command is None and lenses[1].data["kind"] == "advice"
    assert lenses[0].command is not None
    title = lenses[0].command.title
    assert title.startswith(f"{stats.input_tokens} input tokens · 0.")
    assert "% of 128k · $" in title and title.endswith("/month at 2,000 calls/day")


async def test_hover_on_the_frontmatter_shows_the_breakdown(client: PromptClient) -> None:
    client.open(URI, TEXT)
    await client.stats(URI)
    result = await client.lsp.text_document_hover_async(
        types.HoverParams(text_document=doc(), position=types.Position(line=3, character=4))
    )
    assert result is not None and isinstance(result.contents, types.MarkupContent)
    text = result.contents.value
    for row in ("System", "Few-shot examples", "Chat overhead", "Tools", "Input tokens"):
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


# gpt-4o: $2.50 input, $1.25 cached, $10 output per million. The prompt sends 1,519 tokens
# (1,507 + 3 of messages, 9 of framing) and asks 100 back, 100 times a day:
# 1,519 * 2.5e-6 + 100 * 10e-6 = 0.0047975 per call, $14.39 a month. Its static prefix, all
# before `{{ticket}}`, is 3 + 1,507 + 3 = 1,513 tokens (over gpt-4o's 1,024 minimum); each hit
# bills it 1.25e-6 a token less: 0.00189125 off.
CACHED_HOVER = [
    # advisor.cacheHitRate (None: the default, 0.5), the cached line of the hover
    pytest.param(
        None,
        # 0.0047975 - 0.5 * 0.00189125 = 0.003851875; * 100 * 30 = $11.555625
        "With prompt caching: $0.0039 per call · $11.56 per month (the 1,513-token static "
        "prefix cached on 50% of calls)",
        id="default-hit-rate",
    ),
    pytest.param(
        1.0,
        # 0.0047975 - 0.00189125 = 0.00290625; * 3,000 = $8.71875
        "With prompt caching: $0.0029 per call · $8.72 per month (the 1,513-token static "
        "prefix cached on 100% of calls)",
        id="hit-rate-from-settings",
    ),
]


@pytest.mark.parametrize(("hit_rate", "line"), CACHED_HOVER)
async def test_hover_shows_the_cached_cost_beside_the_uncached(
    server_process: LanguageClient, hit_rate: float | None, line: str
) -> None:
    options: dict[str, object] = {"debounceMs": 0}
    if hit_rate is not None:
        options["advisor.cacheHitRate"] = hit_rate
    async for client in start_session(server_process, options):
        text = prompty(model="gpt-4o", calls_per_day=100)
        client.open(URI, text)
        await client.stats(URI)
        result = await client.lsp.text_document_hover_async(
            types.HoverParams(text_document=doc(), position=types.Position(line=1, character=2))
        )
        assert result is not None and isinstance(result.contents, types.MarkupContent)
        assert "$0.0048 per call · $14.39 per month at 100 calls/day" in result.contents.value
        assert line in result.contents.value.splitlines()


async def test_hover_has_no_cached_cost_below_the_cache_minimum(client: PromptClient) -> None:
    client.open(URI, TEXT)  # a static prefix of a few dozen tokens
    await client.stats(URI)
    result = await client.lsp.text_document_hover_async(
        types.HoverParams(text_document=doc(), position=types.Position(line=3, character=4))
    )
    assert result is not None and isinstance(result.contents, types.MarkupContent)
    assert "per month" in result.contents.value
    assert "prompt caching" not in result.contents.value
