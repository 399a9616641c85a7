"""Prompt caching: the static prefix of a prompt, and its cost per call once cached."""

from __future__ import annotations

import json

import pytest

from server.core.advisor.caching import cached_cost, static_prefix_tokens
from shared_schemas.model_catalog import ModelOverride
from tests.advisor.priced_prompts import analysed, cats, prompty

HEAD = "---\nmodel:\n  configuration:\n    name: gpt-4o-mini\n---\n"

PREFIXES = [
    pytest.param(
        prompty(),
        "triage.prompty",
        (1507, 3),
        # 3 (system framing) + 1,507 (system) + 3 (user framing) + 0 (`{{ticket}}` opens it)
        1513,
        id="variable-opens-the-user-turn",
    ),
    pytest.param(
        HEAD + f"system:\n{cats(1200)} {{{{topic}}}} {cats(10)}\n\nuser:\nHi\n",
        "triage.prompty",
        (1213, 1),
        # 3 (system framing) + 1,201 (1,200 words and the space before `{{topic}}`)
        1204,
        id="variable-inside-the-system-message",
    ),
    pytest.param(
        HEAD + f"system:\n{cats(1200)}\n\nuser:\nTicket follows.\n![thread]\n",
        "triage.prompty",
        (1200, 3),
        # 3 + 1,200 + 3 (user framing) + 3 (`Ticket follows.` and its newline, before the
        # placeholder)
        1209,
        id="placeholder-after-user-text",
    ),
    pytest.param(
        HEAD + f"system:\n{cats(1200)}\n\nuser:\nTicket follows.\n",
        "triage.prompty",
        (1200, 3),
        # no runtime content: the whole input, 1,200 + 3 + 9 (two messages' framing and the
        # reply's priming)
        1212,
        id="no-variable-the-whole-input",
    ),
    pytest.param(
        json.dumps(
            {
                "model": "gpt-4o-mini",
                "messages": [
                    {"role": "system", "content": cats(1200) + "\n" + cats(100)},
                    {"role": "user", "content": "Ticket: {{ticket}}"},
                ],
            }
        ),
        "triage.chat.json",
        (1301, 5),
        # 3 + 1,301 + 3 + 2: the user content's 5 tokens shared by characters, 9 of the 20 in
        # its JSON string `"Ticket: {{ticket}}"` coming before the variable (5 * 9 // 20)
        1309,
        id="chat-json-shares-tokens-by-characters",
    ),
]


@pytest.mark.parametrize(("text", "file_name", "message_tokens", "prefix"), PREFIXES)
def test_static_prefix_ends_at_the_first_runtime_content(
    text: str, file_name: str, message_tokens: tuple[int, ...], prefix: int
) -> None:
    analysis = analysed(text, file_name)
    assert analysis.message_tokens == message_tokens
    assert static_prefix_tokens(analysis) == prefix


CACHED = [
    # gpt-4o-mini: $0.15 input, $0.075 cached, $0.60 output per million; 1,519 tokens sent
    # (1,510 of messages + 9 framing), 100 out, 1,000 calls/day.
    # Uncached: 1,519 * 0.15e-6 + 100 * 0.6e-6 = 0.00022785 + 0.00006 = 0.00028785.
    # Each hit bills the 1,513-token prefix 0.075e-6 less a token: 0.000113475 off.
    # hit rate, cost per call, per month (x 1,000 calls x 30 days)
    (0.0, 0.00028785, 8.6355),
    (0.5, 0.00028785 - 0.5 * 0.000113475, 6.933375),  # 0.0002311125
    (1.0, 0.00028785 - 0.000113475, 5.23125),  # 0.000174375
]


@pytest.mark.parametrize(("hit_rate", "per_call", "per_month"), CACHED)
def test_cached_cost_bills_the_prefix_at_the_cached_price_on_hits(
    hit_rate: float, per_call: float, per_month: float
) -> None:
    cost = cached_cost(analysed(prompty()), hit_rate)
    assert cost is not None
    assert cost.prefix_tokens == 1513
    assert cost.cost_per_call_usd == pytest.approx(per_call)
    assert cost.cost_per_month_usd == pytest.approx(per_month)


NOT_CACHED = [
    pytest.param(
        # 3 + 157 + 3 = 163 prefix tokens, below gpt-4o-mini's 1,024
        prompty(system_words=100, example_words=50),
        None,
        id="prefix-below-the-cache-minimum",
    ),
    pytest.param(prompty(model="gpt-4"), None, id="model-without-a-cached-price"),
    pytest.param(
        prompty(),
        {"gpt-4o-mini": ModelOverride(cache_minimum_tokens=2048)},
        id="minimum-raised-by-settings-above-the-1513-token-prefix",
    ),
    pytest.param('{"not": "a prompt"}', None, id="no-figures"),
]


@pytest.mark.parametrize(("text", "overrides"), NOT_CACHED)
def test_no_cached_figure(text: str, overrides: dict[str, ModelOverride] | None) -> None:
    file_name = "triage.json" if text.startswith("{") else "triage.prompty"
    assert cached_cost(analysed(text, file_name, overrides), 0.5) is None


def test_an_unknown_minimum_caches_any_prefix_of_a_model_with_a_cached_price() -> None:
    house = ModelOverride(
        context_window=8000,
        input_usd_per_million=1.0,
        output_usd_per_million=2.0,
        cached_input_usd_per_million=0.1,
    )
    analysis = analysed(
        prompty(model="house", system_words=100, example_words=50), overrides={"house": house}
    )
    cost = cached_cost(analysis, 0.5)
    # 169 sent * 1e-6 + 100 * 2e-6 = 0.000369; hits take 163 * 0.9e-6 off half the calls.
    assert cost is not None
    assert cost.cost_per_call_usd == pytest.approx(0.000369 - 0.5 * 163 * 0.9e-6)
