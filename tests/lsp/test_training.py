"""Training from the editor: a real QLoRA run of the tiny model started through the server,
followed as work-done progress and `promptweight/training` events, and cancelled."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import LanguageClient

from shared_schemas.methods import START_TRAINING, TRAINING, TRAINING_RUNS
from shared_schemas.training import Finished, Step, TrainingRuns
from tests.lsp.conftest import PromptClient, start_session
from tests.lsp.test_training_reattach import kill_trainers_in
from tests.lsp.training_inbox import TrainingInbox

pytest.importorskip("torch")

PROGRESS = types.ClientCapabilities(window=types.WindowClientCapabilities(work_done_progress=True))


@pytest.fixture
def run_folder(tmp_path: Path) -> Path:
    from server.training.tiny_model import build_tiny_model

    build_tiny_model(tmp_path / "tiny")
    records = [
        {"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]}
        for q, a in [("The VPN drops.", "network"), ("Printer on fire.", "hardware")] * 8
    ]
    (tmp_path / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (tmp_path / "promptweight.train.yaml").write_text(
        "name: lsp\nbaseModel: tiny\ndatasets: [data.jsonl]\nevalSplit: 0\nsaveSteps: 2\n"
        "learningRate: 0.003\nbatchSize: 1\nmaxSequenceTokens: 64\n"
    )
    return tmp_path


async def session(
    server_process: LanguageClient, folder: Path, trusted: bool
) -> AsyncIterator[tuple[PromptClient, TrainingInbox]]:
    events = TrainingInbox()

    @server_process.feature(TRAINING.name)
    async def on_training(params: Any) -> None:
        await events.put(params)

    options = {"debounceMs": 0, "workspaceTrusted": trusted}
    async for client in start_session(server_process, options, PROGRESS, [folder]):
        yield client, events
    kill_trainers_in(folder)  # a run outlives its server: a failed test's must not


@pytest_asyncio.fixture
async def trusted(
    server_process: LanguageClient, run_folder: Path
) -> AsyncIterator[tuple[PromptClient, TrainingInbox]]:
    async for pair in session(server_process, run_folder, trusted=True):
        yield pair


@pytest_asyncio.fixture
async def untrusted(
    server_process: LanguageClient, run_folder: Path
) -> AsyncIterator[tuple[PromptClient, TrainingInbox]]:
    async for pair in session(server_process, run_folder, trusted=False):
        yield pair


async def start(client: PromptClient, folder: Path, max_steps: int) -> dict[str, Any]:
    config = (folder / "promptweight.train.yaml").as_uri()
    result: dict[str, Any] = await client.lsp.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command=START_TRAINING.name, arguments=[{"config": config, "maxSteps": max_steps}]
        )
    )
    return result


async def test_a_run_reports_progress_and_stops_when_cancelled(
    trusted: tuple[PromptClient, TrainingInbox], run_folder: Path
) -> None:
    client, events = trusted
    started = await start(client, run_folder, max_steps=500)
    assert started["started"] is True
    token = started["progressToken"]
    step = await events.event(Step)
    assert step.total_steps == 500
    again = await start(client, run_folder, max_steps=5)
    assert again["started"] is False and "already going" in again["message"]
    for _ in range(100):
        if len(client.lsp.progress_reports.get(token, [])) >= 2:
            break
        await asyncio.sleep(0.1)
    begin, report = client.lsp.progress_reports[token][:2]
    assert isinstance(begin, types.WorkDoneProgressBegin) and begin.cancellable
    assert isinstance(report, types.WorkDoneProgressReport) and report.percentage is not None
    client.lsp.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    finished = await events.event(Finished)
    assert finished.cancelled and finished.steps < 500
    # Found again from its folder, as after a restart.
    config = (run_folder / "promptweight.train.yaml").as_uri()
    found = await client.lsp.protocol.send_request_async(TRAINING_RUNS.name, {"config": config})
    [run] = TrainingRuns.model_validate(found).runs
    assert run.state == "stopped" and run.steps == finished.steps


async def test_an_untrusted_workspace_cannot_train(
    untrusted: tuple[PromptClient, TrainingInbox], run_folder: Path
) -> None:
    client, _ = untrusted
    result = await start(client, run_folder, max_steps=2)
    assert result["started"] is False and "trust" in result["message"]
