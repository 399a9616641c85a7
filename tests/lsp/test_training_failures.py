"""A trainer process killed under the language server: the run is reported failed, the process
is reaped (no zombie), and the server keeps answering and can start another run."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from shared_schemas.methods import SERVER_STATUS
from shared_schemas.training import Failed, Finished, Step
from tests.lsp.conftest import PromptClient
from tests.lsp.test_training import run_folder, start, trusted
from tests.lsp.training_inbox import TrainingInbox

pytest.importorskip("torch")

__all__ = ["run_folder", "trusted"]  # fixtures, used by name
REAPED_TIMEOUT_S = 10


def status_of(pid: int) -> dict[str, str]:
    """/proc/PID/status as fields; empty once the process is gone (reaped)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return {}
    return dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)


def trainer_in(folder: Path) -> int:
    """The trainer process working in `folder` (the server starts it in the config's folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            cwd = (entry / "cwd").readlink()
        except OSError:
            continue  # ended meanwhile, or not ours
        if b"server.training" in command and cwd == folder:
            found.append(int(entry.name))
    [pid] = found
    return pid


async def kill_trainer(
    client: PromptClient, events: TrainingInbox, folder: Path
) -> tuple[int, int]:
    """Start a long run, SIGKILL its trainer once it trains; (trainer pid, server pid)."""
    started = await start(client, folder, max_steps=500)
    assert started["started"] is True
    await events.event(Step)
    pid = trainer_in(folder)
    server = int(status_of(pid)["PPid"])
    os.kill(pid, signal.SIGKILL)
    return pid, server


def zombie_children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        status = status_of(int(entry.name)) if entry.name.isdigit() else {}
        if status.get("PPid") == str(parent) and status.get("State", "").startswith("Z"):
            found.append(int(entry.name))
    return found


async def reaped(pid: int) -> bool:
    for _ in range(REAPED_TIMEOUT_S * 10):
        if not status_of(pid):
            return True
        await asyncio.sleep(0.1)
    return False


async def test_a_killed_trainer_is_reported_failed_and_reaped(
    trusted: tuple[PromptClient, TrainingInbox], run_folder: Path
) -> None:
    client, events = trusted
    pid, server = await kill_trainer(client, events, run_folder)
    failure = await events.event(Failed)
    assert "status -9" in failure.error and failure.hint
    assert await reaped(pid), status_of(pid)
    assert zombie_children(server) == []


async def test_the_server_answers_and_trains_again_after_a_killed_trainer(
    trusted: tuple[PromptClient, TrainingInbox], run_folder: Path
) -> None:
    client, events = trusted
    await kill_trainer(client, events, run_folder)
    await events.event(Failed)
    status = await client.lsp.protocol.send_request_async(SERVER_STATUS.name, {})
    assert status is not None
    again = await start(client, run_folder, max_steps=2)
    assert again["started"] is True, again["message"]
    finished = await events.event(Finished)
    assert finished.steps == 2 and not finished.cancelled
