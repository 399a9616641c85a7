"""Setting a run up from the editor, through the real server: the training environment check,
the install command's failure message, the wizard's choices and plan, the config it writes
(never over a file), and everything that runs code refused in an untrusted workspace."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import LanguageClient

from shared_schemas.methods import (
    COMPARE_ADAPTER,
    CREATE_TRAINING_CONFIG,
    INSTALL_TRAINING_EXTRA,
    PLAN_TRAINING,
    TRAINING_CHOICES,
    TRAINING_ENVIRONMENT,
    TRY_ADAPTER,
)
from shared_schemas.training_setup import (
    CreateTrainingConfigResult,
    InstallTrainingExtraResult,
    TrainingChoices,
    TrainingEnvironment,
    TrainingPlan,
    TryAdapterResult,
)
from tests.lsp.conftest import PromptClient, start_session

MISSING_PYTHON = "/nonexistent/bin/python3"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    pytest.importorskip("torch")
    from server.training.tiny_model import build_tiny_model

    build_tiny_model(tmp_path / "tiny")
    (tmp_path / "triage.train.jsonl").write_text("")
    return tmp_path


async def open_session(
    server_process: LanguageClient, folder: Path, **options: Any
) -> AsyncIterator[PromptClient]:
    async for client in start_session(server_process, {"debounceMs": 0, **options}, None, [folder]):
        yield client


@pytest_asyncio.fixture
async def trusted(server_process: LanguageClient, folder: Path) -> AsyncIterator[PromptClient]:
    async for client in open_session(server_process, folder, workspaceTrusted=True):
        yield client


@pytest_asyncio.fixture
async def untrusted(server_process: LanguageClient, folder: Path) -> AsyncIterator[PromptClient]:
    async for client in open_session(server_process, folder, workspaceTrusted=False):
        yield client


@pytest_asyncio.fixture
async def missing_python(
    server_process: LanguageClient, folder: Path
) -> AsyncIterator[PromptClient]:
    # As VS Code sends them: each folder's folder-scoped settings, the machine-scoped
    # `training.python` at the window's level only.
    options = {
        "workspaceTrusted": True,
        "training.python": MISSING_PYTHON,
        "folders": [{"uri": folder.as_uri(), "settings": {"model": "gpt-4o-mini"}}],
    }
    async for client in open_session(server_process, folder, **options):
        yield client


async def request(client: PromptClient, method: str, params: dict[str, Any]) -> Any:
    return await client.lsp.protocol.send_request_async(method, params)


async def command(client: PromptClient, name: str, params: dict[str, Any]) -> Any:
    return await client.lsp.workspace_execute_command_async(
        types.ExecuteCommandParams(command=name, arguments=[params])
    )


def tiny_config(**more: Any) -> dict[str, Any]:
    return {"name": "triage", "baseModel": "tiny", "datasets": ["triage.train.jsonl"], **more}


async def test_the_environment_check_reports_the_interpreter_and_the_runs_estimate(
    trusted: PromptClient, folder: Path
) -> None:
    (folder / "promptweight.train.yaml").write_text(
        "baseModel: tiny\ndatasets: [triage.train.jsonl]\n"
    )
    config = (folder / "promptweight.train.yaml").as_uri()
    raw = await request(trusted, TRAINING_ENVIRONMENT.name, {"config": config})
    found = TrainingEnvironment.model_validate(raw)
    assert found.report is not None and found.report.missing == []
    assert found.report.four_bit_works and found.report.estimate is not None
    assert found.install is None


async def test_an_interpreter_that_cannot_start_is_named_with_how_to_install(
    missing_python: PromptClient, folder: Path
) -> None:
    raw = await request(missing_python, TRAINING_ENVIRONMENT.name, {"folder": folder.as_uri()})
    found = TrainingEnvironment.model_validate(raw)
    assert found.report is None and MISSING_PYTHON in (found.error or "")
    assert found.install is not None and found.install.command[0] == MISSING_PYTHON


async def test_a_failed_install_says_what_to_run_by_hand(
    missing_python: PromptClient, folder: Path
) -> None:
    raw = await command(missing_python, INSTALL_TRAINING_EXTRA.name, {"folder": folder.as_uri()})
    result = InstallTrainingExtraResult.model_validate(raw)
    assert not result.installed
    assert f"run it by hand: {MISSING_PYTHON} -m pip install" in result.message


async def test_the_wizard_is_offered_the_folders_datasets_and_models(
    trusted: PromptClient, folder: Path
) -> None:
    raw = await request(trusted, TRAINING_CHOICES.name, {"folder": folder.as_uri()})
    found = TrainingChoices.model_validate(raw)
    assert found.datasets == ["triage.train.jsonl"]
    assert "tiny" in [m.id for m in found.base_models if m.source == "folder"]


async def test_a_planned_config_is_written_once_and_never_over_a_file(
    trusted: PromptClient, folder: Path
) -> None:
    raw = await request(
        trusted, PLAN_TRAINING.name, {"folder": folder.as_uri(), "config": tiny_config()}
    )
    plan = TrainingPlan.model_validate(raw)
    assert plan.uri == (folder / "promptweight.train.yaml").as_uri()
    assert plan.estimate is not None and plan.estimate.total > 0
    params = {"uri": plan.uri, "text": plan.text}
    first = CreateTrainingConfigResult.model_validate(
        await command(trusted, CREATE_TRAINING_CONFIG.name, params)
    )
    assert first.written
    again = CreateTrainingConfigResult.model_validate(
        await command(trusted, CREATE_TRAINING_CONFIG.name, {**params, "text": "name: other\n"})
    )
    assert not again.written and "exists already" in again.message
    assert (folder / "promptweight.train.yaml").read_text() == plan.text


async def test_a_plan_without_a_readable_base_model_says_why_there_is_no_estimate(
    trusted: PromptClient, folder: Path
) -> None:
    config = tiny_config(baseModel="nowhere/model-that-is-not-cached")
    raw = await request(trusted, PLAN_TRAINING.name, {"folder": folder.as_uri(), "config": config})
    plan = TrainingPlan.model_validate(raw)
    assert plan.estimate is None and "not here" in (plan.estimate_note or "")


@pytest.mark.parametrize(
    ("method", "params", "refusal"),
    [
        (INSTALL_TRAINING_EXTRA.name, {}, "message"),
        (CREATE_TRAINING_CONFIG.name, {"uri": "", "text": "name: x\n"}, "message"),
        (TRY_ADAPTER.name, {"runDir": "/tmp"}, "error"),
        (COMPARE_ADAPTER.name, {"prompt": "file:///tmp/triage.prompty"}, "error"),
    ],
)
async def test_an_untrusted_workspace_runs_and_writes_nothing(
    untrusted: PromptClient, folder: Path, method: str, params: dict[str, Any], refusal: str
) -> None:
    if method == CREATE_TRAINING_CONFIG.name:
        params = {**params, "uri": (folder / "new.train.yaml").as_uri()}
    raw = await command(untrusted, method, params)
    assert "trust" in raw[refusal]
    assert not (folder / "new.train.yaml").exists()


async def test_an_untrusted_workspace_does_not_run_the_training_interpreter(
    untrusted: PromptClient, folder: Path
) -> None:
    raw = await request(untrusted, TRAINING_ENVIRONMENT.name, {"folder": folder.as_uri()})
    found = TrainingEnvironment.model_validate(raw)
    assert found.report is None and "trust" in (found.error or "")


async def test_a_run_folder_outside_the_workspace_is_not_tried(
    trusted: PromptClient, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    raw = await command(trusted, TRY_ADAPTER.name, {"runDir": str(elsewhere)})
    result = TryAdapterResult.model_validate(raw)
    assert result.trial is None and "outside" in (result.error or "")


async def test_comparing_a_prompt_never_fine_tuned_says_how_to_start(
    trusted: PromptClient, folder: Path
) -> None:
    prompt = folder / "triage.prompty"
    prompt.write_text("system:\nClassify.\nuser:\n{{q}}\n")
    raw = await command(trusted, COMPARE_ADAPTER.name, {"prompt": prompt.as_uri()})
    assert raw["report"] is None and "no finished fine-tune of this prompt" in raw["error"]
