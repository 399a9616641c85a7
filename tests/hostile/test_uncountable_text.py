"""Text tiktoken cannot take whole (its regex stack overflows on about a megabyte of
whitespace in one run) is still counted: in pieces, labelled approximate, never a crash."""

from __future__ import annotations

import pytest

from server.core.encodings import get_encoding
from server.core.prompt_analysis import AnalysisSettings, analyse_prompt, analysis_problems
from server.core.token_count import count_tokens, token_lengths_function

MEGABYTE_RUNS = {
    "spaces": " " * 1_000_000,
    "tabs": "\t" * 1_000_000,
    "no-break spaces": "\u00a0" * 1_000_000,
    "mixed": " \t" * 500_000,
}


@pytest.mark.parametrize("run", MEGABYTE_RUNS.values(), ids=MEGABYTE_RUNS.keys())
def test_a_megabyte_run_of_whitespace_is_counted_approximately(run: str) -> None:
    analysis = analyse_prompt("a.prompty", f"system:\nBefore{run}after\n", AnalysisSettings())
    assert analysis.prompt_tokens and not analysis.exact
    codes = [p.code for p in analysis_problems(analysis)]
    assert "approximate-count" in codes


def test_the_approximation_is_close() -> None:
    encoding = get_encoding("o200k_base")
    notes: list[tuple[str, str]] = []
    approximate = count_tokens(encoding, "x" + " " * 1_000_000 + "y", notes)
    # tiktoken takes a fifth of the run whole: five of them are the same spaces.
    exact_fifth = count_tokens(encoding, " " * 200_000)
    assert abs(approximate - 5 * exact_fifth) <= 40 and notes


def test_texts_tiktoken_takes_are_exact_and_unlabelled() -> None:
    encoding = get_encoding("o200k_base")
    notes: list[tuple[str, str]] = []
    texts = ["hello <|endoftext|> world", " " * 100_000, "plain text"]
    assert token_lengths_function(encoding)(texts, notes) == [
        len(encoding.encode_ordinary(t)) for t in texts
    ]
    assert notes == []


def test_special_token_text_in_a_prompt_is_counted_as_text() -> None:
    text = "system:\n<|endoftext|> and <|fim_prefix|>\n"
    analysis = analyse_prompt("a.prompty", text, AnalysisSettings())
    encoding = get_encoding("o200k_base")
    assert analysis.exact
    assert analysis.prompt_tokens == len(
        encoding.encode_ordinary("<|endoftext|> and <|fim_prefix|>")
    )
