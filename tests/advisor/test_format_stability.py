"""Format stability: a declared schema, or the share of example outputs in one format."""

from __future__ import annotations

import json

import pytest

from server.core.advisor.advisor_settings import AdvisorSettings
from server.core.advisor.format_stability import format_stability
from tests.advisor.helpers import analyse, in_text_examples

SETTINGS = AdvisorSettings(format_consistency=0.9)


def json_output(category: str, **extra: str) -> str:
    return json.dumps({"category": category, "priority": "low", **extra})


def pairs_with_odd_ones(good: int, odd: int) -> list[tuple[str, str]]:
    labels = ["billing", "bug", "account"]
    outputs = [json_output(labels[i % 3]) for i in range(good)]
    outputs += [json_output("bug", note=f"n{i}") for i in range(odd)]
    return [(f"ticket {i}", output) for i, output in enumerate(outputs)]


@pytest.mark.parametrize(
    ("good", "odd", "value", "passed"),
    [
        (9, 1, "9 of 10 (90%)", True),  # exactly the threshold
        (8, 1, "8 of 9 (89%)", False),  # just below it
        (10, 0, "10 of 10 (100%)", True),
    ],
)
def test_the_share_of_json_outputs_with_one_key_set_meets_the_threshold(
    good: int, odd: int, value: str, passed: bool
) -> None:
    condition = format_stability(
        analyse(in_text_examples(pairs_with_odd_ones(good, odd))), SETTINGS
    )
    assert (condition.value, condition.passed) == (value, passed)
    assert condition.measured == pytest.approx(good / (good + odd))


PROSE = [
    "It was fine overall, if a little slow.",
    "The answer depends on the weather today, and on the season.",
]
OUTPUTS = [
    # outputs, consistent, why
    (["positive", "negative", "neutral", "positive"], 4, "a small label set"),
    (["Paris", "Lima", "Oslo"], 3, "short answers are labels"),
    (["- a\n- b", "- c\n- d\n- e", "- f\n- g"], 3, "one Markdown shape: bullets"),
    (["Score: 4\nReason: ok", "Score: 1\nReason: bad", "fine, I think, overall"], 2, "fields"),
    ([PROSE[0], PROSE[1], "No."], 1, "prose outputs share no format; a label is alone"),
    (['```json\n{"a": 1}\n```', '{"a": 2}', '{"b": 3}'], 2, "fenced JSON is JSON"),
]


@pytest.mark.parametrize(("outputs", "consistent", "why"), OUTPUTS)
def test_outputs_are_grouped_by_format(outputs: list[str], consistent: int, why: str) -> None:
    pairs = [(f"question {i}", output) for i, output in enumerate(outputs)]
    analysis = analyse(in_text_examples(pairs))
    assert [weight.example.output for weight in analysis.examples] == outputs
    condition = format_stability(analysis, SETTINGS)
    assert condition.measured == pytest.approx(consistent / len(outputs)), why


def test_prose_outputs_share_no_format() -> None:
    pairs = [("a", PROSE[0]), ("b", PROSE[1])]
    condition = format_stability(analyse(in_text_examples(pairs)), SETTINGS)
    assert (condition.value, condition.passed) == ("0 of 2 (0%)", False)


def test_a_label_set_too_large_is_open_ended() -> None:
    pairs = [(f"q{i}", f"answer{i}") for i in range(11)]  # 11 distinct short answers
    condition = format_stability(analyse(in_text_examples(pairs)), SETTINGS)
    assert condition.passed is False


def test_the_odd_outputs_are_the_evidence_with_their_lines() -> None:
    text = in_text_examples([("a", '{"k": 1}'), ("b", '{"k": 2}'), ("c", "not json at all here")])
    condition = format_stability(analyse(text), SETTINGS)
    assert condition.evidence[0].text == "2 outputs: JSON objects with keys k"
    (odd,) = condition.evidence[1:]
    assert odd.text.startswith("example 3: prose")
    lines = text.splitlines()
    assert lines[odd.start_line - 1] == "Input: c"  # type: ignore[operator]
    assert lines[odd.end_line - 1] == "Output: not json at all here"  # type: ignore[operator]


SCHEMA_PROMPT = """---
model:
  api: chat
  parameters:
    response_format:
      type: json_schema
      json_schema:
        name: triage
user:
---
user:
{{ticket}}
"""


def test_a_declared_output_schema_passes_with_its_lines() -> None:
    condition = format_stability(analyse(SCHEMA_PROMPT), SETTINGS)
    assert (condition.value, condition.passed) == ("output schema declared", True)
    (evidence,) = condition.evidence
    assert (evidence.start_line, evidence.end_line) == (5, 8)


def test_a_text_response_format_declares_no_format() -> None:
    text = "---\nmodel:\n  parameters:\n    response_format: {type: text}\n---\nuser:\nHi\n"
    condition = format_stability(analyse(text), SETTINGS)
    assert condition.passed is None
    assert condition.note == "no few-shot examples and no output schema to compare"


def test_no_examples_and_no_schema_is_not_measured() -> None:
    condition = format_stability(analyse("system:\nBe brief.\nuser:\n{{q}}\n"), SETTINGS)
    assert (condition.value, condition.measured, condition.passed) == ("not measured", None, None)
