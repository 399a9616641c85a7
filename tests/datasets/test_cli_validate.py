"""`promptweight validate`: exit codes and outputs, through the command's own argparse wiring.

The console script reaches `run_validate` once `server/cli.py` registers the command; until
then these tests build the same subcommand on a parser of their own.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from server.cli_validate import add_validate_command, run_validate
from server.core.encodings import get_encoding
from shared_schemas.datasets import DatasetReport

GOOD = (
    '{"messages": [{"role": "user", "content": "Hi there"},'
    ' {"role": "assistant", "content": "Hello!"}]}'
)
NO_ASSISTANT = '{"messages": [{"role": "user", "content": "Hi"}]}'


def validate(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="promptweight")
    add_validate_command(parser.add_subparsers(dest="command", required=True))
    return run_validate(parser.parse_args(["validate", *argv]))


def dataset(tmp_path: Path, *lines: str) -> str:
    path = tmp_path / "train.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


def test_text_lists_problems_with_one_based_places_and_exits_1_on_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = dataset(tmp_path, GOOD, NO_ASSISTANT)
    assert validate(path) == 1
    out = capsys.readouterr().out.splitlines()
    column = NO_ASSISTANT.index("[") + 1
    message = "the record has no assistant message: nothing to train on"
    assert out[0] == f"{path}:2:{column}: error[no-assistant]: {message}"
    assert out[1] == f"{path}: 1 error, 0 warnings"
    assert any(line.strip().startswith("examples           1 of 2 records") for line in out)


def test_clean_dataset_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert validate(dataset(tmp_path, GOOD)) == 0
    assert "0 errors, 0 warnings" in capsys.readouterr().out


def test_warnings_alone_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert validate(dataset(tmp_path, GOOD, GOOD), "--max-sequence-tokens", "5") == 0
    codes = [line.split("[")[1].split("]")[0] for line in capsys.readouterr().out.splitlines()[:3]]
    assert codes == ["too-long", "duplicate", "too-long"]


def test_json_is_the_dataset_report_in_camel_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = dataset(tmp_path, GOOD, NO_ASSISTANT)
    assert validate(path, "--format", "json", "--epochs", "4") == 1
    out = capsys.readouterr().out
    raw = json.loads(out)
    assert {"omittedProblems", "errorCount", "warningCount"} <= set(raw)
    assert "estimatedTrainingTokens" in raw["summary"]
    report = DatasetReport.model_validate_json(out)
    assert report.path == path
    assert [(p.line, p.code) for p in report.problems] == [(1, "no-assistant")]
    assert report.summary.epochs == 4


def test_model_chooses_the_tokenizer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = dataset(tmp_path, GOOD)
    assert validate(path, "--format", "json", "--model", "gpt-4") == 0
    summary = DatasetReport.model_validate_json(capsys.readouterr().out).summary
    cl100k = get_encoding("cl100k_base")

    def tokens(text: str) -> int:
        return len(cl100k.encode_ordinary(text))

    texts = [("user", "Hi there"), ("assistant", "Hello!")]
    expected = 3 + sum(3 + tokens(role) + tokens(content) for role, content in texts)
    assert summary.example_tokens is not None
    assert summary.example_tokens.max == expected


def test_problems_over_the_cap_are_summed_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [f'{{"messages": [{{"role": "user", "content": "q{n}"}}]}}' for n in range(4)]
    assert validate(dataset(tmp_path, *lines), "--max-problems", "1") == 1
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "... and 3 more problems (--max-problems)"
    assert out[2].endswith(": 4 errors, 0 warnings")


@pytest.mark.parametrize("name", ["missing.jsonl", "."])
def test_unreadable_dataset_is_a_usage_error(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert validate(str(tmp_path / name)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"promptweight: error: cannot read {tmp_path / name}")


@pytest.mark.parametrize(
    ("flag", "value"),
    [("--epochs", "0"), ("--max-sequence-tokens", "0"), ("--max-problems", "-1")],
)
def test_numbers_out_of_range_are_usage_errors(
    flag: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert validate(dataset(tmp_path, GOOD), flag, value) == 2
    assert f"{flag} must be between" in capsys.readouterr().err


def test_missing_argument_is_an_argparse_usage_error() -> None:
    with pytest.raises(SystemExit) as exit_info:
        validate()
    assert exit_info.value.code == 2
