"""Bad input and bad luck in the trainer process: a disk that fills up between checkpoints, out
of memory, no GPU for a real model, a killed trainer, and datasets with nothing to train on.
Each is a real run of `python -m server.training` or `promptweight train` on the tiny model."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.training.checkpoints import is_complete, latest_checkpoint
from shared_schemas.training import (
    Checkpoint,
    Failed,
    Finished,
    Started,
    Step,
    TrainingEvent,
    parse_event,
)

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("peft")
pytest.importorskip("bitsandbytes")

from server.training.footprint import ARCHITECTURES  # noqa: E402  (it imports torch)

PROMPTWEIGHT = str(Path(sys.executable).parent / "promptweight")
TIMEOUT_S = 300
RECORDS = [
    {"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]}
    for q, a in [("The VPN drops.", "network"), ("Printer on fire.", "hardware")] * 8
]
# One checkpoint every 5 steps, and only one kept: if the Trainer deleted the old one before
# the new one was whole, a failed save would leave none.
CONFIG = """name: failures
baseModel: tiny
datasets: [data.jsonl]
evalSplit: 0
saveSteps: 5
saveTotalLimit: 1
learningRate: 0.003
batchSize: 1
maxSequenceTokens: 64
"""
# Under the adapter file of a checkpoint (about 130 KB at rank 16) and over every other file the
# trainer writes in 10 steps (events.jsonl: a few KB).
FULL_DISK_BYTES = 32 << 10


@pytest.fixture(scope="module")
def workspace(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("failures")
    (folder / "tiny").symlink_to(tiny_model)
    (folder / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    (folder / "promptweight.train.yaml").write_text(CONFIG)
    return folder


def events_of(output: str) -> list[TrainingEvent]:
    return [parse_event(line) for line in output.splitlines()]


def trainer(*args: str, cwd: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "server.training", "train", "promptweight.train.yaml", *args]
    return subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, text=True)


def followed(process: subprocess.Popen[str]) -> Iterator[TrainingEvent]:
    assert process.stdout is not None
    for line in process.stdout:
        yield parse_event(line)


def run_trainer(*args: str, cwd: Path) -> tuple[int, list[TrainingEvent]]:
    process = trainer(*args, cwd=cwd)
    events = list(followed(process))
    return process.wait(timeout=TIMEOUT_S), events


# A disk that fills up after the first checkpoint: the trainer's file size limit (RLIMIT_FSIZE,
# which only lowers and needs no privilege) drops once checkpoint-5 is written, so writing
# checkpoint-10 fails with EFBIG as it would with ENOSPC (Python ignores SIGXFSZ, so write()
# returns the error instead of the process being killed).


@pytest.fixture(scope="module")
def full_disk_run(workspace: Path) -> tuple[int, list[TrainingEvent]]:
    process = trainer("--max-steps", "30", cwd=workspace)
    events = []
    for event in followed(process):
        events.append(event)
        if isinstance(event, Checkpoint) and event.step == 5:
            resource.prlimit(process.pid, resource.RLIMIT_FSIZE, (FULL_DISK_BYTES,) * 2)
    return process.wait(timeout=TIMEOUT_S), events


def test_a_full_disk_at_checkpoint_time_fails_the_run_saying_so(
    full_disk_run: tuple[int, list[TrainingEvent]],
) -> None:
    status, events = full_disk_run
    assert status == 1
    failure = events[-1]
    assert isinstance(failure, Failed)
    assert "checkpoint-10" in failure.error and "disk is full" in failure.error
    assert failure.hint is not None
    assert "free space" in failure.hint and "saveTotalLimit (now 1)" in failure.hint
    assert "continues from checkpoint-5" in failure.hint


def test_a_full_disk_keeps_the_last_good_checkpoint_and_removes_the_cut_one(
    full_disk_run: tuple[int, list[TrainingEvent]],
) -> None:
    _, events = full_disk_run
    assert isinstance(events[0], Started)
    checkpoints = Path(events[0].run_dir) / "checkpoints"
    assert sorted(p.name for p in checkpoints.iterdir()) == ["checkpoint-5"]
    assert is_complete(checkpoints / "checkpoint-5")
    assert [e.step for e in events if isinstance(e, Checkpoint)] == [5]


def test_a_run_stopped_by_a_full_disk_resumes_from_the_last_good_checkpoint(
    workspace: Path, full_disk_run: tuple[int, list[TrainingEvent]]
) -> None:
    _, failed_events = full_disk_run
    assert isinstance(failed_events[0], Started)
    status, events = run_trainer(
        "--max-steps", "12", "--resume", failed_events[0].run_dir, cwd=workspace
    )
    assert status == 0
    assert isinstance(events[0], Started) and events[0].resumed_from_step == 5
    assert [e.step for e in events if isinstance(e, Step)] == list(range(6, 13))
    assert isinstance(events[-1], Finished) and events[-1].steps == 12


def trainer_state(step: int) -> str:
    return json.dumps({"global_step": step, "log_history": []})


# Checkpoint folders as a full disk or a kill can leave them: the Trainer writes
# trainer_state.json last, so only a whole one of the folder's own step makes it complete.
CHECKPOINT_FOLDERS: dict[str, tuple[dict[str, str | None], str | None]] = {
    "the newest is whole": (
        {"checkpoint-5": trainer_state(5), "checkpoint-10": trainer_state(10)},
        "checkpoint-10",
    ),
    "the newest has no state (cut before the last file)": (
        {"checkpoint-5": trainer_state(5), "checkpoint-10": None},
        "checkpoint-5",
    ),
    "the newest's state is cut short": (
        {"checkpoint-5": trainer_state(5), "checkpoint-10": trainer_state(10)[:20]},
        "checkpoint-5",
    ),
    "steps compare as numbers": (
        {"checkpoint-9": trainer_state(9), "checkpoint-10": trainer_state(10)},
        "checkpoint-10",
    ),
    "a state of another step": (
        {"checkpoint-5": trainer_state(5), "checkpoint-10": trainer_state(5)},
        "checkpoint-5",
    ),
    "none is whole": ({"checkpoint-5": "", "checkpoint-x": trainer_state(0)}, None),
}


@pytest.mark.parametrize(
    ("folders", "latest"), CHECKPOINT_FOLDERS.values(), ids=CHECKPOINT_FOLDERS.keys()
)
def test_only_a_complete_checkpoint_is_resumed_from(
    tmp_path: Path, folders: dict[str, str | None], latest: str | None
) -> None:
    for name, state in folders.items():
        folder = tmp_path / "checkpoints" / name
        folder.mkdir(parents=True)
        (folder / "adapter_model.safetensors").write_bytes(b"\0" * 64)
        if state is not None:
            (folder / "trainer_state.json").write_text(state)
    found = latest_checkpoint(tmp_path)
    assert (found.name if found else None) == latest


# Out of memory: torch raises `torch.OutOfMemoryError` only from CUDA's allocator; on a CPU a
# failed allocation is a plain RuntimeError (provoked for real below). Neither can be provoked
# through a tiny model's run here without starving the whole machine, so the reporting is
# tested on real error instances.


def cpu_allocation_failure() -> BaseException:
    try:
        torch.empty(1 << 60, dtype=torch.uint8)
    except RuntimeError as error:
        return error
    raise AssertionError("an exabyte was allocated")


OUT_OF_MEMORY: dict[str, Any] = {
    "CUDA's allocator": lambda: torch.OutOfMemoryError(
        "CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 23.6 GiB"
    ),
    "the CPU allocator": cpu_allocation_failure,
    "Python": lambda: MemoryError(),
}


@pytest.mark.parametrize("make", OUT_OF_MEMORY.values(), ids=OUT_OF_MEMORY.keys())
def test_out_of_memory_anywhere_is_reported_with_what_to_lower(make: Any) -> None:
    from server.training.run import failed

    failure = failed(make())
    assert "out of" in failure.error and "memory" in failure.error
    assert failure.hint is not None
    for lever in ("batchSize", "maxSequenceTokens", "gradientCheckpointing", "lora.rank"):
        assert lever in failure.hint


def test_out_of_memory_in_a_run_names_its_settings_and_estimate(workspace: Path) -> None:
    from server.core.training.run_config import load_run_config
    from server.training.run import RunError, train

    run = load_run_config(workspace / "promptweight.train.yaml", {})

    def out_of_memory(event: TrainingEvent) -> None:
        # The first event is written once the model is loaded and the Trainer is built: out of
        # memory there stands for out of memory anywhere in the run.
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 MiB")

    run_dir = workspace / "oom-run"
    run_dir.mkdir()
    with pytest.raises(RunError) as raised:
        train(run, run_dir, out_of_memory, threading.Event(), resume=False)
    hint = raised.value.hint or ""
    assert "batchSize (now 1)" in hint and "maxSequenceTokens (now 64)" in hint
    assert "lora.rank (now 16)" in hint and "pre-flight estimate of this run is" in hint


# No GPU: a real base model's shape is refused on the CPU before anything loads; only its
# config.json is needed to know its size.


REAL_MODELS: dict[str, dict[str, Any]] = {
    "qwen2-0.5b": {
        "model_type": "qwen2",
        "vocab_size": 151936,
        "hidden_size": 896,
        "intermediate_size": 4864,
        "num_hidden_layers": 24,
        "num_attention_heads": 14,
        "num_key_value_heads": 2,
        "tie_word_embeddings": True,
    },
    "llama-3.2-1b": {
        "model_type": "llama",
        "vocab_size": 128256,
        "hidden_size": 2048,
        "intermediate_size": 8192,
        "num_hidden_layers": 16,
        "num_attention_heads": 32,
        "num_key_value_heads": 8,
        "tie_word_embeddings": True,
    },
}


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
@pytest.mark.parametrize("architecture", ["qwen2-0.5b", "llama-3.2-1b"])
def test_a_real_model_without_cuda_is_refused_with_why(workspace: Path, architecture: str) -> None:
    model = workspace / architecture
    model.mkdir()
    (model / "config.json").write_text(json.dumps(REAL_MODELS[architecture]))
    status, events = run_trainer("--base-model", architecture, cwd=workspace)
    assert status == 1
    failure = events[-1]
    assert isinstance(failure, Failed)
    assert "needs CUDA" in failure.error and "tiny models and tests" in failure.error


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_a_small_real_model_is_not_refused_for_want_of_cuda(workspace: Path) -> None:
    model = workspace / "smollm2"
    model.mkdir()
    (model / "config.json").write_text(json.dumps(ARCHITECTURES["smollm2-135m"]))
    _, events = run_trainer("--base-model", "smollm2", cwd=workspace)
    failure = events[-1]
    # It has no tokenizer here, so it fails later: for that, not for the device.
    assert isinstance(failure, Failed) and "CUDA" not in failure.error


# A killed trainer: `promptweight train` says so and exits 1.


def children_of(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def test_the_cli_reports_a_killed_trainer_and_exits_1(workspace: Path) -> None:
    cli = subprocess.Popen(
        [PROMPTWEIGHT, "train", "promptweight.train.yaml", "--max-steps", "500", "--json"],
        cwd=workspace,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert cli.stdout is not None
    events = []
    for line in cli.stdout:
        events.append(parse_event(line))
        if isinstance(events[-1], Step):
            [pid] = children_of(cli.pid)
            os.kill(pid, signal.SIGKILL)
            break
    events += events_of(cli.stdout.read())
    assert cli.wait(timeout=TIMEOUT_S) == 1
    failure = events[-1]
    assert isinstance(failure, Failed) and "killed by SIGKILL" in failure.error


# Datasets with nothing to train on that the validator lets through (the trainer's own check);
# the rest (missing, format errors, no assistant message) are in test_training_runs.py.
NOTHING_TO_TRAIN: dict[str, str] = {
    "empty dataset": "",
    "no assistant token within maxSequenceTokens": json.dumps(
        {
            "messages": [
                {"role": "user", "content": "The VPN drops every hour. " * 40},
                {"role": "assistant", "content": "network"},
            ]
        }
    )
    + "\n",
}


@pytest.mark.parametrize("text", NOTHING_TO_TRAIN.values(), ids=NOTHING_TO_TRAIN.keys())
def test_a_dataset_with_nothing_to_train_on_fails_with_a_reason(
    workspace: Path, tmp_path: Path, text: str
) -> None:
    dataset = tmp_path / "nothing.jsonl"
    dataset.write_text(text)
    status, events = run_trainer("--dataset", str(dataset), "--max-steps", "2", cwd=workspace)
    assert status == 1
    failure = events[-1]
    assert isinstance(failure, Failed)
    assert "no example with assistant tokens" in failure.error


def test_an_interpreter_without_torch_is_told_how_to_install_it(workspace: Path) -> None:
    # `import torch` fails as it does where torch is not installed: a None in sys.modules.
    code = (
        "import sys; sys.modules['torch'] = None; "
        "from server.training.__main__ import main; sys.exit(main(sys.argv[1:]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "train", "promptweight.train.yaml"],
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert result.returncode == 1
    [event] = events_of(result.stdout)
    assert isinstance(event, Failed) and "cannot train" in event.error
    assert event.hint is not None and "pip install 'promptweight[train]'" in event.hint
