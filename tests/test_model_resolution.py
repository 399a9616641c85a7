"""Model names as users write them, to catalog entries, with the user's overrides applied."""

from __future__ import annotations

from typing import Any

import pytest

from server.core.model_resolution import (
    USER_PRICE_SOURCE,
    _apply_overrides,
    _catalog_index,
    candidate_keys,
    lookup_keys,
    normalise,
    resolve,
    spelled,
)
from shared_schemas.model_catalog import ModelOverride, load_catalog

CATALOG = load_catalog()


def overrides(**by_name: Any) -> dict[str, ModelOverride]:
    return {name: ModelOverride.model_validate(facts) for name, facts in by_name.items()}


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("GPT-4o", "gpt-4o"),
        ("  gpt-4o  ", "gpt-4o"),
        ("openai/gpt-4o-mini", "gpt-4o-mini"),
        ("azure_ai/gpt-4.1", "gpt-4.1"),
        ("googleai/gemini-2.5-flash", "gemini-2.5-flash"),
        ("models/gemini-2.5-pro", "gemini-2.5-pro"),
        ("openrouter/meta-llama/Llama-3.1-8B-Instruct", "llama-3.1-8b-instruct"),
        ("cloudflare/@cf/openai/gpt-oss-120b", "gpt-oss-120b"),
        ("Claude Sonnet 4.5 (copilot)", "claude-sonnet-4.5"),
        ("Gemini 3 Flash (Preview)", "gemini-3-flash"),
        ("Claude  Opus\t4.1", "claude-opus-4.1"),
        ("ft:gpt-4o-mini-2024-07-18:acme::abc123", "ft:gpt-4o-mini-2024-07-18:acme::abc123"),
        ("", ""),
    ],
)
def test_normalise(name: str, key: str) -> None:
    assert normalise(name) == key


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Vertex_AI/Gemini 2.5 Pro (Preview)", "vertex_ai/gemini-2.5-pro"),
        ("  azure/GPT-4o  ", "azure/gpt-4o"),
        (
            "US.Anthropic.Claude-3-5-Sonnet-20240620-v1:0",
            "us.anthropic.claude-3-5-sonnet-20240620-v1:0",
        ),
        ("", ""),
    ],
)
def test_spelled_keeps_the_prefixes(name: str, key: str) -> None:
    assert spelled(name) == key


@pytest.mark.parametrize(
    ("key", "keys"),
    [
        ("gpt-4o", ["gpt-4o"]),
        ("gpt-4o-2024-08-06-global", ["gpt-4o-2024-08-06-global", "gpt-4o-2024-08-06", "gpt-4o"]),
        ("claude-sonnet-4-5-20250929", ["claude-sonnet-4-5-20250929", "claude-sonnet-4-5"]),
        ("gpt-3.5-turbo-0125", ["gpt-3.5-turbo-0125", "gpt-3.5-turbo"]),
        ("claude-3-haiku@20240307", ["claude-3-haiku@20240307", "claude-3-haiku"]),
        (
            "gemini-2.5-flash-preview-09-2025",
            ["gemini-2.5-flash-preview-09-2025", "gemini-2.5-flash-preview", "gemini-2.5-flash"],
        ),
        ("mistral-large-latest", ["mistral-large-latest", "mistral-large"]),
        ("gemini-2.0-flash-exp", ["gemini-2.0-flash-exp", "gemini-2.0-flash"]),
        ("gemini-2.0-flash-001", ["gemini-2.0-flash-001", "gemini-2.0-flash"]),
        (
            "vertex_ai/gemini-2.0-flash-001",
            ["vertex_ai/gemini-2.0-flash-001", "vertex_ai/gemini-2.0-flash"],
        ),
        ("", []),
    ],
)
def test_lookup_keys_drop_one_suffix_at_a_time(key: str, keys: list[str]) -> None:
    assert list(lookup_keys(key)) == keys


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        # Genkit's plugin prefix as LiteLLM's host, then the bare name.
        (
            "googleai/gemini-2.0-flash",
            ["googleai/gemini-2.0-flash", "gemini/gemini-2.0-flash", "gemini-2.0-flash"],
        ),
        # A router's prefixes come off one at a time.
        (
            "openrouter/anthropic/claude-3.5-sonnet",
            [
                "openrouter/anthropic/claude-3.5-sonnet",
                "anthropic/claude-3.5-sonnet",
                "claude-3.5-sonnet",
            ],
        ),
        # A Bedrock cross-region id, then without its region, then the model it names.
        (
            "us.anthropic.claude-3-5-sonnet-20240620-v1:0",
            [
                "us.anthropic.claude-3-5-sonnet-20240620-v1:0",
                "anthropic.claude-3-5-sonnet-20240620-v1:0",
                "claude-3-5-sonnet-20240620",
                "claude-3-5-sonnet",
            ],
        ),
        # Every exact spelling before any without a suffix.
        (
            "azure/gpt-4o-2024-08-06-global",
            [
                "azure/gpt-4o-2024-08-06-global",
                "gpt-4o-2024-08-06-global",
                "azure/gpt-4o-2024-08-06",
                "azure/gpt-4o",
                "gpt-4o-2024-08-06",
                "gpt-4o",
            ],
        ),
        # Dotted names that are not Bedrock ids stay whole.
        ("gpt-4.1", ["gpt-4.1"]),
        ("llama3.1:8b", ["llama3.1:8b"]),
    ],
)
def test_candidate_keys_follow_the_documented_precedence(name: str, keys: list[str]) -> None:
    assert list(candidate_keys(name)) == keys


def test_candidate_keys_are_bounded_for_a_name_of_many_segments() -> None:
    keys = list(candidate_keys("a/" * 10_000 + "gpt-4o" + "-latest" * 10_000))
    assert len(keys) < 200


# Spellings found in real prompt files, SDK calls and routers, and the entry each means.
REAL_WORLD = [
    # The catalog's own names, whatever the case, spacing or trailing note.
    ("GPT-4o", "gpt-4o"),
    ("Claude Sonnet 4.5 (copilot)", "claude-sonnet-4-5"),
    ("Claude Sonnet 3.7 Thinking", "claude-3-7-sonnet"),
    ("Gemini 2.5 Pro", "gemini-2.5-pro"),
    ("gpt-35-turbo", "gpt-3.5-turbo"),
    ("qwen3:32b", "qwen3-32b"),
    ("ollama/llama3.1:8b", "llama-3.1-8b-instruct"),
    # Snapshots and channels of a model LiteLLM does not list apart.
    ("gpt-4o-2024-08-06-global", "gpt-4o"),
    ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
    ("gpt-4.1-mini-2025-04-14", "gpt-4.1-mini"),
    ("o3-mini-2025-01-31", "o3-mini"),
    ("claude-3-5-sonnet-latest", "claude-3-5-sonnet"),
    ("mistral-large-latest", "mistral-large"),
    ("codestral-latest", "codestral"),
    # A snapshot LiteLLM prices apart is its own entry.
    ("gpt-4o-2024-05-13", "gpt-4o-2024-05-13"),
    # Genkit: googleai/ is the Gemini API, vertexai/ is Vertex AI.
    ("googleai/gemini-2.0-flash", "gemini-2.0-flash"),
    ("googleai/gemini-2.0-flash-lite", "gemini-2.0-flash-lite"),
    ("googleai/gemini-2.5-flash", "gemini-2.5-flash"),
    ("vertexai/gemini-2.0-flash", "vertex_ai/gemini-2.0-flash"),
    ("vertexai/gemini-2.5-flash", "gemini-2.5-flash"),  # Vertex lists the same figures
    ("vertexai/gemini-2.0-flash-lite", "vertex_ai/gemini-2.0-flash-lite"),
    ("googleai/gemini-2.0-flash-lite-001", "gemini-2.0-flash-lite"),
    # Google's own API paths and display names.
    ("models/gemini-2.0-flash", "gemini-2.0-flash"),
    ("publishers/google/models/gemini-2.0-flash-001", "gemini-2.0-flash"),
    ("Gemini 2.0 Flash", "gemini-2.0-flash"),
    ("gemini-2.0-flash-exp", "gemini-2.0-flash"),
    # LiteLLM's own prefixed keys.
    ("gemini/gemini-2.5-flash-lite", "gemini-2.5-flash-lite"),
    ("mistral/mistral-large-latest", "mistral-large"),
    ("deepseek/deepseek-chat", "deepseek-chat"),
    ("vertex_ai/claude-3-haiku@20240307", "claude-3-haiku"),
    ("vertex_ai/gemini-2.0-flash", "vertex_ai/gemini-2.0-flash"),
    (
        "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo",
    ),
    # OpenRouter's vendor/model (and openrouter/ before it): the maker's own listing.
    ("openai/gpt-4o", "gpt-4o"),
    ("openai/gpt-4o-mini", "gpt-4o-mini"),
    ("anthropic/claude-3.5-sonnet", "claude-3-5-sonnet"),
    ("anthropic/claude-3.7-sonnet", "claude-3-7-sonnet"),
    ("anthropic/claude-sonnet-4", "claude-sonnet-4"),
    ("anthropic/claude-opus-4-1", "claude-opus-4-1"),
    ("google/gemini-2.0-flash-001", "gemini-2.0-flash"),
    ("google/gemini-2.5-pro", "gemini-2.5-pro"),
    ("meta-llama/llama-3.3-70b-instruct", "llama-3.3-70b-instruct"),
    ("meta-llama/Llama-3.1-8B-Instruct", "llama-3.1-8b-instruct"),
    ("mistralai/mistral-large", "mistral-large"),
    ("mistralai/Mistral-Nemo-Instruct-2407", "open-mistral-nemo"),
    ("deepseek/deepseek-r1", "deepseek-r1"),
    ("deepseek-ai/DeepSeek-R1", "deepseek-r1"),
    ("Qwen/Qwen2.5-7B-Instruct", "qwen2.5-7b-instruct"),
    ("openrouter/anthropic/claude-3.5-sonnet", "claude-3-5-sonnet"),
    ("openrouter/openai/gpt-4o-mini", "gpt-4o-mini"),
    ("groq/llama-3.3-70b-versatile", "llama-3.3-70b-instruct"),
    # Bedrock ids, with and without a cross-region prefix.
    ("anthropic.claude-3-5-sonnet-20240620-v1:0", "anthropic.claude-3-5-sonnet-20240620-v1:0"),
    ("anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet"),
    (
        "us.anthropic.claude-3-5-sonnet-20240620-v1:0",
        "us.anthropic.claude-3-5-sonnet-20240620-v1:0",
    ),
    (
        "eu.anthropic.claude-3-5-sonnet-20240620-v1:0",
        "eu.anthropic.claude-3-5-sonnet-20240620-v1:0",
    ),
    # LiteLLM lists no apac. copy of this one: the region-free id.
    ("apac.anthropic.claude-3-5-sonnet-20240620-v1:0", "anthropic.claude-3-5-sonnet-20240620-v1:0"),
    (
        "bedrock/us.anthropic.claude-3-5-haiku-20241022-v1:0",
        "bedrock/us.anthropic.claude-3-5-haiku-20241022-v1:0",
    ),
    # Not listed as a bare id: the model it names, not GovCloud's regional price.
    ("bedrock/anthropic.claude-3-haiku-20240307-v1:0", "claude-3-haiku"),
    ("meta.llama3-1-405b-instruct-v1:0", "llama-3.1-405b-instruct"),
    ("us.meta.llama3-1-70b-instruct-v1:0", "us.meta.llama3-1-70b-instruct-v1:0"),
    ("amazon.nova-pro-v1:0", "amazon.nova-pro-v1:0"),
    # Bedrock ARNs, of a foundation model and of a cross-region inference profile.
    (
        "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0",
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
    ),
    (
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/"
        "us.anthropic.claude-3-5-sonnet-20240620-v1:0",
        "us.anthropic.claude-3-5-sonnet-20240620-v1:0",
    ),
    # Azure: deployments named after their model find Azure's own listing.
    ("azure/gpt-4o", "azure/gpt-4o"),
    ("azure/gpt-4.1", "azure/gpt-4.1"),
    ("azure/gpt-35-turbo", "azure/gpt-35-turbo"),
    ("azure/gpt-4o-2024-08-06-global", "azure/gpt-4o-2024-08-06"),
    ("azure_ai/gpt-4.1", "gpt-4.1"),
    # A bare name only hosts list: the maker's own API, else a cloud, else another host.
    ("o1-mini", "azure/o1-mini"),
    ("grok-3", "vercel_ai_gateway/xai/grok-3"),
    ("kimi-k2-instruct", "novita/moonshotai/kimi-k2-instruct"),
    # LangChain's and the AI SDK's `provider:model`.
    ("openai:gpt-4o", "gpt-4o"),
    ("anthropic:claude-3-5-sonnet-latest", "claude-3-5-sonnet"),
    ("google_genai:gemini-2.0-flash", "gemini-2.0-flash"),
    ("google-vertex:gemini-2.0-flash", "vertex_ai/gemini-2.0-flash"),
    ("azure_openai:gpt-4o", "azure/gpt-4o"),
    ("qwen3:32b", "qwen3-32b"),  # an Ollama tag, not a provider
    # Unknown.
    ("azure/my-gpt4o-deployment", None),
    ("googleai/gemini-1.5-flash", None),  # retired, and gone from LiteLLM
    ("no-such-model", None),
    ("gpt-6-imaginary", None),
    ("", None),
]


@pytest.mark.parametrize(("name", "model_id"), REAL_WORLD)
def test_resolve_finds_the_entry_a_name_means(name: str, model_id: str | None) -> None:
    entry = resolve(name, CATALOG, {}).entry
    assert (entry.id if entry else None) == model_id


def test_genkit_gemini_2_flash_has_its_million_token_window_and_gemini_api_prices() -> None:
    # The example: it was unknown, so priced as gpt-4o-mini with a 128k window.
    entry = resolve("googleai/gemini-2.0-flash", CATALOG).entry
    assert entry is not None
    assert (entry.provider, entry.context_window) == ("google", 1_048_576)
    assert (entry.input_usd_per_million, entry.output_usd_per_million) == (0.1, 0.4)
    assert entry.tokenizer.kind == "estimate"


def test_every_catalog_name_resolves_to_its_own_entry() -> None:
    # Also shows that no two entries' names spell the same key. One test over the ~3,000
    # entries' names, rather than a test each, to keep the suite quick.
    wrong = [
        (name, entry.id, found.id if found else None)
        for entry in CATALOG.models
        for name in [entry.id, *entry.aliases]
        if (found := resolve(name, CATALOG).entry) is None or found.id != entry.id
    ]
    assert wrong == []


def test_resolve_says_which_name_matched() -> None:
    resolution = resolve("gpt-4o-2024-08-06-global", CATALOG)
    assert resolution.matched == "gpt-4o-2024-08-06"
    assert not resolution.fine_tuned and resolution.problems == []


# --- fine-tuned models -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["ft:gpt-4o-mini-2024-07-18:acme::abc123", "ft:gpt-4o-mini-2024-07-18", "ft:gpt-4o-mini"],
)
def test_fine_tuned_name_is_priced_as_fine_tuned(name: str) -> None:
    resolution = resolve(name, CATALOG)
    base = resolve("gpt-4o-mini", CATALOG).entry
    assert resolution.entry is not None and base is not None
    assert resolution.fine_tuned
    assert resolution.entry.id == "gpt-4o-mini"
    assert resolution.entry.input_usd_per_million == base.fine_tuned_input_usd_per_million
    assert resolution.entry.output_usd_per_million == base.fine_tuned_output_usd_per_million
    assert resolution.entry.cached_input_usd_per_million is None


def test_fine_tuned_name_without_fine_tuned_prices_keeps_the_base_prices() -> None:
    resolution = resolve("ft:gpt-5-mini:acme::abc", CATALOG)
    assert resolution.fine_tuned
    assert resolution.entry == resolve("gpt-5-mini", CATALOG).entry


def test_unknown_fine_tuned_base_resolves_to_nothing() -> None:
    assert resolve("ft:davinci-003:acme::abc", CATALOG).entry is None


# --- overrides -------------------------------------------------------------------------------


def test_override_patches_a_catalog_entry_under_all_its_names() -> None:
    patch = overrides(**{"GPT-4o": {"contextWindow": 64000}})
    for name in ["gpt-4o", "gpt-4o-2024-11-20", "openai/gpt-4o-2024-08-06-global"]:
        entry = resolve(name, CATALOG, patch).entry
        assert entry is not None
        assert (entry.id, entry.context_window, entry.input_usd_per_million) == (
            "gpt-4o",
            64000,
            2.5,
        )


def test_override_through_an_alias_patches_the_entry() -> None:
    entry = resolve("gpt-4o", CATALOG, overrides(**{"gpt-4o-2024-08-06": {"maxOutputTokens": 99}}))
    assert entry.entry is not None and entry.entry.max_output_tokens == 99


@pytest.mark.parametrize(
    ("facts", "price_source"),
    [
        ({"inputUsdPerMillion": 2.0}, USER_PRICE_SOURCE),
        ({"contextWindow": 100_000}, "openai: gpt-4.1"),
    ],
)
def test_overridden_prices_are_attributed_to_the_settings(
    facts: dict[str, Any], price_source: str
) -> None:
    entry = resolve("gpt-4.1", CATALOG, overrides(**{"gpt-4.1": facts})).entry
    assert entry is not None and entry.price_source == price_source


def test_override_leaves_other_entries_alone() -> None:
    patch = overrides(**{"gpt-4o": {"contextWindow": 64000}})
    assert resolve("gpt-4o-mini", CATALOG, patch).entry == resolve("gpt-4o-mini", CATALOG).entry


def test_override_adds_a_model() -> None:
    added = overrides(
        **{
            "acme/My-Model": {
                "contextWindow": 32768,
                "inputUsdPerMillion": 0.5,
                "outputUsdPerMillion": 1.5,
            }
        }
    )
    resolution = resolve("my-model-latest", CATALOG, added)
    assert resolution.problems == []
    assert resolution.entry is not None
    assert resolution.entry.model_dump(include={"id", "provider", "context_window"}) == {
        "id": "my-model",
        "provider": "custom",
        "context_window": 32768,
    }
    assert resolution.entry.tokenizer.kind == "estimate"
    assert resolution.entry.price_source == USER_PRICE_SOURCE


def test_added_model_keeps_its_tokenizer() -> None:
    facts = {
        "contextWindow": 8192,
        "inputUsdPerMillion": 0,
        "outputUsdPerMillion": 0,
        "tokenizer": {"kind": "huggingface", "repo": "acme/local-7b"},
    }
    entry = resolve("local-7b", CATALOG, overrides(**{"local-7b": facts})).entry
    assert entry is not None and entry.tokenizer.kind == "huggingface"


def test_override_of_an_unlisted_snapshot_becomes_its_own_model() -> None:
    snapshot = overrides(
        **{"gpt-4o-2099-01-01": {"inputUsdPerMillion": 5, "outputUsdPerMillion": 15}}
    )
    new = resolve("gpt-4o-2099-01-01", CATALOG, snapshot).entry
    assert new is not None
    assert (new.id, new.input_usd_per_million, new.context_window) == (
        "gpt-4o-2099-01-01",
        5,
        128000,
    )
    assert resolve("gpt-4o", CATALOG, snapshot).entry == resolve("gpt-4o", CATALOG).entry


def test_override_of_a_listed_snapshot_patches_that_snapshot_alone() -> None:
    listed = overrides(**{"gpt-4o-2024-05-13": {"inputUsdPerMillion": 4}})
    old = resolve("gpt-4o-2024-05-13", CATALOG, listed).entry
    assert old is not None and (old.id, old.input_usd_per_million) == ("gpt-4o-2024-05-13", 4)
    assert resolve("gpt-4o", CATALOG, listed).entry == resolve("gpt-4o", CATALOG).entry


def test_override_with_a_host_prefix_patches_that_hosts_entry() -> None:
    azure = overrides(**{"azure/gpt-4o": {"contextWindow": 64000}})
    patched = resolve("azure/gpt-4o", CATALOG, azure).entry
    assert patched is not None and patched.context_window == 64000
    assert resolve("gpt-4o", CATALOG, azure).entry == resolve("gpt-4o", CATALOG).entry


def test_snapshot_copy_carries_the_patches_of_its_entry() -> None:
    both = overrides(
        **{"gpt-4o-2099-01-01": {"inputUsdPerMillion": 5}, "gpt-4o": {"contextWindow": 64000}}
    )
    new = resolve("gpt-4o-2099-01-01", CATALOG, both).entry
    assert new is not None and new.context_window == 64000


@pytest.mark.parametrize(
    ("facts", "missing"),
    [
        ({}, "contextWindow, inputUsdPerMillion, outputUsdPerMillion"),
        ({"contextWindow": 8192}, "inputUsdPerMillion, outputUsdPerMillion"),
        ({"contextWindow": 8192, "inputUsdPerMillion": 1}, "outputUsdPerMillion"),
        ({"inputUsdPerMillion": 1, "outputUsdPerMillion": 2}, "contextWindow"),
    ],
)
def test_incomplete_override_for_an_unknown_model_is_a_problem(
    facts: dict[str, Any], missing: str
) -> None:
    resolution = resolve("mystery", CATALOG, overrides(mystery=facts))
    assert resolution.entry is None
    assert resolution.problems == [
        "promptweight.models['mystery'] names no catalog model, so it must give contextWindow, "
        f"inputUsdPerMillion and outputUsdPerMillion (missing: {missing}); ignored"
    ]


def test_problems_of_other_overrides_are_not_reported() -> None:
    resolution = resolve("gpt-4o", CATALOG, overrides(mystery={"contextWindow": 8192}))
    assert resolution.entry is not None and resolution.problems == []


def test_one_model_overridden_under_two_spellings_is_a_problem() -> None:
    twice = overrides(**{"GPT-4o": {"contextWindow": 1000}, "gpt-4o": {"contextWindow": 2000}})
    resolution = resolve("gpt-4o", CATALOG, twice)
    assert resolution.entry is not None and resolution.entry.context_window == 2000
    assert resolution.problems == [
        "promptweight.models names 'gpt-4o' 2 times ('GPT-4o', 'gpt-4o'); they apply in that order"
    ]


def test_override_with_an_empty_name_is_a_problem() -> None:
    resolution = resolve("", CATALOG, overrides(**{" (note) ": {"contextWindow": 1000}}))
    assert resolution.entry is None
    assert resolution.problems == [
        "promptweight.models[' (note) ']: a model name cannot be empty; ignored"
    ]


@pytest.mark.parametrize("name", ["llama-3.1-8b-instruct", "meta-llama/Llama-3.1-8B-Instruct"])
def test_tokenizer_path_comes_with_the_entry(name: str) -> None:
    local = overrides(**{"llama-3.1-8b": {"tokenizerPath": "tok/llama.json"}})
    assert resolve(name, CATALOG, local).tokenizer_path == "tok/llama.json"


def test_tokenizer_path_survives_a_later_patch_of_the_same_entry() -> None:
    two = overrides(
        **{
            "llama-3.1-8b-instruct": {"tokenizerPath": "tok/llama.json"},
            "llama3.1:8b": {"contextWindow": 8192},
        }
    )
    resolution = resolve("llama-3.1-8b", CATALOG, two)
    assert resolution.entry is not None and resolution.entry.context_window == 8192
    assert resolution.tokenizer_path == "tok/llama.json"


def test_resolving_never_copies_the_catalogs_index() -> None:
    # The catalog holds thousands of names and a name is resolved on every analysis: the
    # overrides apply beside the index built once (copying it cost 1 ms a call).
    patch = overrides(**{"gpt-4o": {"contextWindow": 64000}})
    assert _apply_overrides(CATALOG, patch).index is _catalog_index(CATALOG)
