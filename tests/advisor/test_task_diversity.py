"""Task diversity: kinds of output and the spread of input lengths over the examples."""

from __future__ import annotations

import pytest

from server.core.advisor.advisor_settings import AdvisorSettings
from server.core.advisor.task_diversity import input_spread, task_diversity
from tests.advisor.helpers import analyse, in_text_examples

SAME_INPUT = "the printer on floor two is jammed again"


def test_a_classifier_with_even_inputs_is_narrow() -> None:
    pairs = [(SAME_INPUT, label) for label in ("hardware", "software", "network", "hardware")]
    condition = task_diversity(analyse(in_text_examples(pairs)), AdvisorSettings())
    assert (condition.measured, condition.passed) == (0.0, True)
    assert condition.value == "0.00 (1 kind of output in 4 examples, input length spread 0.00)"


def test_outputs_of_every_kind_are_diverse() -> None:
    pairs = [
        (SAME_INPUT, '{"a": 1}'),
        (SAME_INPUT, "- one\n- two"),
        (SAME_INPUT, "A long answer in prose, with several words in it."),
    ]
    condition = task_diversity(analyse(in_text_examples(pairs)), AdvisorSettings())
    # 3 kinds in 3 examples: output spread 1; even inputs: input spread 0
    assert condition.measured == pytest.approx(0.5)


@pytest.mark.parametrize(("max_diversity", "passed"), [(0.5, True), (0.49, False)])
def test_the_threshold_is_inclusive(max_diversity: float, passed: bool) -> None:
    pairs = [
        (SAME_INPUT, '{"a": 1}'),
        (SAME_INPUT, "- one\n- two"),
        (SAME_INPUT, "A long answer in prose, with several words in it."),
    ]
    condition = task_diversity(
        analyse(in_text_examples(pairs)), AdvisorSettings(max_diversity=max_diversity)
    )
    assert condition.passed is passed


def test_many_distinct_short_answers_are_open_ended() -> None:
    pairs = [(SAME_INPUT, f"answer{n}") for n in range(11)]  # over the label set's limit
    condition = task_diversity(analyse(in_text_examples(pairs)), AdvisorSettings())
    assert condition.measured == pytest.approx(0.5)  # 11 kinds in 11: output spread 1


@pytest.mark.parametrize(
    ("lengths", "spread"),
    [([10, 10, 10], 0.0), ([5, 10, 15], 0.408), ([1, 1, 100], 1.0), ([0, 0, 0], 0.0)],
)
def test_input_spread_is_the_capped_coefficient_of_variation(
    lengths: list[int], spread: float
) -> None:
    assert input_spread(lengths) == pytest.approx(spread, abs=1e-3)


@pytest.mark.parametrize("count", [0, 1, 2])
def test_fewer_than_three_examples_are_not_measured(count: int) -> None:
    pairs = [(SAME_INPUT, "billing")] * count
    text = in_text_examples(pairs) if pairs else "system:\nSort tickets.\nuser:\n{{t}}\n"
    condition = task_diversity(analyse(text), AdvisorSettings())
    assert (condition.passed, condition.value) == (None, "not measured")
