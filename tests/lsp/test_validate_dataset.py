"""`promptweight/validateDataset` over a real server: an open dataset's report is the one its
diagnostics come from; a file the editor has not opened, or one too large for it, is read from
disk as `promptweight validate` reads it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from pytest_lsp import LanguageClient

from shared_schemas.dataset_validation import ValidateDatasetResult
from shared_schemas.methods import VALIDATE_DATASET
from tests.lsp.conftest import PromptClient, start_session
from tests.lsp.test_dataset_view import DATASET, GOOD, diagnostics

LIMIT = 1000  # maxDocumentCharacters of these sessions


@pytest_asyncio.fixture
async def editor(server_process: LanguageClient, tmp_path: Path) -> AsyncIterator[PromptClient]:
    options = {"debounceMs": 0, "maxDocumentCharacters": LIMIT, "maxSequenceTokens": 4096}
    async for session in start_session(server_process, options, None, [tmp_path]):
        yield session


async def validate(client: PromptClient, uri: str) -> ValidateDatasetResult:
    raw = await client.lsp.protocol.send_request_async(VALIDATE_DATASET.name, {"uri": uri})
    return ValidateDatasetResult.model_validate(raw)


def codes(result: ValidateDatasetResult) -> list[tuple[str, int]]:
    assert result.report is not None, result.error
    return [(p.code, p.line) for p in result.report.problems]


async def test_an_open_dataset_is_reported_as_its_diagnostics_say(
    editor: PromptClient, tmp_path: Path
) -> None:
    uri = (tmp_path / "a.jsonl").as_uri()
    editor.open(uri, DATASET)
    shown = [(str(d.code), d.range.start.line) for d in await diagnostics(editor, uri)]
    result = await validate(editor, uri)
    assert (result.source, codes(result)) == ("editor", shown)


async def test_an_open_dataset_is_read_with_its_unsaved_changes(
    editor: PromptClient, tmp_path: Path
) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(GOOD + "\n", encoding="utf-8")
    editor.open(path.as_uri(), DATASET)
    assert codes(await validate(editor, path.as_uri())) == [
        ("no-assistant", 1),
        ("json-syntax", 2),
        ("duplicate", 3),
    ]


async def test_a_dataset_not_open_is_read_from_disk(editor: PromptClient, tmp_path: Path) -> None:
    path = tmp_path / "closed.jsonl"
    path.write_text(DATASET, encoding="utf-8")
    result = await validate(editor, path.as_uri())
    assert result.source == "disk"
    assert codes(result) == [("no-assistant", 1), ("json-syntax", 2), ("duplicate", 3)]


async def test_a_dataset_too_large_for_the_editor_is_read_from_disk(
    editor: PromptClient, tmp_path: Path
) -> None:
    path = tmp_path / "large.jsonl"
    text = "\n".join([GOOD] * 50)
    assert len(text) > LIMIT
    path.write_text(text, encoding="utf-8")
    editor.open(path.as_uri(), text)
    result = await validate(editor, path.as_uri())
    assert result.source == "disk"
    assert result.report is not None and result.report.summary.records == 50


async def test_the_summary_says_what_it_assumed_and_counted_with(
    editor: PromptClient, tmp_path: Path
) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(DATASET, encoding="utf-8")
    result = await validate(editor, path.as_uri())
    assert result.report is not None
    summary = result.report.summary
    assert (summary.max_sequence_tokens, summary.max_sequence_tokens_source) == (4096, "setting")
    assert (summary.epochs_source, result.training_model) == ("default", "gpt-4o-mini")
    assert (result.tokenizer, result.exact) == ("o200k_base", True)


async def test_a_missing_file_is_an_error_not_a_failure(
    editor: PromptClient, tmp_path: Path
) -> None:
    result = await validate(editor, (tmp_path / "gone.jsonl").as_uri())
    assert result.report is None
    assert result.error is not None and "cannot read" in result.error


async def test_a_file_that_is_not_a_dataset_is_refused(
    editor: PromptClient, tmp_path: Path
) -> None:
    result = await validate(editor, (tmp_path / "a.prompty").as_uri())
    assert (result.report, result.error) == (None, "not a .jsonl dataset")


async def test_malformed_params_get_an_error_response(editor: PromptClient) -> None:
    with pytest.raises(Exception, match="uri"):
        await editor.lsp.protocol.send_request_async(VALIDATE_DATASET.name, {"uri": 3})
