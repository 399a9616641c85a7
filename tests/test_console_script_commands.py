"""`export` and `validate` through the installed `promptweight` console script, as a user runs
them: their own tests build a parser of their own, so these are what notice the commands gone
from the real command line's registration or dispatch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

PROMPTWEIGHT = str(Path(sys.executable).parent / "promptweight")
TRANSLATE = "system:\nTranslate.\n\nInput: cat\nOutput: chat\n\nInput: dog\nOutput: chien\n"
NO_ASSISTANT = '{"messages": [{"role": "user", "content": "Hi"}]}\n'


def promptweight(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PROMPTWEIGHT, *argv], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_export_writes_the_examples_as_records(tmp_path: Path) -> None:
    (tmp_path / "t.prompty").write_text(TRANSLATE, encoding="utf-8")
    done = promptweight("export", "t.prompty", "-o", "train.jsonl", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in (tmp_path / "train.jsonl").read_text().splitlines()]
    assert [r["messages"][1:] for r in records] == [
        [{"role": "user", "content": u}, {"role": "assistant", "content": a}]
        for u, a in [("cat", "chat"), ("dog", "chien")]
    ]
    assert "wrote 2 records to train.jsonl" in done.stdout


def validate(path: str, cwd: Path) -> tuple[int, dict[str, Any]]:
    done = promptweight("validate", "--format", "json", path, cwd=cwd)
    report = json.loads(done.stdout)
    assert isinstance(report, dict), done.stdout
    return done.returncode, report


def test_validate_passes_what_export_wrote(tmp_path: Path) -> None:
    (tmp_path / "t.prompty").write_text(TRANSLATE, encoding="utf-8")
    assert promptweight("export", "t.prompty", "-o", "train.jsonl", cwd=tmp_path).returncode == 0
    status, report = validate("train.jsonl", tmp_path)
    assert (status, report["errorCount"], report["summary"]["records"]) == (0, 0, 2)


def test_validate_fails_a_record_without_an_assistant_turn(tmp_path: Path) -> None:
    (tmp_path / "bad.jsonl").write_text(NO_ASSISTANT, encoding="utf-8")
    status, report = validate("bad.jsonl", tmp_path)
    assert (status, report["errorCount"]) == (1, 1)
    assert [p["code"] for p in report["problems"]] == ["no-assistant"]


def test_validate_text_output_names_the_file_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "bad.jsonl").write_text(NO_ASSISTANT, encoding="utf-8")
    done = promptweight("validate", "bad.jsonl", cwd=tmp_path)
    assert done.returncode == 1
    assert "bad.jsonl:1:" in done.stdout and "error[no-assistant]" in done.stdout
