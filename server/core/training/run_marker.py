"""A live run's marker and its stop request, both files in the run folder, so that a run outlives
the language server that started it and any later server (or window) can find it, follow it
and stop it.

- `trainer.json` (`TrainerMarker`): written atomically by the trainer (rank 0) as soon as it
  knows its run folder, removed when it ends. It names the trainer's pid and that process's
  start time: a pid alone may have been reused by another process since, and the pair is
  what `alive` checks. A marker whose process is gone means the run was interrupted (killed,
  a crash, a reboot).
- `stop`: a stop request. The trainer's step callback looks for it at every step, on every
  rank, and then stops as on SIGTERM (a checkpoint, then `finished` with `cancelled`). Unlike
  a signal it reaches the trainer on every platform and from any process that can write the
  folder; SIGTERM is sent as well where there is one.

Standard library only: the server and the trainer (which may run another interpreter) both
read these files, and the start time must be read the same way on both sides.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from server.core.atomic_files import write_bytes_atomically
from server.core.safe_files import read_regular_bytes

MARKER = "trainer.json"
STOP = "stop"
TRAINER_LOG = "trainer.log"  # the trainer's stdout and stderr when the language server starts it
_MAX_MARKER_BYTES = 64 << 10


@dataclass(frozen=True)
class TrainerMarker:
    pid: int
    started: str | None  # `process_start_time(pid)` when it was written; None: unknown here
    run_id: str  # tells this run's marker from a later one in the same folder (`--resume`)
    config: str | None  # the config's path, for the server to tell which config's run it is

    def alive(self) -> bool:
        """Whether the process that wrote the marker still runs (not a pid reused since)."""
        if self.started is None:
            return _pid_exists(self.pid)  # no start time on this platform: the pid must do
        return process_start_time(self.pid) == self.started


def write_marker(run_dir: Path, config: Path | None) -> TrainerMarker:
    """The calling process's marker in `run_dir`, written atomically."""
    pid = os.getpid()
    marker = TrainerMarker(
        pid=pid,
        started=process_start_time(pid),
        run_id=uuid.uuid4().hex,
        config=str(config.resolve()) if config is not None else None,
    )
    data = json.dumps(asdict(marker), indent=2) + "\n"
    write_bytes_atomically(run_dir / MARKER, data.encode("utf-8"))
    return marker


def read_marker(run_dir: Path) -> TrainerMarker | None:
    """The marker in `run_dir`, or None when there is none (or it is not one)."""
    try:
        raw = json.loads(read_regular_bytes(run_dir / MARKER, _MAX_MARKER_BYTES))
    except (OSError, ValueError):
        return None
    if not isinstance(raw, dict):
        return None
    pid, started, run_id, config = (raw.get(k) for k in ("pid", "started", "run_id", "config"))
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0 or not isinstance(run_id, str):
        return None
    return TrainerMarker(
        pid=pid,
        started=started if isinstance(started, str) else None,
        run_id=run_id,
        config=config if isinstance(config, str) else None,
    )


def live_marker(run_dir: Path) -> TrainerMarker | None:
    """The marker of a trainer that still runs in `run_dir`; None for none or a stale one."""
    marker = read_marker(run_dir)
    return marker if marker is not None and marker.alive() else None


def remove_marker(run_dir: Path, marker: TrainerMarker) -> None:
    """The trainer's last act: its marker goes, unless a later run's has replaced it."""
    found = read_marker(run_dir)
    if found is not None and found.run_id == marker.run_id:
        (run_dir / MARKER).unlink(missing_ok=True)


def request_stop(run_dir: Path) -> None:
    write_bytes_atomically(run_dir / STOP, b"stop at the next step, with a checkpoint\n")


def stop_requested(run_dir: Path) -> bool:
    return (run_dir / STOP).exists()


def clear_stop(run_dir: Path) -> None:
    (run_dir / STOP).unlink(missing_ok=True)


def signal_trainer(marker: TrainerMarker, kill: bool) -> bool:
    """SIGTERM (`kill` False: a checkpoint at the next step) or a hard kill to the marker's
    process, only after checking it is still that process; whether one was sent. On Windows
    only the kill exists (the stop file asks for the graceful end there)."""
    if not marker.alive():
        return False
    try:
        if sys.platform == "win32":
            if not kill:
                return False
            os.kill(marker.pid, signal.SIGTERM)  # TerminateProcess on Windows
        elif not kill:
            os.kill(marker.pid, signal.SIGTERM)
        elif os.getpgid(marker.pid) == marker.pid:
            # A trainer the language server started leads its own process group (its own
            # session): anything it started goes with it.
            os.killpg(marker.pid, signal.SIGKILL)
        else:
            os.kill(marker.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def process_start_time(pid: int) -> str | None:
    """When process `pid` started, as an opaque string comparable between calls (None when it
    does not exist, has ended, or this platform cannot tell)."""
    if sys.platform == "linux":
        return _linux_start_time(pid)
    if sys.platform == "win32":
        return _windows_start_time(pid)
    return _ps_start_time(pid)


def _linux_start_time(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces or parentheses itself:
    # the fields after it start after the last ')'.
    fields = stat[stat.rfind(")") + 2 :].split()
    if len(fields) < 20 or fields[0] in ("Z", "X"):
        return None  # a zombie has ended: only its exit status waits to be collected
    return f"linux:{fields[19]}"  # field 22: start time in clock ticks after boot


def _ps_start_time(pid: int) -> str | None:
    """macOS and the BSDs: `ps` tells the start time (an argument list, never a shell)."""
    try:
        found = subprocess.run(
            ["ps", "-o", "lstart=", "-o", "stat=", "-p", str(pid)],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    line = " ".join(found.stdout.split())
    if found.returncode != 0 or not line or line.split()[-1].startswith("Z"):
        return None
    return "ps:" + " ".join(line.split()[:-1])


def _windows_start_time(pid: int) -> str | None:
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    query_limited_information, still_active = 0x1000, 259
    handle = kernel32.OpenProcess(query_limited_information, False, pid)
    if not handle:
        return None
    try:
        code = wintypes.DWORD()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return None
        if code.value != still_active:
            return None
        times = [wintypes.FILETIME() for _ in range(4)]
        if not kernel32.GetProcessTimes(handle, *(ctypes.byref(t) for t in times)):
            return None
        created = times[0]
        return f"win:{(created.dwHighDateTime << 32) | created.dwLowDateTime}"
    finally:
        kernel32.CloseHandle(handle)


def _pid_exists(pid: int) -> bool:
    if sys.platform == "win32":
        return _windows_start_time(pid) is not None  # os.kill would terminate it there
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True
