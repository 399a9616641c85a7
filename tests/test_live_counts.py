"""Quick updates for plain edits give exactly the full analysis's figures, edit after edit."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.prompt_fixtures import prompty_of_tokens
from server.core.live_counts import LiveCounts, common_prefix, common_suffix
from server.core.prompt_analysis import AnalysisSettings, analyse_prompt

SETTINGS = AnalysisSettings()
DOCUMENTS = {
    "bench.prompty": prompty_of_tokens(2000, seed=3),
    "triage.prompty": (
        "---\nmodel:\n  configuration:\n    name: gpt-4o\n---\nsystem:\nClassify the ticket.\n"
        "Input: printer on fire\nOutput: hardware\n\nBe brief and kind.\n\nuser:\nThe VPN drops.\n"
        "\nassistant:\nnetwork\n\nuser:\n{{ticket}}\n"
    ),
    "review.prompt.md": "---\nmodel: GPT-4o\n---\nReview the code.\nLook for bugs and risks.\n",
    "plain.jinja2": "Summarise the article in three bullet points.\nKeep it short.\n",
    "genkit.prompt": (
        "---\nmodel: googleai/gemini-2.0-flash\n---\nHello {{name}}.\nSay hi politely.\n\n"
        "Input: a cat\nOutput: meow\n\nInput: a dog\nOutput: woof\n"
    ),
    "roles.prompt": (
        '---\nmodel: gpt-4o\n---\n{{role "system"}}\nYou are terse.\n{{role "user"}}\n'
        "Tell me about {{topic}}, {{#if short}}briefly{{/if}}.\n{{history}}\nThanks a lot.\n"
    ),
    "turns.prompty": (
        "system:\nBe kind.\nuser:\nQ1 here\nassistant:\n\nuser:\nQ2\nassistant:\nA2 x\nuser:\n"
    ),
}
# Mostly plain typing, sometimes structure: quick updates must decline those.
TYPED = "abcdefghij klmnop qrstuvwxyz ABC 0123 ,.?" + "\n:{}<>-#!"


def edit(text: str, rng: random.Random) -> str:
    """Where authors type: anywhere, at the end of a line, at the end of the file."""
    line_ends = [i for i, char in enumerate(text) if char == "\n"]
    position = rng.choice(
        [rng.randrange(len(text) + 1), len(text), rng.choice(line_ends) if line_ends else 0]
    )
    if rng.random() < 0.3 and position < len(text):
        return text[:position] + text[min(len(text), position + rng.randint(1, 6)) :]
    typed = "".join(rng.choice(TYPED) for _ in range(rng.randint(1, 4)))
    return text[:position] + typed + text[position:]


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
@pytest.mark.parametrize("seed", range(8))
def test_quick_figures_equal_the_full_analysis(name: str, seed: int) -> None:
    rng = random.Random(seed)
    text = DOCUMENTS[name]
    live = LiveCounts.of(analyse_prompt(name, text, SETTINGS), text)
    quick = 0
    for _ in range(80):
        text = edit(text, rng)
        full = analyse_prompt(name, text, SETTINGS)
        figures = live.apply(text) if live else None
        if figures is None:
            live = LiveCounts.of(full, text)
        else:
            quick += 1
            assert figures == full.figures
    assert quick > 0 or name == "review.prompt.md"


def test_plain_typing_inside_a_message_is_quick() -> None:
    text = DOCUMENTS["triage.prompty"]
    live = LiveCounts.of(analyse_prompt("t.prompty", text, SETTINGS), text)
    assert live is not None
    typed = text.replace("Be brief and kind.", "Be brief and very kind.")
    assert live.apply(typed) == analyse_prompt("t.prompty", typed, SETTINGS).figures


STRUCTURAL_EDITS = [
    ("Be brief and kind.", "Be brief and kind.\nuser:"),  # a new marker
    ("printer on fire", "printer on ice"),  # inside an example
    ("gpt-4o", "gpt-4"),  # frontmatter
    ("The VPN drops.", "The {{vpn}} drops."),  # a variable
    ("Be brief and kind.", "Output: kind."),  # a label
]


def test_filling_an_empty_answer_needs_a_full_analysis() -> None:
    """An empty answer is no example; once written, the pair is one."""
    text = "user:\nQ1\nassistant:\n\nuser:\nlive"
    live = LiveCounts.of(analyse_prompt("t.prompty", text, SETTINGS), text)
    assert live is not None
    assert live.apply(text.replace("assistant:\n", "assistant:\nA1")) is None


@pytest.mark.parametrize(("before", "after"), STRUCTURAL_EDITS)
def test_structural_edits_need_a_full_analysis(before: str, after: str) -> None:
    text = DOCUMENTS["triage.prompty"]
    live = LiveCounts.of(analyse_prompt("t.prompty", text, SETTINGS), text)
    assert live is not None
    assert live.apply(text.replace(before, after)) is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab\n", max_size=300), st.text(alphabet="ab\n", max_size=300), st.data())
def test_common_prefix_and_suffix(a: str, b: str, data: st.DataObject) -> None:
    shared = data.draw(st.text(alphabet="ab", max_size=70_000))
    left, right = shared + a, shared + b
    prefix = common_prefix(left, right)
    assert left[:prefix] == right[:prefix]
    assert prefix == min(len(left), len(right)) or left[prefix] != right[prefix]
    limit = min(len(left), len(right)) - prefix
    suffix = common_suffix(left + shared, right + shared, limit + len(shared))
    assert suffix <= limit + len(shared)
    assert (left + shared)[len(left) + len(shared) - suffix :] == (right + shared)[
        len(right) + len(shared) - suffix :
    ]
