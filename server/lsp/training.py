"""Training from the editor: start a QLoRA run of a `promptweight.train.yaml`, follow it, stop it.

The run is the trainer process (`python -I -m server.training train CONFIG`, an argument list,
in the interpreter of `promptweight.training.python`, default the server's), started only in a
trusted workspace, one at a time per workspace folder. Each event it writes becomes a
`promptweight/training` notification, and the run is LSP work-done progress with a percentage
and a cancel button. Cancel sends SIGTERM: the trainer saves a checkpoint at its next step and
ends; it is killed if it has not ended `STOP_TIMEOUT_S` later. A trainer that dies without a
last event is reported as failed; the server stays up. The server never imports torch: it only
reads the trainer's JSON lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types
from pydantic import ValidationError
from pygls.capabilities import get_capability
from pygls.uris import to_fs_path

from server.core.training.launch import start_command
from server.core.training.run_config import RunConfigError, load_run_config
from server.core.training.run_folders import find_runs
from server.lsp import progress_cancel
from server.lsp.server import PromptweightServer
from server.lsp.wire import first_argument
from shared_schemas.methods import CANCEL_TRAINING, START_TRAINING, TRAINING, TRAINING_RUNS
from shared_schemas.training import (
    CancelTrainingParams,
    CancelTrainingResult,
    Failed,
    Finished,
    Started,
    StartTrainingParams,
    StartTrainingResult,
    Step,
    TrainingEvent,
    TrainingNotification,
    TrainingRuns,
    TrainingRunsParams,
    parse_event,
)

log = logging.getLogger(__name__)
STOP_TIMEOUT_S = 60.0


@dataclass
class Run:
    config_uri: str
    run_dir: Path | None
    process: asyncio.subprocess.Process
    token: str
    folder: str | None
    last: TrainingEvent | None = None
    stopping: bool = False
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


# One run per workspace folder (None: outside every folder).
RUNS: dict[str | None, Run] = {}


async def _progress_begin(ls: PromptweightServer, token: str, title: str) -> None:
    if not get_capability(ls.client_capabilities, "window.work_done_progress", False):
        return  # the client follows the run through `promptweight/training` alone
    with contextlib.suppress(Exception):  # a client that refuses the token still trains
        await ls.work_done_progress.create_async(token)
        ls.work_done_progress.begin(
            token, types.WorkDoneProgressBegin(title=title, cancellable=True, percentage=0)
        )


def _progress(ls: PromptweightServer, run: Run, event: TrainingEvent) -> None:
    with contextlib.suppress(Exception):
        if isinstance(event, Step):
            percentage = int(100 * event.step / max(event.total_steps, 1))
            message = f"step {event.step}/{event.total_steps} · loss {event.loss:.4f}"
            ls.work_done_progress.report(
                run.token,
                types.WorkDoneProgressReport(message=message, percentage=percentage),
            )
        elif isinstance(event, Finished | Failed):
            message = (
                f"{'stopped' if event.cancelled else 'finished'} after {event.steps} steps"
                if isinstance(event, Finished)
                else f"failed: {event.error}"
            )
            ls.work_done_progress.end(run.token, types.WorkDoneProgressEnd(message=message))


def _tell(ls: PromptweightServer, run: Run, event: TrainingEvent) -> None:
    run.last = event
    if isinstance(event, Started):
        run.run_dir = Path(event.run_dir).resolve()
    notification = TrainingNotification(config=run.config_uri, event=event)
    ls.protocol.notify(TRAINING.name, notification.to_wire())
    _progress(ls, run, event)


async def _follow(ls: PromptweightServer, run: Run) -> None:
    """The trainer's events, then its end; stderr goes to the log."""
    assert run.process.stdout is not None and run.process.stderr is not None

    async def log_stderr() -> None:
        assert run.process.stderr is not None
        async for line in run.process.stderr:
            log.info("trainer: %s", line.decode("utf-8", "replace").rstrip())

    stderr = asyncio.create_task(log_stderr())
    try:
        async for line in run.process.stdout:
            try:
                event = parse_event(line)
            except ValidationError:
                log.warning("trainer wrote a line that is no event: %r", line[:200])
                continue
            _tell(ls, run, event)
        status = await run.process.wait()
        await stderr
        if not isinstance(run.last, Finished | Failed):
            _tell(
                ls,
                run,
                Failed(
                    error=f"the trainer ended with status {status} before its last event",
                    hint="Promptweight: Show Logs has what it wrote",
                ),
            )
    finally:
        progress_cancel.forget(run.token)
        if RUNS.get(run.folder) is run:
            del RUNS[run.folder]


async def _stop(run: Run) -> None:
    if run.stopping or run.process.returncode is not None:
        return
    run.stopping = True
    run.process.terminate()  # a checkpoint at the next step, then the trainer ends
    try:
        await asyncio.wait_for(run.process.wait(), STOP_TIMEOUT_S)
    except TimeoutError:
        run.process.kill()


async def start_training(ls: PromptweightServer, raw: Any) -> dict[str, object]:
    params = StartTrainingParams.model_validate(first_argument(raw))

    def refused(message: str) -> dict[str, object]:
        return StartTrainingResult(started=False, message=message).to_wire()

    if not ls.trusted:
        return refused("training runs code: trust this workspace first")
    path = to_fs_path(params.config)
    if path is None:
        return refused(f"{params.config} is not a file")
    folder = ls.folder_of(params.config)
    if folder.uri in RUNS:
        return refused("a run is already going in this workspace folder: cancel it first")
    python = folder.options.training_python or sys.executable
    flags = [path] if params.max_steps is None else [path, "--max-steps", str(params.max_steps)]
    try:
        run_config = load_run_config(Path(path), {"maxSteps": params.max_steps})
        command = start_command(python, run_config, flags, resuming=False)
    except RunConfigError as error:
        return refused(str(error))
    try:
        process = await asyncio.create_subprocess_exec(
            *command,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            stdin=asyncio.subprocess.DEVNULL,
            cwd=str(Path(path).parent),
        )
    except OSError as error:
        return refused(f"cannot start {python}: {error.strerror or error}")
    token = f"promptweight-training-{uuid.uuid4()}"
    run = Run(params.config, None, process, token, folder.uri)
    RUNS[folder.uri] = run
    await _progress_begin(ls, run.token, f"Promptweight: training {run_config.config.name}")
    progress_cancel.on_cancel(run.token, lambda: _stop(run))
    run.tasks.append(asyncio.create_task(_follow(ls, run)))
    return StartTrainingResult(
        started=True, message="training started", progress_token=run.token
    ).to_wire()


async def cancel_training(ls: PromptweightServer, raw: Any) -> dict[str, object]:
    params = CancelTrainingParams.model_validate(first_argument(raw) or {})
    runs = [r for r in RUNS.values() if params.config in (None, r.config_uri)]
    if len(runs) != 1:
        message = "no run to cancel" if not runs else "several runs: name the config to cancel"
        return CancelTrainingResult(cancelled=False, message=message).to_wire()
    await _stop(runs[0])
    return CancelTrainingResult(cancelled=True, message="the run stopped").to_wire()


async def training_runs(ls: PromptweightServer, raw: Any) -> dict[str, object]:
    """The runs of a config, found from their folders: after a restart too."""
    params = TrainingRunsParams.model_validate(raw)
    path = to_fs_path(params.config)
    if path is None:
        return TrainingRuns(runs=[]).to_wire()
    try:
        run_config = load_run_config(Path(path), {})
    except RunConfigError:
        return TrainingRuns(runs=[]).to_wire()
    running = {r.run_dir for r in RUNS.values() if r.run_dir is not None}
    runs = await asyncio.to_thread(find_runs, run_config.output_dir, running)
    return TrainingRuns(runs=runs).to_wire()


def register(server: PromptweightServer) -> None:
    server.feature(TRAINING_RUNS.name)(training_runs)
    server.command(START_TRAINING.name)(start_training)
    server.command(CANCEL_TRAINING.name)(cancel_training)

    @server.feature(types.SHUTDOWN)
    async def on_shutdown(ls: PromptweightServer, params: Any) -> None:
        # No trainer outlives the server that started it.
        await asyncio.gather(*(_stop(run) for run in list(RUNS.values())))
