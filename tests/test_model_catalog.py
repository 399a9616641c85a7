"""The bundled model catalog, the schema it follows, and the script that builds it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from shared_schemas.model_catalog import (
    CATALOG_PATH,
    ModelCatalog,
    ModelEntry,
    ModelOverride,
    load_catalog,
)

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "build_model_catalog.py"

CATALOG = load_catalog()
ENTRIES = {entry.id: entry for entry in CATALOG.models}


def entries_of(*providers: str) -> list[Any]:
    return [pytest.param(e, id=e.id) for e in CATALOG.models if e.provider in providers]


# --- the bundled catalog ---------------------------------------------------------------------


def test_bundled_file_is_the_canonical_rendering_of_a_valid_catalog() -> None:
    rendered = json.dumps(CATALOG.to_wire(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert CATALOG_PATH.read_text(encoding="utf-8") == rendered


def test_bundled_catalog_records_its_snapshot() -> None:
    assert CATALOG.snapshot_date == "2026-11-28"
    assert CATALOG.source == (
        "LiteLLM model_prices_and_context_window.json from litellm 1.110.2 (MIT)"
    )


@pytest.mark.parametrize(
    "provider", ["openai", "anthropic", "google", "mistral", "meta", "qwen", "deepseek"]
)
def test_catalog_covers_provider(provider: str) -> None:
    assert any(entry.provider == provider for entry in CATALOG.models)


@pytest.mark.parametrize(
    "model_id",
    [
        "gpt-4o",
        "gpt-4o-mini",
        "gpt-4.1",
        "gpt-4.1-mini",
        "gpt-4.1-nano",
        "o1",
        "o3",
        "o3-mini",
        "o4-mini",
        "gpt-5",
        "gpt-5-mini",
        "gpt-5-nano",
        "gpt-4-turbo",
        "gpt-4",
        "gpt-3.5-turbo",
        "claude-opus-4-5",
        "claude-sonnet-4-5",
        "claude-haiku-4-5",
        "claude-3-5-sonnet",
        "gemini-2.5-pro",
        "gemini-2.5-flash",
        "gemini-2.5-flash-lite",
        "mistral-large",
        "mistral-medium",
        "mistral-small",
        "codestral",
        "open-mistral-nemo",
        "llama-3.1-8b-instruct",
        "llama-3.1-70b-instruct",
        "llama-3.1-405b-instruct",
        "llama-3.3-70b-instruct",
        "llama-4-scout-17b-16e-instruct",
        "llama-4-maverick-17b-128e-instruct",
        "qwen2.5-7b-instruct",
        "qwen2.5-72b-instruct",
        "qwen3-32b",
        "deepseek-chat",
        "deepseek-reasoner",
    ],
)
def test_catalog_has_model(model_id: str) -> None:
    assert model_id in ENTRIES


@pytest.mark.parametrize(
    ("model_id", "encoding"),
    [
        ("gpt-4o", "o200k_base"),
        ("gpt-4.1-nano", "o200k_base"),
        ("o3-mini", "o200k_base"),
        ("gpt-5", "o200k_base"),
        ("gpt-4-turbo", "cl100k_base"),
        ("gpt-4", "cl100k_base"),
        ("gpt-3.5-turbo", "cl100k_base"),
    ],
)
def test_openai_model_counts_with_its_encoding(model_id: str, encoding: str) -> None:
    tokenizer = ENTRIES[model_id].tokenizer
    assert (tokenizer.kind, getattr(tokenizer, "encoding", None)) == ("tiktoken", encoding)


@pytest.mark.parametrize("entry", entries_of("openai"))
def test_every_openai_model_counts_exactly(entry: ModelEntry) -> None:
    assert entry.tokenizer.kind == "tiktoken"


@pytest.mark.parametrize("entry", entries_of("meta", "qwen", "deepseek"))
def test_open_weight_models_name_their_hugging_face_tokenizer(entry: ModelEntry) -> None:
    assert entry.tokenizer.kind == "huggingface"


@pytest.mark.parametrize("entry", entries_of("anthropic", "google"))
def test_models_without_public_tokenizer_are_estimated(entry: ModelEntry) -> None:
    assert entry.tokenizer.kind == "estimate"


@pytest.mark.parametrize("entry", entries_of("meta", "qwen"))
def test_hosted_open_weight_prices_say_where_they_come_from(entry: ModelEntry) -> None:
    assert entry.price_source is not None
    assert entry.price_source.split(":")[0] in {"bedrock", "bedrock_converse", "deepinfra"}


FINE_TUNED = [e for e in CATALOG.models if e.fine_tuned_input_usd_per_million is not None]


def test_some_models_have_fine_tuned_prices() -> None:
    assert {"gpt-4o", "gpt-4o-mini", "gpt-4.1"} <= {e.id for e in FINE_TUNED}


@pytest.mark.parametrize(
    "entry",
    [pytest.param(e, id=e.id) for e in FINE_TUNED if e.id.startswith(("gpt-4o", "gpt-4.1"))],
)
def test_fine_tuned_gpt_4o_and_4_1_cost_one_and_a_half_to_two_times_base(entry: ModelEntry) -> None:
    assert entry.fine_tuned_output_usd_per_million is not None
    for tuned, base in [
        (entry.fine_tuned_input_usd_per_million, entry.input_usd_per_million),
        (entry.fine_tuned_output_usd_per_million, entry.output_usd_per_million),
    ]:
        assert tuned is not None
        assert 1.5 <= tuned / base <= 2


@pytest.mark.parametrize("entry", [pytest.param(e, id=e.id) for e in FINE_TUNED])
def test_fine_tuned_prices_are_dearer_but_same_order_of_magnitude(entry: ModelEntry) -> None:
    # gpt-3.5-turbo (6x input) and o4-mini (3.6x) really are dearer than 2x; a factor beyond 8
    # would mean a unit slip (per token vs per million), below 1 swapped figures.
    assert entry.fine_tuned_output_usd_per_million is not None
    assert entry.fine_tuned_input_usd_per_million is not None
    assert 1 <= entry.fine_tuned_input_usd_per_million / entry.input_usd_per_million <= 8
    assert 1 <= entry.fine_tuned_output_usd_per_million / entry.output_usd_per_million <= 8


# --- the schema ------------------------------------------------------------------------------

ENTRY = {
    "id": "m",
    "provider": "p",
    "contextWindow": 1000,
    "inputUsdPerMillion": 1,
    "outputUsdPerMillion": 2,
    "tokenizer": {"kind": "estimate", "encoding": "o200k_base"},
}


def catalog_of(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"snapshotDate": "2026-11-28", "source": "test", "models": list(entries)}


@pytest.mark.parametrize(
    ("second", "name"),
    [
        ({"id": "M"}, "'M'"),
        ({"id": "n", "aliases": ["m"]}, "'m'"),
        ({"id": "n", "aliases": ["Old-Name"]}, "'Old-Name'"),
    ],
)
def test_catalog_rejects_a_name_two_entries_share(second: dict[str, Any], name: str) -> None:
    first = ENTRY | {"aliases": ["old-name"]}
    with pytest.raises(ValidationError, match=f"model name {name} names both 'm' and"):
        ModelCatalog.model_validate(catalog_of(first, ENTRY | second))


@pytest.mark.parametrize(
    ("tokenizer", "kind"),
    [
        ({"kind": "tiktoken", "encoding": "o200k_base"}, "tiktoken"),
        ({"kind": "huggingface", "repo": "Qwen/Qwen3-32B"}, "huggingface"),
        ({"kind": "estimate", "encoding": "o200k_base"}, "estimate"),
    ],
)
def test_tokenizer_kind_selects_its_model(tokenizer: dict[str, str], kind: str) -> None:
    assert ModelEntry.model_validate(ENTRY | {"tokenizer": tokenizer}).tokenizer.kind == kind


@pytest.mark.parametrize(
    "tokenizer",
    [
        {"kind": "sentencepiece", "encoding": "x"},
        {"kind": "huggingface", "encoding": "o200k_base"},
        {"kind": "huggingface", "repo": "not a repo id"},
    ],
)
def test_entry_rejects_a_malformed_tokenizer(tokenizer: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        ModelEntry.model_validate(ENTRY | {"tokenizer": tokenizer})


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ({"contextWindow": 0}, "contextWindow must be a whole number of tokens, at least 1, not 0"),
        (
            {"contextWindow": -5},
            "contextWindow must be a whole number of tokens, at least 1, not -5",
        ),
        ({"contextWindow": "big"}, "contextWindow must be a whole number of tokens"),
        ({"maxOutputTokens": 0}, "maxOutputTokens must be a whole number of tokens, at least 1"),
        ({"inputUsdPerMillion": -1}, "inputUsdPerMillion must be a number of US dollars"),
        ({"cachedInputUsdPerMillion": -0.1}, "cachedInputUsdPerMillion must be a number of US"),
        ({"cacheMinimumTokens": 0}, "cacheMinimumTokens must be a whole number of tokens"),
        ({"contextWindw": 1000}, "Extra inputs are not permitted"),
    ],
)
def test_override_rejects_bad_facts_saying_what_is_wrong(
    facts: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        ModelOverride.model_validate(facts)
    assert message in error.value.errors()[0]["msg"]


@pytest.mark.parametrize("field", ["contextWindow", "maxOutputTokens"])
def test_catalog_entry_rejects_a_zero_token_count(field: str) -> None:
    with pytest.raises(ValidationError, match=f"{field} must be a whole number of tokens"):
        ModelEntry.model_validate(ENTRY | {field: 0})


def test_override_reads_the_settings_spelling() -> None:
    override = ModelOverride.model_validate(
        {
            "contextWindow": 32768,
            "inputUsdPerMillion": 0,
            "tokenizer": {"kind": "huggingface", "repo": "org/model"},
            "tokenizerPath": "tokenizers/model.json",
        }
    )
    assert override.context_window == 32768
    assert override.input_usd_per_million == 0
    assert override.tokenizer is not None and override.tokenizer.kind == "huggingface"
    assert override.tokenizer_path == "tokenizers/model.json"


def test_override_may_be_empty() -> None:
    assert ModelOverride.model_validate({}).model_dump(exclude_none=True) == {}


# --- the build script ------------------------------------------------------------------------

LITELLM: dict[str, Any] = {
    "sample_spec": {"max_input_tokens": "max input tokens, if the provider specifies it"},
    "alpha-1": {
        "litellm_provider": "openai",
        "mode": "chat",
        "max_input_tokens": 128000,
        "max_output_tokens": 16384,
        "input_cost_per_token": 2.5e-06,
        "output_cost_per_token": 1e-05,
        "cache_read_input_token_cost": 1.25e-06,
    },
    "alpha-1-2024-01-01": {
        "litellm_provider": "openai",
        "max_input_tokens": 128000,
        "input_cost_per_token": 2.5e-06,
        "output_cost_per_token": 1e-05,
    },
    "alpha-1-2023-01-01": {
        "litellm_provider": "openai",
        "max_input_tokens": 128000,
        "input_cost_per_token": 5e-06,
        "output_cost_per_token": 1.5e-05,
    },
    "ft:alpha-1-2024-01-01": {
        "litellm_provider": "openai",
        "max_input_tokens": 128000,
        "input_cost_per_token": 3.75e-06,
        "output_cost_per_token": 1.5e-05,
    },
    "host/Org/Beta-2": {
        "litellm_provider": "host",
        "mode": "chat",
        "max_input_tokens": 32768,
        "input_cost_per_token": 1e-07,
        "output_cost_per_token": 3e-07,
    },
    "no-window": {
        "litellm_provider": "host",
        "input_cost_per_token": 1e-07,
        "output_cost_per_token": 3e-07,
    },
}

ALPHA = {
    "id": "alpha-1",
    "provider": "openai",
    "key": "alpha-1",
    "tokenizer": {"kind": "tiktoken", "encoding": "o200k_base"},
    "aliases": ["alpha-1-2024-01-01"],
    "fine_tuned_key": "ft:alpha-1-2024-01-01",
}
BETA = {
    "id": "beta-2",
    "provider": "org",
    "key": "host/Org/Beta-2",
    "tokenizer": {"kind": "huggingface", "repo": "Org/Beta-2"},
}


def build(
    tmp_path: Path, curated: list[dict[str, Any]], out: Path, data: dict[str, Any] = LITELLM
) -> subprocess.CompletedProcess[str]:
    litellm = tmp_path / "litellm.json"
    litellm.write_text(json.dumps(data), encoding="utf-8")
    models = tmp_path / "curated.json"
    models.write_text(json.dumps(curated), encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(litellm), str(out), "--models", str(models)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_script_turns_litellm_figures_into_catalog_entries(tmp_path: Path) -> None:
    out = tmp_path / "catalog.json"
    result = build(tmp_path, [BETA, ALPHA], out)
    assert result.returncode == 0, result.stderr
    catalog = json.loads(out.read_text(encoding="utf-8"))
    assert catalog["models"] == [
        {
            "id": "alpha-1",
            "provider": "openai",
            "contextWindow": 128000,
            "maxOutputTokens": 16384,
            "inputUsdPerMillion": 2.5,
            "outputUsdPerMillion": 10.0,
            "cachedInputUsdPerMillion": 1.25,
            "fineTunedInputUsdPerMillion": 3.75,
            "fineTunedOutputUsdPerMillion": 15.0,
            "cacheMinimumTokens": 1024,
            "tokenizer": {"kind": "tiktoken", "encoding": "o200k_base"},
            "aliases": ["alpha-1-2024-01-01"],
            "priceSource": "openai: alpha-1",
        },
        {
            "id": "beta-2",
            "provider": "org",
            "contextWindow": 32768,
            "maxOutputTokens": None,
            "inputUsdPerMillion": 0.1,
            "outputUsdPerMillion": 0.3,
            "cachedInputUsdPerMillion": None,
            "fineTunedInputUsdPerMillion": None,
            "fineTunedOutputUsdPerMillion": None,
            "cacheMinimumTokens": None,
            "tokenizer": {"kind": "huggingface", "repo": "Org/Beta-2"},
            "aliases": ["host/Org/Beta-2"],
            "priceSource": "host: host/Org/Beta-2",
        },
    ]


CACHE_MINIMUMS = [
    # provider, model id, LiteLLM's prompt_cache_min_tokens (None: absent), catalog minimum
    ("anthropic", "claude-opus-9", 4096, 4096),
    ("anthropic", "claude-sonnet-9", None, 1024),
    ("openai", "gpt-9", None, 1024),
    ("openai", "gpt-9", 2048, 2048),
    ("google", "gemini-2.5-nova", None, 2048),
    ("google", "gemini-3-nova", None, 4096),
    ("google", "gemini-1.5-nova", None, None),
    ("mistral", "mistral-nova", None, None),
]


@pytest.mark.parametrize(("provider", "model_id", "listed", "minimum"), CACHE_MINIMUMS)
def test_script_takes_litellm_cache_minimum_else_the_providers_default(
    tmp_path: Path, provider: str, model_id: str, listed: int | None, minimum: int | None
) -> None:
    figures = dict(LITELLM["host/Org/Beta-2"])
    if listed is not None:
        figures["prompt_cache_min_tokens"] = listed
    curated = BETA | {"id": model_id, "provider": provider, "key": "host/x"}
    out = tmp_path / "catalog.json"
    result = build(tmp_path, [curated], out, {"host/x": figures})
    assert result.returncode == 0, result.stderr
    [entry] = json.loads(out.read_text(encoding="utf-8"))["models"]
    assert entry["cacheMinimumTokens"] == minimum


@pytest.mark.parametrize(
    ("model_id", "minimum"),
    [("gpt-4o-mini", 1024), ("claude-opus-4-5", 4096), ("gemini-2.5-flash", 2048)],
)
def test_bundled_catalog_knows_cache_minimums(model_id: str, minimum: int) -> None:
    assert ENTRIES[model_id].cache_minimum_tokens == minimum


def test_script_output_is_byte_stable(tmp_path: Path) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert build(tmp_path, [ALPHA, BETA], first).returncode == 0
    assert build(tmp_path, [BETA, ALPHA], second).returncode == 0
    data = first.read_bytes()
    assert data == second.read_bytes()
    assert data.endswith(b"}\n") and b'\n  "models": [\n' in data


@pytest.mark.parametrize(
    ("curated", "reason"),
    [
        ([ALPHA, BETA | {"key": "host/Org/Gone"}], "host/Org/Gone: not in the LiteLLM data"),
        ([ALPHA | {"fine_tuned_key": "ft:nothing"}], "ft:nothing: not in the LiteLLM data"),
        ([BETA | {"key": "sample_spec"}], "sample_spec: not in the LiteLLM data"),
        ([BETA | {"key": "no-window"}], "no-window: no usable max_input_tokens"),
        ([ALPHA | {"aliases": ["alpha-1-2023-01-01"]}], "alias 'alpha-1-2023-01-01' is LiteLLM"),
        ([ALPHA, BETA | {"aliases": ["Alpha-1"]}], "model name 'Alpha-1' names both"),
        ([BETA | {"tokenizer": {"kind": "huggingface"}}], "beta-2: 1 validation error"),
    ],
)
def test_script_refuses_bad_curation_and_writes_nothing(
    tmp_path: Path, curated: list[dict[str, Any]], reason: str
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    result = build(tmp_path, curated, out_dir / "catalog.json")
    assert result.returncode == 1
    assert reason in result.stderr
    assert list(out_dir.iterdir()) == []


def test_script_leaves_the_previous_catalog_alone_when_it_fails(tmp_path: Path) -> None:
    out = tmp_path / "catalog.json"
    out.write_text("previous", encoding="utf-8")
    assert build(tmp_path, [BETA | {"key": "missing"}], out).returncode == 1
    assert out.read_text(encoding="utf-8") == "previous"
