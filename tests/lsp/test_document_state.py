"""`DocumentState`: one analysis job per version, however many readers; older versions' jobs
stop when a newer one is wanted; a runaway job ends at its time budget."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

from server.core.model_choice import choose_model
from server.core.prompt_analysis import AnalysisSettings, PromptAnalysis, analyse_prompt
from server.lsp.document_state import DocumentState, Snapshot
from server.lsp.folders import FolderContext
from shared_schemas import Settings

FOLDER = FolderContext(None, None, Settings(), AnalysisSettings())
URI = "file:///work/a.prompty"


class Editor:
    """The document's text as the editor has it, one version after another."""

    def __init__(self) -> None:
        self.version = 1
        self.text = "system:\nBe brief.\nuser:\n{{q}}\n"

    def snapshot(self) -> Snapshot:
        return Snapshot(self.version, self.text)

    def type(self, more: str) -> None:
        self.version += 1
        self.text += more


class Analyser:
    """The real analysis, recording which versions it was asked for; it can be held back."""

    def __init__(self, editor: Editor) -> None:
        self.editor = editor
        self.texts: list[str] = []
        self.release = threading.Event()
        self.release.set()
        self.stopped: list[str] = []

    def __call__(
        self, uri: str, text: str, folder: FolderContext, should_stop: Callable[[], bool]
    ) -> PromptAnalysis | None:
        self.texts.append(text)
        while not self.release.wait(0.01):
            if should_stop():
                self.stopped.append(text)
                return None
        return analyse_prompt(uri, text, folder.settings)


def state_for(editor: Editor, analyser: Analyser, budget_s: float = 30) -> DocumentState:
    return DocumentState(URI, FOLDER, "utf-16", editor.snapshot, analyser, budget_s)


async def test_readers_of_one_version_share_one_analysis() -> None:
    editor = Editor()
    analyser = Analyser(editor)
    state = state_for(editor, analyser)
    results = await asyncio.gather(*(state.analysis() for _ in range(5)))
    assert len(analyser.texts) == 1 and state.analyses_started == 1
    assert all(r is results[0] and r is not None and r.version == 1 for r in results)


async def test_a_kept_analysis_answers_without_a_new_job() -> None:
    editor = Editor()
    analyser = Analyser(editor)
    state = state_for(editor, analyser)
    first = await state.analysis()
    assert await state.analysis() is first and len(analyser.texts) == 1


async def test_a_newer_version_stops_the_older_job_and_answers_its_readers() -> None:
    editor = Editor()
    analyser = Analyser(editor)
    analyser.release.clear()
    state = state_for(editor, analyser)
    old_reader = asyncio.ensure_future(state.analysis())
    await asyncio.sleep(0.05)
    editor.type("Thanks.\n")
    new_reader = asyncio.ensure_future(state.analysis())
    await asyncio.sleep(0.05)
    analyser.release.set()
    newer, older = await new_reader, await old_reader
    assert analyser.stopped == ["system:\nBe brief.\nuser:\n{{q}}\n"]
    assert newer is not None and older is newer and newer.version == 2


async def test_a_job_past_its_budget_is_kept_as_stopped() -> None:
    editor = Editor()
    analyser = Analyser(editor)
    analyser.release.clear()
    state = state_for(editor, analyser, budget_s=0.1)
    started = time.monotonic()
    result = await state.analysis()
    assert time.monotonic() - started < 5
    assert result is not None and result.analysis.skipped is not None
    assert result.analysis.skipped.code == "stopped"
    assert "took more than 0.1 s" in result.analysis.skipped.reason
    assert await state.analysis() is result and state.analyses_started == 1
    for _ in range(100):  # the worker thread saw the stop and ended
        if analyser.stopped:
            break
        await asyncio.sleep(0.02)
    assert analyser.stopped


async def test_a_closed_document_has_no_analysis() -> None:
    state = DocumentState(URI, FOLDER, "utf-16", lambda: None, Analyser(Editor()))
    assert await state.analysis() is None
    assert choose_model(None, FOLDER.settings.models)  # the folder's models are usable
