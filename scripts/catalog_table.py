"""Every chat model of LiteLLM's table as a catalog entry, beside the curated ones.

`build_model_catalog.py` makes the curated entries first; `table_entries` adds every other
`mode: chat` entry that has a context window and both prices, under its LiteLLM key. What
LiteLLM does not say (who makes a model, what counts its tokens, the shortest cached prefix)
is worked out here, and said honestly: a model is exact only where tiktoken's model map names a
bundled encoding for it or a curated model it resolves to is exact.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from server.core.model_resolution import normalise, resolve, tiktoken_encoding
from shared_schemas.model_catalog import ModelCatalog, ModelEntry

# The encodings `scripts/build_encodings.py` bundles; a model whose map encoding is another
# (gpt-oss: o200k_harmony) is estimated, as the server could not load it.
BUNDLED_ENCODINGS = frozenset({"o200k_base", "cl100k_base"})
ESTIMATE = {"kind": "estimate", "encoding": "o200k_base"}


def per_million(per_token: Any) -> float:
    # Through Decimal, so 2.5e-06 becomes 2.5 rather than 2.4999999999999996.
    return float(Decimal(str(per_token)) * 1_000_000)


def is_price(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def is_token_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


NEEDED = {
    "max_input_tokens": is_token_count,
    "input_cost_per_token": is_price,
    "output_cost_per_token": is_price,
}


def usable(raw: Any) -> bool:
    return isinstance(raw, dict) and all(check(raw.get(name)) for name, check in NEEDED.items())


# What a kept entry says of itself, in its `priceSource`.
KEPT = "kept_by_hand"
# Figures a LiteLLM release lacks for models prompts still name, from the providers' own pages;
# LiteLLM's own fields win wherever it has them. LiteLLM 1.110.2 dropped the Gemini API's
# Gemini 2.0 models and lists Vertex's without a context window, so a Genkit file naming
# `googleai/gemini-2.0-flash` would be priced as the default with its 128k window. Google's
# Gemini API pricing and models pages: 1,048,576 input and 8,192 output tokens; Flash $0.10 in,
# $0.40 out, $0.025 cached; Flash-Lite $0.075 in, $0.30 out.
GOOGLE_PAGES = "Google's Gemini 2.0 model and pricing pages, 2025"
KEPT_FIGURES: dict[str, dict[str, Any]] = {
    "gemini/gemini-2.0-flash": {
        KEPT: f"all figures kept by hand from {GOOGLE_PAGES}",
        "litellm_provider": "gemini",
        "mode": "chat",
        "max_input_tokens": 1_048_576,
        "max_output_tokens": 8192,
        "input_cost_per_token": 1e-07,
        "output_cost_per_token": 4e-07,
        "cache_read_input_token_cost": 2.5e-08,
    },
    "gemini/gemini-2.0-flash-lite": {
        KEPT: f"all figures kept by hand from {GOOGLE_PAGES}",
        "litellm_provider": "gemini",
        "mode": "chat",
        "max_input_tokens": 1_048_576,
        "max_output_tokens": 8192,
        "input_cost_per_token": 7.5e-08,
        "output_cost_per_token": 3e-07,
    },
    "vertex_ai/gemini-2.0-flash": {
        KEPT: f"its window kept by hand from {GOOGLE_PAGES}",
        "max_input_tokens": 1_048_576,
        "max_output_tokens": 8192,
    },
    "vertex_ai/gemini-2.0-flash-lite": {
        KEPT: f"its window kept by hand from {GOOGLE_PAGES}",
        "max_input_tokens": 1_048_576,
        "max_output_tokens": 8192,
    },
}


def price_source(host: str, key: str, raw: dict[str, Any]) -> str:
    """`<LiteLLM provider>: <LiteLLM key>`, and what of it was kept by hand."""
    kept = raw.get(KEPT)
    return f"{host}: {key}" + (f" ({kept})" if kept else "")


def with_kept_figures(data: dict[str, Any]) -> dict[str, Any]:
    """`data` with the kept figures it lacks; an entry says it was kept only where it was."""
    merged = dict(data)
    for key, kept in KEPT_FIGURES.items():
        found = data.get(key)
        listed: dict[str, Any] = found if isinstance(found, dict) else {}
        filled = {name: value for name, value in kept.items() if name not in listed}
        if filled.keys() - {KEPT, "litellm_provider", "mode"}:
            merged[key] = listed | filled
    return merged


# The shortest prefix each maker caches on its own API and the clouds that serve its models
# alike, for entries without LiteLLM's `prompt_cache_min_tokens` (LiteLLM 1.110.2 gives it for
# most Claude models and a few Gemini ones, never for OpenAI's). From the providers'
# prompt-caching guides as of late 2026: OpenAI (and Azure OpenAI) cache from 1,024 tokens;
# Anthropic (and Bedrock, Vertex) from 1,024 on its older models, more on some newer ones,
# which LiteLLM lists; Gemini 2.5 from 2,048 and Gemini 3 from 4,096. Other hosts do not
# document one, so the catalog says it is unknown rather than guess.
OPENAI_CACHE_MINIMUM = 1024
ANTHROPIC_CACHE_MINIMUM = 1024
GEMINI_CACHE_MINIMUMS = (("gemini-2.5", 2048), ("gemini-3", 4096))
CACHING_HOSTS = {
    "openai": ("openai", "azure"),
    "anthropic": ("anthropic", "bedrock", "bedrock_converse", "vertex_ai-anthropic_models"),
    "google": ("gemini", "vertex_ai-language-models", "vertex_ai"),
}


def maker_cache_minimum(maker: str, model_name: str) -> int | None:
    """The documented minimum of `maker`'s models, or None where it documents none."""
    if maker == "openai":
        return OPENAI_CACHE_MINIMUM
    if maker == "anthropic":
        return ANTHROPIC_CACHE_MINIMUM
    if maker == "google":
        bare = normalise(model_name)
        for prefix, minimum in GEMINI_CACHE_MINIMUMS:
            if bare.startswith(prefix):
                return minimum
    return None


def listed_cache_minimum(raw: dict[str, Any]) -> int | None:
    listed: Any = raw.get("prompt_cache_min_tokens")
    return int(listed) if is_token_count(listed) else None


# Who makes a model, from its name: the first pattern found in the lowercased LiteLLM key.
# Linear: alternations of literals, searched once over a key of at most a few hundred characters.
MAKERS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), maker)
    for pattern, maker in (
        (r"claude", "anthropic"),
        (r"gpt-oss|gpt-|chatgpt|(?:^|/)o\d(?:-|$)|codex", "openai"),
        (r"gemini|gemma|learnlm", "google"),
        (r"llama", "meta"),
        (r"mistral|mixtral|codestral|magistral|devstral|pixtral|ministral|voxtral", "mistral"),
        (r"qwen|qwq", "qwen"),
        (r"deepseek", "deepseek"),
        (r"grok", "xai"),
        (r"command|cohere|(?:^|[/.])aya", "cohere"),
        (r"amazon\.|(?:^|[/.])nova-|titan", "amazon"),
        (r"jamba|jurassic", "ai21"),
        (r"kimi|moonshot", "moonshot"),
        (r"glm-|zai-org|chatglm", "zhipu"),
        (r"minimax", "minimax"),
        (r"(?:^|[/.])phi-", "microsoft"),
        (r"nemotron|nvidia", "nvidia"),
        (r"sonar", "perplexity"),
    )
)
# Each maker's own API among LiteLLM's providers: a bare name means its listing there first.
OWN_HOSTS = {
    "openai": {"openai"},
    "anthropic": {"anthropic"},
    "google": {"gemini"},
    "mistral": {"mistral", "codestral"},
    "deepseek": {"deepseek"},
    "xai": {"xai"},
    "cohere": {"cohere_chat"},
    "moonshot": {"moonshot"},
    "zhipu": {"zai"},
    "minimax": {"minimax"},
    "qwen": {"dashscope"},
    "amazon": {"bedrock", "bedrock_converse"},
    "ai21": {"ai21"},
    "perplexity": {"perplexity"},
    "meta": {"meta_llama"},
}
CLOUDS = ("bedrock", "vertex_ai", "azure")
# A listing in one region or under a commitment (`bedrock/us-gov-east-1/...`, `azure/eu/...`,
# `bedrock/*/1-month-commitment/...`) is priced for it alone: never what a bare name means.
# Linear: alternations of literals and single class runs between two fixed `/`.
REGIONAL = re.compile(r"/(?:[a-z]{2}(?:-gov)?-[a-z]+-\d+|eu|us|global|\*|[\w-]*commitment)/")


def maker_of(key: str, host: str) -> str:
    lowered = key.lower()
    for pattern, maker in MAKERS:
        if pattern.search(lowered):
            return maker
    # Nothing in the name says: the host is all the catalog can name.
    return host


def host_rank(entry: ModelEntry, host: str) -> tuple[int, int, str]:
    """Which of several hosts' entries a bare name means: the lowest."""
    own = host in OWN_HOSTS.get(entry.provider, set())
    tier = 0 if own else 1 if host.startswith(CLOUDS) else 2
    return tier, len(entry.id), entry.id


def tokenizer_and_maker(key: str, host: str, curated: ModelCatalog) -> tuple[dict[str, str], str]:
    """What counts the model `key` names, and who makes it."""
    family = resolve(key, curated).entry
    if family is not None:
        # The same model at another host, or a snapshot of it: its tokenizer is the curated one.
        return family.tokenizer.model_dump(), family.provider
    encoding = tiktoken_encoding(key)
    if encoding in BUNDLED_ENCODINGS:
        return {"kind": "tiktoken", "encoding": encoding}, "openai"
    return dict(ESTIMATE), maker_of(key, host)


def cache_minimum_at(maker: str, host: str, key: str, raw: dict[str, Any]) -> int | None:
    listed = listed_cache_minimum(raw)
    if listed is not None:
        return listed
    if host in CACHING_HOSTS.get(maker, ()):
        return maker_cache_minimum(maker, key)
    return None


def chat_keys(data: dict[str, Any]) -> Iterable[str]:
    """LiteLLM's chat models, less its `ft:` entries: a fine-tune's prices belong to its base
    model's entry (`fineTuned*` fields, curated), where `ft:<base>:<org>:...` names find them."""
    return (
        key
        for key, raw in data.items()
        if key != "sample_spec"
        and not key.startswith("ft:")
        and isinstance(raw, dict)
        and raw.get("mode") == "chat"
    )


def same_figures(entry: ModelEntry, raw: dict[str, Any]) -> bool:
    return (
        entry.context_window,
        entry.input_usd_per_million,
        entry.output_usd_per_million,
    ) == (
        raw["max_input_tokens"],
        per_million(raw["input_cost_per_token"]),
        per_million(raw["output_cost_per_token"]),
    )


def table_entry(
    key: str, model_id: str, raw: dict[str, Any], curated: ModelCatalog
) -> ModelEntry | None:
    host = str(raw.get("litellm_provider", "unknown"))
    tokenizer, maker = tokenizer_and_maker(key, host, curated)
    cached = raw.get("cache_read_input_token_cost")
    max_output = raw.get("max_output_tokens")
    try:
        return ModelEntry.model_validate(
            {
                "id": model_id,
                "provider": maker,
                "context_window": raw["max_input_tokens"],
                "max_output_tokens": max_output if is_token_count(max_output) else None,
                "input_usd_per_million": per_million(raw["input_cost_per_token"]),
                "output_usd_per_million": per_million(raw["output_cost_per_token"]),
                "cached_input_usd_per_million": per_million(cached) if is_price(cached) else None,
                "cache_minimum_tokens": cache_minimum_at(maker, host, key, raw),
                "tokenizer": tokenizer,
                "aliases": [],
                "price_source": price_source(host, key, raw),
            }
        )
    except ValidationError:
        return None  # figures the schema refuses: left out, as if LiteLLM had none


def table_entries(
    data: dict[str, Any], curated: ModelCatalog, report: Callable[[str], None]
) -> list[ModelEntry]:
    """Every usable chat entry of `data` the curated models do not already hold.

    A key that is a curated model's name (say LiteLLM's bare `gemini-2.5-flash`, Vertex's
    listing, where the curated `gemini-2.5-flash` is the Gemini API's) is kept as
    `<host>/<key>` (`vertex_ai/gemini-2.5-flash`), which is how LiteLLM's users write it.
    """
    owners = {name.lower(): e for e in curated.models for name in [e.id, *e.aliases]}
    taken = set(owners)
    entries: list[ModelEntry] = []
    hosts: dict[str, str] = {}
    unusable = []
    for key in sorted(chat_keys(data)):
        raw = data[key]
        if not usable(raw):
            unusable.append(key)
            continue
        model_id = key
        owner = owners.get(key.lower())
        if owner is not None:
            if same_figures(owner, raw):
                continue  # the curated model's own figures, or an alias it vouches for
            model_id = f"{str(raw.get('litellm_provider', '')).split('-')[0]}/{key}"
            if model_id.lower() in taken:
                continue
        entry = table_entry(key, model_id, raw, curated)
        if entry is None:
            unusable.append(key)
            continue
        taken |= {name.lower() for name in [entry.id, *entry.aliases]}
        hosts[entry.id] = str(raw.get("litellm_provider", ""))
        entries.append(entry)
    if unusable:
        report(
            f"left out {len(unusable)} chat entries without a context window or both prices: "
            + ", ".join(unusable)
        )
    return with_bare_aliases(entries, hosts, taken)


def with_bare_aliases(
    entries: list[ModelEntry], hosts: dict[str, str], taken: set[str]
) -> list[ModelEntry]:
    """Each bare name no model has yet (`kimi-k2-instruct`, of
    `together_ai/moonshotai/Kimi-K2-Instruct`) as an alias of its best-ranked host's entry."""
    best: dict[str, ModelEntry] = {}
    for entry in entries:
        bare = normalise(entry.id)
        if not bare or bare in taken or REGIONAL.search(entry.id):
            continue
        current = best.get(bare)
        if current is None or host_rank(entry, hosts[entry.id]) < host_rank(
            current, hosts[current.id]
        ):
            best[bare] = entry
    extra: dict[str, list[str]] = {}
    for bare, entry in best.items():
        extra.setdefault(entry.id, []).append(bare)
    return [
        entry.model_copy(update={"aliases": sorted([*entry.aliases, *extra[entry.id]])})
        if entry.id in extra
        else entry
        for entry in entries
    ]
