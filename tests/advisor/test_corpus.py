"""The conditions on real prompts from `tests/corpus/` (see its SOURCES.md), as reviewed."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.core.advisor.advisor_settings import AdvisorSettings
from server.core.advisor.ceilings import ceilings
from server.core.advisor.format_stability import format_stability
from server.core.advisor.knowledge import knowledge_in_context
from server.core.advisor.task_diversity import task_diversity
from server.core.prompt_analysis import PromptAnalysis
from tests.advisor.helpers import analyse

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
SETTINGS = AdvisorSettings()


def corpus(name: str) -> PromptAnalysis:
    path = CORPUS / name
    return analyse(path.read_text(encoding="utf-8"), path.name)


def test_groundedness_scores_are_a_small_label_set_beside_retrieved_context() -> None:
    analysis = corpus("prompty/groundedness.prompty")
    stability = format_stability(analysis, SETTINGS)
    assert (stability.value, stability.passed) == ("4 of 4 (100%)", True)
    assert stability.note == "the largest group: labels from a set of 2"
    knowledge = knowledge_in_context(analysis, SETTINGS)
    assert (knowledge.passed, knowledge.value) == (False, "1 retrieval placeholder")
    assert knowledge.evidence[0].text == "retrieval placeholder `context`"
    diversity = task_diversity(analysis, SETTINGS)
    assert diversity.passed is True


def test_apologys_json_response_format_is_a_declared_format() -> None:
    stability = format_stability(corpus("prompty/apology.prompty"), SETTINGS)
    assert (stability.value, stability.passed) == ("output schema declared", True)
    (evidence,) = stability.evidence
    assert (evidence.start_line, evidence.end_line) == (12, 12)  # response_format: {...}


def test_kitchensinks_picoschema_output_is_a_declared_format() -> None:
    assert format_stability(corpus("dotprompt/kitchensink.prompt"), SETTINGS).passed is True


def test_an_example_answer_written_as_json_is_not_pasted_data() -> None:
    # faithfulness_nli.prompt answers its examples with a 22-line JSON array, which the
    # extractor does not take as an example; the `{{context}}` it is asked about is knowledge.
    knowledge = knowledge_in_context(corpus("dotprompt/faithfulness_nli.prompt"), SETTINGS)
    assert [e.text for e in knowledge.evidence] == ["retrieval placeholder `context`"]


@pytest.mark.parametrize(
    "name", ["prompty/threaded.prompty", "prompty/tools-basic.prompty", "prompty/chat.prompty"]
)
def test_conversation_placeholders_are_not_knowledge(name: str) -> None:
    assert knowledge_in_context(corpus(name), SETTINGS).passed is True


def test_a_long_copilot_prompt_reaches_the_prompt_length_ceiling() -> None:
    analysis = corpus("copilot-prompt-md/architecture-blueprint-generator.prompt.md")
    condition = ceilings(analysis, SETTINGS, saturation_warning=0.8)
    assert condition.passed is True
    assert "input tokens per call (reached)" in condition.value


def test_two_examples_are_too_few_to_judge_variety() -> None:
    diversity = task_diversity(corpus("markdown-fewshot/chat_variant_1.jinja2"), SETTINGS)
    assert (diversity.passed, diversity.value) == (None, "not measured")
