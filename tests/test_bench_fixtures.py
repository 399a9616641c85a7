"""The benchmark's prompt generator: the right size, the same every time, and a real prompt."""

from __future__ import annotations

import pytest

from bench.prompt_fixtures import prompty_of_tokens, token_count
from server.core.prompt_model import Role
from server.core.prompt_parser import parse_prompt


@pytest.mark.parametrize("target", [2_000, 10_000])
def test_hits_its_target_within_five_percent(target: int) -> None:
    assert abs(token_count(prompty_of_tokens(target)) - target) <= 0.05 * target


def test_is_deterministic() -> None:
    assert prompty_of_tokens(2_000) == prompty_of_tokens(2_000)
    assert prompty_of_tokens(2_000, seed=1) == prompty_of_tokens(2_000, seed=1)
    assert prompty_of_tokens(2_000, seed=1) != prompty_of_tokens(2_000)


def test_is_ascii_so_offsets_are_utf16_columns() -> None:
    assert prompty_of_tokens(2_000).isascii()


def test_parses_as_prompty_with_messages_and_few_shot_examples() -> None:
    text = prompty_of_tokens(10_000)
    document = parse_prompt("bench.prompty", text)
    assert document is not None
    assert document.format == "prompty"
    assert document.problems == ()
    assert document.metadata.model == "gpt-4o-mini"
    roles = [m.role for m in document.messages]
    assert roles[0] is Role.SYSTEM
    assert roles.count(Role.USER) > 5 and roles.count(Role.ASSISTANT) > 5
    assert document.messages[-1].role is Role.USER
    assert document.messages[-1].content == "{{question}}"
    kinds = {e.kind for e in document.examples}
    assert {"chat-pair", "input-output"} <= kinds
    assert len(document.examples) > 10


def test_prose_is_varied() -> None:
    lines = [line for line in prompty_of_tokens(10_000).splitlines() if len(line) > 40]
    assert len(set(lines)) > 0.95 * len(lines)


def test_rejects_a_target_too_small_for_its_structure() -> None:
    with pytest.raises(ValueError):
        prompty_of_tokens(100)
