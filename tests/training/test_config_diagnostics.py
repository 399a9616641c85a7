"""`promptweight.train.yaml` as it is edited: each problem at its key or value."""

from __future__ import annotations

import pytest

from server.core.training.config_diagnostics import check_config_text, is_training_config

VALID = "name: triage\nbaseModel: models/base\ndatasets: [triage.train.jsonl]\n"

CASES = {
    # text, the code, a word of the message, the text the problem points at
    "a value out of range": (VALID + "batchSize: 0\n", "train-config", "batchSize", "0"),
    "a nested value": (VALID + "lora:\n  rank: -1\n", "train-config", "lora.rank", "-1"),
    "an unknown key": (VALID + "bachSize: 4\n", "train-config", "unknown setting", "bachSize"),
    "a required key missing": (
        "datasets: [a.jsonl]\n",
        "train-config",
        "baseModel",
        "datasets: [a.jsonl]",
    ),
    "a YAML alias": (VALID + "x: &a 1\ny: *a\n", "yaml-alias", "aliases", "*a"),
    "a wrong type": (VALID + "maxSteps: lots\n", "train-config", "maxSteps", "lots"),
}


@pytest.mark.parametrize(("text", "code", "word", "at"), CASES.values(), ids=CASES.keys())
def test_a_problem_points_at_its_place(text: str, code: str, word: str, at: str) -> None:
    [problem] = check_config_text(text)
    assert problem.code == code and word in problem.message
    assert text[problem.span.start : problem.span.end] == at


def test_broken_yaml_is_located() -> None:
    [problem] = check_config_text(VALID + "lora: [\n")
    assert problem.code == "train-config" and "invalid YAML" in problem.message
    assert problem.span.start > len(VALID)


def test_a_valid_config_has_no_problems() -> None:
    assert check_config_text(VALID) == []


@pytest.mark.parametrize(
    ("name", "is_config"),
    [("promptweight.train.yaml", True), ("gpu.train.yaml", True), ("chat.yaml", False)],
)
def test_run_configs_are_told_by_their_name(name: str, is_config: bool) -> None:
    assert is_training_config(f"file:///w/{name}") is is_config
