"""`promptweight advise`, the installed console script: the readable table, the JSON report,
and the usage errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from shared_schemas.advice import AdviceReport

PROMPTWEIGHT = str(Path(sys.executable).parent / "promptweight")
PROMPT = """system:
Answer in JSON: {"category": "...", "priority": "low|normal|high"}.

user:
The dashboard times out.

assistant:
{"category": "outage", "priority": "high"}

user:
Please add Parquet export.

assistant:
{"category": "feature-request", "priority": "low"}

user:
{{ticket}}
"""


def advise(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PROMPTWEIGHT, "advise", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_json_report_has_a_verdict_and_every_condition(tmp_path: Path) -> None:
    (tmp_path / "triage.prompty").write_text(PROMPT)
    result = advise("triage.prompty", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    [advice] = AdviceReport.model_validate_json(result.stdout).files
    assert advice.verdict in {"keep-prompting", "fine-tune", "combine"}
    ids = [c.id for c in advice.conditions]
    assert ids == [
        "format-stability",
        "requirements-settled",
        "labelled-examples",
        "volume",
        "ceilings",
        "knowledge-in-context",
        "task-diversity",
    ]
    wire = json.loads(result.stdout)["files"][0]["conditions"][0]
    assert {"id", "label", "value", "threshold", "pass", "evidence"} <= wire.keys()


def test_the_calls_per_day_flag_is_the_volume_judged(tmp_path: Path) -> None:
    (tmp_path / "triage.prompty").write_text(PROMPT)
    result = advise("triage.prompty", "--format", "json", "--calls-per-day", "250", cwd=tmp_path)
    [advice] = AdviceReport.model_validate_json(result.stdout).files
    assert advice.break_even is not None and advice.break_even.calls_per_day == 250


def test_the_table_says_the_verdict_and_marks_each_condition(tmp_path: Path) -> None:
    (tmp_path / "triage.prompty").write_text(PROMPT)
    result = advise("triage.prompty", cwd=tmp_path)
    assert result.returncode == 0
    first, *rest = result.stdout.splitlines()
    assert first.startswith("triage.prompty: Keep prompting · ")
    assert any(line.lstrip().startswith("✓ ") for line in rest)
    assert any("not measured" in line for line in rest)  # no git repository here


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = advise("nowhere.prompty", cwd=tmp_path)
    assert result.returncode == 2 and "no such file" in result.stderr


def test_the_chart_marks_the_break_even(tmp_path: Path) -> None:
    from tests.advisor.test_advise import dataset, prompt

    (tmp_path / "triage.prompty").write_text(prompt(5_000, retrieval=False))
    (tmp_path / "triage.train.jsonl").write_text(dataset(300))
    result = advise("triage.prompty", "--format", "json", "--chart", "cost.svg", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    [advice] = AdviceReport.model_validate_json(result.stdout).files
    assert advice.break_even is not None and advice.break_even.break_even_calls_per_day
    svg = (tmp_path / "cost.svg").read_text()
    assert f"break-even: {advice.break_even.break_even_calls_per_day:,} calls/day" in svg
    assert "local QLoRA" in svg and "prompting" in svg


def test_the_chart_is_a_png_when_asked(tmp_path: Path) -> None:
    (tmp_path / "triage.prompty").write_text(PROMPT)
    assert advise("triage.prompty", "--chart", "cost.png", cwd=tmp_path).returncode == 0
    assert (tmp_path / "cost.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_chart_of_several_files_or_another_format_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "a.prompty").write_text(PROMPT)
    (tmp_path / "b.prompty").write_text(PROMPT)
    several = advise("a.prompty", "b.prompty", "--chart", "cost.svg", cwd=tmp_path)
    assert several.returncode == 2 and "one FILE" in several.stderr
    text = advise("a.prompty", "--chart", "cost.txt", cwd=tmp_path)
    assert text.returncode == 2 and ".png or .svg" in text.stderr
    assert not (tmp_path / "cost.svg").exists() and not (tmp_path / "cost.txt").exists()
