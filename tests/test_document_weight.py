from __future__ import annotations

import pytest

from server.core.document_weight import weigh_text
from server.core.encodings import get_encoding

TEXTS = [
    "",
    "hello world",
    "---\nmodel: gpt-4o\n---\nsystem:\nYou are terse.\n\nuser:\n{{question}}\n",
    "Special-token text is plain text here: <|endoftext|> <|im_start|>",
    "Emoji and CJK: 🧪🧪 東京タワー",
]


@pytest.mark.parametrize("text", TEXTS)
def test_prompt_tokens_are_tiktokens_count(text: str) -> None:
    weight = weigh_text(text, "gpt-4o-mini")
    assert weight.prompt_tokens == len(get_encoding("o200k_base").encode_ordinary(text))
    assert weight.exact and weight.skipped is None


def test_lone_surrogate_counts_as_replacement_character() -> None:
    weight = weigh_text("before \ud800 after", "gpt-4o-mini")
    expected = len(get_encoding("o200k_base").encode_ordinary("before \ufffd after"))
    assert weight.prompt_tokens == expected


def test_binary_text_is_not_counted() -> None:
    weight = weigh_text("PK\x03\x04\x00\x00binary", "gpt-4o-mini")
    assert weight.prompt_tokens is None
    assert weight.skipped is not None and weight.skipped.code == "binary"


def test_text_over_the_limit_is_not_counted() -> None:
    weight = weigh_text("x" * 101, "gpt-4o-mini", max_characters=100)
    assert weight.prompt_tokens is None
    assert weight.skipped is not None and weight.skipped.code == "too-large"
    assert "promptweight.maxDocumentCharacters" in weight.skipped.reason


def test_unknown_model_is_counted_approximately_and_says_so() -> None:
    weight = weigh_text("hello", "claude-sonnet-4-5")
    assert weight.prompt_tokens == 1 and not weight.exact
    assert weight.note is not None and "claude-sonnet-4-5" in weight.note
