"""`launcher: accelerate`: the argument lists that start a run, the config fields that ask for
them, and real two-process runs of the tiny model on the CPU (DDP over gloo, world size 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from server.core.training.config_diagnostics import check_config_text
from server.core.training.launch import start_command, trainer_command
from server.core.training.run_config import RunConfig, RunConfigError, load_run_config
from shared_schemas.training import (
    Checkpoint,
    Failed,
    Finished,
    Started,
    Step,
    TrainingConfig,
    TrainingEvent,
    parse_event,
)

PY = "/env/bin/python"
TRAINER = [PY, "-I", "-m", "server.training", "train", "cfg.yaml", "--max-steps", "5"]
LAUNCH = [PY, "-I", "-m", "accelerate.commands.launch", "--num_processes"]
# What accelerate would warn it guessed, and a free port: only without a config file.
GUESSED = ["--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no"]
GUESSED += ["--main_process_port", "0"]
ZERO2 = "{folder}/ds/zero2.yaml"  # an accelerate config file of DeepSpeed's
MULTI_GPU_FILE = "distributed_type: MULTI_GPU\nnum_machines: 1\nmixed_precision: 'no'\n"


def run_config(folder: Path, **fields: Any) -> RunConfig:
    raw = {"baseModel": "tiny", "datasets": ["d.jsonl"], **fields}
    return RunConfig(TrainingConfig.model_validate(raw), folder)


@pytest.mark.parametrize(
    ("fields", "run_dir", "expected"),
    [
        ({}, None, TRAINER),
        # One process needs no launcher: accelerate's would not pass a cancel on to it.
        ({"launcher": "accelerate"}, None, TRAINER),
        (
            {"launcher": "accelerate", "processes": 2},
            "RUN",
            [*LAUNCH, "2", "--multi_gpu", *GUESSED, "--no_python", *TRAINER, "--run-dir", "RUN"],
        ),
        (
            {"launcher": "accelerate", "processes": 8, "accelerateConfig": "ds/zero2.yaml"},
            "RUN",
            [*LAUNCH, "8", "--config_file", ZERO2, "--no_python", *TRAINER, "--run-dir", "RUN"],
        ),
        # A file (DeepSpeed offload, say) is launched even for one process.
        (
            {"launcher": "accelerate", "accelerateConfig": "ds/zero2.yaml"},
            None,
            [*LAUNCH, "1", "--config_file", ZERO2, "--no_python", *TRAINER],
        ),
    ],
)
def test_the_argument_list(
    tmp_path: Path, fields: dict[str, Any], run_dir: str | None, expected: list[str]
) -> None:
    (tmp_path / "ds").mkdir()
    (tmp_path / "ds" / "zero2.yaml").write_text("distributed_type: DEEPSPEED\n")
    run = run_config(tmp_path, **fields)
    command = trainer_command(PY, run, TRAINER[5:], Path(run_dir) if run_dir else None)
    folder = str(tmp_path.resolve())
    assert command == [part.replace("{folder}", folder) for part in expected]


@pytest.mark.parametrize(
    ("fields", "wrong"),
    [
        ({"launcher": "accelerate", "processes": 4}, None),
        ({"launcher": "accelerate", "accelerateConfig": "configs/fsdp.yaml"}, None),
        ({"processes": 2}, "processes"),
        ({"accelerateConfig": "fsdp.yaml"}, "accelerateConfig"),
        ({"launcher": "torchrun"}, "launcher"),
        ({"launcher": "accelerate", "processes": 0}, "processes"),
        ({"launcher": "accelerate", "accelerateConfig": "../fsdp.yaml"}, "accelerateConfig"),
        ({"launcher": "accelerate", "accelerateConfig": "a/../../b.yaml"}, "accelerateConfig"),
        ({"launcher": "accelerate", "accelerateConfig": "/etc/fsdp.yaml"}, "accelerateConfig"),
        ({"launcher": "accelerate", "accelerateConfig": "C:\\fsdp.yaml"}, "accelerateConfig"),
        ({"launcher": "accelerate", "accelerateConfig": "\\\\host\\x.yaml"}, "accelerateConfig"),
    ],
)
def test_the_config_fields(fields: dict[str, Any], wrong: str | None) -> None:
    raw = {"baseModel": "tiny", "datasets": ["d.jsonl"], **fields}
    text = "".join(f"{key}: {json.dumps(value)}\n" for key, value in raw.items())
    # Each refusal sits on the value the user has to change, as the editor shows it.
    located = [text[p.span.start : p.span.end] for p in check_config_text(text)]
    assert located == ([json.dumps(fields[wrong])] if wrong else [])


@pytest.mark.parametrize(
    ("file", "refusal"),
    [
        (None, "cannot read"),
        ("distributed_type: MULTI_CPU\n", "MULTI_CPU starts one process"),
        ("num_processes: 2\n", "NO starts one process"),
        ("- a list\n", "not an `accelerate config` file"),
        ("link", "outside the config's folder"),
    ],
)
def test_a_config_file_that_would_not_launch_is_refused_before_a_folder_is_made(
    tmp_path: Path, file: str | None, refusal: str
) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    if file == "link":
        (tmp_path / "outside.yaml").write_text(MULTI_GPU_FILE)
        (workspace / "acc.yaml").symlink_to(tmp_path / "outside.yaml")
    elif file is not None:
        (workspace / "acc.yaml").write_text(file)
    run = run_config(workspace, launcher="accelerate", processes=2, accelerateConfig="acc.yaml")
    with pytest.raises(RunConfigError, match=refusal):
        start_command(PY, run, ["cfg.yaml"], resuming=False)
    assert not (workspace / "runs").exists()


@pytest.mark.parametrize(
    ("fields", "resuming", "made"),
    [
        ({}, False, False),
        ({"launcher": "accelerate", "processes": 2}, True, False),
        ({"launcher": "accelerate", "processes": 2}, False, True),
    ],
)
def test_the_caller_makes_the_folder_the_ranks_share(
    tmp_path: Path, fields: dict[str, Any], resuming: bool, made: bool
) -> None:
    command = start_command(PY, run_config(tmp_path, **fields), ["cfg.yaml"], resuming)
    folders = list((tmp_path / "runs").glob("*-run")) if made else []
    assert [p.is_dir() for p in folders] == ([True] if made else [])
    if made:
        assert command[-2:] == ["--run-dir", str(folders[0])]
    else:
        assert "--run-dir" not in command and not (tmp_path / "runs").exists()


# Real runs: the tiny model, 4-bit on the CPU, two processes joined over gloo.

pytest.importorskip("accelerate")
pytest.importorskip("bitsandbytes")
psutil = pytest.importorskip("psutil")

PROMPTWEIGHT = str(Path(sys.executable).parent / "promptweight")
CONFIG = """name: ddp
baseModel: tiny
datasets: [data.jsonl]
learningRate: 0.003
batchSize: 1
evalSplit: 0
saveSteps: 50
maxSequenceTokens: 256
launcher: accelerate
processes: 2
"""
EXAMPLES = [("The VPN drops.", "network"), ("The printer burns.", "hardware")] * 2


@pytest.fixture
def workspace(tiny_model: Path, tmp_path: Path) -> Path:
    (tmp_path / "tiny").symlink_to(tiny_model)
    with (tmp_path / "data.jsonl").open("w") as data:
        for question, answer in EXAMPLES:
            messages = [{"role": "user", "content": question}]
            messages.append({"role": "assistant", "content": answer})
            data.write(json.dumps({"messages": messages}) + "\n")
    (tmp_path / "promptweight.train.yaml").write_text(CONFIG)
    return tmp_path


def test_two_processes_train_one_run_and_rank_0_alone_reports_it(workspace: Path) -> None:
    result = subprocess.run(
        [PROMPTWEIGHT, "train", "promptweight.train.yaml", "--max-steps", "3", "--json"],
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    events = [parse_event(line) for line in result.stdout.splitlines()]
    assert result.returncode == 0, result.stderr[-3000:]
    started, finished = events[0], events[-1]
    assert isinstance(started, Started) and started.processes == 2
    assert isinstance(finished, Finished) and finished.steps == 3
    # One event per step: the other rank trains in step but tells nothing.
    assert [e.step for e in events if isinstance(e, Step)] == [1, 2, 3]
    run_dir = Path(started.run_dir)
    assert [p.name for p in (workspace / "runs").iterdir()] == [run_dir.name]
    logged = (run_dir / "events.jsonl").read_text().splitlines()
    assert [parse_event(line) for line in logged] == events
    assert (run_dir / "adapter_model.safetensors").is_file()
    # Both ranks' states are in the checkpoint: one per process of the data-parallel run.
    saved = sorted(p.name for p in (run_dir / "checkpoints" / "checkpoint-3").glob("rng_state*"))
    assert saved == ["rng_state_0.pth", "rng_state_1.pth"]


def test_a_cancel_stops_every_rank_at_one_step_with_a_checkpoint(workspace: Path) -> None:
    """The language server's way: SIGTERM to the launcher, which passes it to the ranks; they
    agree on the step to stop at, and the run resumes from the checkpoint there. The accelerate
    config file (MULTI_GPU, which on a machine without CUDA runs the CPU ranks) is passed on."""
    (workspace / "accelerate.yaml").write_text(MULTI_GPU_FILE)
    config = workspace / "promptweight.train.yaml"
    config.write_text(CONFIG + "accelerateConfig: accelerate.yaml\n")
    run = load_run_config(config, {"maxSteps": 500})
    command = start_command(sys.executable, run, [str(config), "--max-steps", "500"], False)
    assert "--config_file" in command
    launcher = subprocess.Popen(command, cwd=workspace, stdout=subprocess.PIPE, text=True)
    assert launcher.stdout is not None
    events: list[TrainingEvent] = []
    ranks: list[Any] = []
    try:
        for line in launcher.stdout:
            events.append(parse_event(line))
            if isinstance(events[-1], Step) and not ranks:
                ranks = psutil.Process(launcher.pid).children(recursive=True)
                launcher.terminate()
        launcher.wait(60)
    finally:
        launcher.kill()
    assert not any(isinstance(e, Failed) for e in events), events[-1]
    finished = events[-1]
    assert isinstance(finished, Finished) and finished.cancelled and finished.steps < 500
    checkpoints = [e for e in events if isinstance(e, Checkpoint)]
    assert checkpoints[-1].step == finished.steps
    assert len(ranks) >= 2  # the two ranks (and nothing left of them, below)
    _, alive = psutil.wait_procs(ranks, timeout=10)
    assert alive == []


def test_a_failure_is_the_last_line_of_the_runs_log_too(tmp_path: Path) -> None:
    """The failure is written before the log closes: `events.jsonl` is what tells the run's
    state after a restart."""
    (tmp_path / "promptweight.train.yaml").write_text("baseModel: missing\ndatasets: [d.jsonl]\n")
    result = subprocess.run(
        [sys.executable, "-I", "-m", "server.training", "train", "promptweight.train.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr[-3000:]
    [failed] = [parse_event(line) for line in result.stdout.splitlines()]
    assert isinstance(failed, Failed) and "missing" in failed.error
    [logged] = (tmp_path / "runs").glob("*/events.jsonl")
    assert [parse_event(line) for line in logged.read_text().splitlines()] == [failed]
