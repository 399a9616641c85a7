"""The advisor's verdict on each real prompt of tests/corpus, against its reviewed snapshot in
tests/corpus_advice/ (the verdict, the summary and each condition's value and outcome).

The files are advised from a copy outside any git repository, so `requirements-settled` is "not
measured" and the snapshots do not age with this repository's history. After reviewing that a
changed verdict is right, refresh with `PROMPTWEIGHT_UPDATE_SNAPSHOTS=1 make test-python`.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from server.core.advisor.advise import AdviceContext, advise
from server.core.prompt_analysis import AnalysisSettings, analyse_prompt

TESTS = Path(__file__).resolve().parent.parent
CORPUS = TESTS / "corpus"
SNAPSHOTS = TESTS / "corpus_advice"
CORPUS_FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "SOURCES.md")
UPDATE = os.environ.get("PROMPTWEIGHT_UPDATE_SNAPSHOTS") == "1"
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def advice_of(path: Path, folder: Path) -> dict[str, object] | None:
    copy = folder / path.name
    shutil.copyfile(path, copy)
    text = copy.read_text(encoding="utf-8", errors="replace")
    analysis = analyse_prompt(copy.name, text, AnalysisSettings())
    if analysis.document is None:
        return None
    found = advise(copy, analysis, AdviceContext(workspace_root=folder, now=NOW))
    return {
        "verdict": found.verdict,
        "summary": found.summary,
        "conditions": [{"id": c.id, "pass": c.passed, "value": c.value} for c in found.conditions],
        "flips": [f.text for f in found.flips],
    }


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_corpus_file_advice_matches_its_reviewed_snapshot(path: Path, tmp_path: Path) -> None:
    actual = advice_of(path, tmp_path)
    snapshot = SNAPSHOTS / f"{path.relative_to(CORPUS).as_posix()}.json"
    if UPDATE:
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n")
    assert snapshot.exists(), f"no snapshot for {path.name}: review one and add it"
    assert json.loads(snapshot.read_text(encoding="utf-8")) == actual
