"""A run outlives the window: the trainer keeps going after the language server that started it
shuts down, and the next server (a reloaded window) finds it from its marker, follows it again
(`promptweight/training` and work-done progress) and can cancel it. A stale marker (its trainer
gone) is an interrupted run, never followed. Each test drives real servers over stdio."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import psutil
import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from server.core.training.run_folders import EventTail, read_events
from server.core.training.run_marker import (
    MARKER,
    STOP,
    TrainerMarker,
    process_start_time,
    read_marker,
)
from shared_schemas.methods import CANCEL_TRAINING, START_TRAINING, TRAINING, TRAINING_RUNS
from shared_schemas.training import (
    Failed,
    Finished,
    Started,
    Step,
    TrainingEvent,
    TrainingNotification,
    TrainingRuns,
)
from tests.lsp.conftest import make_client
from tests.lsp.training_inbox import TrainingInbox
from tests.training.events import started, step

TIMEOUT_S = 180
PROGRESS = types.ClientCapabilities(window=types.WindowClientCapabilities(work_done_progress=True))
CONFIG = (
    "name: lsp\nbaseModel: tiny\ndatasets: [data.jsonl]\nevalSplit: 0\nsaveSteps: 50\n"
    "learningRate: 0.003\nbatchSize: 1\nmaxSequenceTokens: 64\n"
)


@asynccontextmanager
async def server(*folders: Path) -> AsyncIterator[tuple[LanguageClient, TrainingInbox]]:
    """A fresh `python -m server` over stdio, initialized in trusted workspace `folders`; shut
    down (and its process ended) when the block ends."""
    client = make_client()
    inbox = TrainingInbox()

    @client.feature(TRAINING.name)
    async def on_training(params: Any) -> None:
        await inbox.put(params)

    await client.start_io(sys.executable, "-m", "server")
    try:
        await client.initialize_session(
            types.InitializeParams(
                capabilities=PROGRESS,
                initialization_options={"debounceMs": 0, "workspaceTrusted": True},
                workspace_folders=[
                    types.WorkspaceFolder(uri=f.as_uri(), name=f.name) for f in folders
                ],
            )
        )
        yield client, inbox
        await client.shutdown_session()
    finally:
        process = client._server
        if process is not None and process.returncode is None:
            process.kill()  # a failed test's server: pygls's `stop` would wait for it forever
        await client.stop()


async def until(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


def kill_trainers_in(folder: Path) -> None:
    """No trainer of a failed test outlives it (they outlive their servers by design)."""
    for process in psutil.process_iter(["cmdline", "cwd"]):
        with_trainer = "server.training" in " ".join(process.info["cmdline"] or [])
        if with_trainer and process.info["cwd"] == str(folder):
            process.kill()


def steps_in(run_dir: Path) -> int:
    return sum(isinstance(e, Step) for e in read_events(run_dir))


async def runs_of(client: LanguageClient, config: str) -> TrainingRuns:
    found = await client.protocol.send_request_async(TRAINING_RUNS.name, {"config": config})
    return TrainingRuns.model_validate(found)


def progress_tokens(client: LanguageClient) -> list[str]:
    """The tokens of the progress the server began."""
    return [
        str(token)
        for token, reports in client.progress_reports.items()
        if reports and isinstance(reports[0], types.WorkDoneProgressBegin)
    ]


def cancellable_begin(client: LanguageClient) -> str:
    """The token of the one training progress the server began, cancellable."""
    [token] = progress_tokens(client)
    begin = client.progress_reports[token][0]
    assert isinstance(begin, types.WorkDoneProgressBegin) and begin.cancellable
    return str(token)


@pytest.fixture
def training_folder(tmp_path: Path) -> Iterator[Path]:
    pytest.importorskip("torch")
    from server.training.tiny_model import build_tiny_model

    build_tiny_model(tmp_path / "tiny")
    records = [
        {"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]}
        for q, a in [("The VPN drops.", "network"), ("Printer on fire.", "hardware")] * 8
    ]
    (tmp_path / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (tmp_path / "promptweight.train.yaml").write_text(CONFIG)
    yield tmp_path
    kill_trainers_in(tmp_path)


async def test_a_run_outlives_its_server_and_the_next_server_follows_and_cancels_it(
    training_folder: Path,
) -> None:
    config = (training_folder / "promptweight.train.yaml").as_uri()
    async with server(training_folder) as (first, inbox):
        started = await first.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command=START_TRAINING.name, arguments=[{"config": config, "maxSteps": 100000}]
            )
        )
        assert started["started"] is True, started
        await inbox.event(Step)
        first_server = first._server
    # The server has exited; its trainer has not, and trains on.
    assert first_server is not None and first_server.returncode is not None
    [run_dir] = (training_folder / "runs").iterdir()
    marker = read_marker(run_dir)
    assert marker is not None and marker.alive()
    steps = steps_in(run_dir)
    await until(lambda: steps_in(run_dir) > steps, "a step after the server exited")

    async with server(training_folder) as (second, inbox):
        again = await inbox.first(lambda n: n.reattached_at_step is not None)
        assert again.config == config and isinstance(again.event, Started)
        assert again.event.run_dir == str(run_dir) and again.reattached_at_step is not None
        assert again.reattached_at_step > steps
        # Live steps follow, from where the run was when the server found it.
        step = await inbox.event(Step)
        assert step.step > again.reattached_at_step
        cancellable_begin(second)
        [running] = (await runs_of(second, config)).runs
        assert running.state == "running"

        result = await second.workspace_execute_command_async(
            types.ExecuteCommandParams(command=CANCEL_TRAINING.name, arguments=[{"config": config}])
        )
        assert result["cancelled"] is True, result
        finished = await inbox.event(Finished)
        assert finished.cancelled
        assert (run_dir / "checkpoints" / f"checkpoint-{finished.steps}").is_dir()
        assert not (run_dir / MARKER).exists()  # removed after its last event; then it ends
        await until(lambda: not marker.alive(), "the trainer's end")
        [stopped] = (await runs_of(second, config)).runs
        assert stopped.state == "stopped" and stopped.steps == finished.steps


def write_run(run_dir: Path, events: list[TrainingEvent], marker: TrainerMarker) -> None:
    run_dir.mkdir(parents=True)
    lines = "".join(e.model_dump_json(by_alias=True) + "\n" for e in events)
    (run_dir / "events.jsonl").write_text(lines)
    (run_dir / MARKER).write_text(json.dumps(asdict(marker)))


@pytest.fixture
def stand_in() -> Iterator[subprocess.Popen[bytes]]:
    """A process standing in for a trainer: it ends on SIGTERM, as a trainer after its step."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    yield process
    process.kill()
    process.wait()


async def test_a_stale_marker_is_interrupted_and_a_live_one_is_followed_and_stopped(
    tmp_path: Path, stand_in: subprocess.Popen[bytes]
) -> None:
    (tmp_path / "promptweight.train.yaml").write_text(CONFIG)
    config = (tmp_path / "promptweight.train.yaml").as_uri()
    ended = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await ended.wait()
    # Older: named first, so were it taken for live it would be followed first.
    stale = tmp_path / "runs" / "20261201-100000-lsp"
    write_run(stale, [started(stale), step(1)], TrainerMarker(ended.pid, "linux:1", "a", None))
    live = tmp_path / "runs" / "20261201-110000-lsp"
    start_time = process_start_time(stand_in.pid)
    marker = TrainerMarker(stand_in.pid, start_time, "b", str(tmp_path / "promptweight.train.yaml"))
    write_run(live, [started(live), step(1), step(2), step(3)], marker)

    async with server(tmp_path) as (client, inbox):
        [again] = [await inbox.first()]
        assert again.reattached_at_step == 3 and isinstance(again.event, Started)
        assert again.event.run_dir == str(live)
        runs = (await runs_of(client, config)).runs
        assert [(r.run_dir, r.state) for r in runs] == [
            (str(live), "running"),
            (str(stale), "interrupted"),
        ]
        with (live / "events.jsonl").open("a") as events:
            events.write(step(4).model_dump_json(by_alias=True) + "\n")
        assert (await inbox.event(Step)).step == 4

        # Cancel: a stop file, and SIGTERM to the marker's process, which it checked first.
        token = cancellable_begin(client)
        client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
        failed = await inbox.event(Failed)  # the stand-in writes no last event
        assert "before its last event" in failed.error
        assert (live / STOP).exists()
        assert stand_in.wait(TIMEOUT_S) == -15
        assert [n.event.run_dir for n in inbox.received if isinstance(n.event, Started)] == [
            str(live)
        ]


class StubServer:
    """Just what following a run sends through: notifications, and progress (refused here)."""

    def __init__(self) -> None:
        self.sent: list[TrainingNotification] = []
        self.protocol = self

    def notify(self, method: str, params: Any) -> None:
        assert method == TRAINING.name
        self.sent.append(TrainingNotification.model_validate(params))


async def test_a_found_run_that_ignores_the_stop_is_killed_once_its_pid_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from server.lsp import training

    monkeypatch.setattr(training, "STOP_TIMEOUT_S", 0.5)
    stubborn = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print('ready', flush=True); time.sleep(600)",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert stubborn.stdout is not None and await stubborn.stdout.readline() == b"ready\n"
        run_dir = tmp_path / "runs" / "20261201-100000-lsp"
        marker = TrainerMarker(stubborn.pid, process_start_time(stubborn.pid), "c", None)
        write_run(run_dir, [started(run_dir), step(1)], marker)
        run = training.Run("file:///c.train.yaml", run_dir, "token", None, process=None)
        stub: Any = StubServer()
        training._claim(run)
        follow = asyncio.create_task(training._follow(stub, run, EventTail.at_end(run_dir)))
        # SIGTERM is ignored: killed after the timeout.
        await asyncio.wait_for(training._stop(run), TIMEOUT_S)
        assert await asyncio.wait_for(stubborn.wait(), TIMEOUT_S) == -9
        await follow
        assert (run_dir / STOP).exists()
        assert isinstance(stub.sent[-1].event, Failed) and None not in training.RUNS
    finally:
        if stubborn.returncode is None:
            stubborn.kill()
            await stubborn.wait()


async def test_a_run_found_while_it_loads_is_followed_from_its_own_start(
    tmp_path: Path, stand_in: subprocess.Popen[bytes]
) -> None:
    """A resumed run still loading: its folder's last `started` is the earlier run's, which has
    ended; nothing is resent, and the run's own `started` comes live when written."""
    (tmp_path / "promptweight.train.yaml").write_text(CONFIG)
    config = (tmp_path / "promptweight.train.yaml").as_uri()
    run_dir = tmp_path / "runs" / "20261201-100000-lsp"
    earlier = [
        started(run_dir),
        step(1),
        Finished(adapter_path="a", steps=1, train_loss=1.0, eval_loss=None, cancelled=True),
    ]
    marker = TrainerMarker(stand_in.pid, process_start_time(stand_in.pid), "d", None)
    write_run(run_dir, earlier, marker)

    async with server(tmp_path) as (client, inbox):
        await until(lambda: progress_tokens(client), "the run's progress")
        resumed = started(run_dir).model_copy(update={"resumed_from_step": 1})
        with (run_dir / "events.jsonl").open("a") as events:
            events.write(resumed.model_dump_json(by_alias=True) + "\n")
        live = await inbox.first()
        assert live.config == config and live.event == resumed
        assert live.reattached_at_step is None
