"""The Promptweight language server: pygls handlers around the analysis core."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from server import __version__
from server.core.countable import Skip
from server.core.economics import Figures
from server.core.garbage_collection import (
    back_into_collections,
    collection_paused,
    keep_out_of_collections,
)
from server.core.live_counts import LiveCounts
from server.core.model_choice import choose_model
from server.core.partials import partials_beside
from server.core.prompt_analysis import (
    AnalysisStopped,
    PromptAnalysis,
    analyse_prompt,
    analysis_problems,
    not_counted,
)
from server.core.prompt_model import LineIndex, PositionEncoding
from server.core.prompt_parser import PartialReader, detect_format
from server.core.training.config_diagnostics import check_config_text, is_training_config
from server.figures_report import figures_fields
from server.lsp import features
from server.lsp.conversions import to_diagnostic
from server.lsp.dataset_options import validation_options
from server.lsp.dataset_view import (
    dataset_diagnostics,
    is_dataset,
    summary_markdown,
    validate_text,
)
from server.lsp.debounce import Debouncer
from server.lsp.document_state import Analysed, DocumentState, Snapshot
from server.lsp.documents import use_splicing_documents
from server.lsp.folders import FolderContext, Folders
from server.lsp.settings import read_folders, read_options, read_trust
from server.lsp.wire import plain_json_converter
from shared_schemas import (
    CountSelectionParams,
    CountSelectionResult,
    DocumentStats,
    DocumentStatus,
    ServerStatus,
    Settings,
)
from shared_schemas.datasets import DatasetReport
from shared_schemas.messages import OriginalPrompt
from shared_schemas.methods import COUNT_SELECTION, DOCUMENT_STATS, SERVER_STATUS

log = logging.getLogger(__name__)

# After quick recounts, the full analysis (diagnostics, outline) waits for a pause in typing.
STRUCTURE_REFRESH_S = 0.4
_ENCODINGS: dict[str, PositionEncoding] = {"utf-8": "utf-8", "utf-16": "utf-16", "utf-32": "utf-32"}


def _never() -> bool:
    return False


def partial_reader(uri: str, max_characters: int) -> PartialReader | None:
    path = to_fs_path(uri)
    return partials_beside(Path(path), max_characters) if path is not None else None


def analyse(
    uri: str, text: str, folder: FolderContext, should_stop: Callable[[], bool] = _never
) -> PromptAnalysis | None:
    """The analysis of one text, on a worker thread; a failure is that document's alone.
    None: stopped, because `should_stop()` turned True."""
    try:
        with collection_paused():
            reader = partial_reader(uri, folder.settings.max_characters)
            return analyse_prompt(uri, text, folder.settings, reader, should_stop)
    except AnalysisStopped:
        return None
    except BaseException as error:
        # Not only `Exception`: a tokenizer's Rust panic arrives as `PanicException`, a
        # BaseException. Say so where the user looks, and keep serving the other documents.
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        log.exception("analysing %s failed", uri)
        skip = Skip("error", f"internal error: {error}")
        return not_counted(detect_format(uri, ""), folder.settings, skip)


def _diagnostics_and_live_counts(
    result: Analysed,
) -> tuple[list[types.Diagnostic], LiveCounts | None]:
    problems = analysis_problems(result.analysis)
    diagnostics = [to_diagnostic(result.index, p) for p in problems]
    return diagnostics, LiveCounts.of(result.analysis, result.index.text)


class PromptweightServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "promptweight",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            converter_factory=plain_json_converter,
        )
        self.options = Settings()  # the window's; each document reads its folder's
        self.folders = Folders(self.options, {})
        self.recounts = Debouncer()
        self.refreshes = Debouncer()  # full analyses after quick recounts
        self.documents: dict[str, DocumentState] = {}
        self.trusted = False  # whether the editor trusts the workspace (training runs code)
        # A short prompt's original, by URI, for its stats (short_prompt_actions.py sets it).
        self.original_of: Callable[[str], OriginalPrompt | None] = lambda uri: None
        # Diagnostics that other rooms (the advisor) add to a prompt's own, by URI.
        self.extra_diagnostics: list[Callable[[str], list[types.Diagnostic]]] = []
        # Lines that other rooms add to the breakdown hover (Markdown), by URI.
        self.hover_additions: list[Callable[[str], str | None]] = []

    @property
    def encoding(self) -> PositionEncoding:
        return _ENCODINGS.get(str(self.workspace.position_encoding), "utf-16")

    def folder_of(self, uri: str) -> FolderContext:
        folder_uris = [folder.uri for folder in self.workspace.folders.values()]
        if not folder_uris and self.workspace.root_uri:
            folder_uris = [self.workspace.root_uri]  # a client that sent only `rootUri`
        return self.folders.of(uri, folder_uris)

    def _snapshot(self, uri: str) -> Snapshot | None:
        document = self.workspace.text_documents.get(uri)
        if document is None:
            return None
        return Snapshot(document.version or 0, document.source)

    def open_document(self, uri: str) -> DocumentState:
        state = DocumentState(
            uri, self.folder_of(uri), self.encoding, lambda: self._snapshot(uri), analyse
        )
        self.documents[uri] = state
        return state

    def schedule_recount(self, uri: str, delay_s: float) -> None:
        self.recounts.schedule(uri, delay_s, lambda: self.publish(uri))

    def forget(self, uri: str) -> None:
        self.recounts.cancel(uri)
        self.refreshes.cancel(uri)
        self.documents.pop(uri, None)
        if not self.documents:
            # Cycles among frozen objects wait for this; with documents still open, handing
            # their analyses back would cost the next full collection a pass over all of them.
            back_into_collections()
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, []))

    async def analysed_now(self, uri: str) -> Analysed | None:
        """The analysis of an open prompt as it is now, shared by every request that asks."""
        state = self.documents.get(uri)
        if state is None or is_dataset(uri) or is_training_config(uri):
            return None  # datasets and run configs are checked, not analysed as prompts
        return await state.analysis()

    def _validate(self, text: str, folder: FolderContext) -> DatasetReport:
        return validate_text(text, validation_options(folder))

    async def dataset_report(self, uri: str) -> tuple[int, DatasetReport | str] | None:
        """The validation of an open `.jsonl` dataset, or why it was not validated."""
        state = self.documents.get(uri)
        snapshot = state.snapshot() if state else None
        if state is None or snapshot is None:
            return None
        cached = state.dataset
        if cached is not None and cached[0] == snapshot.version:
            return cached
        limit = state.folder.options.max_document_characters
        if len(snapshot.text) > limit:
            result: tuple[int, DatasetReport | str] = (
                snapshot.version,
                f"{len(snapshot.text):,} characters: too large to validate in the editor; run "
                "`promptweight validate` on it",
            )
        else:
            report = await asyncio.to_thread(self._validate, snapshot.text, state.folder)
            result = (snapshot.version, report)
        state.dataset = result
        return result

    async def publish_dataset(self, uri: str) -> None:
        result = await self.dataset_report(uri)
        snapshot = self._snapshot(uri)
        if result is None or snapshot is None or snapshot.version != result[0]:
            return  # closed, or a newer version has its own publish coming
        version, report = result
        if isinstance(report, str):
            diagnostics = [
                types.Diagnostic(
                    range=types.Range(types.Position(0, 0), types.Position(0, 0)),
                    message=report,
                    severity=types.DiagnosticSeverity.Information,
                    code="too-large",
                    source="promptweight",
                )
            ]
        else:
            diagnostics = dataset_diagnostics(report, snapshot.text, self.encoding)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri, diagnostics, version=version)
        )

    def publish_training_config(self, uri: str) -> None:
        """A `promptweight.train.yaml`: its problems, located (a few hundred bytes: no thread)."""
        snapshot = self._snapshot(uri)
        if snapshot is None:
            return
        index = LineIndex(snapshot.text, self.encoding)
        diagnostics = [to_diagnostic(index, p) for p in check_config_text(snapshot.text)]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri, diagnostics, version=snapshot.version)
        )

    async def publish(self, uri: str) -> None:
        """After an edit: a quick recount when the edit was plain typing inside a message, with
        the full analysis (diagnostics, outline) once typing pauses; else the full one now."""
        if is_dataset(uri):
            await self.publish_dataset(uri)
            return
        if is_training_config(uri):
            self.publish_training_config(uri)
            return
        state = self.documents.get(uri)
        snapshot = state.snapshot() if state else None
        if state is not None and snapshot is not None and state.live is not None:
            figures = state.live.apply(snapshot.text)
            if figures is not None:
                self._notify_stats(state, snapshot.version, state.live.analysis, figures)
                self.refreshes.schedule(uri, STRUCTURE_REFRESH_S, lambda: self.publish_full(uri))
                return
        await self.publish_full(uri)

    async def publish_full(self, uri: str) -> None:
        self.refreshes.cancel(uri)
        state = self.documents.get(uri)
        if state is None:
            return
        # The collector stays off until what this document keeps (its analysis, diagnostics and
        # live counts) is frozen out of its reach: its passes over those objects free nothing,
        # and one over several large documents' took 420 ms, in the middle of another open.
        with collection_paused():
            result = await state.analysis()
            if result is None or not state.is_current(result.version):
                return  # closed, or a newer edit has its own recount scheduled
            analysis = result.analysis
            self._notify_stats(state, result.version, analysis, analysis.figures)
            # Off the event loop: for a prompt of 100,000 messages these take 100 ms, which
            # other documents' requests need not wait for.
            diagnostics, live = await asyncio.to_thread(_diagnostics_and_live_counts, result)
            diagnostics += [d for extra in self.extra_diagnostics for d in extra(uri)]
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri, diagnostics, version=result.version)
            )
            state.live = live
            keep_out_of_collections()

    def _notify_stats(
        self,
        state: DocumentState,
        version: int,
        analysis: PromptAnalysis,
        figures: Figures | None,
    ) -> None:
        skipped = analysis.skipped.reason if analysis.skipped else None
        not_a_prompt = analysis.document is None and skipped is None
        if not_a_prompt:
            skipped = "not a prompt: JSON or YAML without a list of chat messages"
        stats = DocumentStats(
            uri=state.uri,
            version=version,
            format=None if not_a_prompt else analysis.format,
            model=analysis.file_model or state.folder.options.model,
            encoding=analysis.model.counter.name,
            exact=analysis.exact,
            prompt_tokens=figures.prompt_tokens if figures else analysis.prompt_tokens,
            skipped_reason=skipped,
            note=analysis.model.counter.note,
            original=self.original_of(state.uri),
            **dict(figures_fields(analysis.model.entry.id, figures)),
        )
        self.protocol.notify(DOCUMENT_STATS.name, stats.to_wire())

    def status(self) -> ServerStatus:
        documents = []
        for uri, state in self.documents.items():
            snapshot = state.snapshot()
            kept = state.kept
            documents.append(
                DocumentStatus(
                    uri=uri,
                    version=snapshot.version if snapshot else -1,
                    folder=state.folder.uri,
                    analysed_version=kept.version if kept else None,
                    analysing_version=state.analysing_version,
                    analyses=state.analyses_started,
                )
            )
        return ServerStatus(
            position_encoding=self.encoding,
            folders=[folder.uri for folder in self.workspace.folders.values()],
            documents=documents,
        )


def create_server() -> PromptweightServer:
    # The export's and training's handlers live in their own modules, which build on this one.
    from server.lsp import (
        advice,
        dataset_validation,
        export_actions,
        model_picker,
        progress_cancel,
        short_prompt_actions,
        token_report,
        training,
        training_history,
        training_setup,
    )

    server = PromptweightServer()

    @server.feature(types.INITIALIZE)
    def on_initialize(ls: PromptweightServer, params: types.InitializeParams) -> None:
        use_splicing_documents(ls.workspace)
        ls.options, errors = read_options(params.initialization_options)
        by_folder, folder_errors = read_folders(params.initialization_options, ls.options)
        ls.folders = Folders(ls.options, by_folder)
        ls.trusted = read_trust(params.initialization_options)
        errors += folder_errors
        if errors:
            log.error("settings errors: %s", errors)
            ls.window_show_message(
                types.ShowMessageParams(
                    types.MessageType.Error,
                    "Promptweight: invalid settings, defaults used instead: " + "; ".join(errors),
                )
            )
        log.info("promptweight %s started with %s", __version__, ls.options.model_dump())

    @server.feature(types.INITIALIZED)
    async def on_initialized(ls: PromptweightServer, params: types.InitializedParams) -> None:
        training.schedule_reattach(ls)  # follow again the runs that outlived the last server
        # Load the tokenizer while the editor is still opening files, not on the first keystroke.
        await asyncio.to_thread(choose_model, None, ls.folders.outside.settings.models)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def on_open(ls: PromptweightServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.open_document(params.text_document.uri)
        ls.schedule_recount(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def on_change(ls: PromptweightServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule_recount(params.text_document.uri, ls.options.debounce_ms / 1000)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def on_close(ls: PromptweightServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)
        advice.forget(params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def on_folders(ls: PromptweightServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
        # pygls has updated its folders; each open document may now belong to another.
        for uri, state in ls.documents.items():
            state.folder = ls.folder_of(uri)

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    async def on_symbols(
        ls: PromptweightServer, params: types.DocumentSymbolParams
    ) -> list[types.DocumentSymbol]:
        result = await ls.analysed_now(params.text_document.uri)
        return features.document_symbols(result.analysis, result.index) if result else []

    @server.feature(types.TEXT_DOCUMENT_FOLDING_RANGE)
    async def on_folding(
        ls: PromptweightServer, params: types.FoldingRangeParams
    ) -> list[types.FoldingRange]:
        result = await ls.analysed_now(params.text_document.uri)
        return features.folding_ranges(result.analysis, result.index) if result else []

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def on_hover(ls: PromptweightServer, params: types.HoverParams) -> types.Hover | None:
        uri = params.text_document.uri
        if is_dataset(uri):
            dataset = await ls.dataset_report(uri)
            if dataset is None or isinstance(dataset[1], str) or params.position.line != 0:
                return None
            return types.Hover(
                contents=types.MarkupContent(
                    kind=types.MarkupKind.Markdown, value=summary_markdown(dataset[1])
                )
            )
        result = await ls.analysed_now(uri)
        if result is None:
            return None
        offset = result.index.offset(params.position.line, params.position.character)
        hit_rate = ls.folder_of(uri).options.advisor_cache_hit_rate
        found = features.hover(result.analysis, result.index, offset)
        if found is not None:
            return found
        breakdown = features.breakdown_hover(result.analysis, result.index, offset, hit_rate)
        if breakdown is not None and isinstance(breakdown.contents, types.MarkupContent):
            added = [line for add in ls.hover_additions if (line := add(uri))]
            breakdown.contents.value = "\n\n".join([breakdown.contents.value, *added])
        return breakdown

    @server.feature(types.TEXT_DOCUMENT_INLAY_HINT)
    async def on_inlay_hints(
        ls: PromptweightServer, params: types.InlayHintParams
    ) -> list[types.InlayHint]:
        result = await ls.analysed_now(params.text_document.uri)
        if result is None:
            return []
        wanted = params.range
        return [
            hint
            for hint in features.inlay_hints(result.analysis, result.index)
            if wanted.start.line <= hint.position.line <= wanted.end.line
        ]

    @server.feature(types.TEXT_DOCUMENT_CODE_LENS)
    async def on_code_lens(
        ls: PromptweightServer, params: types.CodeLensParams
    ) -> list[types.CodeLens]:
        uri = params.text_document.uri
        result = await ls.analysed_now(uri)
        if result is None:
            return []
        lenses = features.code_lenses(result.analysis, uri)
        if result.analysis.document is not None:
            lenses.append(advice.unresolved_lens(uri))  # resolved only when shown
        return lenses

    export_actions.register(server)
    short_prompt_actions.register(server)
    progress_cancel.register(server)
    training.register(server)
    training_setup.register(server)
    advice.register(server)
    model_picker.register(server)
    dataset_validation.register(server)
    token_report.register(server)
    training_history.register(server)

    @server.feature(COUNT_SELECTION.name)
    async def on_count_selection(ls: PromptweightServer, raw: Any) -> dict[str, object]:
        params = CountSelectionParams.model_validate(raw)
        state = ls.documents.get(params.uri)
        folder = state.folder if state else ls.folder_of(params.uri)
        kept = state.kept if state else None
        model = kept.analysis.model if kept else choose_model(None, folder.settings.models)
        document = ls.workspace.text_documents.get(params.uri)
        tokens = None
        if document is not None:
            pieces = []
            for selection in params.ranges:
                start = document.offset_at_position(
                    types.Position(selection.start.line, selection.start.character)
                )
                end = document.offset_at_position(
                    types.Position(selection.end.line, selection.end.character)
                )
                pieces.append(document.source[start:end])
            text = "".join(pieces)
            if len(text) <= folder.options.max_document_characters:
                tokens = await asyncio.to_thread(model.counter.count, text)
        return CountSelectionResult(
            tokens=tokens, encoding=model.counter.name, exact=model.exact
        ).to_wire()

    @server.feature(SERVER_STATUS.name)
    def on_server_status(ls: PromptweightServer, raw: Any) -> dict[str, object]:
        return ls.status().to_wire()

    return server
