from __future__ import annotations

import pytest

from server.core.tokenizer_choice import choose_tokenizer

CHOICES = [
    # model, encoding, exact
    ("gpt-4o-mini", "o200k_base", True),
    ("gpt-4o", "o200k_base", True),
    ("gpt-4.1-nano", "o200k_base", True),
    ("o3-mini", "o200k_base", True),
    ("gpt-4", "cl100k_base", True),
    ("gpt-3.5-turbo", "cl100k_base", True),
    ("claude-sonnet-4-5", "o200k_base", False),
    ("gemini-2.5-flash", "o200k_base", False),
    ("text-davinci-003", "o200k_base", False),  # p50k_base is not bundled
]


@pytest.mark.parametrize(("model", "encoding", "exact"), CHOICES)
def test_tokenizer_for_model(model: str, encoding: str, exact: bool) -> None:
    choice = choose_tokenizer(model)
    assert (choice.encoding, choice.exact) == (encoding, exact)
    assert (choice.note is None) == exact
