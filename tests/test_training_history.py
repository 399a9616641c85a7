"""One run's history for the training view after a reload: the run it showed, or the newest,
and only ever a run folder of the config's own output folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from server.core.training.history import run_history
from shared_schemas.training import Eval, Finished, TrainingEvent
from tests.training.test_run_folders import started, step


def write_run(output: Path, name: str, *more: TrainingEvent) -> Path:
    run_dir = output / name
    run_dir.mkdir(parents=True)
    events = [started(run_dir), *more]
    lines = "".join(e.model_dump_json(by_alias=True) + "\n" for e in events)
    (run_dir / "events.jsonl").write_text(lines)
    return run_dir


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    output = tmp_path / "runs"
    write_run(output, "20261201-100000-older", step(1), Eval(step=1, loss=4.5))
    write_run(
        output,
        "20261201-110000-newer",
        step(1),
        step(2),
        Finished(adapter_path="a", steps=2, train_loss=4.8, eval_loss=None),
    )
    return output


def test_the_named_run_comes_back_with_every_event(runs: Path) -> None:
    run = run_history(runs, runs / "20261201-100000-older", running=set())
    assert run is not None
    assert (run.name, run.state, [e.type for e in run.events]) == (
        "older",
        "interrupted",
        ["started", "step", "eval"],
    )


def test_without_a_name_the_newest_run_comes_back(runs: Path) -> None:
    run = run_history(runs, None, running=set())
    assert run is not None and (run.name, run.state, run.steps) == ("newer", "finished", 2)


def test_a_run_with_its_trainer_still_going_is_running(runs: Path) -> None:
    older = runs / "20261201-100000-older"
    run = run_history(runs, older, running={older.resolve()})
    assert run is not None and run.state == "running"


def outside(runs: Path) -> Path:
    return write_run(runs.parent / "elsewhere", "20261201-120000-other", step(1))


def nested(runs: Path) -> Path:
    return write_run(runs / "20261201-100000-older", "20261201-130000-inner", step(1))


def linked(runs: Path) -> Path:
    link = runs / "20261201-140000-link"
    link.symlink_to(outside(runs), target_is_directory=True)
    return link


def missing(runs: Path) -> Path:
    return runs / "20261201-150000-gone"


REFUSED = {"outside": outside, "nested": nested, "linked": linked, "missing": missing}


@pytest.mark.parametrize("where", REFUSED.values(), ids=REFUSED.keys())
def test_a_folder_that_is_not_one_of_the_configs_runs_is_not_read(
    runs: Path, where: Callable[[Path], Path]
) -> None:
    assert run_history(runs, where(runs), running=set()) is None


def test_an_output_folder_without_runs_has_no_history(tmp_path: Path) -> None:
    assert run_history(tmp_path / "runs", None, running=set()) is None
