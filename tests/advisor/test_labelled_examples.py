"""Labelled examples: few-shot examples plus the exported datasets' records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from server.core.advisor.advisor_settings import AdvisorSettings
from server.core.advisor.labelled_examples import find_datasets, labelled_examples
from server.core.datasets.export import dataset_records, jsonl_line
from tests.advisor.helpers import analyse, in_text_examples

SETTINGS = AdvisorSettings(min_examples=100, confident_examples=1000, epochs=3)
PROMPT = in_text_examples([("card charged twice", "billing"), ("app crashes", "bug")])


def record(number: int) -> str:
    turns = [
        {"role": "system", "content": "Classify."},
        {"role": "user", "content": f"ticket {number}"},
        {"role": "assistant", "content": "billing"},
    ]
    return json.dumps({"messages": turns})


def write_dataset(path: Path, records: int, extra_lines: tuple[str, ...] = ()) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [record(n) for n in range(records)] + list(extra_lines)
    path.write_text("".join(line + "\n" for line in lines))
    return path


@pytest.mark.parametrize(
    ("records", "passed"),
    [(97, False), (98, True)],  # 2 few-shot + 98 = 100, the minimum; one fewer fails
)
def test_few_shot_and_dataset_records_together_meet_the_minimum(
    tmp_path: Path, records: int, passed: bool
) -> None:
    dataset = write_dataset(tmp_path / "triage.train.jsonl", records)
    condition, _ = labelled_examples(analyse(PROMPT), [dataset], SETTINGS)
    assert condition.value == f"{2 + records} (2 few-shot + {records} in triage.train.jsonl)"
    assert (condition.measured, condition.passed) == (2 + records, passed)
    assert condition.threshold == "≥ 100 to consider, ≥ 1,000 to be confident"


def test_the_value_says_when_it_is_enough_to_be_confident(tmp_path: Path) -> None:
    dataset = write_dataset(tmp_path / "triage.train.jsonl", 998)
    condition, _ = labelled_examples(analyse(PROMPT), [dataset], SETTINGS)
    assert (
        condition.value == "1,000 (2 few-shot + 998 in triage.train.jsonl): enough to be confident"
    )


def test_records_with_errors_are_not_counted(tmp_path: Path) -> None:
    dataset = write_dataset(tmp_path / "t.train.jsonl", 3, ("not json", '{"messages": []}'))
    condition, _ = labelled_examples(analyse(PROMPT), [dataset], SETTINGS)
    assert condition.measured == 2 + 3
    assert condition.evidence[-1].text == "3 records a trainer accepts, 2 with errors"
    assert condition.evidence[-1].path == str(dataset)


def test_the_prompts_own_exported_examples_count_once(tmp_path: Path) -> None:
    analysis = analyse(PROMPT)
    assert analysis.document is not None
    exported = [jsonl_line(r) for r in dataset_records(analysis.document)[0]]
    dataset = write_dataset(tmp_path / "task.train.jsonl", 5, tuple(exported))
    condition, _ = labelled_examples(analysis, [dataset], SETTINGS)
    assert condition.value == "7 (2 few-shot + 5 in task.train.jsonl)"


def test_training_tokens_are_the_validators_estimate_times_epochs(tmp_path: Path) -> None:
    dataset = write_dataset(tmp_path / "t.train.jsonl", 4)
    _, once = labelled_examples(analyse(PROMPT), [dataset], AdvisorSettings(epochs=1))
    _, thrice = labelled_examples(analyse(PROMPT), [dataset], AdvisorSettings(epochs=3))
    assert once is not None and once > 0
    assert thrice == 3 * once


def test_without_datasets_only_the_few_shot_examples_count() -> None:
    condition, tokens = labelled_examples(analyse(PROMPT), [], SETTINGS)
    assert (condition.value, condition.passed, tokens) == ("2 (2 few-shot)", False, None)
    assert condition.note is not None and "no exported dataset" in condition.note
    assert (condition.evidence[0].start_line, condition.evidence[0].end_line) == (4, 8)


def test_an_unreadable_dataset_is_named_and_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "t.train.jsonl"
    folder.mkdir()  # a folder where a file was expected
    condition, tokens = labelled_examples(analyse(PROMPT), [folder], SETTINGS)
    assert (condition.measured, tokens) == (2, None)
    assert condition.note is not None and "t.train.jsonl could not be read" in condition.note


@pytest.mark.parametrize(
    ("prompt_name", "dataset_name"),
    [
        ("triage.prompty", "triage.train.jsonl"),
        ("review.prompt.md", "review.train.jsonl"),
        ("chat.chat.json", "chat.train.jsonl"),
    ],
)
def test_datasets_are_found_beside_the_prompt_by_the_exports_name(
    tmp_path: Path, prompt_name: str, dataset_name: str
) -> None:
    dataset = write_dataset(tmp_path / dataset_name, 1)
    assert find_datasets(tmp_path / prompt_name, "", None) == [dataset]


def test_datasets_are_found_in_the_dataset_folder_too(tmp_path: Path) -> None:
    beside = write_dataset(tmp_path / "prompts" / "triage.train.jsonl", 1)
    in_folder = write_dataset(tmp_path / "data" / "triage.train.jsonl", 1)
    prompt = tmp_path / "prompts" / "triage.prompty"
    assert find_datasets(prompt, "data", tmp_path) == [beside, in_folder]


def test_a_dataset_folder_outside_the_workspace_is_not_searched(tmp_path: Path) -> None:
    write_dataset(tmp_path / "outside" / "triage.train.jsonl", 1)
    root = tmp_path / "root"
    root.mkdir()
    assert find_datasets(root / "triage.prompty", "../outside", root) == []


def test_no_dataset_no_list(tmp_path: Path) -> None:
    assert find_datasets(tmp_path / "triage.prompty", "data", tmp_path) == []
