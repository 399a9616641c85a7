"""Few-shot examples: chat pairs and examples written inside a message."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.core.few_shot import _labels_in, label_line_starts
from server.core.formats.prompty import parse_prompty
from server.core.prompt_model import Span


def examples(text: str) -> list[tuple[str, str, str]]:
    return [(e.kind, e.input, e.output) for e in parse_prompty(text).examples]


EXAMPLES = [
    # chat pairs: before the last user message only
    (
        "system:\nS\nuser:\nQ1\nassistant:\nA1\nuser:\nQ2\nassistant:\nA2\nuser:\nlive",
        [("chat-pair", "Q1", "A1"), ("chat-pair", "Q2", "A2")],
    ),
    ("user:\nQ1\nassistant:\nA1", []),  # the last exchange is the conversation, not an example
    ("user:\nQ1\nassistant:\n\nuser:\nlive", []),  # empty output
    # a templated turn filled per item at render time is the loop, not an example
    ("user:\n{{item.question}}\nassistant:\n{{item.answer}}\nuser:\nlive", []),
    ("user:\n{{q}}\nassistant:\n{{ a }}\n{% endfor %}\nuser:\nlive", []),
    # <example> blocks
    (
        "system:\n<example><input>2+2</input><output>4</output></example>",
        [("example-block", "2+2", "4")],
    ),
    (
        "system:\n<examples>\n<example>\n<user>hi</user>\n<assistant>hello</assistant>\n"
        "</example>\n</examples>",
        [("example-block", "hi", "hello")],
    ),
    # Input:/Output: and Q:/A: pairs; a trailing label with no answer is the live input
    (
        "system:\nInput: cat\nOutput: feline\n\nInput: dog\nOutput: canine\n\n"
        "Input: {{word}}\nOutput:",
        [("input-output", "cat", "feline"), ("input-output", "dog", "canine")],
    ),
    (
        "user:\nQ: capital of France?\nA: Paris\nQ: capital of Peru?\nA:",
        [("q-a", "capital of France?", "Paris")],
    ),
    (
        "system:\n**Input:**\nmultiline\ninput\n**Output:**\nanswer\n\nInstructions after.",
        [("input-output", "multiline\ninput", "answer")],
    ),
    (
        'system:\n## Example Task #1 Input:\n{"a": 1}\nOutput:\n5',
        [("input-output", '{"a": 1}', "5")],
    ),
    ("system:\nInput: {{input}}\nOutput: {{output}}", []),  # the template's live slot
]


@pytest.mark.parametrize(("text", "expected"), EXAMPLES)
def test_examples_are_found(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert examples(text) == expected


def test_example_span_covers_input_and_output() -> None:
    text = "system:\nIntro.\nInput: cat\nOutput: feline\n\nRest."
    example = parse_prompty(text).examples[0]
    assert text[example.span.start : example.span.end] == "Input: cat\nOutput: feline"


def test_unclosed_example_is_a_problem_not_an_example() -> None:
    document = parse_prompty("system:\n<example><input>a</input><output>b</output>")
    assert document.examples == ()
    assert [p.code for p in document.problems] == ["unclosed-example"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "\n",
                "Input: a",
                "Output: b",
                "  q: c",
                "A:",
                "## Task #1 Input:",
                "> Q: x",
                "*",
                "i",
                "\t",
            ]
        ),
        max_size=30,
    ).map("".join),
    st.data(),
)
def test_label_index_finds_what_the_pattern_finds(text: str, data: st.DataObject) -> None:
    """The quick label search (candidate lines, then the pattern) equals a full pattern scan."""
    start = data.draw(st.integers(0, len(text)))
    region = Span(start, data.draw(st.integers(start, len(text))))
    quick = _labels_in(text, region, label_line_starts(text))
    full = _labels_in(text, region, None)
    assert [(m.start(), m.end()) for m in quick] == [(m.start(), m.end()) for m in full]
