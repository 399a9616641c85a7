"""Runs found again from their folders: their state and history come from `events.jsonl`."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.core.training.run_folders import find_runs
from shared_schemas.training import Failed, Finished, Started, Step, TrainingEvent


def started(run_dir: Path) -> Started:
    return Started(
        run_dir=str(run_dir),
        base_model="tiny",
        trainable_parameters=1,
        total_parameters=2,
        quantization="nf4",
        device="cpu",
        total_steps=10,
        train_examples=4,
        eval_examples=0,
    )


def step(number: int) -> Step:
    return Step(
        step=number,
        total_steps=10,
        epoch=0.1 * number,
        loss=5.0 - 0.1 * number,
        learning_rate=1e-3,
        tokens_per_second=100.0,
        memory_bytes=None,
    )


ENDINGS: dict[str, tuple[list[TrainingEvent], str]] = {
    "finished": ([Finished(adapter_path="a", steps=3, train_loss=4.8, eval_loss=None)], "finished"),
    "cancelled": (
        [Finished(adapter_path="a", steps=3, train_loss=4.8, eval_loss=None, cancelled=True)],
        "stopped",
    ),
    "failed": ([Failed(error="RunError: boom")], "failed"),
    "killed": ([], "interrupted"),
}


@pytest.mark.parametrize(("ending", "state"), ENDINGS.values(), ids=ENDINGS.keys())
def test_a_runs_state_comes_from_its_last_event(
    tmp_path: Path, ending: list[TrainingEvent], state: str
) -> None:
    run_dir = tmp_path / "runs" / "20261201-120000-triage"
    run_dir.mkdir(parents=True)
    events = [started(run_dir), step(1), step(2), step(3), *ending]
    lines = "".join(e.model_dump_json(by_alias=True) + "\n" for e in events)
    (run_dir / "events.jsonl").write_text(lines + '{"type": "step", "cut short')
    [run] = find_runs(tmp_path / "runs", running=set())
    assert (run.name, run.state, run.steps, run.total_steps) == ("triage", state, 3, 10)
    assert run.last_loss == pytest.approx(4.7) and len(run.events) == len(events)


def test_a_run_with_a_trainer_is_running_and_the_newest_comes_first(tmp_path: Path) -> None:
    older, newer = tmp_path / "20261201-100000-a", tmp_path / "20261201-110000-b"
    for folder in (older, newer):
        folder.mkdir()
        (folder / "events.jsonl").write_text(started(folder).model_dump_json(by_alias=True) + "\n")
    runs = find_runs(tmp_path, running={newer.resolve()})
    assert [(r.name, r.state) for r in runs] == [("b", "running"), ("a", "interrupted")]
