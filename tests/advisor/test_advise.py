"""A whole prompt advised end to end (`advise`): a stable task with a large dataset at a high
volume is a fine-tune; the same with retrieved documents in the prompt is a combination; at a
low volume it stays a prompt. Advised outside any git repository, with a fixed clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from server.core.advisor.advise import AdviceContext, advise
from server.core.prompt_analysis import AnalysisSettings, analyse_prompt

TICKETS = [
    ("The dashboard times out since this morning and exports fail.", "outage", "high"),
    ("Please add Parquet export to the query editor.", "feature-request", "low"),
    ("We were billed twice for one seat in March.", "billing", "normal"),
    ("Queries that took 200 ms now take four seconds.", "performance", "normal"),
]
RULES = "\n".join(
    f"- Rule {n}: classify precisely, never promise refunds, escalate data loss." for n in range(60)
)


def prompt(calls_per_day: int, retrieval: bool) -> str:
    examples = "".join(
        f"\nuser:\n{text}\n\nassistant:\n"
        + json.dumps({"category": category, "priority": priority})
        + "\n"
        for text, category, priority in TICKETS
    )
    documents = "\nRelevant help-centre articles:\n{{documents}}\n" if retrieval else ""
    return (
        f"---\nname: triage\nmodel:\n  configuration:\n    name: gpt-4o\n"
        f"promptweight:\n  callsPerDay: {calls_per_day}\n---\n"
        f"system:\nClassify the support ticket. Answer in JSON with category and priority.\n"
        f"{RULES}\n{documents}{examples}\nuser:\n{{{{ticket}}}}\n"
    )


def dataset(records: int) -> str:
    lines = []
    for n in range(records):
        text, category, priority = TICKETS[n % len(TICKETS)]
        answer = json.dumps({"category": category, "priority": priority})
        lines.append(
            json.dumps(
                {
                    "messages": [
                        {"role": "user", "content": f"{text} (ticket {n})"},
                        {"role": "assistant", "content": answer},
                    ]
                }
            )
        )
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("calls_per_day", "retrieval", "verdict"),
    [
        (500_000, False, "fine-tune"),
        (500_000, True, "combine"),
        (100, False, "keep-prompting"),
    ],
)
def test_the_verdict_follows_volume_and_knowledge(
    tmp_path: Path, calls_per_day: int, retrieval: bool, verdict: str
) -> None:
    path = tmp_path / "triage.prompty"
    path.write_text(prompt(calls_per_day, retrieval))
    (tmp_path / "triage.train.jsonl").write_text(dataset(300))
    analysis = analyse_prompt(path.name, path.read_text(), AnalysisSettings())
    context = AdviceContext(workspace_root=tmp_path, now=datetime(2026, 12, 1, tzinfo=UTC))
    found = advise(path, analysis, context)
    assert found.verdict == verdict, found.model_dump_json(indent=2)


READINGS = {
    "a file read whole": ("triage.prompty", prompt(100, retrieval=False), None),
    "a chat file that is no valid JSON": (
        "broken.chat.json",
        '[{"role": "system", "content": "Classify."},',
        "json-syntax",
    ),
}


@pytest.mark.parametrize(("name", "text", "code"), READINGS.values(), ids=READINGS.keys())
def test_advice_on_a_file_with_errors_says_its_figures_are_partial(
    tmp_path: Path, name: str, text: str, code: str | None
) -> None:
    path = tmp_path / name
    path.write_text(text)
    analysis = analyse_prompt(path.name, text, AnalysisSettings())
    context = AdviceContext(workspace_root=tmp_path, now=datetime(2026, 12, 1, tzinfo=UTC))
    notes = [n for n in advise(path, analysis, context).not_measured if "the whole file" in n]
    assert len(notes) == (0 if code is None else 1)
    assert all(f"({code}:" in note and "cover only what could be read" in note for note in notes)
