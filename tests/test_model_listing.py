"""The models the Select Model picker lists: the catalog with the settings' overrides, each
with whether this machine counts it exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.core.model_choice import ModelSettings
from server.core.model_listing import ListedModel, list_models, resolved_id
from shared_schemas.model_catalog import ModelOverride, load_catalog


@pytest.fixture(autouse=True)
def empty_hugging_face_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Hugging Face cache of this test's own: the machine's must not decide what is exact."""
    cache = tmp_path / "hf-cache"
    cache.mkdir()
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.delenv("HF_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return cache


def listed(settings: ModelSettings, model_id: str) -> ListedModel:
    return next(m for m in list_models(settings) if m.entry.id == model_id)


def test_every_catalog_model_is_listed_once() -> None:
    ids = [m.entry.id for m in list_models(ModelSettings())]
    assert sorted(ids) == sorted(e.id for e in load_catalog().models)


def test_models_come_by_provider_with_its_own_names_before_hosts_prefixed_ones() -> None:
    order = [
        (m.entry.provider.lower(), "/" in m.entry.id, m.entry.id.lower())
        for m in list_models(ModelSettings())
    ]
    assert order == sorted(order)


def test_each_listed_id_written_as_the_setting_picks_that_model() -> None:
    # What the picker writes into promptweight.model must mean the entry it showed.
    catalog = load_catalog()
    wrong = [
        m.entry.id
        for m in list_models(ModelSettings())
        if resolved_id(m.entry.id, ModelSettings(), catalog) != m.entry.id
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("model_id", "exact", "tokenizer"),
    [
        ("gpt-4o-mini", True, "o200k_base"),
        ("gpt-4", True, "cl100k_base"),
        ("claude-3-5-haiku", False, "estimated with o200k_base"),
        (
            "qwen3-32b",
            False,
            "estimated with o200k_base (no local Qwen/Qwen3-32B tokenizer.json)",
        ),
    ],
)
def test_what_counts_each_model(model_id: str, exact: bool, tokenizer: str) -> None:
    found = listed(ModelSettings(), model_id)
    assert (found.exact, found.tokenizer) == (exact, tokenizer)


def test_an_open_weight_model_is_exact_once_its_tokenizer_is_cached(
    empty_hugging_face_cache: Path,
) -> None:
    snapshot = empty_hugging_face_cache / "models--Qwen--Qwen3-32B" / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    (snapshot / "tokenizer.json").write_text("{}", encoding="utf-8")
    found = listed(ModelSettings(), "qwen3-32b")
    assert (found.exact, found.tokenizer) == (True, "Qwen/Qwen3-32B tokenizer.json")


ADDED = ModelOverride(context_window=32_768, input_usd_per_million=0.2, output_usd_per_million=0.6)


@pytest.mark.parametrize(
    ("overrides", "model_id", "expected"),
    [
        # A model only the settings know: listed under `custom`, estimated.
        ({"my-model": ADDED}, "my-model", ("custom", 32_768, 0.2, False)),
        # A patch keeps the entry's id, and its own tokenizer.
        (
            {"gpt-4o-mini": ModelOverride(input_usd_per_million=9.0)},
            "gpt-4o-mini",
            ("openai", None, 9.0, True),
        ),
    ],
)
def test_the_settings_overrides_are_listed(
    overrides: dict[str, ModelOverride],
    model_id: str,
    expected: tuple[str, int | None, float, bool],
) -> None:
    found = listed(ModelSettings(overrides=tuple(overrides.items())), model_id)
    provider, window, price, exact = expected
    assert found.entry.provider == provider
    assert window is None or found.entry.context_window == window
    assert (found.entry.input_usd_per_million, found.exact) == (price, exact)


@pytest.mark.parametrize(
    ("tokenizer_path", "exact", "tokenizer"),
    [
        ("tokenizers/mine.json", True, "tokenizers/mine.json"),
        (
            "tokenizers/missing.json",
            False,
            "estimated with o200k_base (tokenizers/missing.json not found)",
        ),
        (
            "../outside.json",
            False,
            "estimated with o200k_base (its tokenizerPath is outside the workspace)",
        ),
    ],
)
def test_a_configured_tokenizer_counts_exactly_only_inside_the_workspace(
    tmp_path: Path, tokenizer_path: str, exact: bool, tokenizer: str
) -> None:
    workspace = tmp_path / "workspace"
    (workspace / "tokenizers").mkdir(parents=True)
    (workspace / "tokenizers" / "mine.json").write_text("{}", encoding="utf-8")
    (tmp_path / "outside.json").write_text("{}", encoding="utf-8")
    override = ADDED.model_copy(update={"tokenizer_path": tokenizer_path})
    settings = ModelSettings(overrides=(("my-model", override),), workspace_root=workspace)
    found = listed(settings, "my-model")
    assert (found.exact, found.tokenizer) == (exact, tokenizer)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("gpt-4o-mini", "gpt-4o-mini"), ("openai/GPT-4o", "gpt-4o"), ("no-such-model", None)],
)
def test_the_setting_resolves_to_the_listed_model_it_means(name: str, expected: str | None) -> None:
    assert resolved_id(name, ModelSettings()) == expected
