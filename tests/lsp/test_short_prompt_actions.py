"""The short prompt from the editor: offered on a prompt once a finished run trained on its
dataset, written as a new `<name>.tuned.<ext>` (never over a file), and weighed against the
original in its status bar."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from lsprotocol import types
from pytest_lsp import LanguageClient

from server.core.advisor.short_prompt import short_prompt_text
from server.core.prompt_analysis import AnalysisSettings, analyse_prompt
from server.lsp.short_prompt_actions import SHORT_PROMPT_KIND
from shared_schemas import DocumentStats
from tests.advisor.test_short_prompt import write_run, write_training
from tests.lsp.conftest import STATS_TIMEOUT_S, PromptClient, start_session

PROMPT = """---
name: Triage
---
system:
Classify the ticket as billing, outage or other.
Answer in JSON: {"category": "..."}.

user:
The dashboard times out.

assistant:
{"category": "outage"}

user:
I was charged twice.

assistant:
{"category": "billing"}

user:
{{ticket}}
"""
RUN = "20260101-120000-triage"
TITLE = re.compile(
    r"Write the short prompt for the fine-tuned adapter(, without its format lines)? "
    r"\((\d+) tokens saved per call\)"
)
# What VS Code advertises: literals, `data` kept, `edit` resolved lazily, files created.
RESOLVING_EDITOR = types.ClientCapabilities(
    text_document=types.TextDocumentClientCapabilities(
        code_action=types.CodeActionClientCapabilities(
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


@pytest_asyncio.fixture
async def resolving_client(
    server_process: LanguageClient, tmp_path: Path
) -> AsyncIterator[PromptClient]:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    async for session in start_session(
        server_process, {"debounceMs": 0}, RESOLVING_EDITOR, [workspace]
    ):
        yield session


def trained(workspace: Path) -> Path:
    """The prompt, its exported dataset, a config on it and a finished run: the prompt."""
    prompt = workspace / "triage.prompty"
    prompt.write_text(PROMPT)
    write_training(workspace)
    write_run(workspace, RUN)
    return prompt


async def short_prompt_actions(client: PromptClient, prompt: Path) -> list[types.CodeAction]:
    client.open(prompt.as_uri(), PROMPT)
    await client.stats(prompt.as_uri())
    result = await client.lsp.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=prompt.as_uri()),
            range=types.Range(types.Position(0, 0), types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.Source]),
        )
    )
    actions = [a for a in result or [] if isinstance(a, types.CodeAction)]
    return [a for a in actions if a.kind == SHORT_PROMPT_KIND]


def created(edit: types.WorkspaceEdit | None) -> tuple[types.CreateFile, str]:
    """The file an edit creates, and the text it puts in it."""
    assert edit is not None and edit.document_changes is not None
    create, fill = edit.document_changes
    assert isinstance(create, types.CreateFile) and isinstance(fill, types.TextDocumentEdit)
    [text_edit] = fill.edits
    assert isinstance(text_edit, types.TextEdit)
    return create, text_edit.new_text


def expected_short(prompt: Path, drop_format: bool = False) -> str:
    text = prompt.read_text()
    analysis = analyse_prompt(prompt.as_uri(), text, AnalysisSettings())
    return short_prompt_text(text, analysis, f"runs/{RUN}", drop_format)


async def stats_with_original(client: PromptClient, uri: str) -> DocumentStats:
    """The first stats of `uri` that name its original (the server weighs it in the
    background, then sends the stats again)."""

    def found() -> DocumentStats | None:
        return next((s for s in client.inbox.received if s.uri == uri and s.original), None)

    async with client.inbox.arrived:
        await asyncio.wait_for(client.inbox.arrived.wait_for(found), STATS_TIMEOUT_S)
    stats = found()
    assert stats is not None
    return stats


async def test_a_finished_run_offers_the_short_prompt(
    editor_client: PromptClient, tmp_path: Path
) -> None:
    prompt = trained(tmp_path / "workspace")
    titles = [a.title for a in await short_prompt_actions(editor_client, prompt)]
    assert [bool(TITLE.fullmatch(t)) for t in titles] == [True, True]


async def test_the_edit_creates_the_tuned_file_with_the_short_prompt(
    editor_client: PromptClient, tmp_path: Path
) -> None:
    prompt = trained(tmp_path / "workspace")
    action = (await short_prompt_actions(editor_client, prompt))[0]
    create, text = created(action.edit)
    assert create.uri == (tmp_path / "workspace" / "triage.tuned.prompty").as_uri()
    assert create.options == types.CreateFileOptions(overwrite=False, ignore_if_exists=False)
    assert text == expected_short(prompt)


async def test_the_second_action_leaves_out_the_format_lines(
    editor_client: PromptClient, tmp_path: Path
) -> None:
    prompt = trained(tmp_path / "workspace")
    action = (await short_prompt_actions(editor_client, prompt))[1]
    assert created(action.edit)[1] == expected_short(prompt, drop_format=True)


async def test_the_title_says_the_tokens_saved_per_call(
    editor_client: PromptClient, tmp_path: Path
) -> None:
    prompt = trained(tmp_path / "workspace")
    action = (await short_prompt_actions(editor_client, prompt))[0]
    original = await editor_client.stats(prompt.as_uri())
    tuned = tmp_path / "workspace" / "triage.tuned.prompty"
    editor_client.open(tuned.as_uri(), created(action.edit)[1])
    short = await editor_client.stats(tuned.as_uri())
    match = TITLE.fullmatch(action.title)
    assert match is not None and original.input_tokens and short.input_tokens
    assert int(match.group(2)) == original.input_tokens - short.input_tokens


async def test_without_a_finished_run_nothing_is_offered(
    editor_client: PromptClient, tmp_path: Path
) -> None:
    workspace = tmp_path / "workspace"
    prompt = workspace / "triage.prompty"
    prompt.write_text(PROMPT)
    write_training(workspace)
    write_run(workspace, RUN, finished=False)
    assert await short_prompt_actions(editor_client, prompt) == []


async def test_an_existing_tuned_file_is_not_overwritten(
    editor_client: PromptClient, tmp_path: Path
) -> None:
    prompt = trained(tmp_path / "workspace")
    tuned = tmp_path / "workspace" / "triage.tuned.prompty"
    tuned.write_text("mine\n")
    assert await short_prompt_actions(editor_client, prompt) == []
    assert tuned.read_text() == "mine\n"


async def test_an_editor_that_resolves_gets_the_edit_on_resolve(
    resolving_client: PromptClient, tmp_path: Path
) -> None:
    prompt = trained(tmp_path / "workspace")
    action = (await short_prompt_actions(resolving_client, prompt))[0]
    assert action.edit is None
    resolved = await resolving_client.lsp.code_action_resolve_async(action)
    assert created(resolved.edit)[1] == expected_short(prompt)


async def test_a_file_written_before_resolve_is_kept_and_the_user_told(
    resolving_client: PromptClient, tmp_path: Path
) -> None:
    prompt = trained(tmp_path / "workspace")
    action = (await short_prompt_actions(resolving_client, prompt))[0]
    tuned = tmp_path / "workspace" / "triage.tuned.prompty"
    tuned.write_text("mine\n")
    resolved = await resolving_client.lsp.code_action_resolve_async(action)
    assert resolved.edit is None
    assert "triage.tuned.prompty already exists" in resolving_client.lsp.messages[-1].message


async def test_the_short_prompt_is_weighed_against_its_original(
    editor_client: PromptClient, tmp_path: Path
) -> None:
    prompt = trained(tmp_path / "workspace")
    editor_client.open(prompt.as_uri(), PROMPT)
    original = await editor_client.stats(prompt.as_uri())
    tuned = tmp_path / "workspace" / "triage.tuned.prompty"
    tuned.write_text(expected_short(prompt))
    editor_client.open(tuned.as_uri(), tuned.read_text())
    stats = await stats_with_original(editor_client, tuned.as_uri())
    assert stats.original is not None
    assert (stats.original.uri, stats.original.input_tokens) == (
        prompt.as_uri(),
        original.input_tokens,
    )
