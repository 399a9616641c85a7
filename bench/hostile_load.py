"""`python -m bench.hostile_load [--quick] [--out build/bench-hostile-load.json]`: whether hostile
files being analysed stall the other documents.

One server, initialized as VS Code initializes it (`debounceMs` 0). A normal small prompt
(examples/support-triage.prompty, under a new name each time) is opened, and the time from
`didOpen` to its first `documentStats` measured, then a hover on its `system:` marker: first
alone, a few times (the baseline); then in each round three 1 MB files of
bench/hostile_inputs.py (`LOAD_FAMILIES`) are opened, each with the requests VS Code sends on
showing a file (symbols, folding, lenses, inlay hints), none awaited, and the normal prompt is
opened twice: at once, while the server reads and analyses them ("in flight"), and again once
every reply and `documentStats` about them has come, with them still open. Then they are closed.

- `hostile_normal_doc_latency`: median ms to the normal prompt's first `documentStats` with the
  three open and analysed, against the baseline's median (goal: ratio <= 3).
- `hostile_normal_doc_hover`: the same for the hover.
- `hostile_normal_doc_latency_in_flight` / `_hover_in_flight`: the same while the three are
  being analysed and answered (goal: at most 100 ms, the editor's debounce: the small prompt
  then shares the cores and the interpreter lock with 3 MB of parsing).
- `hostile_normal_doc_latency_worst_ms`: the slowest of those against the slowest baseline.
- `hostile_open_3x1mb_ms`: from the first hostile `didOpen` to the last reply or
  `documentStats` of the three (information).

Three rounds (and three baselines); one with --quick. A wait that passes `REPLY_TIMEOUT_S`
(60 s) makes the row FAILED; so does a server that dies.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from bench.editor_load import VSCODE_CAPABILITIES
from bench.hostile_inputs import SCALED
from bench.lsp_client import (
    REPLY_TIMEOUT_S,
    REPO,
    Json,
    ServerProcess,
    line_and_column,
    running_server,
    text_document_item,
)
from bench.section import Record, Say, run_alone

NORMAL = REPO / "examples" / "support-triage.prompty"
LOAD_FAMILIES = ("role_markers", "heading_label_spaces", "chat_json_one_line")
LOAD_SIZE = 1_000_000
OPTIONS: Json = {"debounceMs": 0}
# How long the hostile documents' replies may take, all together, before the round gives up.
LOAD_TIMEOUT_S = 120.0


def _position(text: str, offset: int) -> Json:
    line, column = line_and_column(text, offset)
    return {"line": line, "character": column}


def shown_requests(text: str) -> list[tuple[str, Json]]:
    """What VS Code asks for as it shows a document (no code action: no cursor in it)."""
    whole = {"start": {"line": 0, "character": 0}, "end": _position(text, len(text))}
    return [
        ("textDocument/documentSymbol", {}),
        ("textDocument/foldingRange", {}),
        ("textDocument/codeLens", {}),
        ("textDocument/inlayHint", {"range": whole}),
    ]


async def _timed(waiter: Awaitable[tuple[float, Any]], since: float) -> float:
    arrived, _ = await asyncio.wait_for(waiter, REPLY_TIMEOUT_S)
    return (arrived - since) * 1000


class Rounds:
    def __init__(self, server: ServerProcess, folder: Path) -> None:
        self.server = server
        self.folder = folder
        self.normal = NORMAL.read_text(encoding="utf-8")
        self.hover_at = _position(self.normal, self.normal.index("\nsystem:\n") + 3)
        self.count = 0

    def uri(self, name: str) -> str:
        self.count += 1
        return (self.folder / f"{self.count:03d}-{name}").as_uri()

    async def open_normal(self) -> tuple[float, float]:
        """Open the normal prompt; ms to its first `documentStats`, then ms to a hover."""
        server = self.server
        uri = self.uri(NORMAL.name)
        stats = server.expect_stats(uri, 1)
        sent = await server.notify(
            "textDocument/didOpen", {"textDocument": text_document_item(uri, self.normal)}
        )
        first_stats = await _timed(stats, sent)
        hover_s, hover = await server.timed_request(
            "textDocument/hover", {"textDocument": {"uri": uri}, "position": self.hover_at}
        )
        if not hover:
            raise RuntimeError(f"no hover on the normal prompt's system marker at {self.hover_at}")
        await self.close(uri)
        return first_stats, hover_s * 1000

    async def close(self, uri: str) -> None:
        await self.server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})

    async def open_hostile(self, hostile: list[tuple[str, str]]) -> Hostile:
        """Open the hostile files as VS Code does, awaiting nothing."""
        server = self.server
        opened = Hostile(time.perf_counter())
        for file_name, text in hostile:
            uri = self.uri(file_name)
            opened.uris.append(uri)
            opened.waiters.append(server.expect_stats(uri, 1))
            server.write(
                {
                    "jsonrpc": "2.0",
                    "method": "textDocument/didOpen",
                    "params": {"textDocument": text_document_item(uri, text)},
                }
            )
            document = {"textDocument": {"uri": uri}}
            opened.waiters += [
                server.start_request(method, {**document, **params})
                for method, params in shown_requests(text)
            ]
        await server.drain()
        return opened


@dataclass
class Hostile:
    """Hostile documents just opened: when, their URIs, and what they were asked for."""

    started: float
    uris: list[str] = field(default_factory=list)
    waiters: list[asyncio.Future[tuple[float, Any]]] = field(default_factory=list)

    async def answered_ms(self) -> float:
        """Wait for every reply and `documentStats`; ms from the first `didOpen` to the last."""
        answers = await asyncio.wait_for(asyncio.gather(*self.waiters), LOAD_TIMEOUT_S)
        return (max(arrived for arrived, _ in answers) - self.started) * 1000


Times = list[tuple[float, float]]  # per round: ms to the first documentStats, ms to the hover


async def measure(quick: bool, log: IO[bytes], say: Say, record: Record) -> None:
    rounds = 1 if quick else 3
    hostile = [SCALED[family](LOAD_SIZE) for family in LOAD_FAMILIES]
    say(
        f"a normal prompt opened {rounds} times alone, then in each of {rounds} rounds just "
        f"after three 1 MB hostile files ({', '.join(LOAD_FAMILIES)}) and once they are analysed"
    )
    alone: Times = []
    in_flight: Times = []
    analysed: Times = []
    everything: list[float] = []
    failure: str | None = None
    with tempfile.TemporaryDirectory(prefix="promptweight-hostile-") as temporary:
        folder = Path(temporary)
        async with running_server(log, OPTIONS, VSCODE_CAPABILITIES, folder) as server:
            measured = Rounds(server, folder)
            await measured.open_normal()  # the first requests of each kind, not measured
            try:
                for _ in range(rounds):
                    alone.append(await measured.open_normal())
                say("  alone: " + _shown(alone))
                for _ in range(rounds):
                    opened = await measured.open_hostile(hostile)
                    in_flight.append(await measured.open_normal())
                    everything.append(await opened.answered_ms())
                    analysed.append(await measured.open_normal())
                    for uri in opened.uris:
                        await measured.close(uri)
                    await measured.open_normal()  # after the closes: not measured
                    say(
                        f"  while they are analysed: {_shown(in_flight[-1:])}; once they "
                        f"are ({everything[-1]:.0f} ms): {_shown(analysed[-1:])}"
                    )
            except (TimeoutError, ConnectionError) as error:
                code = server.process.returncode
                failure = (
                    f"the server exited ({code})"
                    if code is not None
                    else f"no answer in time ({type(error).__name__})"
                )
                say(f"hostile load failed: {failure}")

    def row(name: str, times: Times, which: int, worst: bool = False) -> None:
        if len(times) < rounds or len(alone) < rounds:
            record(name, None, "ms", failure=failure or "not measured")
            return
        under_load = [t[which] for t in times]
        baseline = [t[which] for t in alone]
        if worst:
            record(name, max(under_load), "ms", max(baseline))
        else:
            record(name, statistics.median(under_load), "ms", statistics.median(baseline))

    row("hostile_normal_doc_latency", analysed, 0)
    row("hostile_normal_doc_hover", analysed, 1)
    row("hostile_normal_doc_latency_in_flight", in_flight, 0)
    row("hostile_normal_doc_hover_in_flight", in_flight, 1)
    row("hostile_normal_doc_latency_worst_ms", in_flight + analysed, 0, worst=True)
    if len(everything) < rounds:
        record("hostile_open_3x1mb_ms", None, "ms", failure=failure or "not measured")
    else:
        record("hostile_open_3x1mb_ms", statistics.median(everything), "ms")


def _shown(times: Times) -> str:
    return ", ".join(f"stats {stats:.1f} ms, hover {hover:.1f} ms" for stats, hover in times)


def _measure_alone(quick: bool, say: Say, record: Record) -> None:
    server_log = REPO / "build" / "bench-hostile-load-server.log"
    server_log.parent.mkdir(parents=True, exist_ok=True)
    say(f"server log: {server_log}")
    with server_log.open("wb") as log:
        asyncio.run(measure(quick, log, say, record))


def main(argv: list[str] | None = None) -> int:
    return run_alone(
        "python -m bench.hostile_load", __doc__, "bench-hostile-load.json", _measure_alone, argv
    )


if __name__ == "__main__":
    sys.exit(main())
