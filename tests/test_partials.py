"""Dotprompt partials are read beside the prompt, and only there."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.core.partials import partials_beside

NAMES = [
    # name asked for, what is read
    ("style", "the style"),
    ("missing", None),
    ("../secret", None),
    ("sub/style", None),
    ("..", None),
]


@pytest.mark.parametrize(("name", "expected"), NAMES)
def test_partials_are_files_beside_the_prompt(
    tmp_path: Path, name: str, expected: str | None
) -> None:
    prompts = tmp_path / "prompts"
    (prompts / "sub").mkdir(parents=True)
    (prompts / "_style.prompt").write_text("the style")
    (prompts / "sub" / "_style.prompt").write_text("nested")
    (tmp_path / "_secret.prompt").write_text("outside")
    assert partials_beside(prompts / "story.prompt")(name) == expected


def test_partial_with_invalid_utf8_is_read_with_replacements(tmp_path: Path) -> None:
    (tmp_path / "_style.prompt").write_bytes(b"caf\xe9")
    assert partials_beside(tmp_path / "story.prompt")("style") == "caf\ufffd"
