"""Real QLoRA runs of the tiny model on the CPU, through the entry points users call:
`promptweight train` and the trainer process, on a dataset the export feature wrote."""

from __future__ import annotations

import json
import math
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from shared_schemas.training import Checkpoint, Failed, Finished, Started, Step, parse_event
from shared_schemas.training_setup import TryAdapterResult

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
peft = pytest.importorskip("peft")
bitsandbytes = pytest.importorskip("bitsandbytes")

PROMPTWEIGHT = str(Path(sys.executable).parent / "promptweight")
PROMPT = """system:
Classify the support ticket as network, hardware, billing or other. Answer with one word.

user:
The VPN drops every hour.

assistant:
network

user:
The printer is on fire.

assistant:
hardware

user:
I was charged twice this month.

assistant:
billing

user:
Where is the office?

assistant:
other

user:
{{ticket}}
"""
CONFIG = """name: triage
baseModel: tiny
datasets: [triage.train.jsonl]
learningRate: 0.003
batchSize: 2
evalSplit: 0
saveSteps: 5
maxSequenceTokens: 256
"""


@pytest.fixture(scope="module")
def workspace(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("workspace")
    (folder / "tiny").symlink_to(tiny_model)
    (folder / "triage.prompty").write_text(PROMPT)
    subprocess.run(
        [
            PROMPTWEIGHT,
            "export",
            str(folder / "triage.prompty"),
            "-o",
            str(folder / "triage.train.jsonl"),
        ],
        check=True,
        capture_output=True,
    )
    (folder / "promptweight.train.yaml").write_text(CONFIG)
    return folder


def train(*args: str, cwd: Path) -> tuple[int, list[object]]:
    result = subprocess.run(
        [PROMPTWEIGHT, "train", *args, "--json"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return result.returncode, [parse_event(line) for line in result.stdout.splitlines()]


@pytest.fixture(scope="module")
def finished_run(workspace: Path) -> tuple[int, list[object]]:
    return train("promptweight.train.yaml", "--max-steps", "30", cwd=workspace)


def test_a_run_writes_an_adapter_and_its_loss_falls(finished_run: tuple[int, list[object]]) -> None:
    status, events = finished_run
    assert status == 0
    assert isinstance(events[0], Started) and isinstance(events[-1], Finished)
    steps = [e for e in events if isinstance(e, Step)]
    assert [s.step for s in steps] == list(range(1, 31))
    losses = [s.loss for s in steps]
    assert all(math.isfinite(loss) for loss in losses)
    assert sum(losses[-5:]) / 5 < sum(losses[:5]) / 5 - 0.3
    run_dir = Path(events[0].run_dir)
    for name in (
        "adapter_model.safetensors",
        "adapter_config.json",
        "train.json",
        "events.jsonl",
        "metrics.json",
        "README.md",
    ):
        assert (run_dir / name).is_file(), name
    assert json.loads((run_dir / "metrics.json").read_text())["steps"] == 30


def test_the_adapter_reloads_onto_the_4bit_base_and_generates(
    finished_run: tuple[int, list[object]], tiny_model: Path
) -> None:
    _, events = finished_run
    assert isinstance(events[0], Started)
    quantization = transformers.BitsAndBytesConfig(
        load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.bfloat16
    )
    base = transformers.AutoModelForCausalLM.from_pretrained(
        tiny_model, quantization_config=quantization, device_map={"": "cpu"}
    )
    assert any(isinstance(m, bitsandbytes.nn.Linear4bit) for m in base.modules())
    model = peft.PeftModel.from_pretrained(base, events[0].run_dir)
    tokenizer = transformers.AutoTokenizer.from_pretrained(events[0].run_dir)
    prompt = tokenizer.apply_chat_template(
        [{"role": "user", "content": "The VPN drops every hour."}],
        add_generation_prompt=True,
        return_tensors="pt",
        return_dict=True,
    )
    output = model.generate(**prompt, max_new_tokens=4, do_sample=False)
    assert output.shape[1] > prompt["input_ids"].shape[1]


def test_try_adapter_answers_the_example_the_run_kept_aside(
    finished_run: tuple[int, list[object]],
) -> None:
    _, events = finished_run
    assert isinstance(events[0], Started)
    run_dir = events[0].run_dir
    command = [sys.executable, "-m", "server.training", "try", run_dir, "--max-new-tokens", "3"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    trial = TryAdapterResult.model_validate_json(result.stdout.splitlines()[-1]).trial
    assert trial is not None
    # evalSplit 0: nothing was held out, so a training example stands in and says so.
    assert trial.held_out is False
    assert trial.prompt[-1]["role"] == "user"
    assert trial.expected in {"network", "hardware", "billing", "other"}
    assert 1 <= trial.answer_tokens <= 3 and trial.prompt_tokens > 0


def test_try_adapter_refuses_a_folder_without_an_adapter(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "server.training", "try", str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 1
    answer = TryAdapterResult.model_validate_json(result.stdout.splitlines()[-1])
    assert answer.trial is None and "no adapter" in (answer.error or "")


def test_a_stopped_run_resumes_from_its_checkpoint(workspace: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "server.training",
        "train",
        "promptweight.train.yaml",
        "--max-steps",
        "40",
    ]
    trainer = subprocess.Popen(command, cwd=workspace, stdout=subprocess.PIPE, text=True)
    assert trainer.stdout is not None
    events = []
    for line in trainer.stdout:
        events.append(parse_event(line))
        if isinstance(events[-1], Step) and events[-1].step == 7:
            trainer.send_signal(signal.SIGTERM)
    assert trainer.wait(timeout=120) == 0
    finished = events[-1]
    assert isinstance(finished, Finished) and finished.cancelled
    saved = [e.step for e in events if isinstance(e, Checkpoint)]
    assert saved and saved[-1] == finished.steps
    run_dir = events[0].run_dir
    status, resumed = train(
        "promptweight.train.yaml", "--max-steps", "40", "--resume", run_dir, cwd=workspace
    )
    assert status == 0
    assert isinstance(resumed[0], Started) and resumed[0].resumed_from_step == finished.steps
    last = resumed[-1]
    assert isinstance(last, Finished) and last.steps == 40 and not last.cancelled


BAD_RUNS = {
    "missing dataset": (["--dataset", "nowhere.jsonl"], "does not exist"),
    "dataset with a format error": (["--dataset", "broken.jsonl"], "errors"),
    "no assistant answers": (["--dataset", "questions.jsonl"], "no assistant message"),
    "missing base model": (["--base-model", "no-such-model"], "neither a local folder"),
}


@pytest.mark.parametrize(("flags", "reason"), BAD_RUNS.values(), ids=BAD_RUNS.keys())
def test_a_run_that_cannot_start_fails_with_a_reason(
    workspace: Path, flags: list[str], reason: str
) -> None:
    (workspace / "broken.jsonl").write_text('{"messages": [\n')
    (workspace / "questions.jsonl").write_text(
        json.dumps({"messages": [{"role": "user", "content": "hi"}]}) + "\n"
    )
    status, events = train("promptweight.train.yaml", "--max-steps", "2", *flags, cwd=workspace)
    assert status == 1
    failure = events[-1]
    assert isinstance(failure, Failed) and reason in failure.error


def test_a_config_error_is_a_usage_error_before_anything_loads(workspace: Path) -> None:
    (workspace / "bad.train.yaml").write_text("baseModel: tiny\ndatasets: []\nbatchSize: 0\n")
    result = subprocess.run(
        [PROMPTWEIGHT, "train", "bad.train.yaml"],
        cwd=workspace,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "datasets" in result.stderr and "batchSize" in result.stderr
