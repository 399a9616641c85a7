"""A real `python -m server` over stdio, driven by pytest-lsp's client."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest_asyncio
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import register_lsp_features

from server.lsp.wire import plain_json_converter
from shared_schemas import DocumentStats
from shared_schemas.methods import DOCUMENT_STATS

STATS_TIMEOUT_S = 20


@dataclass
class StatsInbox:
    """Every `promptweight/documentStats` the server pushed, in order."""

    received: list[DocumentStats] = field(default_factory=list)
    arrived: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def put(self, raw: Any) -> None:
        async with self.arrived:
            self.received.append(DocumentStats.model_validate(raw))
            self.arrived.notify_all()

    async def wait_for(self, uri: str, version: int) -> DocumentStats:
        def found() -> DocumentStats | None:
            return next((s for s in self.received if s.uri == uri and s.version == version), None)

        async with self.arrived:
            await asyncio.wait_for(self.arrived.wait_for(found), STATS_TIMEOUT_S)
        result = found()
        assert result is not None
        return result


class PromptClient:
    """The editor's side of the conversation, reduced to what the tests need."""

    def __init__(self, client: LanguageClient, inbox: StatsInbox) -> None:
        self.lsp = client
        self.inbox = inbox
        self.versions: dict[str, int] = {}

    def open(self, uri: str, text: str) -> None:
        self.versions[uri] = 1
        self.lsp.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri=uri, language_id="prompty", version=1, text=text)
            )
        )

    def edit(self, uri: str, range_: types.Range, text: str) -> int:
        self.versions[uri] += 1
        self.lsp.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
                [types.TextDocumentContentChangePartial(range=range_, text=text)],
            )
        )
        return self.versions[uri]

    def close(self, uri: str) -> None:
        self.lsp.text_document_did_close(
            types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=uri))
        )

    async def stats(self, uri: str, version: int | None = None) -> DocumentStats:
        return await self.inbox.wait_for(uri, self.versions[uri] if version is None else version)


async def start_session(
    lsp_client: LanguageClient,
    options: dict[str, Any],
    capabilities: types.ClientCapabilities | None = None,
    folders: list[Path] | None = None,
) -> AsyncIterator[PromptClient]:
    inbox = StatsInbox()

    @lsp_client.feature(DOCUMENT_STATS.name)
    async def on_stats(params: Any) -> None:
        await inbox.put(params)

    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities or types.ClientCapabilities(),
            initialization_options=options,
            workspace_folders=[
                types.WorkspaceFolder(uri=f.as_uri(), name=f.name) for f in folders or []
            ],
        )
    )
    yield PromptClient(lsp_client, inbox)
    await lsp_client.shutdown_session()


def make_client() -> LanguageClient:
    """pytest-lsp's test client, with custom messages kept as plain JSON (as the server does)."""
    client = LanguageClient(converter_factory=plain_json_converter)
    register_lsp_features(client)
    return client


SERVER = ClientServerConfig(
    server_command=[sys.executable, "-m", "server"], client_factory=make_client
)


@pytest_lsp.fixture(config=SERVER)
async def server_process(lsp_client: LanguageClient) -> AsyncIterator[None]:
    """A fresh server per test; the fixtures below initialize it with their options."""
    yield


@pytest_asyncio.fixture
async def client(server_process: LanguageClient) -> AsyncIterator[PromptClient]:
    # No debounce, so each edit's recount can be awaited; debouncing has its own test.
    async for session in start_session(server_process, {"debounceMs": 0}):
        yield session


@pytest_asyncio.fixture
async def debounced_client(server_process: LanguageClient) -> AsyncIterator[PromptClient]:
    async for session in start_session(server_process, {"debounceMs": 300}):
        yield session


@pytest_asyncio.fixture
async def small_limit_client(server_process: LanguageClient) -> AsyncIterator[PromptClient]:
    options = {"debounceMs": 0, "maxDocumentCharacters": 1000}
    async for session in start_session(server_process, options):
        yield session


@pytest_asyncio.fixture
async def misconfigured_client(server_process: LanguageClient) -> AsyncIterator[PromptClient]:
    async for session in start_session(server_process, {"debounceMs": -5, "model": 42}):
        yield session


@pytest_asyncio.fixture
async def partly_misconfigured_client(
    server_process: LanguageClient,
) -> AsyncIterator[PromptClient]:
    options = {
        "debounceMs": 0,
        "callsPerDay": -3,
        "budgetTokens": "lots",
        "maxOutputTokens": 256,
        "models": {
            "broken-window": {"contextWindow": 0},
            "house-model": {
                "contextWindow": 32_000,
                "inputUsdPerMillion": 1.0,
                "outputUsdPerMillion": 2.0,
            },
        },
    }
    async for session in start_session(server_process, options):
        yield session


@pytest_asyncio.fixture
async def editor_client(
    server_process: LanguageClient, tmp_path: Path
) -> AsyncIterator[PromptClient]:
    """A client like VS Code for workspace edits: it can create files and applies the edits
    the server sends (recording them), in a workspace folder of its own."""
    server_process.applied_edits = []  # type: ignore[attr-defined]

    @server_process.feature(types.WORKSPACE_APPLY_EDIT)
    def on_apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        server_process.applied_edits.append(params.edit)  # type: ignore[attr-defined]
        return types.ApplyWorkspaceEditResult(applied=True)

    workspace = tmp_path / "workspace"
    workspace.mkdir()
    inbox = StatsInbox()

    @server_process.feature(DOCUMENT_STATS.name)
    async def on_stats(params: Any) -> None:
        await inbox.put(params)

    capabilities = types.ClientCapabilities(
        workspace=types.WorkspaceClientCapabilities(
            apply_edit=True,
            workspace_edit=types.WorkspaceEditClientCapabilities(
                document_changes=True,
                resource_operations=[types.ResourceOperationKind.Create],
            ),
        )
    )
    await server_process.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=workspace.as_uri(),
            # A trusted workspace, as VS Code's usual one: commands may write datasets.
            initialization_options={"debounceMs": 0, "workspaceTrusted": True},
        )
    )
    yield PromptClient(server_process, inbox)
    await server_process.shutdown_session()
