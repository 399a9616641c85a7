"""The verdict from conditions: each gate closes it on its own, knowledge in context turns a
fine-tune into a combination, and the summary and flips say the numbers."""

from __future__ import annotations

import pytest

from server.core.advisor.verdict import decide, short_count
from shared_schemas.advice import BreakEven, Condition, ConditionId, CostOption

MIN_EXAMPLES = 100


def condition(id: ConditionId, passed: bool | None, measured: float | None = 1.0) -> Condition:
    return Condition.model_validate(
        {
            "id": id,
            "label": id,
            "value": str(measured),
            "measured": None if passed is None else measured,
            "threshold": "t",
            "pass": passed,
        }
    )


def favourable() -> dict[ConditionId, Condition]:
    ids: list[ConditionId] = [
        "format-stability",
        "requirements-settled",
        "labelled-examples",
        "volume",
        "ceilings",
        "knowledge-in-context",
        "task-diversity",
    ]
    return {i: condition(i, True, 240 if i == "labelled-examples" else 1.0) for i in ids}


def option(name: str, per_call: float) -> CostOption:
    return CostOption(
        name=name, input_tokens=100, cost_per_call_usd=per_call, cost_per_month_usd=per_call * 30
    )


BREAK_EVEN = BreakEven(
    calls_per_day=20_000,
    tokens_saved_per_call=800,
    prompting=option("prompting", 0.002),
    prompting_cached=None,
    fine_tuned=[option("local QLoRA", 0.0005)],
    cheapest_fine_tuned="local QLoRA",
    saving_per_call_usd=0.0015,
    break_even_calls_per_day=12_400,
    payback_days=55.8,
)


def verdict_with(**changes: bool | None) -> str:
    conditions = favourable()
    for key, passed in changes.items():
        id = key.replace("_", "-")
        conditions[id] = condition(id, passed, 40 if id == "labelled-examples" else 0.0)  # type: ignore[index]
    return decide("p.prompty", list(conditions.values()), BREAK_EVEN, MIN_EXAMPLES).verdict


def test_every_condition_favouring_it_is_a_fine_tune() -> None:
    assert verdict_with() == "fine-tune"


@pytest.mark.parametrize(
    "gate", ["format_stability", "labelled_examples", "volume", "requirements_settled"]
)
def test_a_failing_gate_keeps_prompting(gate: str) -> None:
    assert verdict_with(**{gate: False}) == "keep-prompting"


@pytest.mark.parametrize(
    ("gate", "verdict"),
    [
        ("format_stability", "keep-prompting"),
        ("labelled_examples", "keep-prompting"),
        ("volume", "keep-prompting"),
        ("requirements_settled", "fine-tune"),  # no git history says nothing against it
        ("task_diversity", "fine-tune"),  # too few examples to judge variety
    ],
)
def test_an_unmeasured_gate_blocks_only_where_evidence_is_required(gate: str, verdict: str) -> None:
    assert verdict_with(**{gate: None}) == verdict


def test_knowledge_in_context_turns_a_fine_tune_into_a_combination() -> None:
    assert verdict_with(knowledge_in_context=False) == "combine"


def test_knowledge_in_context_does_not_make_a_weak_case_a_combination() -> None:
    assert verdict_with(knowledge_in_context=False, volume=False) == "keep-prompting"


def test_the_summary_counts_conditions_and_names_the_break_even() -> None:
    conditions = favourable()
    conditions["volume"] = condition("volume", False, 1000)
    conditions["requirements-settled"] = condition("requirements-settled", None)
    advice = decide("p.prompty", list(conditions.values()), BREAK_EVEN, MIN_EXAMPLES)
    assert advice.summary == "Keep prompting · 5 of 6 conditions · break-even 12.4k calls/day"
    assert [f.text for f in advice.flips] == ["at 12,400 calls/day or more"]
    assert advice.not_measured == ["requirements-settled: not measured"]


def test_too_few_examples_flips_with_the_number_missing() -> None:
    conditions = favourable()
    conditions["labelled-examples"] = condition("labelled-examples", False, 40)
    advice = decide("p.prompty", list(conditions.values()), BREAK_EVEN, MIN_EXAMPLES)
    assert [f.text for f in advice.flips] == ["with 60 more labelled examples"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (950, "950"),
        (1950, "1,950"),
        (12_400, "12.4k"),
        (12_499, "12.4k"),
        (124_900, "124k"),
        (3_199_999, "3.1M"),
    ],
)
def test_short_counts(value: int, shown: str) -> None:
    assert short_count(value) == shown
