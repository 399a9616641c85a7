"""The dataset export for an editor that cannot apply `documentChanges` (Neovim 0.7 declares
`resourceOperations` but not that): the code action is the export command, and the server
writes the dataset itself, atomically, appending only new records."""

from __future__ import annotations

import ast
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio
from lsprotocol import types
from pytest_lsp import LanguageClient

from shared_schemas.methods import EXPORT_DATASET
from tests.lsp.conftest import PromptClient, start_session
from tests.lsp.test_dataset_export import PROMPT, RECORDS

# What Neovim 0.7 says of workspace edits: it applies them, and names resource operations,
# but never declares `documentChanges`.
NEOVIM_0_7 = types.ClientCapabilities(
    workspace=types.WorkspaceClientCapabilities(
        apply_edit=True,
        workspace_edit=types.WorkspaceEditClientCapabilities(
            resource_operations=[
                types.ResourceOperationKind.Create,
                types.ResourceOperationKind.Rename,
                types.ResourceOperationKind.Delete,
            ],
        ),
    )
)


async def _session(
    lsp: LanguageClient, workspace: Path, trusted: bool
) -> AsyncIterator[PromptClient]:
    options = {"debounceMs": 0, "workspaceTrusted": trusted}
    async for session in start_session(lsp, options, NEOVIM_0_7):
        yield session


@pytest_asyncio.fixture
async def neovim(server_process: LanguageClient, tmp_path: Path) -> AsyncIterator[PromptClient]:
    async for session in _session(server_process, tmp_path, trusted=True):
        yield session


@pytest_asyncio.fixture
async def untrusted_neovim(
    server_process: LanguageClient, tmp_path: Path
) -> AsyncIterator[PromptClient]:
    async for session in _session(server_process, tmp_path, trusted=False):
        yield session


async def source_actions(client: PromptClient, uri: str) -> list[types.CodeAction]:
    result = await client.lsp.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(types.Position(0, 0), types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.Source]),
        )
    )
    actions = []
    for item in result or []:
        if isinstance(item, types.Command) and item.command.startswith("{"):
            # lsprotocol reads any object with a `command` key as a `Command`, and writes
            # the CodeAction's command object into its name; the wire held a CodeAction.
            command = ast.literal_eval(item.command)
            item = types.CodeAction(
                title=item.title,
                kind=types.CodeActionKind.Source,
                command=types.Command(
                    title=command["title"],
                    command=command["command"],
                    arguments=command["arguments"],
                ),
            )
        assert isinstance(item, types.CodeAction)
        actions.append(item)
    return actions


async def run_command(client: PromptClient, command: types.Command) -> Any:
    return await client.lsp.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command.command, arguments=command.arguments)
    )


async def open_prompt(client: PromptClient, tmp_path: Path) -> str:
    prompt = tmp_path / "triage.prompty"
    prompt.write_text(PROMPT)
    client.open(prompt.as_uri(), PROMPT)
    await client.stats(prompt.as_uri())
    return prompt.as_uri()


async def test_the_action_is_the_command_and_the_server_writes_the_dataset(
    neovim: PromptClient, tmp_path: Path
) -> None:
    uri = await open_prompt(neovim, tmp_path)
    [action] = await source_actions(neovim, uri)
    assert action.edit is None and action.command is not None
    assert action.command.command == EXPORT_DATASET.name
    assert "2 few-shot examples" in action.title

    result = await run_command(neovim, action.command)
    assert result["applied"] is True and result["written"] == 2
    dataset = tmp_path / "triage.train.jsonl"
    assert [json.loads(line) for line in dataset.read_text().splitlines()] == RECORDS
    # Written whole under its name at once: no temporary file left beside it.
    names = sorted(p.name for p in tmp_path.iterdir())  # noqa: ASYNC240
    assert names == ["triage.prompty", "triage.train.jsonl"]

    before = dataset.stat()
    again = await run_command(neovim, action.command)
    assert again["applied"] is False and again["written"] == 0
    assert "already holds all 2" in again["message"]
    after = dataset.stat()
    assert (after.st_mtime_ns, after.st_ino) == (before.st_mtime_ns, before.st_ino)


async def test_an_existing_dataset_gains_only_the_new_records(
    neovim: PromptClient, tmp_path: Path
) -> None:
    dataset = tmp_path / "triage.train.jsonl"
    kept = json.dumps(RECORDS[0]) + "\n" + '{"messages": [{"role": "user", "content": "x"}]}\n'
    dataset.write_text(kept)
    uri = await open_prompt(neovim, tmp_path)
    [action] = await source_actions(neovim, uri)
    assert action.command is not None
    result = await run_command(neovim, action.command)
    assert result["written"] == 1
    text = dataset.read_text()
    assert text.startswith(kept)  # the old lines, byte for byte
    assert json.loads(text.splitlines()[-1]) == RECORDS[1]


async def test_an_untrusted_workspace_is_offered_nothing_and_the_command_writes_nothing(
    untrusted_neovim: PromptClient, tmp_path: Path
) -> None:
    uri = await open_prompt(untrusted_neovim, tmp_path)
    assert await source_actions(untrusted_neovim, uri) == []
    command = types.Command(
        title="export", command=EXPORT_DATASET.name, arguments=[{"uris": [uri]}]
    )
    result = await run_command(untrusted_neovim, command)
    assert result["applied"] is False and "trusted workspace" in result["message"]
    assert not (tmp_path / "triage.train.jsonl").exists()
