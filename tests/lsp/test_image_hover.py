"""The hover on an image input's placeholder: billed by the provider's own rules, with the
provider's estimate when the frontmatter declares the image's size."""

from __future__ import annotations

import pytest
from lsprotocol import types

from server.core.prompt_analysis import AnalysisSettings, analyse_prompt
from server.core.prompt_model import LineIndex
from server.lsp.features import hover


def image_hover(model: str, declaration: str) -> str:
    text = (
        f"---\nmodel: {model}\ninputs:\n  photo:\n    kind: image\n{declaration}---\n"
        "user:\nWhat is in this picture?\n{{photo}}\n"
    )
    analysis = analyse_prompt("vision.prompty", text, AnalysisSettings())
    found = hover(analysis, LineIndex(text), text.index("{{photo}}") + 2)
    assert found is not None and isinstance(found.contents, types.MarkupContent)
    return found.contents.value


SIZE = "    width: 1024\n    height: 1024\n"
HOVERS = [
    ("gpt-4o", SIZE + "    detail: high\n", "about 765 tokens on gpt-4o (OpenAI, high detail"),
    ("gpt-4o", SIZE + "    detail: low\n", "about 85 tokens on gpt-4o (OpenAI, low detail"),
    ("claude-sonnet-4-5", SIZE, "about 1,399 tokens on claude-sonnet-4-5 (Anthropic"),
    ("gemini-2.5-flash", SIZE, "about 1,032 tokens on gemini-2.5-flash (Gemini"),
    ("gpt-4.1-mini", SIZE, "no published formula is known here for gpt-4.1-mini"),
    ("gpt-4o", "", "Declare the input's `width` and `height`"),
]


@pytest.mark.parametrize(("model", "declaration", "says"), HOVERS)
def test_image_hover_estimates_by_the_providers_formula(
    model: str, declaration: str, says: str
) -> None:
    value = image_hover(model, declaration)
    assert "the provider bills it by its own rules" in value
    assert says in value


def test_an_estimate_says_it_is_not_in_the_input_tokens() -> None:
    value = image_hover("gpt-4o", SIZE)
    assert "not an exact count, and not in the input tokens or the cost" in value
