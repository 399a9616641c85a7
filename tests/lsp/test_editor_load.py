"""The server under a real editor's load: the requests an editor sends at once share one
analysis per version, code actions are answered from it and resolved on demand, positions
follow the negotiated encoding, and each document belongs to its workspace folder."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from server.core.prompt_model import LineIndex
from shared_schemas import ServerStatus
from shared_schemas.methods import SERVER_STATUS
from tests.lsp.conftest import PromptClient, make_client, start_session

PROMPT = """---
model: gpt-4o
---
system:
Classify the ticket.

user:
The VPN drops every hour.

assistant:
network

user:
Printer on fire.

assistant:
hardware

user:
{{ticket}}
"""

# What VS Code advertises for code actions: literals, `data` kept, `edit` resolved lazily.
RESOLVING_EDITOR = types.ClientCapabilities(
    text_document=types.TextDocumentClientCapabilities(
        code_action=types.CodeActionClientCapabilities(
            code_action_literal_support=types.ClientCodeActionLiteralOptions(
                code_action_kind=types.ClientCodeActionKindOptions(value_set=["quickfix", "source"])
            ),
            data_support=True,
            resolve_support=types.ClientCodeActionResolveOptions(properties=["edit"]),
        )
    ),
    workspace=types.WorkspaceClientCapabilities(
        apply_edit=True,
        workspace_edit=types.WorkspaceEditClientCapabilities(
            document_changes=True, resource_operations=[types.ResourceOperationKind.Create]
        ),
    ),
)
UTF8_EDITOR = types.ClientCapabilities(
    general=types.GeneralClientCapabilities(
        position_encodings=[types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf16]
    )
)


@pytest.fixture
def workspace(tmp_path: Path) -> list[Path]:
    folders = [tmp_path / "first", tmp_path / "second"]
    for folder in folders:
        folder.mkdir()
    return folders


@pytest_asyncio.fixture
async def editor(
    server_process: LanguageClient, workspace: list[Path]
) -> AsyncIterator[PromptClient]:
    async for session in start_session(
        server_process, {"debounceMs": 0}, RESOLVING_EDITOR, workspace
    ):
        yield session


@pytest_asyncio.fixture
async def utf8_editor(server_process: LanguageClient) -> AsyncIterator[PromptClient]:
    async for session in start_session(server_process, {"debounceMs": 0}, UTF8_EDITOR):
        yield session


@pytest_asyncio.fixture
async def two_folder_editor(
    server_process: LanguageClient, workspace: list[Path]
) -> AsyncIterator[PromptClient]:
    options = {
        "debounceMs": 0,
        "model": "gpt-4o-mini",
        "folders": [
            {"uri": workspace[1].as_uri(), "settings": {"model": "gpt-4.1", "callsPerDay": 50}}
        ],
    }
    async for session in start_session(server_process, options, RESOLVING_EDITOR, workspace):
        yield session


async def server_status(client: PromptClient) -> ServerStatus:
    raw = await client.lsp.protocol.send_request_async(SERVER_STATUS.name, {})
    return ServerStatus.model_validate(raw)


def doc(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


async def code_actions(client: PromptClient, uri: str, line: int = 4) -> list[types.CodeAction]:
    cursor = types.Position(line, 3)
    result = await client.lsp.text_document_code_action_async(
        types.CodeActionParams(doc(uri), types.Range(cursor, cursor), types.CodeActionContext([]))
    )
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


async def picked_export(
    client: PromptClient, prompt: Path
) -> tuple[types.CodeAction, types.CodeAction]:
    """The export action offered on `prompt` (opened), and the same action resolved, as an
    editor resolves the action the user picks."""
    client.open(prompt.as_uri(), PROMPT)
    [action] = await code_actions(client, prompt.as_uri())
    return action, await client.lsp.code_action_resolve_async(action)


def editor_requests(client: PromptClient, uri: str) -> list[asyncio.Future[Any]]:
    """What VS Code asks for right after it opens a file, all at once."""
    lsp = client.lsp
    whole = types.Range(types.Position(0, 0), types.Position(100, 0))
    return [
        lsp.text_document_document_symbol_async(types.DocumentSymbolParams(doc(uri))),
        lsp.text_document_folding_range_async(types.FoldingRangeParams(doc(uri))),
        lsp.text_document_code_lens_async(types.CodeLensParams(doc(uri))),
        lsp.text_document_inlay_hint_async(types.InlayHintParams(doc(uri), whole)),
        lsp.text_document_code_action_async(
            types.CodeActionParams(doc(uri), whole, types.CodeActionContext([]))
        ),
    ]


async def test_requests_sent_with_the_open_share_one_analysis(
    editor: PromptClient, workspace: list[Path]
) -> None:
    uri = (workspace[0] / "triage.prompty").as_uri()
    editor.open(uri, PROMPT)
    answers = await asyncio.gather(*editor_requests(editor, uri))
    assert all(answers)  # every request got its answer from that analysis
    [document] = (await server_status(editor)).documents
    assert (document.version, document.analysed_version, document.analyses) == (1, 1, 1)


async def test_each_version_is_analysed_once_however_many_ask(
    editor: PromptClient, workspace: list[Path]
) -> None:
    uri = (workspace[0] / "triage.prompty").as_uri()
    editor.open(uri, PROMPT)
    await editor.stats(uri)
    start = types.Position(4, 0)
    version = editor.edit(uri, types.Range(start, start), "user:\nA new turn.\n\n")
    await asyncio.gather(*editor_requests(editor, uri), *editor_requests(editor, uri))
    await editor.stats(uri, version)
    [document] = (await server_status(editor)).documents
    assert (document.version, document.analyses) == (2, 2)


async def test_cursor_moves_get_the_export_without_reading_the_dataset(
    editor: PromptClient, workspace: list[Path]
) -> None:
    prompt = workspace[0] / "triage.prompty"
    # Where the dataset would go stands a folder: any attempt to read it would fail.
    (workspace[0] / "triage.train.jsonl").mkdir()
    editor.open(prompt.as_uri(), PROMPT)
    [action] = await code_actions(editor, prompt.as_uri())
    assert action.title == "Export 2 few-shot examples to triage.train.jsonl"
    assert action.edit is None and action.data["uri"] == prompt.as_uri()


async def test_resolving_the_export_builds_its_edit(
    editor: PromptClient, workspace: list[Path]
) -> None:
    _, resolved = await picked_export(editor, workspace[0] / "triage.prompty")
    assert resolved.title == "Export 2 few-shot examples as a fine-tuning dataset"
    assert resolved.edit is not None
    [create, insert] = resolved.edit.document_changes or []
    target = (workspace[0] / "triage.train.jsonl").as_uri()
    assert isinstance(create, types.CreateFile) and create.uri == target
    assert isinstance(insert, types.TextDocumentEdit)
    [text_edit] = insert.edits
    assert isinstance(text_edit, types.TextEdit)
    assert [
        json.loads(line)["messages"][1]["content"]
        for line in text_edit.new_text.split("\n")
        if line
    ] == [
        "The VPN drops every hour.",
        "Printer on fire.",
    ]


async def test_resolving_with_nothing_new_says_so(
    editor: PromptClient, workspace: list[Path]
) -> None:
    action, resolved = await picked_export(editor, workspace[0] / "triage.prompty")
    assert resolved.edit is not None
    dataset = workspace[0] / "triage.train.jsonl"
    [_, insert] = resolved.edit.document_changes or []
    assert isinstance(insert, types.TextDocumentEdit) and isinstance(
        insert.edits[0], types.TextEdit
    )
    dataset.write_text(insert.edits[0].new_text)
    again = await editor.lsp.code_action_resolve_async(action)
    assert again.edit is None
    await asyncio.sleep(0.2)
    assert any("already holds all 2 examples" in m.message for m in editor.lsp.messages)


def _utf8_column(line: str, character: int) -> int:
    return len(line[:character].encode("utf-8"))


async def test_a_utf8_client_gets_utf8_columns(utf8_editor: PromptClient) -> None:
    uri = "file:///work/emoji.chat.json"
    text = json.dumps(
        [
            {"role": "system", "content": "Answer with 🙂 or 🙁, nothing else."},
            {"role": "user", "content": "Is the café open?"},
        ],
        ensure_ascii=False,
    )
    utf8_editor.open(uri, text)
    symbols = await utf8_editor.lsp.text_document_document_symbol_async(
        types.DocumentSymbolParams(doc(uri))
    )
    assert symbols is not None
    starts = [s.range.start for s in symbols if isinstance(s, types.DocumentSymbol)]
    # The server's own offsets, in UTF-8 bytes: the emoji are four bytes each, two UTF-16 units.
    second = text.index('{"role": "user"')
    assert (starts[1].line, starts[1].character) == (0, len(text[:second].encode("utf-8")))
    assert LineIndex(text, "utf-8").position(second) != LineIndex(text, "utf-16").position(second)
    assert (await server_status(utf8_editor)).position_encoding == "utf-8"


async def test_a_utf8_clients_hover_position_is_read_as_utf8(utf8_editor: PromptClient) -> None:
    uri = "file:///work/emoji.prompty"
    text = "system: 🙂🙂 Be brief.\nuser:\n{{q}}\n"
    utf8_editor.open(uri, text)
    await utf8_editor.stats(uri)
    # Column 1 of line 1 ("user:"): the marker of the user message.
    hover = await utf8_editor.lsp.text_document_hover_async(
        types.HoverParams(doc(uri), types.Position(1, 1))
    )
    assert hover is not None and "**user** message" in str(hover.contents)


async def test_a_prompt_in_the_second_folder_gets_the_export(
    two_folder_editor: PromptClient, workspace: list[Path]
) -> None:
    _, resolved = await picked_export(two_folder_editor, workspace[1] / "triage.prompty")
    assert resolved.edit is not None
    [create, _] = resolved.edit.document_changes or []
    assert isinstance(create, types.CreateFile)
    assert create.uri == (workspace[1] / "triage.train.jsonl").as_uri()


@pytest.mark.parametrize(
    ("folder", "model", "calls_per_day"), [(0, "gpt-4o-mini", 1000), (1, "gpt-4.1", 50)]
)
async def test_each_folder_has_its_own_settings(
    two_folder_editor: PromptClient,
    workspace: list[Path],
    folder: int,
    model: str,
    calls_per_day: int,
) -> None:
    uri = (workspace[folder] / "plain.prompty").as_uri()
    two_folder_editor.open(uri, "system:\nBe brief.\nuser:\n{{q}}\n")
    stats = await two_folder_editor.stats(uri)
    assert (stats.model, stats.calls_per_day) == (model, calls_per_day)
    [document] = (await server_status(two_folder_editor)).documents
    assert document.folder == workspace[folder].as_uri()


async def test_a_prompt_outside_every_folder_gets_no_export(
    editor: PromptClient, tmp_path: Path
) -> None:
    prompt = tmp_path / "elsewhere.prompty"
    editor.open(prompt.as_uri(), PROMPT)
    assert await code_actions(editor, prompt.as_uri()) == []


FAULTY = ClientServerConfig(
    server_command=[sys.executable, "-m", "tests.lsp.faulty_server"], client_factory=make_client
)


@pytest_lsp.fixture(config=FAULTY)
async def faulty_process(lsp_client: LanguageClient) -> AsyncIterator[None]:
    yield


@pytest_asyncio.fixture
async def faulty(faulty_process: LanguageClient) -> AsyncIterator[PromptClient]:
    async for session in start_session(faulty_process, {"debounceMs": 0}):
        yield session


async def test_an_analysis_that_raises_shows_on_its_document_alone(faulty: PromptClient) -> None:
    broken, fine = "file:///work/explodes.prompty", "file:///work/fine.prompty"
    faulty.open(broken, PROMPT)
    stats = await faulty.stats(broken)
    assert stats.prompt_tokens is None
    assert stats.skipped_reason == "internal error: planted fault"
    symbols = await faulty.lsp.text_document_document_symbol_async(
        types.DocumentSymbolParams(doc(broken))
    )
    assert symbols == []
    faulty.open(fine, PROMPT)
    assert (await faulty.stats(fine)).prompt_tokens
