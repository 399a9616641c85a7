"""The advisor in the editor: the lens on a prompt's first line is resolved into the verdict's
summary only when shown, and `promptweight/advice` answers the whole report."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from lsprotocol import types
from pytest_lsp import LanguageClient

from shared_schemas.advice import AdviceResult
from shared_schemas.methods import ADVICE
from tests.advisor.test_advise import dataset, prompt
from tests.lsp.conftest import PromptClient, start_session

PROMPT = """system:
Classify the ticket as network, hardware, billing or other. Answer with one word.

user:
The VPN drops every hour.

assistant:
network

user:
The printer is on fire.

assistant:
hardware

user:
I was charged twice.

assistant:
billing

user:
{{ticket}}
"""


@pytest_asyncio.fixture
async def editor(server_process: LanguageClient, tmp_path: Path) -> AsyncIterator[PromptClient]:
    options = {"debounceMs": 0, "callsPerDay": 100}
    async for client in start_session(server_process, options, None, [tmp_path]):
        yield client


async def test_the_advice_lens_resolves_to_the_verdicts_summary(
    editor: PromptClient, tmp_path: Path
) -> None:
    uri = (tmp_path / "triage.prompty").as_uri()
    editor.open(uri, PROMPT)
    await editor.stats(uri)
    lenses = await editor.lsp.text_document_code_lens_async(
        types.CodeLensParams(types.TextDocumentIdentifier(uri))
    )
    assert lenses is not None
    [unresolved] = [lens for lens in lenses if lens.command is None]
    resolved = await editor.lsp.code_lens_resolve_async(unresolved)
    assert resolved.command is not None
    # Three examples and 100 calls a day: far from what a fine-tune needs.
    assert resolved.command.title.startswith("Keep prompting · ")
    assert resolved.command.command == "promptweight.showAdvice"
    assert list(resolved.command.arguments or []) == [uri]


async def test_the_advice_request_answers_the_report_with_its_datasets(
    editor: PromptClient, tmp_path: Path
) -> None:
    record = {
        "messages": [
            {"role": "user", "content": "The VPN drops."},
            {"role": "assistant", "content": "network"},
        ]
    }
    (tmp_path / "triage.train.jsonl").write_text(json.dumps(record) + "\n")
    uri = (tmp_path / "triage.prompty").as_uri()
    editor.open(uri, PROMPT)
    await editor.stats(uri)
    raw = await editor.lsp.protocol.send_request_async(ADVICE.name, {"uri": uri})
    advice = AdviceResult.model_validate(raw).advice
    assert advice is not None and advice.verdict == "keep-prompting"
    [examples] = [c for c in advice.conditions if c.id == "labelled-examples"]
    assert examples.measured == 4 and examples.passed is False  # 3 few-shot + 1 record


async def test_a_file_that_is_not_open_has_no_advice(editor: PromptClient, tmp_path: Path) -> None:
    raw = await editor.lsp.protocol.send_request_async(
        ADVICE.name, {"uri": (tmp_path / "closed.prompty").as_uri()}
    )
    assert AdviceResult.model_validate(raw).advice is None


async def resolve_advice_lens(editor: PromptClient, uri: str) -> str:
    lenses = await editor.lsp.text_document_code_lens_async(
        types.CodeLensParams(types.TextDocumentIdentifier(uri))
    )
    [unresolved] = [lens for lens in lenses or [] if lens.command is None]
    resolved = await editor.lsp.code_lens_resolve_async(unresolved)
    assert resolved.command is not None
    return resolved.command.title


async def advice_diagnostics(editor: PromptClient, uri: str) -> list[types.Diagnostic]:
    for _ in range(50):  # published after the advice, by the server's own schedule
        found = [d for d in editor.lsp.diagnostics.get(uri, []) if d.code == "advice"]
        if found:
            return found
        await asyncio.sleep(0.1)
    return []


async def test_a_fine_tune_verdict_is_an_information_diagnostic_on_the_first_line(
    editor: PromptClient, tmp_path: Path
) -> None:
    path = tmp_path / "triage.prompty"
    (tmp_path / "triage.train.jsonl").write_text(dataset(300))
    uri = path.as_uri()
    editor.open(uri, prompt(500_000, retrieval=False))
    await editor.stats(uri)
    assert (await resolve_advice_lens(editor, uri)).startswith("Fine-tune · ")
    [diagnostic] = await advice_diagnostics(editor, uri)
    assert diagnostic.severity == types.DiagnosticSeverity.Information
    assert diagnostic.range.start.line == 0 and diagnostic.message.startswith("Fine-tune · ")


async def test_keep_prompting_adds_no_diagnostic_and_the_hover_gives_the_short_form(
    editor: PromptClient, tmp_path: Path
) -> None:
    uri = (tmp_path / "triage.prompty").as_uri()
    editor.open(uri, prompt(100, retrieval=False))
    await editor.stats(uri)
    await resolve_advice_lens(editor, uri)
    assert await advice_diagnostics(editor, uri) == []
    hover = await editor.lsp.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(1, 2))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "**Advice:** Keep prompting · " in hover.contents.value
