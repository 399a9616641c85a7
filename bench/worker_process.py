"""Work that may hang, crash or eat memory, run in a child process that can be killed.

`Worker` starts `python -m <module> --worker`, which answers each JSON line written to its
standard input with one JSON line (`serve`, on the child's side). `ask` waits for the answer up
to a deadline while it watches the child's resident memory in /proc; past the deadline or the
memory limit the child is killed, and the reply says so. The child's own stdout is kept for
the answers: anything else it prints goes to its standard error.

On the child's side, `PeakMemory` measures how far resident memory rose during a piece of
work: it resets the kernel's high-water mark (`/proc/self/clear_refs`) first, so the peak is
this work's, not an earlier one's.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from bench.lsp_client import REPO

Json = dict[str, Any]

POLL_S = 0.02
READY_TIMEOUT_S = 120.0


def _memory_total() -> int:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 8 << 30


# A child above this is killed: a blow-up, not a measurement.
DEFAULT_MEMORY_LIMIT = min(4 << 30, _memory_total() // 2)


def status_bytes(pid: int | str, field: str) -> int | None:
    """A `/proc/<pid>/status` field in bytes (VmRSS, VmHWM); None where there is no /proc."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return None


@dataclass(frozen=True)
class Reply:
    answer: Json | None  # None: no answer (see `failure`)
    failure: str | None  # "timeout", "memory" or "died": the child is gone
    seconds: float  # from the question to the answer, or to the kill
    peak_rss: int | None  # the highest resident memory seen while waiting (polled)


class Worker:
    """A child `python -m <module> --worker [args]`, asked one JSON line at a time."""

    def __init__(
        self,
        module: str,
        args: list[str] | None = None,
        memory_limit: int = DEFAULT_MEMORY_LIMIT,
        ready_timeout: float = READY_TIMEOUT_S,
    ) -> None:
        self.memory_limit = memory_limit
        # Lives as long as the child; closed in `close`.
        self.stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", module, "--worker", *(args or [])],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            cwd=REPO,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin = self.process.stdin
        self.stdout_fd = self.process.stdout.fileno()
        os.set_blocking(self.stdout_fd, False)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.stdout_fd, selectors.EVENT_READ)
        self.buffer = b""
        self.ready = self._read_line(ready_timeout)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def ask(self, question: Json, timeout: float) -> Reply:
        """Write `question`, wait up to `timeout` seconds for the answer; kill the child if it
        does not come, if the child's memory passes the limit, or if the child dies."""
        started = time.perf_counter()
        try:
            self.stdin.write(json.dumps(question).encode() + b"\n")
            self.stdin.flush()
        except (BrokenPipeError, OSError):
            return Reply(None, "died", 0.0, None)
        reply = self._read_line(timeout)
        return Reply(reply.answer, reply.failure, time.perf_counter() - started, reply.peak_rss)

    def _read_line(self, timeout: float) -> Reply:
        started = time.perf_counter()
        deadline = started + timeout
        peak: int | None = None
        while b"\n" not in self.buffer:
            now = time.perf_counter()
            rss = status_bytes(self.process.pid, "VmRSS")
            if rss is not None:
                peak = max(peak or 0, rss)
                if rss > self.memory_limit:
                    self.kill()
                    return Reply(None, "memory", now - started, peak)
            if now >= deadline:
                self.kill()
                return Reply(None, "timeout", now - started, peak)
            if self.selector.select(min(POLL_S, deadline - now)):
                try:
                    chunk = os.read(self.stdout_fd, 1 << 16)
                except BlockingIOError:
                    continue
                if not chunk:
                    self.kill()
                    return Reply(None, "died", time.perf_counter() - started, peak)
                self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        answer = json.loads(line)
        return Reply(answer, None, time.perf_counter() - started, peak)

    def error_tail(self, characters: int = 2000) -> str:
        """The end of what the child wrote to its standard error."""
        self.stderr.seek(0, os.SEEK_END)
        size = self.stderr.tell()
        self.stderr.seek(max(0, size - characters))
        return self.stderr.read().decode("utf-8", "replace")

    def exit_description(self) -> str:
        code = self.process.poll()
        if code is None:
            return "running"
        if code < 0:
            return f"killed by signal {-code}"
        return f"exited with status {code}"

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()

    def close(self) -> None:
        """End the child: close its input (it exits when its input ends), then kill it if it
        has not gone within seconds."""
        with contextlib.suppress(OSError):
            self.stdin.close()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.kill()
        self.selector.close()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.stderr.close()

    def __enter__(self) -> Worker:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


# --- The child's side ------------------------------------------------------------------------


def serve(answer: Callable[[Json], Json], warm_up: Callable[[], Json] | None = None) -> int:
    """Answer each JSON line on standard input with one JSON line, until the input ends.
    `warm_up`'s result is the first line, written before any question is read."""
    # The answers get their own copy of stdout; stray prints (and C code writing to fd 1) go
    # to stderr instead, so that they cannot break the protocol.
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    answers.write(json.dumps(warm_up() if warm_up else {}) + "\n")
    answers.flush()
    for line in sys.stdin:
        if line.strip():
            answers.write(json.dumps(answer(json.loads(line))) + "\n")
            answers.flush()
    return 0


class PeakMemory:
    """How far this process's resident memory rose inside the `with` block, in bytes.

    The kernel's high-water mark is reset on entry (writing 5 to /proc/self/clear_refs), so
    `rise` is the block's own peak above where it started; where that file cannot be written,
    the peak since the process started is used instead, which may be higher."""

    def __init__(self) -> None:
        self.before = 0
        self.rise: int | None = None
        self.reset = False

    def __enter__(self) -> PeakMemory:
        try:
            Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
            self.reset = True
        except OSError:
            self.reset = False
        self.before = status_bytes("self", "VmRSS") or 0
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        peak = status_bytes("self", "VmHWM")
        self.rise = None if peak is None else max(0, peak - self.before)
