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
