"""One state object per open document: every reader of a version's analysis shares one job.

An editor asks for much at once when it opens a file (outline, folding, lenses, hints, code
actions) and again on every cursor move. Each request awaits `DocumentState.analysis()`: the
kept analysis when it is of the current version, else the one job already analysing that
version, else a new job. So a version is analysed once however many requests want it.

A newer version supersedes an older job: the older job is told to stop (it ends at its next
phase and gives its core back), its readers are answered from the newer version, and its
result is never kept over a newer one. A job that runs past `budget_s` is stopped the same
way, and that version is kept as "stopped", with the reason: a runaway document costs one
budget per version, not one per request, and never holds up another document's figures.

Plain asyncio, no LSP: the server hands each state the function that analyses a text.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass

from server.core.countable import Skip
from server.core.live_counts import LiveCounts
from server.core.prompt_analysis import PromptAnalysis, not_counted
from server.core.prompt_model import LineIndex, PositionEncoding
from server.core.prompt_parser import detect_format
from server.lsp.folders import FolderContext
from shared_schemas.datasets import DatasetReport

# Runs on a worker thread: (uri, text, folder, should_stop) -> the analysis, or None when it
# stopped because `should_stop()` turned True.
Analyse = Callable[[str, str, FolderContext, Callable[[], bool]], PromptAnalysis | None]
# Far longer than any real prompt takes (a 4 MB one takes a few seconds here).
ANALYSIS_BUDGET_S = 30.0


@dataclass(frozen=True)
class Analysed:
    version: int
    analysis: PromptAnalysis
    index: LineIndex  # of the analysed text, in the client's position encoding


@dataclass(frozen=True)
class Snapshot:
    """A document's text as of one version."""

    version: int
    text: str


@dataclass(frozen=True)
class _Job:
    version: int
    task: asyncio.Task[Analysed | None]
    stop: threading.Event


class DocumentState:
    def __init__(
        self,
        uri: str,
        folder: FolderContext,
        encoding: PositionEncoding,
        current: Callable[[], Snapshot | None],
        analyse: Analyse,
        budget_s: float = ANALYSIS_BUDGET_S,
    ) -> None:
        self.uri = uri
        self.folder = folder
        self._encoding = encoding
        self._current = current  # the editor's text as it is now (None once closed)
        self._analyse = analyse
        self._budget_s = budget_s
        self.analyses_started = 0
        self._kept: Analysed | None = None
        self._job: _Job | None = None
        self.live: LiveCounts | None = None  # quick recounts between full analyses
        self.dataset: tuple[int, DatasetReport | str] | None = None  # `.jsonl` documents

    def snapshot(self) -> Snapshot | None:
        return self._current()

    @property
    def kept(self) -> Analysed | None:
        """The newest finished analysis, of whatever version."""
        return self._kept

    @property
    def analysing_version(self) -> int | None:
        return self._job.version if self._job is not None else None

    def is_current(self, version: int) -> bool:
        snapshot = self._current()
        return snapshot is not None and snapshot.version == version

    async def analysis(self) -> Analysed | None:
        """The analysis of the document as it is now; None once it is closed."""
        while True:
            snapshot = self._current()
            if snapshot is None:
                return None
            kept = self._kept
            if kept is not None and kept.version == snapshot.version:
                return kept
            job = self._job
            if job is None or job.version != snapshot.version:
                if job is not None:
                    job.stop.set()  # superseded: nobody will want it
                stop = threading.Event()
                job = self._job = _Job(
                    snapshot.version, asyncio.create_task(self._run(snapshot, stop)), stop
                )
            # Shielded: a reader that gives up (a cancelled request) does not cancel the others'.
            result = await asyncio.shield(job.task)
            if result is not None:
                return result
            # That job stopped for a newer version: answer from the newer one.

    async def _run(self, snapshot: Snapshot, stop: threading.Event) -> Analysed | None:
        self.analyses_started += 1
        work = asyncio.ensure_future(
            asyncio.to_thread(self._analyse, self.uri, snapshot.text, self.folder, stop.is_set)
        )
        try:
            analysis = await asyncio.wait_for(asyncio.shield(work), self._budget_s)
        except TimeoutError:
            stop.set()  # the thread ends at its next phase; the answer does not wait for it
            analysis = self._stopped(f"the analysis took more than {self._budget_s:g} s")
        finally:
            if self._job is not None and self._job.version == snapshot.version:
                self._job = None
        if analysis is None:
            return None  # superseded
        result = Analysed(snapshot.version, analysis, LineIndex(snapshot.text, self._encoding))
        if self._kept is None or self._kept.version <= snapshot.version:
            self._kept = result
        return result

    def _stopped(self, why: str) -> PromptAnalysis:
        skip = Skip("stopped", f"{why}; edit the file to try again")
        return not_counted(detect_format(self.uri, ""), self.folder.settings, skip)
