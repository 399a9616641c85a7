"""Positions cost the same on one long line as on many short ones, and one file reports a
bounded number of problems: a chat file written on one line (as `json.dumps` writes it) took
27.6 s in `promptweight check` at 182 KB, and 50,000 problems made 50,000 diagnostics."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from server.core.prompt_analysis import AnalysisSettings, analyse_prompt, analysis_problems
from server.core.prompt_model import LineIndex, PositionEncoding
from shared_schemas import CheckReport

PROMPTWEIGHT = str(Path(sys.executable).parent / "promptweight")


def one_line_chat(messages: int) -> str:
    turns = [
        {"role": "user" if n % 2 else "assistant", "content": f"Turn {n}: où est la gare? 🚉"}
        for n in range(messages)
    ]
    return json.dumps([{"role": "system", "content": "Answer briefly."}, *turns])


def test_check_reads_a_one_line_chat_file_with_exact_ranges(tmp_path: Path) -> None:
    text = one_line_chat(10_000)  # about 440 KB on one line
    path = tmp_path / "history.chat.json"
    path.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [PROMPTWEIGHT, "check", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    report = CheckReport.model_validate_json(result.stdout)
    last = report.files[0].messages[-1]
    start = text.rindex('{"role"')
    utf16_column = len(text[:start].encode("utf-16-le")) // 2
    assert (last.range.start.line, last.range.start.character) == (0, utf16_column)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
def test_positions_on_one_long_line_take_time_linear_in_their_number(
    encoding: PositionEncoding,
) -> None:
    def seconds_for(size: int) -> float:
        text = ("é🚉 abc " * size)[:size]
        index = LineIndex(text, encoding)
        offsets = range(0, size, 10)
        started = time.perf_counter()
        for offset in offsets:
            line, column = index.position(offset)
            assert index.offset(line, column) == offset
        return time.perf_counter() - started

    small, large = seconds_for(100_000), seconds_for(1_000_000)
    # Ten times the positions on a ten times longer line: near 10x; walking the line would
    # make it 100x.
    assert large < 30 * max(small, 0.01)


def test_a_file_reports_at_most_a_thousand_problems_and_counts_the_rest() -> None:
    text = "---\nmodel: gpt-4o\n---\n" + "{{> missing}}" * 20_000
    problems = analysis_problems(analyse_prompt("many.prompt", text, AnalysisSettings()))
    assert len(problems) == 1001
    assert (problems[-1].code, problems[-1].message) == (
        "more-problems",
        "19,000 more problems not shown",
    )
