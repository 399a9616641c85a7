"""The breakdown hover's numbers, row by row: each label must carry its own figure (a test
that read only the labels let two rows' numbers swap unnoticed)."""

from __future__ import annotations

import re

from server.core.encodings import get_encoding
from server.core.prompt_analysis import AnalysisSettings, analyse_prompt
from server.lsp.features import breakdown_markdown

# Every part a different size, so that any two rows swapped show.
TEXT = """---
model:
  configuration:
    name: gpt-4o
tools:
  - type: function
    function:
      name: get_weather
      description: The weather in a city today, with the temperature in Celsius.
      parameters:
        type: object
        properties:
          city:
            type: string
---
system:
You sort support tickets into one of the teams: hardware, software, billing or other.
Answer with the team's name only, in lower case, and nothing before or after it.
Input: the printer on the third floor is on fire again
Output: hardware

user:
{{ticket}} please, and quickly
"""

ROW = re.compile(r"^\| (?P<label>[^|]+?) \| (?P<count>[\d,]+) \|$")


def o200k(text: str) -> int:
    return len(get_encoding("o200k_base").encode_ordinary(text))


def rows(markdown: str) -> dict[str, int]:
    found = {}
    for line in markdown.splitlines():
        match = ROW.match(line.replace("**", ""))
        if match:
            found[match["label"]] = int(match["count"].replace(",", ""))
    return found


def test_each_row_of_the_breakdown_carries_its_own_number() -> None:
    analysis = analyse_prompt("triage.prompty", TEXT, AnalysisSettings())
    figures = analysis.figures
    assert figures is not None and analysis.exact
    markdown = breakdown_markdown(analysis)
    assert markdown is not None
    expected = {
        "System": figures.system_tokens,
        "Few-shot examples": figures.few_shot_tokens,
        "Instructions and other messages": figures.instruction_tokens,
        "Chat overhead": figures.overhead_tokens,
        "Tools and output schema": figures.tool_tokens,
        "Content tokens": figures.prompt_tokens,
        "Input tokens per call": figures.input_tokens,
    }
    totals = ("Content tokens", "Input tokens per call")
    parts = [count for label, count in expected.items() if label not in totals]
    assert len(set(parts)) == len(parts), "the parts must differ for a swap to show"
    assert rows(markdown) == expected
    assert sum(parts) == figures.input_tokens
    assert sum(parts[:3]) == figures.prompt_tokens


def test_the_rows_match_counts_made_here() -> None:
    # The figures themselves could be mislabelled where they are made, so the text's own
    # counts are checked as well.
    markdown = breakdown_markdown(analyse_prompt("triage.prompty", TEXT, AnalysisSettings()))
    assert markdown is not None
    found = rows(markdown)
    example = o200k("the printer on the third floor is on fire again") + o200k("hardware")
    assert found["Few-shot examples"] == example
    assert found["Instructions and other messages"] == o200k("{{ticket}} please, and quickly")
    assert found["Tools and output schema"] > 0
