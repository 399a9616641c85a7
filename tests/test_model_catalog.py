"""The bundled model catalog, the schema it follows, and the script that builds it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from server.core.model_resolution import tiktoken_encoding
from shared_schemas.model_catalog import (
    CATALOG_PATH,
    ModelCatalog,
    ModelEntry,
    ModelOverride,
    TiktokenTokenizer,
    load_catalog,
)

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "build_model_catalog.py"
# The build script and its table module, imported as the script imports them.
sys.path.insert(0, str(SCRIPT.parent))
import build_model_catalog  # noqa: E402
import catalog_table  # noqa: E402

CATALOG = load_catalog()
ENTRIES = {entry.id: entry for entry in CATALOG.models}
BUNDLED = {"o200k_base", "cl100k_base"}


def entries_of(*providers: str) -> list[Any]:
    return [pytest.param(e, id=e.id) for e in CATALOG.models if e.provider in providers]


# --- the bundled catalog ---------------------------------------------------------------------


def test_bundled_file_is_the_canonical_rendering_of_a_valid_catalog() -> None:
    assert CATALOG_PATH.read_bytes() == build_model_catalog.render(CATALOG)


def test_bundled_catalog_comes_from_the_litellm_version_the_makefile_pins() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    pinned = re.search(r"^LITELLM_VERSION \?= (\S+)$", makefile, re.MULTILINE)
    assert pinned is not None
    assert CATALOG.source == (
        f"LiteLLM model_prices_and_context_window.json from litellm {pinned[1]} (MIT)"
    )


def test_bundled_catalog_holds_litellms_whole_chat_table() -> None:
    # LiteLLM 1.110.2 lists 3,471 chat models, about 3,200 with a window and both prices.
    assert len(CATALOG.models) > 3000


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


# One test over every entry for each rule, rather than a test each: there are thousands.


def test_every_openai_model_tiktoken_knows_counts_exactly_with_its_encoding() -> None:
    wrong = [
        (entry.id, entry.tokenizer)
        for entry in CATALOG.models
        if entry.provider == "openai"
        and (encoding := tiktoken_encoding(entry.id)) in BUNDLED
        and entry.tokenizer != TiktokenTokenizer(encoding=encoding)
    ]
    assert wrong == []


def test_only_openai_models_count_with_tiktoken() -> None:
    assert [e.id for e in CATALOG.models if e.tokenizer.kind == "tiktoken"] == [
        e.id for e in CATALOG.models if e.tokenizer.kind == "tiktoken" and e.provider == "openai"
    ]


def test_an_openai_model_whose_encoding_is_not_bundled_is_an_estimate() -> None:
    # gpt-oss counts with o200k_harmony, which the server does not bundle.
    assert ENTRIES["azure_ai/gpt-oss-120b"].tokenizer.kind == "estimate"


@pytest.mark.parametrize("provider", ["anthropic", "google"])
def test_models_without_public_tokenizer_are_estimated(provider: str) -> None:
    kinds = {e.tokenizer.kind for e in CATALOG.models if e.provider == provider}
    assert kinds == {"estimate"}


CURATED_OPEN_WEIGHT = [
    "llama-3.1-8b-instruct",
    "llama-3.3-70b-instruct",
    "llama-4-scout-17b-16e-instruct",
    "qwen2.5-7b-instruct",
    "qwen3-32b",
    "deepseek-chat",
    "deepseek-r1",
]


@pytest.mark.parametrize("model_id", CURATED_OPEN_WEIGHT)
def test_open_weight_models_name_their_hugging_face_tokenizer(model_id: str) -> None:
    assert ENTRIES[model_id].tokenizer.kind == "huggingface"


@pytest.mark.parametrize(
    ("model_id", "repo"),
    [
        (
            "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo",
            "meta-llama/Llama-3.3-70B-Instruct",
        ),
        ("us.meta.llama3-1-70b-instruct-v1:0", "meta-llama/Llama-3.1-70B-Instruct"),
        ("fireworks_ai/accounts/fireworks/models/deepseek-v3", "deepseek-ai/DeepSeek-V3"),
    ],
)
def test_another_hosts_listing_counts_with_its_models_curated_tokenizer(
    model_id: str, repo: str
) -> None:
    tokenizer = ENTRIES[model_id].tokenizer
    assert (tokenizer.kind, getattr(tokenizer, "repo", None)) == ("huggingface", repo)


@pytest.mark.parametrize("model_id", ["llama-3.1-8b-instruct", "qwen3-32b"])
def test_hosted_open_weight_prices_say_where_they_come_from(model_id: str) -> None:
    source = ENTRIES[model_id].price_source
    assert source is not None
    assert source.split(":")[0] in {"bedrock", "bedrock_converse", "deepinfra"}


def test_every_table_entry_says_which_litellm_key_its_figures_come_from() -> None:
    assert [e.id for e in CATALOG.models if not e.price_source] == []


@pytest.mark.parametrize(
    ("model_id", "window", "cached"),
    [
        ("gemini-2.0-flash", 1_048_576, 0.025),  # kept by hand: LiteLLM 1.110.2 dropped it
        ("vertex_ai/gemini-2.0-flash", 1_048_576, None),  # window kept by hand, Vertex prices
        ("azure/gpt-4o", 128_000, 1.25),
    ],
)
def test_catalog_has_the_figures_users_compare(
    model_id: str, window: int, cached: float | None
) -> None:
    entry = ENTRIES[model_id]
    assert (entry.context_window, entry.cached_input_usd_per_million) == (window, cached)


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
        [
            *(sys.executable, str(SCRIPT), str(litellm), str(out)),
            *("--models", str(models), "--no-kept-figures"),
        ],
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
            # Unknown (null) figures are left out of the file.
            "id": "beta-2",
            "provider": "org",
            "contextWindow": 32768,
            "inputUsdPerMillion": 0.1,
            "outputUsdPerMillion": 0.3,
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
    assert entry.get("cacheMinimumTokens") == minimum


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


# --- the whole chat table --------------------------------------------------------------------


def chat(host: str, window: int | None = 32768, price: float = 1e-07) -> dict[str, Any]:
    figures = {"litellm_provider": host, "mode": "chat", "input_cost_per_token": price}
    if window is not None:
        figures["max_input_tokens"] = window
    return figures | {"output_cost_per_token": 3 * price}


TABLE: dict[str, Any] = LITELLM | {
    "azure/alpha-1": chat("azure", 128000, 2.5e-06),  # another host of a curated model
    "gpt-4o-2099-01-01": chat("openai", 128000),  # a name tiktoken's map knows
    "host/mistralai/Mixtral-9x9B": chat("host"),  # a maker the name says
    "host/acme/Widget-7B": chat("host"),  # a maker nothing says
    "zhost/acme/open-7b": chat("zhost", price=1e-08),
    "azure_ai/open-7b": chat("azure_ai", price=2e-08),  # a cloud: the bare name's entry
    "bedrock/us-east-1/acme.regional-9": chat("bedrock"),  # priced for one region only
    "beta-2": chat("vertex_ai-language-models", 32768, 9e-07),  # a curated name, other figures
    "no-window-chat": chat("host", window=None),
    "ft:alpha-1-2099-01-01": chat("openai"),
}


@pytest.fixture(scope="module")
def table_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    tmp_path = tmp_path_factory.mktemp("table")
    out = tmp_path / "catalog.json"
    result = build(tmp_path, [ALPHA, BETA], out, TABLE)
    assert result.returncode == 0, result.stderr
    models = json.loads(out.read_text(encoding="utf-8"))["models"]
    return {m["id"]: m for m in models}, result.stdout


def test_table_holds_every_usable_chat_entry(table_build: tuple[dict[str, Any], str]) -> None:
    models, _ = table_build
    assert sorted(models) == [
        "alpha-1",
        "azure/alpha-1",
        "azure_ai/open-7b",
        "bedrock/us-east-1/acme.regional-9",
        "beta-2",
        "gpt-4o-2099-01-01",
        "host/acme/Widget-7B",
        "host/mistralai/Mixtral-9x9B",
        "vertex_ai/beta-2",
        "zhost/acme/open-7b",
    ]


def test_table_names_the_entries_it_leaves_out(table_build: tuple[dict[str, Any], str]) -> None:
    _, stdout = table_build
    assert "left out 1 chat entries without a context window or both prices: no-window-chat" in (
        stdout
    )


def test_another_hosts_listing_takes_the_curated_models_tokenizer_and_maker(
    table_build: tuple[dict[str, Any], str],
) -> None:
    models, _ = table_build
    entry = models["azure/alpha-1"]
    assert (entry["provider"], entry["tokenizer"], entry["priceSource"]) == (
        "openai",
        {"kind": "tiktoken", "encoding": "o200k_base"},
        "azure: azure/alpha-1",
    )


@pytest.mark.parametrize(
    ("model_id", "provider", "tokenizer"),
    [
        ("gpt-4o-2099-01-01", "openai", {"kind": "tiktoken", "encoding": "o200k_base"}),
        ("host/mistralai/Mixtral-9x9B", "mistral", {"kind": "estimate", "encoding": "o200k_base"}),
        ("host/acme/Widget-7B", "host", {"kind": "estimate", "encoding": "o200k_base"}),
    ],
)
def test_table_entry_is_exact_only_where_tiktoken_knows_the_model(
    table_build: tuple[dict[str, Any], str], model_id: str, provider: str, tokenizer: Any
) -> None:
    models, _ = table_build
    assert (models[model_id]["provider"], models[model_id]["tokenizer"]) == (provider, tokenizer)


@pytest.mark.parametrize(
    ("model_id", "aliases"),
    [
        ("azure_ai/open-7b", ["open-7b"]),  # a cloud ranks before another host
        ("zhost/acme/open-7b", []),
        ("bedrock/us-east-1/acme.regional-9", []),  # one region's price is no bare name's
        ("host/acme/Widget-7B", ["widget-7b"]),
    ],
)
def test_bare_name_is_an_alias_of_the_best_ranked_hosts_entry(
    table_build: tuple[dict[str, Any], str], model_id: str, aliases: list[str]
) -> None:
    models, _ = table_build
    assert models[model_id]["aliases"] == aliases


def test_a_curated_name_listed_with_other_figures_is_kept_under_its_host(
    table_build: tuple[dict[str, Any], str],
) -> None:
    models, _ = table_build
    assert (
        models["beta-2"]["inputUsdPerMillion"],
        models["vertex_ai/beta-2"]["inputUsdPerMillion"],
    ) == (
        0.1,
        0.9,
    )


KEPT_NOTE = "its window kept by hand from Google's Gemini 2.0 model and pricing pages, 2025"


@pytest.mark.parametrize(
    ("listed", "merged"),
    [
        # What LiteLLM 1.110.2 lacks is filled, and the entry says so.
        (
            {"max_output_tokens": 4096, "mode": "chat"},
            {
                "max_input_tokens": 1_048_576,
                "max_output_tokens": 4096,
                "mode": "chat",
                "kept_by_hand": KEPT_NOTE,
            },
        ),
        # A later LiteLLM that lists the figures wins, and nothing claims to be kept.
        (
            {"max_input_tokens": 2_000_000, "max_output_tokens": 4096},
            {"max_input_tokens": 2_000_000, "max_output_tokens": 4096},
        ),
    ],
)
def test_kept_figures_fill_what_litellm_lacks_and_never_replace_its_own(
    listed: dict[str, Any], merged: dict[str, Any]
) -> None:
    data = {"vertex_ai/gemini-2.0-flash": listed}
    assert catalog_table.with_kept_figures(data)["vertex_ai/gemini-2.0-flash"] == merged


def test_kept_figures_add_a_model_litellm_dropped() -> None:
    added = catalog_table.with_kept_figures({})["gemini/gemini-2.0-flash"]
    assert (added["max_input_tokens"], added["input_cost_per_token"]) == (1_048_576, 1e-07)


def test_an_entry_with_kept_figures_says_so_in_its_price_source() -> None:
    source = ENTRIES["vertex_ai/gemini-2.0-flash"].price_source
    assert source == f"vertex_ai: vertex_ai/gemini-2.0-flash ({KEPT_NOTE})"


@pytest.mark.parametrize(
    ("maker", "host", "key", "listed", "minimum"),
    [
        ("openai", "azure", "azure/gpt-4o", None, 1024),
        ("openai", "together_ai", "together_ai/openai/gpt-oss-20b", None, None),
        ("anthropic", "bedrock", "anthropic.claude-3-haiku-20240307-v1:0", None, 1024),
        ("anthropic", "bedrock", "anthropic.claude-x", 2048, 2048),
        ("google", "vertex_ai-language-models", "gemini-2.5-flash-lite", None, 2048),
        ("google", "gemini", "gemini/gemini-3-pro-preview", None, 4096),
        ("google", "deepinfra", "deepinfra/google/gemma-3-27b-it", None, None),
        ("mistral", "mistral", "mistral/mistral-small", None, None),
    ],
)
def test_table_cache_minimum_is_the_makers_only_where_it_caches(
    maker: str, host: str, key: str, listed: int | None, minimum: int | None
) -> None:
    raw = {} if listed is None else {"prompt_cache_min_tokens": listed}
    assert catalog_table.cache_minimum_at(maker, host, key, raw) == minimum


@pytest.mark.parametrize(
    ("key", "host", "maker"),
    [
        ("together_ai/meta-llama/Llama-3-8b-chat-hf", "together_ai", "meta"),
        (
            "fireworks_ai/accounts/fireworks/models/mixtral-8x22b-instruct",
            "fireworks_ai",
            "mistral",
        ),
        ("groq/moonshotai/kimi-k2-instruct", "groq", "moonshot"),
        ("xai/grok-4.20", "xai", "xai"),
        ("amazon.nova-pro-v1:0", "bedrock_converse", "amazon"),
        ("azure/o3-deep-research", "azure", "openai"),
        ("host/acme/widget", "host", "host"),
    ],
)
def test_maker_comes_from_the_name_else_the_host(key: str, host: str, maker: str) -> None:
    assert catalog_table.maker_of(key, host) == maker
