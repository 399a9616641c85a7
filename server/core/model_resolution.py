"""From the model name a prompt file or a setting writes to a catalog entry.

Names arrive in many spellings: `openai/GPT-4o`, `Claude Sonnet 4.5 (copilot)`, Genkit's
`googleai/gemini-2.0-flash`, OpenRouter's `anthropic/claude-3.5-sonnet`, a Bedrock id
`us.anthropic.claude-3-5-sonnet-20240620-v1:0`, an Azure deployment
`azure/gpt-4o-2024-08-06-global`, a Vertex id `claude-3-haiku@20240307`. `spelled` turns each
into a lookup key (lowercase, one `-` for each run of spaces, a trailing `(note)` dropped);
`candidate_keys` lists what to try, in this order of precedence, the first that names a
catalog entry or a model added in settings winning:

1. The name as written, host prefix included, as LiteLLM keys it: `vertex_ai/gemini-2.5-pro`,
   `azure/gpt-4o`, `bedrock/...`, `us.anthropic.claude-...`. Genkit's prefixes are LiteLLM's
   (`googleai/` is the Gemini API's `gemini/`, `vertexai/` is `vertex_ai/`), and a Bedrock
   cross-region id is also tried without its region (`us.`, `eu.`, `apac.`, ...).
2. The name less its leading `segment/`, one at a time: `openrouter/anthropic/claude-3.5-sonnet`,
   then `anthropic/claude-3.5-sonnet`, then `claude-3.5-sonnet`; so a host's own listing beats
   the maker's, and a router's `vendor/model` finds the maker's model. A bare Bedrock id is
   also tried as the model it names (`anthropic.claude-3-5-sonnet-20240620-v1:0` →
   `claude-3-5-sonnet-20240620`).
3. Only then each of those less its trailing snapshot or channel suffixes, one at a time
   (`-2024-08-06`, `-latest`, `-preview`, `@20240307`, `-001`, ...): an exact model at any host
   beats a nearby snapshot, which may be priced differently.

Azure deployments are usually named after their model, so `azure/<deployment>` finds LiteLLM's
Azure entry of that model where it has one, else the model itself. The catalog is indexed once
(`_catalog_index`); a lookup tries a bounded number of keys, each a dictionary probe.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from pydantic import ValidationError
from tiktoken.model import encoding_name_for_model

from shared_schemas.model_catalog import (
    EstimateTokenizer,
    ModelCatalog,
    ModelEntry,
    ModelOverride,
)

# A model added in settings without a tokenizer is counted like the catalog's unknowns.
DEFAULT_TOKENIZER = EstimateTokenizer(encoding="o200k_base")
USER_PRICE_SOURCE = "user settings (promptweight.models)"

# Names come from files and settings, so any text: each step below is linear in the name, and
# a name gives a bounded number of keys.

# One suffix that names a snapshot or a channel of a model rather than another model:
# -2024-08-06, -20250929, -09-2025 (Google), -0125, -001 (Google), @20240307 (Vertex), -latest,
# -global (Azure), -preview, -exp, -thinking (Copilot). The fixed ones are at most 11
# characters, so they are only looked for near the end. Linear: bounded literals, tried at a
# dozen positions.
_DATED_OR_CHANNEL = re.compile(
    r"(?:-\d{4}-\d{2}-\d{2}|-\d{8}|-\d{2}-\d{4}|-\d{3,4}|-latest|-global|-preview|-exp"
    r"|-thinking)$"
)
_LONGEST_FIXED_SUFFIX = len("-2024-08-06\n")  # `$` also matches before a final newline
# A Vertex version after the last `@`. Linear: one class run, matched at one position.
_VERTEX_VERSION = re.compile(r"@[\w.-]+$")
# Bedrock's model ids, `[region.]vendor.model[-vN[:M]]`: the cross-region prefix, the vendor,
# the version. Linear: each is anchored at one position and made of literals or one class run.
_BEDROCK_REGIONS = r"(?:us|eu|apac|global|jp|au|ca|us-gov)\."
_BEDROCK_VENDORS = (
    r"(?:anthropic|meta|amazon|mistral|cohere|ai21|deepseek|qwen|openai|writer|moonshot"
    r"|minimax|google|nvidia|zai)\."
)
_BEDROCK_REGION = re.compile(_BEDROCK_REGIONS + f"(?={_BEDROCK_VENDORS})")
_BEDROCK_VENDOR = re.compile(f"(?:{_BEDROCK_REGIONS})?{_BEDROCK_VENDORS}")
_BEDROCK_VERSION = re.compile(r"-v\d+(?::\d+)?")
# Genkit's plugin prefixes, as the LiteLLM hosts they are.
_GENKIT_PREFIXES = (("googleai/", "gemini/"), ("vertexai/", "vertex_ai/"))
# `provider:model`, as LangChain's `init_chat_model` and the AI SDK's provider registry write
# names: the providers they know, as the LiteLLM hosts they are (None: the same word). Only
# these, since a colon is also an Ollama tag (`qwen3:32b`) or a Bedrock version (`-v1:0`).
_COLON_PROVIDERS: dict[str, str | None] = {
    "openai": None,
    "anthropic": None,
    "google": "gemini",
    "google_genai": "gemini",
    "google-genai": "gemini",
    "google_vertexai": "vertex_ai",
    "google-vertex": "vertex_ai",
    "vertexai": "vertex_ai",
    "azure": None,
    "azure_openai": "azure",
    "azure_ai": None,
    "bedrock": None,
    "bedrock_converse": "bedrock",
    "mistral": None,
    "mistralai": "mistral",
    "groq": None,
    "cohere": None,
    "deepseek": None,
    "xai": None,
    "fireworks": "fireworks_ai",
    "together": "together_ai",
    "perplexity": None,
    "openrouter": None,
}
# No real name has more; a name made of thousands of suffixes or segments would otherwise give
# thousands of keys, each as long as the name (quadratic in time and memory).
_MAX_SUFFIXES = 16
_MAX_SEGMENTS = 6
_PRICE_FIELDS = frozenset(
    {
        "input_usd_per_million",
        "output_usd_per_million",
        "cached_input_usd_per_million",
        "fine_tuned_input_usd_per_million",
        "fine_tuned_output_usd_per_million",
    }
)
_NEEDED_FOR_NEW = {
    "context_window": "contextWindow",
    "input_usd_per_million": "inputUsdPerMillion",
    "output_usd_per_million": "outputUsdPerMillion",
}


@dataclass(frozen=True)
class Resolution:
    entry: ModelEntry | None  # None: the name is in neither the catalog nor the overrides
    problems: list[str] = field(default_factory=list)  # about the overrides for this name
    matched: str | None = None  # the key that found the entry, after normalising and stripping
    fine_tuned: bool = False  # an OpenAI `ft:` name: the entry carries fine-tuned prices
    tokenizer_path: str | None = None  # from an override for the name or for its entry


def _without_trailing_note(name: str) -> str:
    r"""`Claude Sonnet 4.5 (copilot)` → `Claude Sonnet 4.5`: a last `(...)` holding no
    parenthesis, and the spaces before it, cut off (`name` is stripped).

    With `str` methods: the pattern `\s*\([^()]*\)\s*$` was tried at every space of a long
    run of them, reading the run to its end each time (quadratic: over 60 s on 100 KB).
    """
    if not name.endswith(")"):
        return name
    opening = name.rfind("(")
    if opening == -1 or ")" in name[opening + 1 : -1]:
        return name
    return name[:opening].rstrip()


def spelled(name: str) -> str:
    """What users write to a lookup key, prefixes kept: `Vertex_AI/Gemini 2.5 Pro (Preview)` →
    `vertex_ai/gemini-2.5-pro`."""
    bare = _without_trailing_note(name.strip())
    # Each run of whitespace becomes one `-` (`str.split` with no argument splits at runs).
    return "-".join(bare.lower().split())


def normalise(name: str) -> str:
    """The model's own name, without any host or vendor prefix: `openai/GPT-4o (Preview)` →
    `gpt-4o`."""
    return spelled(name).rpartition("/")[2]


def _without_suffix(key: str) -> str:
    """`key` less one trailing snapshot or channel suffix (the longest, as a leftmost match of
    the suffixes at the end finds it), or `key` itself."""
    at = key.rfind("@")
    # A fixed suffix holds no `@`, so a Vertex version, when there is one, starts leftmost.
    if at != -1 and key.rfind("/") < at and (version := _VERTEX_VERSION.match(key, at)):
        return key[:at] + key[version.end() :]
    fixed = _DATED_OR_CHANNEL.search(key, max(0, len(key) - _LONGEST_FIXED_SUFFIX))
    if fixed is None or "/" in key[fixed.start() :] or fixed.start() == key.rfind("/") + 1:
        return key
    return key[: fixed.start()] + key[fixed.end() :]


def lookup_keys(key: str) -> Iterator[str]:
    """`key`, then `key` less one more trailing snapshot or channel suffix each time (at most
    `_MAX_SUFFIXES` of them)."""
    for _ in range(_MAX_SUFFIXES + 1):
        if not key:
            return
        yield key
        shorter = _without_suffix(key)
        if shorter == key:
            return
        key = shorter


def _levels(key: str) -> Iterator[str]:
    """`key`, then `key` less its leading `segment/` one at a time, down to the bare name."""
    yield key
    rest = key
    for _ in range(_MAX_SEGMENTS):
        slash = rest.find("/")
        if slash == -1:
            return
        rest = rest[slash + 1 :]
        yield rest
    if "/" in rest:
        yield rest.rpartition("/")[2]


def _spellings(key: str) -> Iterator[str]:
    """`key`, and the same model as LiteLLM keys it: Genkit's prefixes as LiteLLM's hosts, a
    Bedrock id without its region, a bare Bedrock id as the model it names."""
    yield key
    for genkit, litellm in _GENKIT_PREFIXES:
        if key.startswith(genkit):
            yield litellm + key[len(genkit) :]
    last = key.rfind("/") + 1
    if (region := _BEDROCK_REGION.match(key, last)) is not None:
        yield key[:last] + key[region.end() :]
    if last == 0 and (vendor := _BEDROCK_VENDOR.match(key)) is not None:
        model = key[vendor.end() :]
        version = model.rfind("-v")
        if version != -1 and _BEDROCK_VERSION.fullmatch(model, version):
            model = model[:version]
        if model:
            yield model


def _exact_keys(key: str) -> list[str]:
    """Steps 1 and 2 of the module's doc for a spelled key: every level, every spelling."""
    return [spelling for level in _levels(key) for spelling in _spellings(level)]


def _slashed(key: str) -> str:
    """`openai:gpt-4o` → `openai/gpt-4o`: a known provider's colon prefix as a host prefix."""
    provider, colon, model = key.partition(":")
    if not colon or provider not in _COLON_PROVIDERS:
        return key
    return f"{_COLON_PROVIDERS[provider] or provider}/{model}"


def candidate_keys(name: str) -> Iterator[str]:
    """The keys `name` may be found under, in order of precedence (see the module's doc)."""
    exact = [key for key in _exact_keys(_slashed(spelled(name))) if key]
    seen = set(exact)
    yield from dict.fromkeys(exact)
    for key in exact:
        for shorter in lookup_keys(key):
            if shorter not in seen:
                seen.add(shorter)
                yield shorter


_index_cache: dict[int, tuple[ModelCatalog, dict[str, ModelEntry]]] = {}


def _catalog_index(catalog: ModelCatalog) -> dict[str, ModelEntry]:
    """Spelled id and alias → entry; built once per catalog object."""
    cached = _index_cache.get(id(catalog))
    if cached is not None and cached[0] is catalog:
        return cached[1]
    index: dict[str, ModelEntry] = {}
    for entry in catalog.models:
        for name in [entry.id, *entry.aliases]:
            index.setdefault(spelled(name), entry)
    if len(_index_cache) > 8:
        _index_cache.clear()
    _index_cache[id(catalog)] = (catalog, index)
    return index


@dataclass(frozen=True)
class _Named:
    """What a name finds once the overrides apply."""

    entry: ModelEntry
    tokenizer_path: str | None = None


@dataclass
class _Applied:
    """The overrides, as changes beside the catalog's index (which stays as built)."""

    index: dict[str, ModelEntry]
    patched: dict[str, _Named] = field(default_factory=dict)  # entry id → patched entry
    added: dict[str, _Named] = field(default_factory=dict)  # key → model the settings add
    patched_by: dict[str, str] = field(default_factory=dict)  # override key → entry id
    problems: dict[str, list[str]] = field(default_factory=dict)  # by override key

    def named(self, key: str) -> _Named | None:
        entry = self.index.get(key)
        if entry is not None:
            return self.patched.get(entry.id) or _Named(entry)
        return self.added.get(key)

    def find(self, keys: Iterator[str]) -> tuple[str, _Named] | None:
        for key in keys:
            found = self.named(key)
            if found is not None:
                return key, found
        return None


def _patched(entry: ModelEntry, override: ModelOverride, new_id: str | None) -> ModelEntry:
    changes = override.model_dump(exclude_none=True, exclude={"tokenizer_path"})
    if new_id is not None:
        changes |= {"id": new_id, "aliases": []}
    if _PRICE_FIELDS & changes.keys():
        changes["price_source"] = USER_PRICE_SOURCE
    return ModelEntry.model_validate(entry.model_dump() | changes)


def _added(key: str, raw_key: str, override: ModelOverride) -> ModelEntry | str:
    """A model only the settings know, or why the override cannot be one."""
    missing = [wire for name, wire in _NEEDED_FOR_NEW.items() if getattr(override, name) is None]
    if missing:
        return (
            f"promptweight.models[{raw_key!r}] names no catalog model, so it must give "
            f"contextWindow, inputUsdPerMillion and outputUsdPerMillion "
            f"(missing: {', '.join(missing)}); ignored"
        )
    facts = override.model_dump(exclude_none=True, exclude={"tokenizer_path"})
    return ModelEntry.model_validate(
        {"id": key, "provider": "custom", "tokenizer": DEFAULT_TOKENIZER}
        | facts
        | {"price_source": USER_PRICE_SOURCE}
    )


def _apply_overrides(catalog: ModelCatalog, overrides: Mapping[str, ModelOverride]) -> _Applied:
    """The overrides applied beside the catalog's index: O(overrides), however large the catalog.

    An override whose name finds a catalog entry as written (step 1 or 2 of the module's doc)
    patches that entry, under all its names. One whose name finds an entry only without a
    suffix (`gpt-4o-2099-01-01`) becomes a model of its own, a patched copy of that entry, which
    stays as it was. Any other name adds a model, and must then give the context window and
    prices.
    """
    applied = _Applied(_catalog_index(catalog))
    by_key: dict[str, list[tuple[str, ModelOverride]]] = {}
    for raw_key, override in overrides.items():
        by_key.setdefault(spelled(raw_key), []).append((raw_key, override))
    for key, spellings in by_key.items():
        if len(spellings) > 1:
            names = ", ".join(repr(raw) for raw, _ in spellings)
            applied.problems.setdefault(key, []).append(
                f"promptweight.models names {key!r} {len(spellings)} times ({names}); "
                f"they apply in that order"
            )
    # Patches first, so that a copy made from a catalog entry carries its patches too.
    ordered = sorted(
        by_key.items(),
        key=lambda item: not any(k in applied.index for k in _exact_keys(item[0])),
    )
    for key, spellings in ordered:
        for raw_key, override in spellings:
            problem = _apply_one(applied, key, raw_key, override)
            if problem:
                applied.problems.setdefault(key, []).append(problem)
    return applied


def _apply_one(applied: _Applied, key: str, raw_key: str, override: ModelOverride) -> str | None:
    if not key:
        return f"promptweight.models[{raw_key!r}]: a model name cannot be empty; ignored"
    try:
        exact = next((applied.index[k] for k in _exact_keys(key) if k in applied.index), None)
        if exact is not None:
            current = applied.patched.get(exact.id) or _Named(exact)
            path = override.tokenizer_path or current.tokenizer_path
            applied.patched[exact.id] = _Named(_patched(current.entry, override, None), path)
            applied.patched_by[key] = exact.id
            return None
        bare = normalise(key)
        if bare in applied.added:
            current = applied.added[bare]
            path = override.tokenizer_path or current.tokenizer_path
            applied.added[bare] = _Named(_patched(current.entry, override, None), path)
            return None
        fallback = applied.find(candidate_keys(key))
        if fallback is not None:
            copy = _patched(fallback[1].entry, override, bare)
            path = override.tokenizer_path or fallback[1].tokenizer_path
            applied.added[bare] = _Named(copy, path)
            return None
        added = _added(bare, raw_key, override)
    except ValidationError as error:
        reasons = "; ".join(e["msg"] for e in error.errors())
        return f"promptweight.models[{raw_key!r}]: {reasons}; ignored"
    if isinstance(added, str):
        return added
    applied.added[bare] = _Named(added, override.tokenizer_path)
    return None


def _fine_tuned(entry: ModelEntry) -> ModelEntry:
    """The entry priced as a fine-tuned model, where the catalog knows those prices."""
    input_price = entry.fine_tuned_input_usd_per_million
    output_price = entry.fine_tuned_output_usd_per_million
    if input_price is None or output_price is None:
        return entry
    # The catalog has no caching discount for fine-tuned models.
    return entry.model_copy(
        update={
            "input_usd_per_million": input_price,
            "output_usd_per_million": output_price,
            "cached_input_usd_per_million": None,
        }
    )


def resolve(
    name: str, catalog: ModelCatalog, overrides: Mapping[str, ModelOverride] | None = None
) -> Resolution:
    """The entry `name` means once the user's overrides apply, and the problems of the
    overrides that concern it."""
    applied = _apply_overrides(catalog, overrides or {})
    # "": an override without a usable name concerns no model, so it is told with every one.
    tried = ["", *candidate_keys(name)]
    found = applied.find(candidate_keys(name))
    fine_tuned = False
    bare = normalise(name)
    if found is None and bare.startswith("ft:"):
        # OpenAI fine-tunes, ft:<base model>:<org>:<suffix>:<id>: the base model's entry.
        base = bare.removeprefix("ft:").split(":")[0]
        tried += candidate_keys(base)
        found = applied.find(candidate_keys(base))
        fine_tuned = found is not None
    tried = list(dict.fromkeys(tried))
    tried_keys = set(tried) | {normalise(k) for k in tried}
    if found is None:
        return Resolution(None, [p for k in tried for p in applied.problems.get(k, [])])
    matched, hit = found
    problems = [
        problem
        for k, problems_of_k in applied.problems.items()
        if k in tried_keys
        or normalise(k) in tried_keys
        or applied.patched_by.get(k) == hit.entry.id
        for problem in problems_of_k
    ]
    entry = _fine_tuned(hit.entry) if fine_tuned else hit.entry
    return Resolution(entry, problems, matched, fine_tuned, hit.tokenizer_path)


def tiktoken_encoding(name: str) -> str | None:
    """The encoding tiktoken's own model map gives `name` (OpenAI's word on its models, read
    from the installed package: nothing is fetched), or None where the map does not know it.

    For names the catalog lacks: `gpt-3.5-turbo-instruct` is counted with cl100k_base as OpenAI
    counts it, not with whatever encoding the default model has.
    """
    for key in candidate_keys(name):
        try:
            return encoding_name_for_model(key)
        except KeyError:
            continue
    return None
