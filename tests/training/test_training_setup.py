"""The pieces behind the Start Fine-Tuning wizard and Check Training Environment: the config file
a wizard writes, the choices it offers, and how the training libraries get installed."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
import yaml

from server.core.atomic_files import write_new_file_atomically
from server.core.training.choices import training_choices
from server.core.training.config_file import config_text, free_config_path
from server.core.training.install_plan import install_plan, train_requirements
from server.core.training.run_config import load_run_config
from shared_schemas.training import TrainingConfig

TINY_LLAMA = {"model_type": "llama", "num_hidden_layers": 2, "hidden_size": 64}


def test_the_written_config_reads_back_as_the_same_run(tmp_path: Path) -> None:
    config = TrainingConfig.model_validate(
        {"name": "triage", "baseModel": "tiny", "datasets": ["a.jsonl"], "maxSteps": 30}
    )
    path = tmp_path / "promptweight.train.yaml"
    path.write_text(config_text(config, path.name))
    assert load_run_config(path, {}).config == config


def test_the_written_config_leaves_defaults_out(tmp_path: Path) -> None:
    config = TrainingConfig.model_validate({"baseModel": "tiny", "datasets": ["a.jsonl"]})
    loaded = yaml.safe_load(config_text(config, "x.train.yaml"))
    assert loaded == {"name": "run", "baseModel": "tiny", "datasets": ["a.jsonl"]}


@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        ([], "promptweight.train.yaml"),
        (["promptweight.train.yaml"], "triage.train.yaml"),
        (["promptweight.train.yaml", "triage.train.yaml"], "triage-2.train.yaml"),
    ],
)
def test_a_wizard_never_picks_a_config_name_in_use(
    tmp_path: Path, existing: list[str], expected: str
) -> None:
    for name in existing:
        (tmp_path / name).write_text("name: mine\n")
    assert free_config_path(tmp_path, "triage").name == expected


def test_a_new_file_is_never_written_over_an_existing_one(tmp_path: Path) -> None:
    path = tmp_path / "promptweight.train.yaml"
    write_new_file_atomically(path, b"first\n")
    with pytest.raises(FileExistsError):
        write_new_file_atomically(path, b"second\n")
    assert path.read_text() == "first\n"
    assert [p.name for p in tmp_path.iterdir()] == ["promptweight.train.yaml"]


def test_the_choices_are_datasets_model_folders_and_configs(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "triage.train.jsonl").write_text("{}\n")
    (tmp_path / "models" / "tiny").mkdir(parents=True)
    (tmp_path / "models" / "tiny" / "config.json").write_text(json.dumps(TINY_LLAMA))
    (tmp_path / "models" / "tiny" / "tokenizer.json").write_text("{}")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "config.json").write_text("{}")  # no model: no tokenizer, no type
    (tmp_path / "runs" / "old").mkdir(parents=True)
    (tmp_path / "runs" / "old" / "heldout.jsonl").write_text("{}\n")  # a run's, not a dataset
    (tmp_path / "promptweight.train.yaml").write_text("name: x\n")
    found = training_choices(tmp_path)
    assert found.datasets == ["data/triage.train.jsonl"]
    folders = [m for m in found.base_models if m.source == "folder"]
    assert [(m.id, m.detail) for m in folders] == [("models/tiny", "llama · 2 layers · hidden 64")]
    assert found.configs == [(tmp_path / "promptweight.train.yaml").as_uri()]


def test_models_in_the_hugging_face_cache_are_offered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot = tmp_path / "hub" / "models--Qwen--Qwen2-0.5B" / "snapshots" / "abc"
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text(json.dumps({**TINY_LLAMA, "model_type": "qwen2"}))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    cached = [m for m in training_choices(workspace).base_models if m.source == "cache"]
    assert [m.id for m in cached] == ["Qwen/Qwen2-0.5B"]


def test_the_extra_is_installed_from_the_packages_own_requirements() -> None:
    plan = install_plan("/env/bin/python", has_promptweight=True, find_links=None)
    assert plan.command[:4] == ["/env/bin/python", "-m", "pip", "install"]
    names = {r.split(">")[0].split("=")[0] for r in train_requirements()}
    assert {"torch", "transformers", "peft", "bitsandbytes", "accelerate"} <= names
    assert plan.command[-len(train_requirements()) :] == train_requirements()
    assert shlex.split(plan.command_line) == plan.command


def test_an_interpreter_without_promptweight_gets_it_from_the_wheelhouse() -> None:
    plan = install_plan("/other/python", has_promptweight=False, find_links="/ext/bundled/wheels")
    assert plan.command[-3:-1] == ["--find-links", "/ext/bundled/wheels"]
    assert plan.command[-1].startswith("promptweight[train]==")
