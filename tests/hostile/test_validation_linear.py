"""Validating a `.jsonl` dataset costs about one pass over each line, however many problems a
line has, and a line nested too deeply is one located error, never a crash that loses the
other lines' problems."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pytest

from server.cli_validate import add_validate_command, run_validate
from server.core.datasets.validation import (
    DEFAULT_MAX_LINE_PROBLEMS,
    ValidationOptions,
    validate_dataset,
)
from shared_schemas.datasets import DatasetReport, ValidateReport

USER = {"role": "user", "content": "What is the capital of France?"}
ANSWER = {"role": "assistant", "content": "Paris."}
GOOD = json.dumps({"messages": [USER, ANSWER]})
ONE_PROBLEM = json.dumps({"messages": [{**USER, "mood": "curious"}, ANSWER]})  # unknown-key


def words(text: str) -> int:
    return len(text.split())


def validate(*lines: str) -> DatasetReport:
    return validate_dataset([line.encode() for line in lines], ValidationOptions(words))


def unknown_keys(count: int) -> str:
    """A record whose assistant message has `count` keys no trainer knows."""
    reply: dict[str, object] = {"role": "assistant", "content": "Paris."}
    reply.update((f"key{i}", i) for i in range(count))
    return json.dumps({"messages": [USER, reply]})


def timed(line: str) -> float:
    """The best of three validations of a one-line dataset, in seconds."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        validate(line)
        best = min(best, time.perf_counter() - started)
    return best


def test_fifty_thousand_unknown_keys_are_counted_and_a_hundred_located() -> None:
    pathological = unknown_keys(50_000)
    started = time.perf_counter()
    report = validate(pathological, ONE_PROBLEM)
    assert time.perf_counter() - started < 10  # was 109 s: every problem re-parsed the line
    assert (report.error_count, report.warning_count) == (50_001, 0)
    located = [p for p in report.problems if p.line == 0]
    assert len(located) == DEFAULT_MAX_LINE_PROBLEMS
    assert report.omitted_problems == 50_000 - DEFAULT_MAX_LINE_PROBLEMS
    first = located[0]
    assert pathological[first.start_character : first.end_character] == '"key0"'
    # The cap is per line: the next line's problem is still listed.
    assert [p.code for p in report.problems if p.line == 1] == ["unknown-key"]


def test_validation_time_grows_linearly_with_the_pathological_line() -> None:
    small, large = unknown_keys(5_500), unknown_keys(55_000)
    assert 90_000 < len(small) < 110_000 and 900_000 < len(large) < 1_100_000
    assert timed(large) / timed(small) < 30  # quadratic would be about 100


def deep_line(depth: int) -> str:
    """A valid record whose assistant message holds a value nested `depth` lists deep; the
    record, `messages` and the message are the first three levels."""
    value = "[" * depth + "]" * depth
    return GOOD[:-3] + f', "x": {value}}}]}}'


def test_a_line_nested_990_deep_is_one_located_error_and_the_others_are_checked() -> None:
    deep = deep_line(990)
    report = validate(GOOD, deep, ONE_PROBLEM)
    assert [(p.code, p.line) for p in report.problems] == [("too-deep", 1), ("unknown-key", 2)]
    problem = report.problems[0]
    # The 98th bracket of `x` opens the 101st level.
    assert problem.start_character == deep.index('"x": ') + len('"x": ') + 97
    assert (report.summary.records, report.summary.examples) == (3, 1)


def test_the_cli_reports_the_deep_line_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "train.jsonl"
    path.write_text(f"{GOOD}\n{deep_line(990)}\n{ONE_PROBLEM}\n", encoding="utf-8")
    parser = argparse.ArgumentParser(prog="promptweight")
    add_validate_command(parser.add_subparsers(dest="command", required=True))
    status = run_validate(parser.parse_args(["validate", "--format", "json", str(path)]))
    report = ValidateReport.model_validate_json(capsys.readouterr().out)
    assert status == 1
    # The CLI's lines are 1-based, like its text output.
    assert [(p.code, p.line) for p in report.problems] == [("too-deep", 2), ("unknown-key", 3)]
