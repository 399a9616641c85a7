"""Build `shared_schemas/data/model_catalog.json` from LiteLLM's price table.

LiteLLM (MIT) keeps `model_prices_and_context_window_backup.json`: context windows and per-token
prices for thousands of model names across hosts. The catalog holds every `mode: chat` entry of
it that has a context window and both prices, in two kinds:

- Curated models (below): a short name users write (`claude-3-5-sonnet`), the LiteLLM key its
  figures come from, the tokenizer that counts it (LiteLLM does not say) and other spellings. A
  curated model missing from the data, or without a context window or prices, stops the build
  with nothing written.
- Every other chat entry, under its LiteLLM key (`vertex_ai/gemini-2.5-pro`,
  `us.anthropic.claude-3-5-sonnet-20240620-v1:0`, `together_ai/meta-llama/...`): its maker and
  tokenizer are those of the curated model the key resolves to, else the encoding tiktoken's
  model map gives it (OpenAI's models, exact), else an o200k_base estimate. Its bare name
  (`kimi-k2-instruct`) becomes an alias of one host's entry: the maker's own API first, then a
  cloud, then the others by name. See `catalog_table.py`.

Usage: python scripts/build_model_catalog.py LITELLM_JSON OUT_JSON [--models CURATED_JSON]
    [--litellm-version X.Y.Z] [--snapshot-date YYYY-MM-DD] [--no-kept-figures]

`--models` replaces the curated list below with a JSON list of objects of the same fields
(`id`, `provider`, `key`, `tokenizer`, optional `aliases` and `fine_tuned_key`); the tests use
it, with `--no-kept-figures`. To refresh: `make catalog LITELLM_VERSION=x.y.z`, which passes
the version and today's date, then review the diff (README, "Refreshing the model catalog").
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog_table import (
    ESTIMATE,
    NEEDED,
    is_price,
    is_token_count,
    listed_cache_minimum,
    maker_cache_minimum,
    per_million,
    price_source,
    table_entries,
    with_kept_figures,
)
from pydantic import ValidationError
from tiktoken.model import encoding_name_for_model

from server.core.atomic_files import write_bytes_atomically
from server.core.model_resolution import normalise
from shared_schemas.model_catalog import ModelCatalog, ModelEntry

# Defaults of --litellm-version and --snapshot-date (when that wheel was downloaded), which
# `make catalog` passes.
LITELLM_VERSION = "1.110.2"
SNAPSHOT_DATE = "2026-12-01"


def source_of(litellm_version: str) -> str:
    return f"LiteLLM model_prices_and_context_window.json from litellm {litellm_version} (MIT)"


def hf(repo: str) -> dict[str, str]:
    return {"kind": "huggingface", "repo": repo}


@dataclass(frozen=True)
class Curated:
    id: str
    provider: str  # who makes the model, not who hosts the price LiteLLM lists
    key: str  # the LiteLLM entry its context window and prices come from
    tokenizer: dict[str, str]
    aliases: tuple[str, ...] = ()
    fine_tuned_key: str | None = None  # OpenAI's `ft:` entry for the model, if any


def openai(id: str, *aliases: str, ft: str | None = None) -> Curated:
    # The encoding from tiktoken's own model map, never written by hand: a hand-written one
    # once disagreed with it. A model the map does not know stops the build here.
    tokenizer = {"kind": "tiktoken", "encoding": encoding_name_for_model(id)}
    return Curated(id, "openai", id, tokenizer, aliases, ft)


def anthropic(id: str, *aliases: str, key: str | None = None) -> Curated:
    return Curated(id, "anthropic", key or id, ESTIMATE, aliases)


def google(id: str, *aliases: str) -> Curated:
    return Curated(id, "google", f"gemini/{id}", ESTIMATE, aliases)


# Open-weight models are priced at one host per family, for figures comparable within it.
CURATED: tuple[Curated, ...] = (
    # OpenAI: tiktoken counts exactly, with the encoding its model map gives.
    openai("gpt-4o", "gpt-4o-2024-08-06", "gpt-4o-2024-11-20", ft="ft:gpt-4o-2024-08-06"),
    openai("gpt-4o-mini", "gpt-4o-mini-2024-07-18", ft="ft:gpt-4o-mini-2024-07-18"),
    openai("gpt-4.1", "gpt-4.1-2025-04-14", ft="ft:gpt-4.1-2025-04-14"),
    openai("gpt-4.1-mini", "gpt-4.1-mini-2025-04-14", ft="ft:gpt-4.1-mini-2025-04-14"),
    openai("gpt-4.1-nano", "gpt-4.1-nano-2025-04-14", ft="ft:gpt-4.1-nano-2025-04-14"),
    openai("o1", "o1-2024-12-17"),
    openai("o3", "o3-2025-04-16"),
    openai("o3-mini", "o3-mini-2025-01-31"),
    openai("o4-mini", "o4-mini-2025-04-16", ft="ft:o4-mini-2025-04-16"),
    openai("gpt-5", "gpt-5-2025-08-07"),
    openai("gpt-5-mini", "gpt-5-mini-2025-08-07"),
    openai("gpt-5-nano", "gpt-5-nano-2025-08-07"),
    openai("gpt-5.1", "gpt-5.1-2025-11-13"),
    openai("gpt-5.2", "gpt-5.2-2025-12-11"),
    openai("gpt-4-turbo", "gpt-4-turbo-2024-04-09"),
    # LiteLLM's ft:gpt-4-0613 repeats GPT-4's own prices, where OpenAI listed fine-tuned GPT-4
    # (never generally available) at $45/$90: better no figure than a wrong one.
    openai("gpt-4", "gpt-4-0613"),
    openai(
        "gpt-3.5-turbo",
        "gpt-3.5-turbo-0125",
        "gpt-35-turbo",
        ft="ft:gpt-3.5-turbo",
    ),
    # Anthropic. Claude 4.0, 4.1 and 3.x are gone from Anthropic's own API, so LiteLLM lists
    # them only at hosts that still serve them; Bedrock's list prices are Anthropic's.
    anthropic("claude-opus-4-8", "claude-opus-4.8"),
    anthropic("claude-opus-4-7", "claude-opus-4-7-20260416", "claude-opus-4.7"),
    anthropic("claude-opus-4-6", "claude-opus-4-6-20260205", "claude-opus-4.6"),
    anthropic("claude-opus-4-5", "claude-opus-4-5-20251101", "claude-opus-4.5"),
    anthropic("claude-sonnet-4-6", "claude-sonnet-4.6"),
    anthropic("claude-sonnet-4-5", "claude-sonnet-4-5-20250929", "claude-sonnet-4.5"),
    anthropic("claude-haiku-4-5", "claude-haiku-4-5-20251001", "claude-haiku-4.5"),
    anthropic(
        "claude-opus-4-1",
        "claude-opus-4-1-20250805",
        "claude-opus-4.1",
        key="anthropic.claude-opus-4-1-20250805-v1:0",
    ),
    anthropic(
        "claude-opus-4",
        "claude-opus-4-20250514",
        "claude-opus-4-0",
        "claude-4-opus",
        key="anthropic.claude-opus-4-20250514-v1:0",
    ),
    anthropic(
        "claude-sonnet-4",
        "claude-sonnet-4-20250514",
        "claude-sonnet-4-0",
        "claude-4-sonnet",
        key="anthropic.claude-sonnet-4-20250514-v1:0",
    ),
    anthropic(
        "claude-3-7-sonnet",
        "claude-3-7-sonnet-20250219",
        "claude-3.7-sonnet",
        "claude-sonnet-3.7",
        key="anthropic.claude-3-7-sonnet-20250219-v1:0",
    ),
    anthropic(
        "claude-3-5-sonnet",
        "claude-3-5-sonnet-20241022",
        "claude-3-5-sonnet-latest",
        "claude-3.5-sonnet",
        "claude-sonnet-3.5",
        key="anthropic.claude-3-5-sonnet-20241022-v2:0",
    ),
    anthropic(
        "claude-3-5-haiku",
        "claude-3-5-haiku-20241022",
        "claude-3.5-haiku",
        "claude-haiku-3.5",
        key="anthropic.claude-3-5-haiku-20241022-v1:0",
    ),
    anthropic(
        "claude-3-opus", "claude-3-opus-20240229", key="anthropic.claude-3-opus-20240229-v1:0"
    ),
    anthropic("claude-3-haiku", "claude-3-haiku-20240307", key="vertex_ai/claude-3-haiku@20240307"),
    # Google, priced by the Gemini API (Google AI Studio). LiteLLM 1.110.2 has no Gemini 2.0
    # or 1.5 entry with a context window any more: Gemini 2.0's figures are kept by hand
    # (`catalog_table.KEPT_FIGURES`), as Genkit files still name it; 1.5 was retired in 2025.
    google("gemini-2.0-flash"),
    google("gemini-2.0-flash-lite"),
    google("gemini-2.5-pro"),
    google("gemini-2.5-flash"),
    google("gemini-2.5-flash-lite"),
    google("gemini-3-flash-preview", "gemini-3-flash"),
    google("gemini-3.1-pro-preview", "gemini-3.1-pro"),
    # Mistral's API. The `-latest` names move; the dated aliases are those LiteLLM gives the same
    # figures. Only Mistral NeMo has a public tokenizer to count with.
    Curated(
        "mistral-large",
        "mistral",
        "mistral/mistral-large-latest",
        ESTIMATE,
        ("mistral-large-2512", "mistral-large-3"),
    ),
    Curated(
        "mistral-medium",
        "mistral",
        "mistral/mistral-medium-latest",
        ESTIMATE,
        ("mistral-medium-2604", "mistral-medium-3.5"),
    ),
    Curated(
        "mistral-small",
        "mistral",
        "mistral/mistral-small-latest",
        ESTIMATE,
        ("mistral-small-2603",),
    ),
    Curated("codestral", "mistral", "mistral/codestral-latest", ESTIMATE, ("codestral-2508",)),
    Curated(
        "open-mistral-nemo",
        "mistral",
        "mistral/open-mistral-nemo",
        hf("mistralai/Mistral-Nemo-Instruct-2407"),
        ("mistral-nemo", "mistral-nemo-instruct-2407", "open-mistral-nemo-2407"),
    ),
    # Meta Llama, priced on Amazon Bedrock, which serves every model of the family.
    Curated(
        "llama-3.1-8b-instruct",
        "meta",
        "meta.llama3-1-8b-instruct-v1:0",
        hf("meta-llama/Llama-3.1-8B-Instruct"),
        (
            "llama-3.1-8b",
            "meta-llama-3.1-8b-instruct",
            "meta-llama-3.1-8b-instruct-turbo",
            "llama3.1-8b",
            "llama3.1:8b",
        ),
    ),
    Curated(
        "llama-3.1-70b-instruct",
        "meta",
        "meta.llama3-1-70b-instruct-v1:0",
        hf("meta-llama/Llama-3.1-70B-Instruct"),
        (
            "llama-3.1-70b",
            "meta-llama-3.1-70b-instruct",
            "meta-llama-3.1-70b-instruct-turbo",
            "llama3.1-70b",
            "llama3.1:70b",
        ),
    ),
    Curated(
        "llama-3.1-405b-instruct",
        "meta",
        "meta.llama3-1-405b-instruct-v1:0",
        hf("meta-llama/Llama-3.1-405B-Instruct"),
        ("llama-3.1-405b", "meta-llama-3.1-405b-instruct", "llama3.1-405b", "llama3.1:405b"),
    ),
    Curated(
        "llama-3.3-70b-instruct",
        "meta",
        "meta.llama3-3-70b-instruct-v1:0",
        hf("meta-llama/Llama-3.3-70B-Instruct"),
        (
            "llama-3.3-70b",
            "llama-3.3-70b-instruct-turbo",
            "llama-3.3-70b-versatile",
            "llama3.3-70b",
            "llama3.3:70b",
        ),
    ),
    Curated(
        "llama-4-scout-17b-16e-instruct",
        "meta",
        "meta.llama4-scout-17b-instruct-v1:0",
        hf("meta-llama/Llama-4-Scout-17B-16E-Instruct"),
        ("llama-4-scout", "llama4-scout", "llama4:scout", "llama-4-scout-17b-16e"),
    ),
    Curated(
        "llama-4-maverick-17b-128e-instruct",
        "meta",
        "meta.llama4-maverick-17b-instruct-v1:0",
        hf("meta-llama/Llama-4-Maverick-17B-128E-Instruct"),
        ("llama-4-maverick", "llama4-maverick", "llama4:maverick", "llama-4-maverick-17b-128e"),
    ),
    # Qwen, priced on DeepInfra, whose keys are the Hugging Face repository ids.
    Curated(
        "qwen2.5-7b-instruct",
        "qwen",
        "deepinfra/Qwen/Qwen2.5-7B-Instruct",
        hf("Qwen/Qwen2.5-7B-Instruct"),
        ("qwen2.5-7b", "qwen2.5:7b", "qwen-2.5-7b-instruct"),
    ),
    Curated(
        "qwen2.5-72b-instruct",
        "qwen",
        "deepinfra/Qwen/Qwen2.5-72B-Instruct",
        hf("Qwen/Qwen2.5-72B-Instruct"),
        ("qwen2.5-72b", "qwen2.5:72b", "qwen-2.5-72b-instruct"),
    ),
    Curated("qwen3-32b", "qwen", "deepinfra/Qwen/Qwen3-32B", hf("Qwen/Qwen3-32B"), ("qwen3:32b",)),
    Curated(
        "qwen3-30b-a3b",
        "qwen",
        "deepinfra/Qwen/Qwen3-30B-A3B",
        hf("Qwen/Qwen3-30B-A3B"),
        ("qwen3:30b", "qwen3:30b-a3b"),
    ),
    Curated(
        "qwen3-235b-a22b",
        "qwen",
        "deepinfra/Qwen/Qwen3-235B-A22B",
        hf("Qwen/Qwen3-235B-A22B"),
        ("qwen3:235b", "qwen3:235b-a22b"),
    ),
    Curated(
        "qwen3-235b-a22b-instruct-2507",
        "qwen",
        "deepinfra/Qwen/Qwen3-235B-A22B-Instruct-2507",
        hf("Qwen/Qwen3-235B-A22B-Instruct-2507"),
    ),
    # DeepSeek's own API. Its `deepseek-chat` and `deepseek-reasoner` follow DeepSeek's newest
    # V3-family model; LiteLLM still lists V3 and R1 as first released, with their own figures.
    Curated("deepseek-chat", "deepseek", "deepseek/deepseek-chat", hf("deepseek-ai/DeepSeek-V3")),
    Curated(
        "deepseek-reasoner", "deepseek", "deepseek/deepseek-reasoner", hf("deepseek-ai/DeepSeek-R1")
    ),
    Curated("deepseek-v3", "deepseek", "deepseek/deepseek-v3", hf("deepseek-ai/DeepSeek-V3")),
    Curated("deepseek-r1", "deepseek", "deepseek/deepseek-r1", hf("deepseek-ai/DeepSeek-R1")),
)


class BuildError(Exception):
    """The data cannot make the catalog; the message lists every reason."""


def figures(data: dict[str, Any], key: str, problems: list[str]) -> dict[str, Any] | None:
    """The LiteLLM entry `key`, if it has a context window and both prices."""
    raw = data.get(key)
    if key == "sample_spec" or not isinstance(raw, dict):
        problems.append(f"{key}: not in the LiteLLM data")
        return None
    lacking = [name for name, usable in NEEDED.items() if not usable(raw.get(name))]
    if lacking:
        problems.append(f"{key}: no usable {', '.join(lacking)} in the LiteLLM data")
        return None
    return raw


def same_figures(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all(a.get(name) == b.get(name) for name in NEEDED)


def check_aliases(data: dict[str, Any], model: Curated, raw: dict[str, Any]) -> list[str]:
    """An alias that LiteLLM lists as a model of its own must have the same figures, else it is
    another model (a dearer snapshot, a smaller window) and would be priced wrongly."""
    prefix = model.key.rpartition("/")[0]
    problems = []
    for alias in model.aliases:
        for key in dict.fromkeys([alias, f"{prefix}/{alias}" if prefix else alias]):
            other = data.get(key)
            if isinstance(other, dict) and not same_figures(raw, other):
                problems.append(
                    f"{model.id}: alias {alias!r} is LiteLLM's {key!r}, whose context window or "
                    f"prices differ from {model.key!r}"
                )
    return problems


def cache_minimum(model: Curated, raw: dict[str, Any]) -> int | None:
    """The model's minimum cacheable prefix: LiteLLM's figure, else its maker's documented one
    (a curated model is priced where its maker's caching applies)."""
    listed = listed_cache_minimum(raw)
    return listed if listed is not None else maker_cache_minimum(model.provider, model.id)


def check_tiktoken_encoding(model: Curated) -> list[str]:
    """A model counted with tiktoken must use the encoding tiktoken's model map gives each of
    its names that the map knows (a list given with `--models` is written by hand)."""
    if model.tokenizer.get("kind") != "tiktoken":
        return []
    problems = []
    for name in (model.id, *model.aliases):
        try:
            expected = encoding_name_for_model(name)
        except KeyError:
            continue
        if model.tokenizer.get("encoding") != expected:
            problems.append(
                f"{model.id}: counted with {model.tokenizer.get('encoding')}, but tiktoken's "
                f"model map gives {name!r} {expected}"
            )
    return problems


def entry_for(data: dict[str, Any], model: Curated, problems: list[str]) -> ModelEntry | None:
    problems += check_tiktoken_encoding(model)
    raw = figures(data, model.key, problems)
    fine_tuned = figures(data, model.fine_tuned_key, problems) if model.fine_tuned_key else None
    if raw is None or (model.fine_tuned_key and fine_tuned is None):
        return None
    problems += check_aliases(data, model, raw)
    cached = raw.get("cache_read_input_token_cost")
    max_output = raw.get("max_output_tokens")
    # The key, and the key's bare name (`mistral-large-latest` of `mistral/mistral-large-latest`),
    # which would otherwise go to another host's listing of the model.
    names = {model.id.lower()}
    aliases = []
    for name in [*model.aliases, model.key, normalise(model.key)]:
        if name.lower() not in names:
            names.add(name.lower())
            aliases.append(name)
    try:
        return ModelEntry.model_validate(
            {
                "id": model.id,
                "provider": model.provider,
                "context_window": raw["max_input_tokens"],
                "max_output_tokens": max_output if is_token_count(max_output) else None,
                "input_usd_per_million": per_million(raw["input_cost_per_token"]),
                "output_usd_per_million": per_million(raw["output_cost_per_token"]),
                "cached_input_usd_per_million": per_million(cached) if is_price(cached) else None,
                "fine_tuned_input_usd_per_million": (
                    per_million(fine_tuned["input_cost_per_token"]) if fine_tuned else None
                ),
                "fine_tuned_output_usd_per_million": (
                    per_million(fine_tuned["output_cost_per_token"]) if fine_tuned else None
                ),
                "cache_minimum_tokens": cache_minimum(model, raw),
                "tokenizer": model.tokenizer,
                "aliases": sorted(aliases, key=lambda a: (a.lower(), a)),
                "price_source": price_source(
                    str(raw.get("litellm_provider", "unknown")), model.key, raw
                ),
            }
        )
    except ValidationError as error:
        problems.append(f"{model.id}: {error}")
        return None


def build_catalog(
    data: dict[str, Any],
    curated: tuple[Curated, ...],
    *,
    litellm_version: str = LITELLM_VERSION,
    snapshot_date: str = SNAPSHOT_DATE,
    kept_figures: bool = True,
    report: Callable[[str], None] = print,
) -> ModelCatalog:
    """The curated models, then every other chat entry of `data` (see `catalog_table.py`)."""
    if kept_figures:
        data = with_kept_figures(data)
    source = source_of(litellm_version)
    problems: list[str] = []
    entries = [entry_for(data, model, problems) for model in curated]
    if problems:
        raise BuildError("\n".join(problems))
    try:
        kept = [e for e in entries if e is not None]
        curated_catalog = ModelCatalog(snapshot_date=snapshot_date, source=source, models=kept)
        table = table_entries(data, curated_catalog, report)
        return ModelCatalog(
            snapshot_date=snapshot_date,
            source=source,
            models=sorted([*kept, *table], key=lambda e: e.id),
        )
    except ValidationError as error:
        raise BuildError(str(error)) from None


def render(catalog: ModelCatalog) -> bytes:
    """The catalog as JSON with one model a line, its unknown (null) fields left out: a
    refresh's diff shows each changed model as one changed line, and the file stays a
    fraction of the size of an indented one."""

    def line(value: object) -> str:
        return json.dumps(value, sort_keys=True, ensure_ascii=False)

    models = [
        "    " + line({k: v for k, v in entry.to_wire().items() if v is not None})
        for entry in catalog.models
    ]
    text = (
        '{\n  "models": [\n'
        + ",\n".join(models)
        + f'\n  ],\n  "snapshotDate": {line(catalog.snapshot_date)},'
        + f'\n  "source": {line(catalog.source)}\n}}\n'
    )
    return text.encode("utf-8")


def read_curated(path: Path) -> tuple[Curated, ...]:
    items = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        Curated(
            id=item["id"],
            provider=item["provider"],
            key=item["key"],
            tokenizer=item["tokenizer"],
            aliases=tuple(item.get("aliases", ())),
            fine_tuned_key=item.get("fine_tuned_key"),
        )
        for item in items
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("litellm_json", type=Path)
    parser.add_argument("out_json", type=Path)
    parser.add_argument("--models", type=Path, help="a JSON list that replaces the curated one")
    parser.add_argument(
        "--litellm-version", default=LITELLM_VERSION, help="the litellm release the data is from"
    )
    parser.add_argument(
        "--snapshot-date", default=SNAPSHOT_DATE, help="when it was downloaded, YYYY-MM-DD"
    )
    parser.add_argument(
        "--no-kept-figures",
        action="store_true",
        help="leave out the figures kept by hand for models LiteLLM lacks (the tests use it)",
    )
    args = parser.parse_args(argv[1:])
    try:
        data = json.loads(args.litellm_json.read_text(encoding="utf-8"))
        curated = read_curated(args.models) if args.models else CURATED
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"build_model_catalog: cannot read the input: {error!r}", file=sys.stderr)
        return 1
    if not isinstance(data, dict):
        print("build_model_catalog: the LiteLLM data is not a JSON object", file=sys.stderr)
        return 1
    try:
        catalog = build_catalog(
            data,
            curated,
            litellm_version=args.litellm_version,
            snapshot_date=args.snapshot_date,
            kept_figures=not args.no_kept_figures,
        )
    except BuildError as error:
        print(f"build_model_catalog: nothing written:\n{error}", file=sys.stderr)
        return 1
    args.out_json.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomically(args.out_json, render(catalog))
    print(f"wrote {len(catalog.models)} models to {args.out_json}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
