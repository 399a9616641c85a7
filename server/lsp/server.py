"""The Promptweight language server: pygls handlers around the analysis core."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from server import __version__
from server.core.countable import Skip
from server.core.datasets.dataset_file import DatasetError, inside
from server.core.datasets.export import ExportOptions
from server.core.datasets.validation import ValidationOptions
from server.core.economics import Figures
from server.core.garbage_collection import collection_paused
from server.core.live_counts import LiveCounts
from server.core.model_choice import choose_model
from server.core.partials import partials_beside
from server.core.prompt_analysis import PromptAnalysis, analyse_prompt, analysis_problems
from server.core.prompt_model import LineIndex
from server.core.prompt_parser import PartialReader, detect_format
from server.core.source_text import decode_source
from server.figures_report import figures_fields
from server.lsp import features
from server.lsp.conversions import to_diagnostic
from server.lsp.dataset_export import (
    EXPORT_KIND,
    DatasetEdit,
    ExportRefused,
    dataset_edit,
    dataset_target,
)
from server.lsp.dataset_view import (
    dataset_diagnostics,
    is_dataset,
    summary_markdown,
    validate_text,
)
from server.lsp.debounce import Debouncer
from server.lsp.documents import use_splicing_documents
from server.lsp.settings import analysis_settings, read_options
from server.lsp.wire import plain_json_converter
from shared_schemas import (
    CountSelectionParams,
    CountSelectionResult,
    DocumentStats,
    ExportDatasetParams,
    ExportDatasetResult,
    InitializationOptions,
)
from shared_schemas.datasets import DatasetReport

log = logging.getLogger(__name__)

DOCUMENT_STATS = "promptweight/documentStats"
# After quick recounts, the full analysis (diagnostics, outline) waits for a pause in typing.
STRUCTURE_REFRESH_S = 0.4
COUNT_SELECTION = "promptweight/countSelection"
# The client's `promptweight.exportDataset` command gathers the files, then calls this one.
EXPORT_COMMAND = "promptweight.server.exportDataset"


@dataclass(frozen=True)
class Analysed:
    version: int
    analysis: PromptAnalysis
    index: LineIndex


def partial_reader(uri: str) -> PartialReader | None:
    path = to_fs_path(uri)
    return partials_beside(Path(path)) if path is not None else None


class PromptweightServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "promptweight",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            converter_factory=plain_json_converter,
        )
        self.options = InitializationOptions()
        self.settings = analysis_settings(self.options, None)
        self.recounts = Debouncer()
        self.refreshes = Debouncer()  # full analyses after quick recounts
        self.analysed: dict[str, Analysed] = {}
        self.live: dict[str, LiveCounts] = {}
        self.datasets: dict[str, tuple[int, DatasetReport | str]] = {}

    def schedule_recount(self, uri: str, delay_s: float) -> None:
        self.recounts.schedule(uri, delay_s, lambda: self.publish(uri))

    def forget(self, uri: str) -> None:
        self.recounts.cancel(uri)
        self.refreshes.cancel(uri)
        self.analysed.pop(uri, None)
        self.live.pop(uri, None)
        self.datasets.pop(uri, None)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, []))

    def _analyse(self, uri: str, text: str) -> PromptAnalysis:
        try:
            with collection_paused():
                return analyse_prompt(uri, text, self.settings, partial_reader(uri))
        except Exception as error:
            # Say so where the user looks, and keep serving the other documents.
            log.exception("analysing %s failed", uri)
            return PromptAnalysis(
                detect_format(uri, ""),
                None,
                choose_model(None, self.settings.models),
                None,
                skipped=Skip("error", f"internal error: {error}"),
            )

    async def analysed_now(self, uri: str) -> Analysed | None:
        """The analysis of the document as it is now: cached, or computed off the event loop."""
        document = self.workspace.text_documents.get(uri)
        if document is None or is_dataset(uri):
            return None  # datasets are validated, not analysed as prompts
        version = document.version or 0
        cached = self.analysed.get(uri)
        if cached is not None and cached.version == version:
            return cached
        text = document.source
        analysis = await asyncio.to_thread(self._analyse, uri, text)
        result = Analysed(version, analysis, LineIndex(text))
        current = self.workspace.text_documents.get(uri)
        if current is not None and (current.version or 0) == version:
            self.analysed[uri] = result
        return result

    def export_edit(self, uris: list[str], target_uri: str | None) -> DatasetEdit:
        """The dataset edit for prompts `uris` (open or on disk) into `target_uri`, or into
        `<stem>.train.jsonl` of the first prompt."""
        root = Path(self.workspace.root_path) if self.workspace.root_path else None
        documents = []
        for uri in uris:
            path = to_fs_path(uri)
            if path is None:
                raise ExportRefused(f"{uri} is not a file")
            open_document = self.workspace.text_documents.get(uri)
            text = (
                open_document.source
                if open_document is not None
                else decode_source(Path(path).read_bytes()).text
            )
            analysis = self._analyse(uri, text)
            if analysis.document is not None:
                documents.append(analysis.document)
        first = Path(to_fs_path(uris[0]) or "")
        if target_uri:
            target = Path(to_fs_path(target_uri) or "").resolve()
            if root is not None and not inside(target, root):
                raise ExportRefused(f"the dataset {target} would be outside the workspace {root}")
        else:
            target = dataset_target(first, self.options.dataset_folder, root)
        open_target = self.workspace.text_documents.get(target.as_uri())
        can_create = bool(
            get_capability(
                self.client_capabilities, "workspace.workspace_edit.document_changes", False
            )
        ) and types.ResourceOperationKind.Create in (
            get_capability(
                self.client_capabilities, "workspace.workspace_edit.resource_operations", []
            )
            or []
        )
        options = ExportOptions(
            format=self.options.export_format, system=self.options.export_system
        )
        return dataset_edit(
            documents,
            target,
            options,
            open_target.source if open_target else None,
            can_create,
        )

    def _validate(self, text: str) -> DatasetReport:
        model = choose_model(self.options.training_model, self.settings.models)
        options = ValidationOptions(
            count_tokens=model.counter.count, max_sequence_tokens=self.options.max_sequence_tokens
        )
        return validate_text(text, options)

    async def dataset_report(self, uri: str) -> tuple[int, DatasetReport | str] | None:
        """The validation of an open `.jsonl` dataset, or why it was not validated."""
        document = self.workspace.text_documents.get(uri)
        if document is None:
            return None
        version = document.version or 0
        cached = self.datasets.get(uri)
        if cached is not None and cached[0] == version:
            return cached
        text = document.source
        if len(text) > self.options.max_document_characters:
            result: tuple[int, DatasetReport | str] = (
                version,
                f"{len(text):,} characters: too large to validate in the editor; run "
                "`promptweight validate` on it",
            )
        else:
            result = (version, await asyncio.to_thread(self._validate, text))
        self.datasets[uri] = result
        return result

    async def publish_dataset(self, uri: str) -> None:
        result = await self.dataset_report(uri)
        if result is None:
            return
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
            diagnostics = dataset_diagnostics(report)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri, diagnostics, version=version)
        )

    async def publish(self, uri: str) -> None:
        """After an edit: a quick recount when the edit was plain typing inside a message, with
        the full analysis (diagnostics, outline) once typing pauses; else the full one now."""
        if is_dataset(uri):
            await self.publish_dataset(uri)
            return
        document = self.workspace.text_documents.get(uri)
        live = self.live.get(uri)
        if document is not None and live is not None:
            figures = live.apply(document.source)
            if figures is not None:
                analysis = live.analysis
                self._notify_stats(uri, document.version or 0, analysis, figures)
                self.refreshes.schedule(uri, STRUCTURE_REFRESH_S, lambda: self.publish_full(uri))
                return
        await self.publish_full(uri)

    async def publish_full(self, uri: str) -> None:
        self.refreshes.cancel(uri)
        # The collector's pass over what the analysis made (2 ms for a large prompt, freeing
        # nothing) comes at the first allocation after the pause: after the figures are out.
        with collection_paused():
            result = await self.analysed_now(uri)
            if result is None or self.analysed.get(uri) is not result:
                return  # closed, or a newer edit has its own recount scheduled
            analysis = result.analysis
            self._notify_stats(uri, result.version, analysis, analysis.figures)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri,
                [to_diagnostic(result.index, p) for p in analysis_problems(analysis)],
                version=result.version,
            )
        )
        text = self.workspace.text_documents[uri].source
        live = LiveCounts.of(analysis, text)
        if live is None:
            self.live.pop(uri, None)
        else:
            self.live[uri] = live

    def _notify_stats(
        self, uri: str, version: int, analysis: PromptAnalysis, figures: Figures | None
    ) -> None:
        skipped = analysis.skipped.reason if analysis.skipped else None
        not_a_prompt = analysis.document is None and skipped is None
        if not_a_prompt:
            skipped = "not a prompt: JSON or YAML without a list of chat messages"
        stats = DocumentStats(
            uri=uri,
            version=version,
            format=None if not_a_prompt else analysis.format,
            model=analysis.file_model or self.options.model,
            encoding=analysis.model.counter.name,
            exact=analysis.model.exact,
            prompt_tokens=figures.prompt_tokens if figures else analysis.prompt_tokens,
            skipped_reason=skipped,
            note=analysis.model.counter.note,
            **dict(figures_fields(analysis.model.entry.id, figures)),
        )
        self.protocol.notify(DOCUMENT_STATS, stats.to_wire())


def create_server() -> PromptweightServer:
    server = PromptweightServer()

    @server.feature(types.INITIALIZE)
    def on_initialize(ls: PromptweightServer, params: types.InitializeParams) -> None:
        use_splicing_documents(ls.workspace)
        ls.options, errors = read_options(params.initialization_options)
        ls.settings = analysis_settings(ls.options, ls.workspace.root_path)
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
        # Load the tokenizer while the editor is still opening files, not on the first keystroke.
        await asyncio.to_thread(choose_model, None, ls.settings.models)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def on_open(ls: PromptweightServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule_recount(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def on_change(ls: PromptweightServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule_recount(params.text_document.uri, ls.options.debounce_ms / 1000)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def on_close(ls: PromptweightServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)

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
        return features.hover(result.analysis, result.index, offset) or features.breakdown_hover(
            result.analysis, result.index, offset
        )

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
        result = await ls.analysed_now(params.text_document.uri)
        if result is None:
            return []
        return features.code_lenses(result.analysis, params.text_document.uri)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.Source]
        ),
    )
    async def on_code_action(
        ls: PromptweightServer, params: types.CodeActionParams
    ) -> list[types.CodeAction]:
        uri = params.text_document.uri
        result = await ls.analysed_now(uri)
        if result is None or result.analysis.document is None or not result.analysis.examples:
            return []
        try:
            export = await asyncio.to_thread(ls.export_edit, [uri], None)
        except (ExportRefused, DatasetError, OSError) as why:
            log.info("no dataset export for %s: %s", uri, why)
            return []
        wanted = params.context.only
        actions = []
        if not wanted or any(EXPORT_KIND.startswith(kind) for kind in wanted):
            actions.append(types.CodeAction(title=export.title, kind=EXPORT_KIND, edit=export.edit))
        candidates = [d for d in params.context.diagnostics if d.code == "fine-tuning-candidate"]
        if candidates and (not wanted or types.CodeActionKind.QuickFix in wanted):
            actions.append(
                types.CodeAction(
                    title=export.title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=candidates,
                    edit=export.edit,
                    is_preferred=True,
                )
            )
        return actions

    @server.command(EXPORT_COMMAND)
    async def on_export_dataset(ls: PromptweightServer, raw: Any) -> dict[str, object]:
        """`[{"uris": [...], "target": "file:///…/x.train.jsonl" | null}]`: one dataset from one
        or several prompts, applied as a workspace edit (undoable)."""
        request = raw[0] if isinstance(raw, list) and raw else raw
        params = ExportDatasetParams.model_validate(request)
        try:
            export = await asyncio.to_thread(ls.export_edit, params.uris, params.target)
        except (ExportRefused, DatasetError, OSError) as why:
            return ExportDatasetResult(applied=False, message=str(why)).to_wire()
        applied = await ls.workspace_apply_edit_async(
            types.ApplyWorkspaceEditParams(edit=export.edit, label="Promptweight: export dataset")
        )
        message = f"{export.title}: {export.written} written, {export.skipped} already there"
        if not applied.applied:
            message = f"the editor did not apply the export: {applied.failure_reason or 'refused'}"
        return ExportDatasetResult(
            applied=applied.applied, message=message, written=export.written
        ).to_wire()

    @server.feature(COUNT_SELECTION)
    async def on_count_selection(ls: PromptweightServer, raw: Any) -> dict[str, object]:
        params = CountSelectionParams.model_validate(raw)
        cached = ls.analysed.get(params.uri)
        model = cached.analysis.model if cached else choose_model(None, ls.settings.models)
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
            if len(text) <= ls.options.max_document_characters:
                tokens = await asyncio.to_thread(model.counter.count, text)
        return CountSelectionResult(
            tokens=tokens, encoding=model.counter.name, exact=model.exact
        ).to_wire()

    return server
