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
from shared_schemas.datasets import ValidateReport

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


def test_json_is_the_validate_report_in_camel_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = dataset(tmp_path, GOOD, NO_ASSISTANT)
    assert validate(path, "--format", "json", "--epochs", "4") == 1
    out = capsys.readouterr().out
    raw = json.loads(out)
    assert {"omittedProblems", "errorCount", "warningCount"} <= set(raw)
    assert {"line", "column", "endColumn"} <= set(raw["problems"][0])
    assert "estimatedTrainingTokens" in raw["summary"]
    report = ValidateReport.model_validate_json(out)
    assert report.path == path
    assert [(p.line, p.code) for p in report.problems] == [(2, "no-assistant")]
    assert report.summary.epochs == 4


# (name, lines, the expected (line, column, end column) of each problem, all 1-based)
PLACES = [
    ("second line, at its list", [GOOD, NO_ASSISTANT], [(2, 14, 49)]),
    ("first line, whole", ["[1]"], [(1, 1, 4)]),
    ("after a blank line", ["", '{"messages": ['], [(2, 15, 15)]),
    (
        "an astral character counts two",
        [
            '{"messages": [{"role": "user", "content": "😀"},'
            ' {"role": "assistant", "content": "ok"}], "x": 1}'
        ],
        [(1, 91, 94)],
    ),
]


@pytest.mark.parametrize(
    ("lines", "places"), [case[1:] for case in PLACES], ids=[case[0] for case in PLACES]
)
def test_json_lines_and_columns_are_one_based_like_the_text(
    lines: list[str],
    places: list[tuple[int, int, int]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = dataset(tmp_path, *lines)
    validate(path, "--format", "json")
    report = ValidateReport.model_validate_json(capsys.readouterr().out)
    assert [(p.line, p.column, p.end_column) for p in report.problems] == places
    validate(path)
    text = capsys.readouterr().out.splitlines()
    assert [line.split(": ")[0] for line in text[: len(places)]] == [
        f"{path}:{line}:{column}" for line, column, _ in places
    ]


@pytest.mark.parametrize(
    ("argv", "training", "epochs", "length"),
    [
        (
            [],
            "(3 epochs)",
            "3 (the default; --epochs sets it)",
            "16,384 tokens (the default; --max-sequence-tokens sets it)",
        ),
        (
            ["--epochs", "1", "--max-sequence-tokens", "512"],
            "(1 epoch)",
            "1 (from --epochs)",
            "512 tokens (from --max-sequence-tokens)",
        ),
    ],
    ids=["defaults", "flags"],
)
def test_text_summary_says_what_it_assumed_and_where_from(
    argv: list[str],
    training: str,
    epochs: str,
    length: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert validate(dataset(tmp_path, GOOD), *argv) == 0
    summary = {line[:21].strip(): line[21:] for line in capsys.readouterr().out.splitlines()[1:]}
    assert summary["training tokens"].endswith(training)
    assert summary["epochs"] == epochs
    assert summary["maximum length"] == length


@pytest.mark.parametrize(
    ("argv", "sources"),
    [([], ("default", "default")), (["--epochs", "3"], ("flag", "default"))],
    ids=["defaults", "a flag equal to the default"],
)
def test_json_summary_says_where_its_assumptions_come_from(
    argv: list[str],
    sources: tuple[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    validate(dataset(tmp_path, GOOD), "--format", "json", *argv)
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert (summary["epochsSource"], summary["maxSequenceTokensSource"]) == sources


def test_model_chooses_the_tokenizer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = dataset(tmp_path, GOOD)
    assert validate(path, "--format", "json", "--model", "gpt-4") == 0
    summary = ValidateReport.model_validate_json(capsys.readouterr().out).summary
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
