"""A minimal LSP client for the benchmark: `python -m server` on pipes, JSON-RPC with
Content-Length framing, requests, notifications, and the `documentStats` the server pushes.

Arrival times are taken with `time.perf_counter()` when a message has been read off the pipe,
before anything waiting on it runs, so that several replies in flight are timed alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO, Any

from shared_schemas.methods import DOCUMENT_STATS

REPO = Path(__file__).resolve().parent.parent
REPLY_TIMEOUT_S = 60.0
METHOD_NOT_FOUND = -32601

Json = dict[str, Any]


class ServerError(RuntimeError):
    """The server answered a request with a JSON-RPC error."""

    def __init__(self, error: Json) -> None:
        super().__init__(f"server error: {error}")
        self.code = error.get("code")


class ServerProcess:
    """`python -m server` on pipes: requests, notifications, and the `documentStats` it pushes."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdin is not None and process.stdout is not None
        self.process = process
        self.stdin = process.stdin
        self.stdout = process.stdout
        self.next_id = 0
        # request id -> (perf_counter when the reply arrived, its result)
        self.replies: dict[int, asyncio.Future[tuple[float, Any]]] = {}
        # (uri, version) -> (perf_counter when the notification arrived, its params)
        self.stats: dict[tuple[str, int], asyncio.Future[tuple[float, Json]]] = {}
        self.folders: list[Json] = []  # the workspace folders given to `initialize`
        self.reader = asyncio.get_running_loop().create_task(self.read_messages())

    @classmethod
    async def spawn(cls, stderr: IO[bytes]) -> ServerProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "server",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
            cwd=REPO,
        )
        return cls(process)

    async def read_messages(self) -> None:
        try:
            while True:
                length = 0
                while (line := await self.stdout.readline()) not in (b"\r\n", b"\n"):
                    if not line:
                        return  # the server closed stdout
                    name, _, value = line.decode("ascii").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                body = await self.stdout.readexactly(length)
                self.dispatch(json.loads(body), time.perf_counter())
        finally:
            gone = ConnectionError("the server closed its output")
            for waiter in [*self.replies.values(), *self.stats.values()]:
                if not waiter.done():
                    waiter.set_exception(gone)

    def dispatch(self, message: Json, arrived: float) -> None:
        method = message.get("method")
        if method is None:  # a reply to one of our requests
            reply = self.replies.pop(message.get("id", -1), None)
            if reply is not None and not reply.done():
                if "error" in message:
                    reply.set_exception(ServerError(message["error"]))
                else:
                    reply.set_result((arrived, message.get("result")))
        elif "id" in message:  # a request to the client
            answer = self.answer(method, message.get("params") or {})
            self.write({"jsonrpc": "2.0", "id": message["id"], "result": answer})
        elif method == DOCUMENT_STATS.name:
            params = message["params"]
            waiter = self.stats.pop((params["uri"], params["version"]), None)
            if waiter is not None and not waiter.done():
                waiter.set_result((arrived, params))
        # Anything else (logs, diagnostics) is not measured.

    def answer(self, method: str, params: Json) -> Any:
        """What an editor without settings answers the server: the workspace folders it was
        started on, no value for each setting asked for, and null (accepted) to the rest."""
        if method == "workspace/workspaceFolders":
            return self.folders or None
        if method == "workspace/configuration":
            return [None] * len(params.get("items", []))
        return None

    def write(self, message: Json) -> float:
        """Frame and write a message; return the perf_counter just before it went to the pipe."""
        body = json.dumps(message).encode("utf-8")
        framed = b"Content-Length: %d\r\n\r\n" % len(body) + body
        sent = time.perf_counter()
        self.stdin.write(framed)
        return sent

    async def send(self, message: Json) -> float:
        sent = self.write(message)
        await self.stdin.drain()
        return sent

    def start_request(self, method: str, params: Json | None) -> asyncio.Future[tuple[float, Any]]:
        """Write a request without waiting for the pipe (call `drain` after a batch); the
        future gives when its reply arrived, and its result."""
        self.next_id += 1
        reply: asyncio.Future[tuple[float, Any]] = asyncio.get_running_loop().create_future()
        self.replies[self.next_id] = reply
        self.write({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return reply

    async def drain(self) -> None:
        await self.stdin.drain()

    async def timed_request(self, method: str, params: Json | None) -> tuple[float, Any]:
        """Send a request; return the seconds until its reply arrived, and its result."""
        sent = time.perf_counter()
        reply = self.start_request(method, params)
        await self.drain()
        arrived, result = await asyncio.wait_for(reply, REPLY_TIMEOUT_S)
        return arrived - sent, result

    async def request(self, method: str, params: Json | None) -> Any:
        _, result = await self.timed_request(method, params)
        return result

    async def notify(self, method: str, params: Json | None) -> float:
        return await self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def expect_stats(self, uri: str, version: int) -> asyncio.Future[tuple[float, Json]]:
        """A future for the next `documentStats` of (uri, version): when it arrived, and it."""
        waiter: asyncio.Future[tuple[float, Json]] = asyncio.get_running_loop().create_future()
        self.stats[(uri, version)] = waiter
        return waiter

    async def notify_and_wait_stats(
        self, method: str, params: Json, uri: str, version: int
    ) -> tuple[float, Json]:
        """Send a notification; return seconds until `documentStats` for (uri, version), and it."""
        waiter = self.expect_stats(uri, version)
        sent = await self.notify(method, params)
        arrived, stats = await asyncio.wait_for(waiter, REPLY_TIMEOUT_S)
        return arrived - sent, stats

    async def initialize(
        self,
        options: Json,
        capabilities: Json | None = None,
        folder: Path | None = None,
    ) -> Json:
        """`initialize` and `initialized`; `folder`, if given, is the root and only workspace
        folder. Returns the server's `InitializeResult`."""
        self.folders = [{"uri": folder.as_uri(), "name": folder.name}] if folder else []
        result: Json = await self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": folder.as_uri() if folder else None,
                "workspaceFolders": self.folders or None,
                "capabilities": capabilities or {},
                "initializationOptions": options,
            },
        )
        await self.notify("initialized", {})
        return result

    async def open(self, uri: str, text: str) -> tuple[float, Json]:
        return await self.notify_and_wait_stats(
            "textDocument/didOpen", {"textDocument": text_document_item(uri, text)}, uri, 1
        )

    async def insert(self, uri: str, version: int, line: int, column: int, text: str) -> float:
        at = {"line": line, "character": column}
        params = {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {"start": at, "end": at}, "text": text}],
        }
        seconds, _ = await self.notify_and_wait_stats(
            "textDocument/didChange", params, uri, version
        )
        return seconds

    def rss_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text(encoding="ascii")
        line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
        return int(line.split()[1]) / 1024

    async def close(self) -> None:
        """`shutdown` and `exit`; kill the process if it is not gone within seconds."""
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.request("shutdown", None), 10)
            await self.notify("exit", None)
        try:
            await asyncio.wait_for(self.process.wait(), 10)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
        self.reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.reader


@contextlib.asynccontextmanager
async def running_server(
    stderr: IO[bytes],
    options: Json,
    capabilities: Json | None = None,
    folder: Path | None = None,
) -> AsyncIterator[ServerProcess]:
    server = await ServerProcess.spawn(stderr)
    try:
        await server.initialize(options, capabilities, folder)
        yield server
    finally:
        await server.close()


def text_document_item(uri: str, text: str, version: int = 1) -> Json:
    return {"uri": uri, "languageId": "prompty", "version": version, "text": text}


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """LSP position of an offset; the fixtures are ASCII, so columns are UTF-16 code units."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset), offset - line_start
