"""The 47 real prompt files of tests/corpus (see tests/corpus/SOURCES.md for their origin and
licences), each with its reviewed report in tests/corpus_snapshots/.

A change in how any of them parses or counts shows up as a diff here. After reviewing that the
new report is right, refresh with `PROMPTWEIGHT_UPDATE_SNAPSHOTS=1 make test-python`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from server.cli import check_file
from server.core.prompt_analysis import AnalysisSettings
from shared_schemas import SkippedFile

TESTS = Path(__file__).resolve().parent
CORPUS = TESTS / "corpus"
SNAPSHOTS = TESTS / "corpus_snapshots"
CORPUS_FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "SOURCES.md")
UPDATE = os.environ.get("PROMPTWEIGHT_UPDATE_SNAPSHOTS") == "1"


def report_of(path: Path) -> dict[str, object]:
    result = check_file(path, AnalysisSettings())
    if isinstance(result, SkippedFile):
        report = result.model_dump(mode="json", by_alias=True)
    else:
        report = result.report().model_dump(mode="json", by_alias=True)
        # What `check --format json` writes, item by item, is the same report.
        assert json.loads("".join(result.json_chunks())) == report
    report["path"] = path.relative_to(CORPUS).as_posix()
    return report


def test_the_whole_corpus_is_here() -> None:
    assert len(CORPUS_FILES) == 47


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_corpus_file_report_matches_its_reviewed_snapshot(path: Path) -> None:
    actual = report_of(path)
    snapshot = SNAPSHOTS / f"{path.relative_to(CORPUS).as_posix()}.json"
    rendered = json.dumps(actual, indent=2, ensure_ascii=False) + "\n"
    if UPDATE:
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(rendered, encoding="utf-8")
    assert snapshot.exists(), f"no snapshot for {path.name}: review one and add it"
    assert json.loads(snapshot.read_text(encoding="utf-8")) == actual
