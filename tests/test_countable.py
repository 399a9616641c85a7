from __future__ import annotations

import pytest

from server.core.countable import why_not_counted

CASES = [
    # text, limit, skip code
    ("system:\nBe brief.", 100, None),
    ("PK\x03\x04\x00\x00binary", 100, "binary"),
    ("x" * 101, 100, "too-large"),
    ("x" * 100, 100, None),
    ("text" + "\x00" * 3, 10_000, "binary"),
]


@pytest.mark.parametrize(("text", "limit", "code"), CASES)
def test_which_texts_are_not_counted(text: str, limit: int, code: str | None) -> None:
    skip = why_not_counted(text, limit)
    assert (skip.code if skip else None) == code


def test_too_large_names_the_setting() -> None:
    skip = why_not_counted("x" * 11, 10)
    assert skip is not None and "promptweight.maxDocumentCharacters" in skip.reason
