"""Training from the editor: start a QLoRA run of a `promptweight.train.yaml`, follow it, stop it,
and find it again after the window reloads or the server restarts.

The run is the trainer process (`python -I -m server.training train CONFIG --run-dir RUN_DIR`,
an argument list, in the interpreter of `promptweight.training.python`, default the server's),
started only in a trusted workspace, one at a time per workspace folder. It does not depend on
this server: it runs in a session (POSIX) or process group (Windows) of its own, its stdout and
stderr go to the run folder's `trainer.log`, and the server follows the run folder's files:
`events.jsonl`, read as it grows (each event becomes a `promptweight/training` notification
and the run's LSP work-done progress, with a percentage and a cancel button), and the live-run
marker `trainer.json` (`server/core/training/run_marker.py`). Shutting the server down leaves
the run going; the next server (a reloaded window) finds it from the markers in each
configured output folder of the workspace, sends its `started` event again with the step it
reached, and follows it from there.

Cancel writes a `stop` file in the run folder (and sends SIGTERM where there are signals): the
trainer saves a checkpoint at its next step and ends. It is killed if it has not ended
`STOP_TIMEOUT_S` later, after checking the marker's pid is still that trainer. A trainer that
ends without a last event is reported as failed; the server stays up. The server never imports
torch: it only reads the trainer's JSON lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.uris import to_fs_path

from server.core.training.choices import training_choices
from server.core.training.launch import new_run_command
from server.core.training.run_config import RunConfigError, load_run_config
from server.core.training.run_folders import EventTail, find_runs, live_run_folders, read_events
from server.core.training.run_marker import (
    TRAINER_LOG,
    TrainerMarker,
    live_marker,
    request_stop,
    signal_trainer,
)
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
)

log = logging.getLogger(__name__)
STOP_TIMEOUT_S = 60.0
POLL_S = 0.25  # between reads of a run's new events: a step takes far longer


@dataclass
class Run:
    config_uri: str
    run_dir: Path
    token: str
    folder: str | None
    # This server's child, or None for a run found going (another server started it): then
    # its marker tells whether it still runs, and names the process to stop.
    process: subprocess.Popen[bytes] | None
    last: TrainingEvent | None = None
    stopping: bool = False
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def has_ended(self) -> int | bool:
        """The exit status of this server's child once it ended (reaping it), or, for a run
        found going, whether its trainer is gone; False while it runs."""
        if self.process is not None:
            status = self.process.poll()
            return False if status is None else status
        return live_marker(self.run_dir) is None


# One run per workspace folder (None: outside every folder).
RUNS: dict[str | None, Run] = {}


def running_folders() -> set[Path]:
    """The run folders this server follows."""
    return {r.run_dir for r in RUNS.values()}


async def _progress_begin(
    ls: PromptweightServer, token: str, title: str, percentage: int = 0, message: str | None = None
) -> None:
    if not get_capability(ls.client_capabilities, "window.work_done_progress", False):
        return  # the client follows the run through `promptweight/training` alone
    with contextlib.suppress(Exception):  # a client that refuses the token still trains
        await ls.work_done_progress.create_async(token)
        ls.work_done_progress.begin(
            token,
            types.WorkDoneProgressBegin(
                title=title, cancellable=True, percentage=percentage, message=message
            ),
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
    notification = TrainingNotification(config=run.config_uri, event=event)
    ls.protocol.notify(TRAINING.name, notification.to_wire())
    _progress(ls, run, event)


def _ended_early(run: Run, status: int | bool) -> Failed:
    log_file = run.run_dir / TRAINER_LOG
    if run.process is not None:
        return Failed(
            error=f"the trainer ended with status {status} before its last event",
            hint=f"{log_file} has what it wrote; `promptweight train --resume {run.run_dir}` "
            "continues the run from its last checkpoint",
        )
    return Failed(
        error="the trainer ended before its last event",
        hint=f"{log_file} may say why; `promptweight train --resume {run.run_dir}` continues "
        "the run from its last checkpoint",
    )


async def _follow(ls: PromptweightServer, run: Run, tail: EventTail) -> None:
    """The run's events as they are written, then its end."""
    try:
        while True:
            # Whether it ended is asked before the read: all it wrote before ending is read.
            ended = run.has_ended()
            # A read is of the few lines written since the last one: quick enough for the loop.
            for event in tail.read():
                _tell(ls, run, event)
            if ended is not False:
                break
            await asyncio.sleep(POLL_S)
        if not isinstance(run.last, Finished | Failed):
            _tell(ls, run, _ended_early(run, ended))
    finally:
        tail.close()
        progress_cancel.forget(run.token)
        if RUNS.get(run.folder) is run:
            del RUNS[run.folder]
        run.ended.set()


def _kill(run: Run) -> None:
    if run.process is not None:
        if run.process.poll() is not None:
            return  # ended (and reaped) meanwhile: its pid may be another process's now
        if sys.platform == "win32":
            run.process.kill()
        else:
            # Its own session and process group (see `_launch`): anything it started goes too.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(run.process.pid, signal.SIGKILL)
        return
    marker = live_marker(run.run_dir)
    if marker is not None:
        signal_trainer(marker, kill=True)


async def _stop(run: Run) -> None:
    """A checkpoint at the next step, then the trainer ends; killed if it has not ended
    `STOP_TIMEOUT_S` later."""
    if run.stopping or run.ended.is_set():
        await run.ended.wait()
        return
    run.stopping = True
    # The stop file reaches the trainer on every platform, and every rank of a launch.
    try:
        await asyncio.to_thread(request_stop, run.run_dir)
    except OSError as error:
        log.warning("cannot ask %s to stop by its stop file: %s", run.run_dir, error)
    if sys.platform != "win32":  # there, terminating is killing: the stop file asks instead
        if run.process is not None:
            if run.process.poll() is None:
                run.process.terminate()  # the trainer, or the launcher, which passes it on
        else:
            marker = live_marker(run.run_dir)
            if marker is not None:
                signal_trainer(marker, kill=False)
    try:
        await asyncio.wait_for(run.ended.wait(), STOP_TIMEOUT_S)
    except TimeoutError:
        _kill(run)
        await run.ended.wait()


def _launch(command: list[str], run_dir: Path, cwd: Path) -> subprocess.Popen[bytes]:
    """The trainer, detached from this server: it outlives the server (a window reload), so
    its output goes to a file in the run folder rather than to pipes that close with the
    server, and it leads a session (POSIX) or process group (Windows) of its own, away from
    the signals the editor sends the server's group. A plain `Popen`, not asyncio's: asyncio
    kills a child whose transport it closes, which it does when its loop closes."""
    with (run_dir / TRAINER_LOG).open("ab") as output:
        if sys.platform == "win32":
            return subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=cwd,
                creationflags=subprocess.CREATE_NEW_PROCESS_GROUP,
            )
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            start_new_session=True,
        )


def _claim(run: Run) -> None:
    """The run is its folder's from now: before any await, so no second one starts."""
    RUNS[run.folder] = run
    progress_cancel.on_cancel(run.token, lambda: _stop(run))


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
        command, run_dir = new_run_command(python, run_config, flags)
    except RunConfigError as error:
        return refused(str(error))
    try:
        process = _launch(command, run_dir, Path(path).parent)
    except OSError as error:
        with contextlib.suppress(OSError):  # the empty folder it would have run in
            (run_dir / TRAINER_LOG).unlink(missing_ok=True)
            run_dir.rmdir()
        return refused(f"cannot start {python}: {error.strerror or error}")
    token = f"promptweight-training-{uuid.uuid4()}"
    run = Run(params.config, run_dir.resolve(), token, folder.uri, process)
    _claim(run)
    await _progress_begin(ls, run.token, f"Promptweight: training {run_config.config.name}")
    # After the progress began: its first report must not come before it.
    run.tasks.append(asyncio.create_task(_follow(ls, run, EventTail(run.run_dir))))
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
    runs = await asyncio.to_thread(find_runs, run_config.output_dir, running_folders())
    return TrainingRuns(runs=runs).to_wire()


@dataclass(frozen=True)
class FoundRun:
    """A run found going in the workspace, with what re-attaching to it needs."""

    config_uri: str
    run_dir: Path
    started: Started | None  # None: the trainer is still loading
    step: int
    tail: EventTail


def _found_runs(roots: list[Path], followed: set[Path]) -> list[FoundRun]:
    """The runs going under the output folders of the configs in `roots` (a bounded walk of
    each), other than those in `followed`; each with a tail from the end of its events."""
    configs: dict[Path, str] = {}  # each config's folder path → its URI
    for root in roots:
        for uri in training_choices(root).configs:
            found = to_fs_path(uri)
            if found is not None:
                configs[Path(found).resolve()] = uri
    by_output: dict[Path, list[Path]] = {}
    for config_path in configs:
        try:
            run_config = load_run_config(config_path, {})
        except RunConfigError:
            continue
        by_output.setdefault(run_config.output_dir, []).append(config_path)
    found_runs = []
    for output_dir, owners in by_output.items():
        for run_dir in live_run_folders(output_dir):
            run_dir = run_dir.resolve()
            marker = live_marker(run_dir)
            if run_dir in followed or marker is None:
                continue
            tail = EventTail.at_end(run_dir)  # before the history is read: nothing is missed
            events = read_events(run_dir)
            # This trainer's own start: the last `started`, unless an end follows it (an
            # earlier run of the folder, before `--resume`). None: it is still loading, and
            # its `started` comes through the tail like any event.
            begun = max((i for i, e in enumerate(events) if isinstance(e, Started)), default=-1)
            since = events[begun:] if begun >= 0 else []
            first = since[0] if since and not any(_ends(e) for e in since) else None
            started = first if isinstance(first, Started) else None
            step = max((e.step for e in since if isinstance(e, Step)), default=0)
            owner = _owner(marker, owners, configs)
            found_runs.append(FoundRun(owner, run_dir, started, step, tail))
    return found_runs


def _ends(event: TrainingEvent) -> bool:
    return isinstance(event, Finished | Failed)


def _owner(marker: TrainerMarker, owners: list[Path], configs: dict[Path, str]) -> str:
    """The URI of the config that started the run: the one its marker names, else the first
    config writing to its output folder."""
    named = Path(marker.config).resolve() if marker.config else None
    return configs[named] if named in configs else configs[owners[0]]


async def reattach(ls: PromptweightServer) -> None:
    """Follow again the runs going in the workspace (started before this server: a window
    reload, a restart after a settings change): their notifications and progress resume
    from now, their history is in the run folders. Only in a trusted workspace: cancelling
    signals the process a workspace file names."""
    if not ls.trusted:
        return
    uris = [folder.uri for folder in ls.workspace.folders.values()]
    if not uris and ls.workspace.root_uri:
        uris = [ls.workspace.root_uri]  # a client that sent only `rootUri`
    roots = [Path(path) for uri in uris if (path := to_fs_path(uri)) is not None]
    try:
        found = await asyncio.to_thread(_found_runs, roots, running_folders())
    except Exception:  # a background task: what failed is logged, and the server goes on
        log.exception("looking for training runs to follow failed")
        return
    for candidate in found:
        folder = ls.folder_of(candidate.config_uri)
        if folder.uri in RUNS:
            candidate.tail.close()
            continue  # one run per folder: a second one is still in `trainingRuns`
        run = Run(
            candidate.config_uri,
            candidate.run_dir,
            f"promptweight-training-{uuid.uuid4()}",
            folder.uri,
            process=None,
        )
        log.info("following the run going in %s again", run.run_dir)
        total = 1
        if candidate.started is not None:
            notification = TrainingNotification(
                config=run.config_uri, event=candidate.started, reattached_at_step=candidate.step
            )
            ls.protocol.notify(TRAINING.name, notification.to_wire())
            run.last = candidate.started
            total = max(candidate.started.total_steps, 1)
        _claim(run)
        await _progress_begin(
            ls,
            run.token,
            f"Promptweight: training {run.run_dir.name}",
            percentage=int(100 * candidate.step / total),
            message=f"step {candidate.step}/{total}",
        )
        run.tasks.append(asyncio.create_task(_follow(ls, run, candidate.tail)))


_REATTACHING: set[asyncio.Task[None]] = set()  # kept referenced until done


def schedule_reattach(ls: PromptweightServer) -> None:
    """`reattach` in the background, once the client is initialized (server.py calls it)."""
    task = asyncio.create_task(reattach(ls))
    _REATTACHING.add(task)
    task.add_done_callback(_REATTACHING.discard)


def register(server: PromptweightServer) -> None:
    server.feature(TRAINING_RUNS.name)(training_runs)
    server.command(START_TRAINING.name)(start_training)
    server.command(CANCEL_TRAINING.name)(cancel_training)
    # No shutdown handler: a run outlives the window, and cancel is explicit.
