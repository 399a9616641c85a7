"""`promptweight/models` over a real server, and what choosing a model does to the counts: the
client restarts the server with the new setting, which then counts with that model."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from pytest_lsp import LanguageClient

from server.core.encodings import get_encoding
from server.core.token_count import count_tokens
from shared_schemas.methods import MODELS
from shared_schemas.model_catalog import load_catalog
from shared_schemas.model_picker import ModelsResult
from tests.lsp.conftest import PromptClient, start_session

CONTENT = "Répondez en français, s'il vous plaît: 東京の天気は Ünïcödé wörds everywhere."
PLAIN = f"system:\n{CONTENT}\n"
NAMING = f"---\nmodel:\n  configuration:\n    name: claude-3-5-haiku\n---\nsystem:\n{CONTENT}\n"


async def ask(client: PromptClient, uri: str | None) -> ModelsResult:
    raw = await client.lsp.protocol.send_request_async(MODELS.name, {"uri": uri})
    return ModelsResult.model_validate(raw)


@pytest_asyncio.fixture
async def configured(
    server_process: LanguageClient, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[PromptClient]:
    """A server started with the settings the test is parametrized with, one workspace folder
    (whose own settings are the parameter's `folder` entry)."""
    options: dict[str, Any] = {"debounceMs": 0, **getattr(request, "param", {})}
    if "folder" in options:
        options["folders"] = [{"uri": tmp_path.as_uri(), "settings": options.pop("folder")}]
    async for session in start_session(server_process, options, None, [tmp_path]):
        yield session


async def test_the_whole_catalog_is_listed(configured: PromptClient) -> None:
    result = await ask(configured, None)
    assert len(result.models) == len(load_catalog().models)
    assert (result.setting, result.setting_id, result.file_model) == (
        "gpt-4o-mini",
        "gpt-4o-mini",
        None,
    )


@pytest.mark.parametrize(
    ("configured", "setting_id"),
    [
        ({"model": "openai/GPT-4o"}, "gpt-4o"),
        ({"model": "no-such-model"}, None),
    ],
    indirect=["configured"],
)
async def test_the_current_setting_is_the_model_it_resolves_to(
    configured: PromptClient, setting_id: str | None
) -> None:
    assert (await ask(configured, None)).setting_id == setting_id


@pytest.mark.parametrize(
    "configured",
    [
        {
            "models": {
                "house-model": {
                    "contextWindow": 8192,
                    "inputUsdPerMillion": 1,
                    "outputUsdPerMillion": 2,
                }
            }
        }
    ],
    indirect=True,
)
async def test_models_added_in_settings_are_listed(configured: PromptClient) -> None:
    result = await ask(configured, None)
    added = next(m for m in result.models if m.id == "house-model")
    assert (added.provider, added.context_window, added.exact) == ("custom", 8192, False)


@pytest.mark.parametrize(
    ("text", "file_model", "file_model_id"),
    [
        (PLAIN, None, None),
        (NAMING, "claude-3-5-haiku", "claude-3-5-haiku"),
        (NAMING.replace("claude-3-5-haiku", "house-llm"), "house-llm", None),
    ],
)
async def test_a_file_naming_its_own_model_is_reported(
    configured: PromptClient,
    tmp_path: Path,
    text: str,
    file_model: str | None,
    file_model_id: str | None,
) -> None:
    uri = (tmp_path / "a.prompty").as_uri()
    configured.open(uri, text)
    result = await ask(configured, uri)
    assert (result.file_model, result.file_model_id) == (file_model, file_model_id)
    assert result.folder == tmp_path.as_uri()


@pytest.mark.parametrize(
    ("configured", "model", "encoding"),
    [
        ({"model": "gpt-4o-mini"}, "gpt-4o-mini", "o200k_base"),
        ({"model": "gpt-3.5-turbo"}, "gpt-3.5-turbo", "cl100k_base"),
    ],
    indirect=["configured"],
)
async def test_the_chosen_setting_decides_the_count_and_model(
    configured: PromptClient, tmp_path: Path, model: str, encoding: str
) -> None:
    uri = (tmp_path / "a.prompty").as_uri()
    configured.open(uri, PLAIN)
    stats = await configured.stats(uri)
    assert (stats.model, stats.model_id, stats.encoding) == (model, model, encoding)
    assert stats.prompt_tokens == count_tokens(get_encoding(encoding), CONTENT)


def test_the_two_encodings_count_the_content_differently() -> None:
    # Else the test above would not show that the count changes with the setting.
    counts = {count_tokens(get_encoding(e), CONTENT) for e in ("o200k_base", "cl100k_base")}
    assert len(counts) == 2


@pytest.mark.parametrize("configured", [{"model": "gpt-3.5-turbo"}], indirect=True)
async def test_the_file_wins_over_the_setting(configured: PromptClient, tmp_path: Path) -> None:
    uri = (tmp_path / "a.prompty").as_uri()
    configured.open(uri, NAMING)
    stats = await configured.stats(uri)
    assert (stats.model, stats.model_id) == ("claude-3-5-haiku", "claude-3-5-haiku")


@pytest.mark.parametrize(
    "configured", [{"model": "gpt-4o", "folder": {"model": "gpt-4.1"}}], indirect=True
)
async def test_a_document_in_a_folder_gets_that_folders_setting(
    configured: PromptClient, tmp_path: Path
) -> None:
    inside = await ask(configured, (tmp_path / "a.prompty").as_uri())
    outside = await ask(configured, None)
    assert (inside.setting_id, inside.folder) == ("gpt-4.1", tmp_path.as_uri())
    assert (outside.setting_id, outside.folder) == ("gpt-4o", None)
