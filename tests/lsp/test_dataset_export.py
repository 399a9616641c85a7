"""Few-shot examples to a dataset from the editor: a code action and a command, both as
workspace edits the editor applies (and can undo); an existing file is appended to, never
overwritten."""

from __future__ import annotations

import json
from pathlib import Path

from lsprotocol import types

from shared_schemas.methods import EXPORT_DATASET
from tests.lsp.conftest import PromptClient

PROMPT = """system:
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
RECORDS = [
    {
        "messages": [
            {"role": "system", "content": "Classify the ticket."},
            {"role": "user", "content": "The VPN drops every hour."},
            {"role": "assistant", "content": "network"},
        ]
    },
    {
        "messages": [
            {"role": "system", "content": "Classify the ticket."},
            {"role": "user", "content": "Printer on fire."},
            {"role": "assistant", "content": "hardware"},
        ]
    },
]


def apply(edit: types.WorkspaceEdit) -> None:
    """What the editor does with the edit: create the file, then insert the text."""
    for change in edit.document_changes or []:
        if isinstance(change, types.CreateFile):
            path = Path(change.uri.removeprefix("file://"))
            if not path.exists():
                path.write_text("")
        elif isinstance(change, types.TextDocumentEdit):
            path = Path(change.text_document.uri.removeprefix("file://"))
            text = path.read_text()
            [text_edit] = change.edits
            assert isinstance(text_edit, types.TextEdit)
            lines = text.split("\n")
            start = text_edit.range.start
            offset = sum(len(line) + 1 for line in lines[: start.line]) + start.character
            path.write_text(text[:offset] + text_edit.new_text + text[offset:])


async def actions_for(
    client: PromptClient, uri: str, only: list[str] | None = None
) -> list[types.CodeAction]:
    result = await client.lsp.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(types.Position(0, 0), types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[], only=only),
        )
    )
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


def read_records(path: Path) -> list[object]:
    return [json.loads(line) for line in path.read_text().splitlines() if line]


async def test_export_creates_the_dataset_beside_the_prompt(
    editor_client: PromptClient, tmp_path: Path
) -> None:
    prompt = tmp_path / "workspace" / "triage.prompty"
    prompt.write_text(PROMPT)
    editor_client.open(prompt.as_uri(), PROMPT)
    await editor_client.stats(prompt.as_uri())
    [action] = await actions_for(editor_client, prompt.as_uri(), [types.CodeActionKind.Source])
    assert action.title == "Export 2 few-shot examples as a fine-tuning dataset"
    assert action.kind == "source.promptweight.exportDataset"
    assert action.edit is not None
    apply(action.edit)
    assert read_records(tmp_path / "workspace" / "triage.train.jsonl") == RECORDS


async def test_existing_dataset_gets_only_the_new_examples(
    editor_client: PromptClient, tmp_path: Path
) -> None:
    prompt = tmp_path / "workspace" / "triage.prompty"
    prompt.write_text(PROMPT)
    dataset = tmp_path / "workspace" / "triage.train.jsonl"
    kept = (
        '{"messages": [{"role": "user", "content": "mine"}, {"role": "assistant", "content": "x"}]}'
    )
    dataset.write_text(kept + "\n" + json.dumps(RECORDS[0]))  # no newline at the end
    editor_client.open(prompt.as_uri(), PROMPT)
    await editor_client.stats(prompt.as_uri())
    [action] = await actions_for(editor_client, prompt.as_uri(), [types.CodeActionKind.Source])
    assert action.title == "Append 1 new example to triage.train.jsonl"
    assert action.edit is not None
    apply(action.edit)
    assert dataset.read_text().startswith(kept + "\n")  # what was there is kept, byte for byte
    assert read_records(dataset)[1:] == RECORDS


async def test_nothing_new_means_no_action(editor_client: PromptClient, tmp_path: Path) -> None:
    prompt = tmp_path / "workspace" / "triage.prompty"
    prompt.write_text(PROMPT)
    (tmp_path / "workspace" / "triage.train.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in RECORDS)
    )
    editor_client.open(prompt.as_uri(), PROMPT)
    await editor_client.stats(prompt.as_uri())
    assert await actions_for(editor_client, prompt.as_uri()) == []


async def test_quick_fix_on_the_fine_tuning_candidate(
    editor_client: PromptClient, tmp_path: Path
) -> None:
    prompt = tmp_path / "workspace" / "triage.prompty"
    prompt.write_text(PROMPT)
    editor_client.open(prompt.as_uri(), PROMPT)
    await editor_client.stats(prompt.as_uri())
    diagnostic = types.Diagnostic(
        range=types.Range(types.Position(0, 0), types.Position(0, 3)),
        message="few-shot examples are 60% of the prompt",
        code="fine-tuning-candidate",
        source="promptweight",
    )
    result = await editor_client.lsp.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=prompt.as_uri()),
            range=diagnostic.range,
            context=types.CodeActionContext(
                diagnostics=[diagnostic], only=[types.CodeActionKind.QuickFix]
            ),
        )
    )
    [fix] = [a for a in result or [] if isinstance(a, types.CodeAction)]
    assert fix.kind == types.CodeActionKind.QuickFix and list(fix.diagnostics or []) == [diagnostic]


async def test_prompt_without_examples_offers_nothing(
    editor_client: PromptClient, tmp_path: Path
) -> None:
    prompt = tmp_path / "workspace" / "plain.prompty"
    prompt.write_text("system:\nBe brief.\nuser:\n{{q}}")
    editor_client.open(prompt.as_uri(), prompt.read_text())
    await editor_client.stats(prompt.as_uri())
    assert await actions_for(editor_client, prompt.as_uri()) == []


async def test_command_merges_several_prompts(editor_client: PromptClient, tmp_path: Path) -> None:
    first = tmp_path / "workspace" / "a.prompty"
    second = tmp_path / "workspace" / "b.prompty"
    first.write_text(PROMPT)
    second.write_text(PROMPT.replace("Printer on fire.", "Disk is full."))
    target = tmp_path / "workspace" / "merged.train.jsonl"
    result = await editor_client.lsp.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command=EXPORT_DATASET.name,
            arguments=[{"uris": [first.as_uri(), second.as_uri()], "target": target.as_uri()}],
        )
    )
    assert result["applied"] is True and result["written"] == 3  # one record is in both
    [edit] = editor_client.lsp.applied_edits  # type: ignore[attr-defined]
    apply(edit)
    assert len(read_records(target)) == 3


async def test_target_outside_the_workspace_is_refused(
    editor_client: PromptClient, tmp_path: Path
) -> None:
    prompt = tmp_path / "workspace" / "a.prompty"
    prompt.write_text(PROMPT)
    result = await editor_client.lsp.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command=EXPORT_DATASET.name,
            arguments=[
                {"uris": [prompt.as_uri()], "target": (tmp_path / "elsewhere.jsonl").as_uri()}
            ],
        )
    )
    assert result["applied"] is False and "outside the workspace" in result["message"]
    assert not (tmp_path / "elsewhere.jsonl").exists()


async def test_an_untrusted_workspace_writes_no_dataset_from_the_command(
    client: PromptClient, tmp_path: Path
) -> None:
    prompt = tmp_path / "a.prompty"
    prompt.write_text(PROMPT)
    result = await client.lsp.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command=EXPORT_DATASET.name, arguments=[{"uris": [prompt.as_uri()], "target": None}]
        )
    )
    assert result["applied"] is False and "trusted workspace" in result["message"]
    assert not (tmp_path / "a.train.jsonl").exists()
