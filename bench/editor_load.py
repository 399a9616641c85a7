"""`python -m bench.editor_load [--quick] [--out build/bench-editor.json]`: a ~1 MB prompt in
the editor, measured as part of `make bench` or alone.

The prompt is examples/support-triage.prompty (frontmatter, a system message, two few-shot
turns) with 11,000 retrieved-reference lines (`- [doc 123] Refund policy ...: ...`) appended
inside its system message: about 1.1 MB. The server is initialized as VS Code initializes it
(its code-action, workspace-edit and position-encoding capabilities; a workspace folder
holding the file; `debounceMs` 0), then, against tiktoken's `encode` of the same text
(o200k_base) measured in this process in the same run:

1. `editor_open_1mb_ms`: what VS Code sends when it shows a file: `didOpen` and, at once, without
   waiting, `documentSymbol`, `foldingRange`, `codeLens`, `inlayHint` (the whole file) and
   `codeAction` (an empty range in the system message, no diagnostics); the time from `didOpen`
   until all five are answered. Each run opens a fresh file (the previous one is closed), with
   its baseline just before it; the row is the run whose ratio is the median one, so that its
   value and baseline were measured together. `editor_open_1mb_first_stats_ms` is `didOpen` to
   the first `documentStats` for version 1 (medians). `editor_open_1mb_analyses` is the
   `analyses` that `promptweight/serverStatus` reports for the document once all is answered
   (of all runs, the count farthest from 1); null if the server has no such request.
2. `code_action_move_1mb_p50_ms`/`_p95_ms`: with the last of those documents open and analysed,
   `codeAction` for an empty range at each of 30 or more cursor positions (moves down a few
   lines at a time in the system message, the references and the few-shot turns), each awaited,
   against one `encode` of the text (the median of those measured after each move).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from bench.lsp_client import (
    METHOD_NOT_FOUND,
    REPLY_TIMEOUT_S,
    REPO,
    Json,
    ServerError,
    ServerProcess,
    line_and_column,
    running_server,
    text_document_item,
)
from bench.prompt_fixtures import reference_lines, token_count
from bench.results import GOALS, Result, percentile, table, write_results
from server.core.encodings import get_encoding
from shared_schemas.methods import SERVER_STATUS

EXAMPLE = REPO / "examples" / "support-triage.prompty"
REFERENCE_LINES = 11_000
OPTIONS: Json = {"debounceMs": 0}

# What VS Code declares that bears on these requests (not `workspace.configuration`: the
# options below are the only settings).
VSCODE_CAPABILITIES: Json = {
    "general": {"positionEncodings": ["utf-16"]},
    "workspace": {
        "applyEdit": True,
        "workspaceFolders": True,
        "workspaceEdit": {
            "documentChanges": True,
            "resourceOperations": ["create"],
            "failureHandling": "textOnlyTransactional",
            "normalizesLineEndings": True,
        },
    },
    "textDocument": {
        "synchronization": {"dynamicRegistration": True, "didSave": True},
        "documentSymbol": {"hierarchicalDocumentSymbolSupport": True, "labelSupport": True},
        "foldingRange": {"lineFoldingOnly": True, "rangeLimit": 5000},
        "codeLens": {"dynamicRegistration": True},
        "inlayHint": {
            "resolveSupport": {
                "properties": [
                    "tooltip",
                    "textEdits",
                    "label.tooltip",
                    "label.location",
                    "label.command",
                ]
            }
        },
        "codeAction": {
            "dynamicRegistration": True,
            "isPreferredSupport": True,
            "disabledSupport": True,
            "dataSupport": True,
            "honorsChangeAnnotations": True,
            "resolveSupport": {"properties": ["edit"]},
            "codeActionLiteralSupport": {
                "codeActionKind": {
                    "valueSet": [
                        "",
                        "quickfix",
                        "refactor",
                        "refactor.extract",
                        "refactor.inline",
                        "refactor.rewrite",
                        "source",
                        "source.organizeImports",
                    ]
                }
            },
        },
    },
}


class Record(Protocol):
    def __call__(
        self, name: str, value: float | None, unit: str, baseline: float | None = None
    ) -> None: ...


# --- The document ----------------------------------------------------------------------------


def editor_prompt(lines: int = REFERENCE_LINES) -> str:
    """The example prompt with `lines` reference lines at the end of its system message."""
    example = EXAMPLE.read_text(encoding="utf-8")
    end_of_system = example.index("\n\nuser:\n")
    references = "\n\nReference documents (cite them as [doc N]):\n" + reference_lines(lines)
    return example[:end_of_system] + references.rstrip("\n") + example[end_of_system:]


def position(line: int, column: int) -> Json:
    return {"line": line, "character": column}


def cursor_in_system(text: str) -> Json:
    """Inside the system message's rules, a few words into a line."""
    return position(*line_and_column(text, text.index("Never promise refunds") + 6))


def editor_requests(text: str, cursor: Json) -> list[tuple[str, Json]]:
    """What VS Code asks for, in this order, as it shows a document; without the document."""
    whole = {"start": position(0, 0), "end": position(*line_and_column(text, len(text)))}
    return [
        ("textDocument/documentSymbol", {}),
        ("textDocument/foldingRange", {}),
        ("textDocument/codeLens", {}),
        ("textDocument/inlayHint", {"range": whole}),
        ("textDocument/codeAction", code_action_params(cursor)),
    ]


def code_action_params(cursor: Json) -> Json:
    return {"range": {"start": cursor, "end": cursor}, "context": {"diagnostics": []}}


def cursor_walk(text: str, moves: int, burst: int = 6) -> list[Json]:
    """`moves` cursor positions: from one place to the next of the file (the system message's
    rules, a quarter, half and three quarters into the references, the few-shot turns, the end),
    `burst` lines down each time, at a column that changes from place to place."""
    lines = text.split("\n")
    first_reference = next(i for i, line in enumerate(lines) if line.startswith("- [doc "))
    last_reference = max(i for i, line in enumerate(lines) if line.startswith("- [doc "))
    span = last_reference - first_reference
    anchors = [
        next(i for i, line in enumerate(lines) if line == "system:") + 1,
        first_reference + span // 4,
        first_reference + span // 2,
        first_reference + 3 * span // 4,
        last_reference + 2,  # the first few-shot `user:`
        max(0, len(lines) - burst),
    ]
    walk = []
    for move in range(moves):
        place = move // burst
        line = min(anchors[place % len(anchors)] + move % burst, len(lines) - 1)
        column = 4 + 9 * (place % 7)
        walk.append(position(line, min(column, len(lines[line]))))
    return walk


# --- Measurements ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenRun:
    answered_ms: float  # didOpen to the last of the five replies
    first_stats_ms: float  # didOpen to the first documentStats of version 1
    baseline_ms: float  # tiktoken `encode` of the text, just before

    @property
    def ratio(self) -> float:
        return self.answered_ms / self.baseline_ms


async def open_as_vscode(server: ServerProcess, uri: str, text: str) -> tuple[float, float]:
    """didOpen and the five requests, written at once; return the milliseconds from didOpen to
    the last reply and to the first `documentStats` of version 1."""
    document = {"textDocument": {"uri": uri}}
    stats = server.expect_stats(uri, 1)
    sent = server.write(
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {"textDocument": text_document_item(uri, text)},
        }
    )
    replies = [
        server.start_request(method, {**document, **params})
        for method, params in editor_requests(text, cursor_in_system(text))
    ]
    await server.drain()
    answers = await asyncio.wait_for(asyncio.gather(*replies), REPLY_TIMEOUT_S)
    stats_arrived, figures = await asyncio.wait_for(stats, REPLY_TIMEOUT_S)
    if figures.get("promptTokens") is None:
        raise RuntimeError(f"the server did not count the editor prompt: {figures}")
    symbols = answers[0][1]
    if not symbols:
        raise RuntimeError("the server gave the editor prompt no document symbols")
    last = max(arrived for arrived, _ in answers)
    return (last - sent) * 1000, (stats_arrived - sent) * 1000


async def analyses_of(server: ServerProcess, uri: str) -> int | None:
    """How many analyses the server started for `uri`; None if it has no `serverStatus`."""
    try:
        status = await server.request(SERVER_STATUS.name, {})
    except ServerError as error:
        if error.code == METHOD_NOT_FOUND:
            return None
        raise
    for document in status.get("documents", []):
        if document.get("uri") == uri:
            return int(document["analyses"])
    raise RuntimeError(f"{SERVER_STATUS.name} does not list {uri}: {status}")


async def close(server: ServerProcess, uri: str) -> None:
    await server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})


def encode_ms(text: str) -> float:
    encoding = get_encoding("o200k_base")
    started = time.perf_counter()
    encoding.encode(text)
    return (time.perf_counter() - started) * 1000


async def cursor_moves(
    server: ServerProcess, uri: str, text: str, walk: list[Json], warmup: int
) -> tuple[list[float], list[float]]:
    """Per cursor position after the first `warmup`: milliseconds to the code actions, and
    tiktoken's `encode` of the whole text, measured right after."""
    served, naive = [], []
    for index, cursor in enumerate(walk):
        params = {"textDocument": {"uri": uri}, **code_action_params(cursor)}
        seconds, _ = await server.timed_request("textDocument/codeAction", params)
        baseline = encode_ms(text)
        if index >= warmup:
            served.append(seconds * 1000)
            naive.append(baseline)
    return served, naive


async def measure(quick: bool, log: IO[bytes], say: Callable[[str], None], record: Record) -> None:
    runs = 3 if quick else 7
    moves, warmup = (30, 2) if quick else (60, 3)
    text = editor_prompt()
    say(
        f"editor fixture: {len(text.encode()):,} bytes, {token_count(text):,} o200k tokens; "
        f"{runs} opens as VS Code opens a file, then {moves} cursor moves (+{warmup} warm-up)"
    )
    opens: list[OpenRun] = []
    counts: list[int | None] = []
    with tempfile.TemporaryDirectory(prefix="promptweight-bench-") as temporary:
        folder = Path(temporary)
        async with running_server(log, OPTIONS, VSCODE_CAPABILITIES, folder) as server:
            # Once before measuring, on the example itself: the first requests of each kind.
            example = folder / EXAMPLE.name
            example.write_bytes(EXAMPLE.read_bytes())
            await open_as_vscode(server, example.as_uri(), EXAMPLE.read_text(encoding="utf-8"))
            await close(server, example.as_uri())
            uri = ""
            for run in range(runs):
                say(f"opening the 1 MB prompt as VS Code does, run {run + 1} of {runs} ...")
                if uri:
                    await close(server, uri)
                path = folder / f"support-triage-{run}.prompty"
                path.write_bytes(text.encode("utf-8"))
                uri = path.as_uri()
                baseline = encode_ms(text)
                answered, first_stats = await open_as_vscode(server, uri, text)
                opens.append(OpenRun(answered, first_stats, baseline))
                counts.append(await analyses_of(server, uri))
            say("moving the cursor through the 1 MB prompt ...")
            walk = cursor_walk(text, moves + warmup)
            served, naive = await cursor_moves(server, uri, text, walk, warmup)
            await close(server, uri)

    say(
        "editor open, against encode: "
        + ", ".join(f"{run.ratio:.2f}x" for run in opens)
        + f"; analyses per open: {counts}"
    )
    # The run whose ratio is the median one (the lower of two middles).
    middle = sorted(opens, key=lambda run: run.ratio)[(len(opens) - 1) // 2]
    record("editor_open_1mb_ms", middle.answered_ms, "ms", middle.baseline_ms)
    record(
        "editor_open_1mb_first_stats_ms",
        statistics.median(run.first_stats_ms for run in opens),
        "ms",
        statistics.median(run.baseline_ms for run in opens),
    )
    known = [count for count in counts if count is not None]
    worst = max(known, key=lambda count: abs(count - 1)) if known else None
    record("editor_open_1mb_analyses", worst, "analyses")
    encode = statistics.median(naive)
    for p in (50, 95):
        record(f"code_action_move_1mb_p{p}_ms", percentile(served, p), "ms", encode)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.editor_load", description=__doc__)
    parser.add_argument("--out", type=Path, default=REPO / "build" / "bench-editor.json")
    parser.add_argument("--quick", action="store_true", help="3 opens and 30 cursor moves")
    args = parser.parse_args(argv)
    server_log = REPO / "build" / "bench-editor-server.log"
    results: dict[str, Result] = {}

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    def record(name: str, value: float | None, unit: str, baseline: float | None = None) -> None:
        results[name] = Result(value, unit, baseline, GOALS.get(name))

    say(f"Python {platform.python_version()}, {os.cpu_count()} CPUs; server log: {server_log}")
    server_log.parent.mkdir(parents=True, exist_ok=True)
    with server_log.open("wb") as log:
        try:
            asyncio.run(measure(args.quick, log, say, record))
        except (ConnectionError, TimeoutError) as error:
            say(f"benchmark failed: {error!r}; the server's log is {server_log}")
            return 1
    write_results(args.out, results)
    print(table(results))
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
