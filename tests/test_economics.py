"""Overhead, tool tokens, saturation and cost: the arithmetic behind every figure."""

from __future__ import annotations

import pytest

from server.core.economics import (
    Figures,
    UsageDefaults,
    figure_problems,
    overhead_tokens,
    usage_from_file,
)
from server.core.formats.prompty import parse_markdown, parse_prompty
from server.core.prompt_model import Metadata, Span


def figures(**changes: float) -> Figures:
    base: dict[str, float] = dict(
        prompt_tokens=1000,
        overhead_tokens=9,
        tool_tokens=0,
        few_shot_tokens=0,
        context_window=128_000,
        max_output_tokens=1000,
        budget_tokens=0,
        calls_per_day=1000,
        input_price_per_million=0.15,
        output_price_per_million=0.60,
    )
    base.update(changes)
    return Figures(**base)  # type: ignore[arg-type]


OVERHEAD = [
    # prompt text, expected overhead: 3 a message, 1 a name, 3 reply priming
    ("", 0),
    ("user:\nHi", 3 + 3),
    ("system:\nA\nuser:\nB", 2 * 3 + 3),
    ('system[name="seth"]:\nA\nuser:\nB', 2 * 3 + 1 + 3),
]


@pytest.mark.parametrize(("text", "expected"), OVERHEAD)
def test_chat_overhead_follows_openais_convention(text: str, expected: int) -> None:
    # Markdown keeps a marker's `name` (a `.prompty` file in strict mode, its default, sends none).
    assert overhead_tokens(parse_markdown(text).messages) == expected


def test_saturation_counts_input_output_and_budget() -> None:
    result = figures(
        prompt_tokens=60_000, overhead_tokens=0, max_output_tokens=4000, budget_tokens=0
    )
    assert result.saturation == pytest.approx(64_000 / 128_000)
    assert figures(budget_tokens=64_000).saturation == pytest.approx(
        (1009 + 1000 + 64_000) / 128_000
    )


def test_cost_per_call_and_month() -> None:
    result = figures(prompt_tokens=991, overhead_tokens=9, max_output_tokens=500)
    # 1,000 input tokens at $0.15/M and 500 output at $0.60/M
    assert result.cost_per_call_usd == pytest.approx(0.00015 + 0.0003)
    assert result.cost_per_month_usd == pytest.approx(0.00045 * 1000 * 30)


def test_budget_tokens_are_paid_as_input() -> None:
    assert figures(budget_tokens=1_000_000).cost_per_call_usd == pytest.approx(
        figures().cost_per_call_usd + 0.15
    )


PROBLEMS = [
    # changes, expected codes
    ({}, []),
    ({"prompt_tokens": 103_000}, ["context-saturation"]),
    ({"prompt_tokens": 130_000}, ["context-overflow"]),
    ({"few_shot_tokens": 400}, ["fine-tuning-candidate"]),
    ({"few_shot_tokens": 200}, []),
]


@pytest.mark.parametrize(("changes", "codes"), PROBLEMS)
def test_figures_draw_diagnostics(changes: dict[str, float], codes: list[str]) -> None:
    found = figure_problems(figures(**changes), UsageDefaults(), Span(0, 3))
    assert [p.code for p in found] == codes


def test_saturation_threshold_is_configurable() -> None:
    result = figures(prompt_tokens=70_000)
    assert figure_problems(result, UsageDefaults(saturation_warning=0.5), Span(0, 0))
    assert not figure_problems(result, UsageDefaults(saturation_warning=0.9), Span(0, 0))


FRONTMATTER = "---\npromptweight:\n  budget: {budget}\n  callsPerDay: {calls}\n---\n"
USAGE = [
    # budget, callsPerDay, resulting (budget, calls), problem lines
    ("2000", "50", (2000, 50), []),
    ("lots", "50", (0, 50), [2]),
    ("-5", "50", (0, 50), [2]),
    ("2000", "1e12", (2000, 1000), [3]),
    ("2000", "12.5", (2000, 1000), [3]),
    ("true", "[1]", (0, 1000), [2, 3]),
]


@pytest.mark.parametrize(("budget", "calls", "result", "lines"), USAGE)
def test_frontmatter_usage_with_fallbacks(
    budget: str, calls: str, result: tuple[int, int], lines: list[int]
) -> None:
    text = FRONTMATTER.format(budget=budget, calls=calls) + "user:\nHi"
    document = parse_prompty(text)
    usage, problems = usage_from_file(
        document.metadata, text, document.frontmatter, UsageDefaults()
    )
    assert (usage.budget_tokens, usage.calls_per_day) == result
    assert [text.count("\n", 0, p.span.start) for p in problems] == lines
    assert all(p.code == "invalid-setting" for p in problems)


def test_declared_max_output_wins_over_the_setting() -> None:
    usage, _ = usage_from_file(
        Metadata(max_output_tokens=256), "", None, UsageDefaults(max_output_tokens=1024)
    )
    assert usage.max_output_tokens == 256


TOOLS = [
    # frontmatter, tool tokens counted?
    ("tools:\n  - codebase\n  - problems\n", False),  # names of tools defined elsewhere
    ("tools:\n  - type: function\n    function:\n      name: get_weather\n", True),
]


@pytest.mark.parametrize(("frontmatter", "counted"), TOOLS)
def test_only_tool_definitions_written_in_the_file_count(frontmatter: str, counted: bool) -> None:
    from server.core.economics import tool_tokens
    from server.core.token_counters import TiktokenCounter

    metadata = parse_prompty(f"---\n{frontmatter}---\nuser:\nHi").metadata
    assert (tool_tokens(metadata, TiktokenCounter("o200k_base", exact=True)) > 0) == counted
