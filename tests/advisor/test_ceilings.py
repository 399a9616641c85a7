"""Ceilings: saturation, input tokens per call and monthly cost, each at its boundary."""

from __future__ import annotations

import pytest

from server.core.advisor.advisor_settings import AdvisorSettings
from server.core.advisor.ceilings import ceilings
from server.core.prompt_analysis import PromptAnalysis
from tests.advisor.helpers import analyse

PROMPT = "---\nmodel: gpt-4o-mini\n---\nsystem:\nYou sort support tickets.\nuser:\n{{ticket}}\n"
HIGH = 1e12  # a ceiling nothing reaches


@pytest.fixture(scope="module")
def analysis() -> PromptAnalysis:
    return analyse(PROMPT)


def settings(prompt_tokens: float = HIGH, cost: float = HIGH) -> AdvisorSettings:
    return AdvisorSettings(long_prompt_tokens=int(prompt_tokens), monthly_cost_usd=cost)


def test_no_ceiling_reached(analysis: PromptAnalysis) -> None:
    condition = ceilings(analysis, settings(), saturation_warning=0.99)
    assert (condition.passed, condition.measured, condition.evidence) == (False, 0, [])
    assert "(reached)" not in condition.value


@pytest.mark.parametrize(("offset", "reached"), [(0, True), (1, False)])
def test_prompt_tokens_per_call(analysis: PromptAnalysis, offset: int, reached: bool) -> None:
    assert analysis.figures is not None
    sent = analysis.figures.input_tokens
    condition = ceilings(analysis, settings(prompt_tokens=sent + offset), 0.99)
    assert condition.passed is reached
    assert (f"{sent:,} input tokens per call (reached)" in condition.value) is reached


@pytest.mark.parametrize(("factor", "reached"), [(1.0, True), (1.001, False)])
def test_monthly_cost(analysis: PromptAnalysis, factor: float, reached: bool) -> None:
    assert analysis.figures is not None
    monthly = analysis.figures.cost_per_month_usd
    condition = ceilings(analysis, settings(cost=monthly * factor), 0.99)
    assert condition.passed is reached


@pytest.mark.parametrize(("factor", "reached"), [(1.0, True), (1.001, False)])
def test_context_saturation(analysis: PromptAnalysis, factor: float, reached: bool) -> None:
    assert analysis.figures is not None
    condition = ceilings(analysis, settings(), analysis.figures.saturation * factor)
    assert condition.passed is reached


def test_every_ceiling_reached_is_evidence(analysis: PromptAnalysis) -> None:
    condition = ceilings(analysis, settings(prompt_tokens=1, cost=0.0), 0.0)
    assert condition.measured == 3
    assert [e.text.endswith("ceiling reached") for e in condition.evidence] == [True] * 3


def test_a_skipped_file_is_not_measured() -> None:
    skipped = analyse("\x00binary")
    assert skipped.figures is None
    condition = ceilings(skipped, AdvisorSettings(), 0.8)
    assert (condition.passed, condition.value) == (None, "not measured")
