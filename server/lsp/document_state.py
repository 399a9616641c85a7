"""One state object per open document: every reader of a version's analysis shares one job.

An editor asks for much at once when it opens a file (outline, folding, lenses, hints, code
actions) and again on every cursor move. Each request awaits `DocumentState.analysis()`: the
kept analysis when it is of the current version, else the one job already analysing that
version, else a new job. So a version is analysed once however many requests want it. A newer
version supersedes an older job: the older job's result is never kept over a newer one, and
readers of the newer version never wait for it.

Plain asyncio, no LSP: the server hands each state the function that analyses a text.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from server.core.live_counts import LiveCounts
from server.core.prompt_analysis import PromptAnalysis
from server.core.prompt_model import LineIndex, PositionEncoding
from server.lsp.folders import FolderContext
from shared_schemas.datasets import DatasetReport


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


class DocumentState:
    def __init__(
        self,
        uri: str,
        folder: FolderContext,
        encoding: PositionEncoding,
        current: Callable[[], Snapshot | None],
        analyse: Callable[[str, str, FolderContext], PromptAnalysis],
    ) -> None:
        self.uri = uri
        self.folder = folder
        self._encoding = encoding
        self._current = current  # the editor's text as it is now (None once closed)
        self._analyse = analyse  # runs on a worker thread
        self.analyses_started = 0
        self._kept: Analysed | None = None
        self._job: tuple[int, asyncio.Task[Analysed]] | None = None
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
        return self._job[0] if self._job is not None else None

    async def analysis(self) -> Analysed | None:
        """The analysis of the document as it is now; None once it is closed."""
        snapshot = self._current()
        if snapshot is None:
            return None
        kept = self._kept
        if kept is not None and kept.version == snapshot.version:
            return kept
        if self._job is None or self._job[0] != snapshot.version:
            self._job = (snapshot.version, asyncio.create_task(self._run(snapshot)))
        # Shielded: a reader that gives up (a cancelled request) does not cancel the others'.
        return await asyncio.shield(self._job[1])

    async def _run(self, snapshot: Snapshot) -> Analysed:
        self.analyses_started += 1
        try:
            analysis = await asyncio.to_thread(self._analyse, self.uri, snapshot.text, self.folder)
        finally:
            if self._job is not None and self._job[0] == snapshot.version:
                self._job = None
        result = Analysed(snapshot.version, analysis, LineIndex(snapshot.text, self._encoding))
        if self._kept is None or self._kept.version <= snapshot.version:
            self._kept = result
        return result

    def is_current(self, version: int) -> bool:
        snapshot = self._current()
        return snapshot is not None and snapshot.version == version
