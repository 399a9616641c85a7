"""The Promptweight language server: pygls handlers around the analysis core."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from lsprotocol import types
from pydantic import ValidationError
from pygls.lsp.server import LanguageServer

from server import __version__
from server.core.document_weight import DocumentWeight, Skip, weigh_text
from server.core.encodings import get_encoding
from server.core.token_count import count_tokens
from server.core.tokenizer_choice import choose_tokenizer
from server.lsp.debounce import Debouncer
from server.lsp.wire import plain_json_converter
from shared_schemas import (
    CountSelectionParams,
    CountSelectionResult,
    DocumentStats,
    InitializationOptions,
)

log = logging.getLogger(__name__)

DOCUMENT_STATS = "promptweight/documentStats"
COUNT_SELECTION = "promptweight/countSelection"


class PromptweightServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "promptweight",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            converter_factory=plain_json_converter,
        )
        self.options = InitializationOptions()
        self.recounts = Debouncer()

    def schedule_recount(self, uri: str, delay_s: float) -> None:
        self.recounts.schedule(uri, delay_s, lambda: self.publish_stats(uri))

    async def publish_stats(self, uri: str) -> None:
        document = self.workspace.text_documents.get(uri)
        if document is None:  # closed while the recount was pending
            return
        version = document.version or 0
        try:
            # Counting a large document takes long enough to stall other requests: off the loop.
            weight = await asyncio.to_thread(
                weigh_text,
                document.source,
                self.options.model,
                self.options.max_document_characters,
            )
        except Exception as error:
            # Say so where the user looks (the status bar), and keep serving other documents.
            log.exception("counting %s failed", uri)
            choice = choose_tokenizer(self.options.model)
            weight = DocumentWeight(
                choice.model, choice.encoding, choice.exact, None, Skip("error", f"{error}")
            )
        current = self.workspace.text_documents.get(uri)
        if current is None or (current.version or 0) != version:
            return  # a newer edit has its own recount scheduled
        stats = DocumentStats(
            uri=uri,
            version=version,
            model=weight.model,
            encoding=weight.encoding,
            exact=weight.exact,
            prompt_tokens=weight.prompt_tokens,
            skipped_reason=weight.skipped.reason if weight.skipped else None,
            note=weight.note,
        )
        self.protocol.notify(DOCUMENT_STATS, stats.to_wire())


def create_server() -> PromptweightServer:
    server = PromptweightServer()

    @server.feature(types.INITIALIZE)
    def on_initialize(ls: PromptweightServer, params: types.InitializeParams) -> None:
        try:
            ls.options = InitializationOptions.model_validate(params.initialization_options or {})
        except ValidationError as error:
            log.error("invalid initializationOptions, using defaults: %s", error)
            ls.window_show_message(
                types.ShowMessageParams(
                    types.MessageType.Error,
                    f"Promptweight: invalid settings, using defaults: {error}",
                )
            )
        log.info("promptweight %s started with %s", __version__, ls.options.model_dump())

    @server.feature(types.INITIALIZED)
    async def on_initialized(ls: PromptweightServer, params: types.InitializedParams) -> None:
        # Load the tokenizer while the editor is still opening files, not on the first keystroke.
        encoding = choose_tokenizer(ls.options.model).encoding
        await asyncio.to_thread(get_encoding, encoding)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def on_open(ls: PromptweightServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule_recount(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def on_change(ls: PromptweightServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule_recount(params.text_document.uri, ls.options.debounce_ms / 1000)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def on_close(ls: PromptweightServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.recounts.cancel(params.text_document.uri)

    @server.feature(COUNT_SELECTION)
    async def on_count_selection(ls: PromptweightServer, raw: Any) -> dict[str, object]:
        params = CountSelectionParams.model_validate(raw)
        choice = choose_tokenizer(ls.options.model)
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
                encoding = await asyncio.to_thread(get_encoding, choice.encoding)
                tokens = await asyncio.to_thread(count_tokens, encoding, text)
        return CountSelectionResult(
            tokens=tokens, encoding=choice.encoding, exact=choice.exact
        ).to_wire()

    return server
