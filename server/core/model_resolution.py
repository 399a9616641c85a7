"""From the model name a prompt file or a setting writes to a catalog entry.

Names arrive in many spellings: `openai/GPT-4o`, `Claude Sonnet 4.5 (copilot)`, an Azure
deployment `gpt-4o-2024-08-06-global`, a Vertex id `claude-3-haiku@20240307`. `normalise` turns
each into a lookup key; `resolve` tries that key, then the key without its trailing date or
channel suffixes, one at a time, against the catalog's ids and aliases and the user's overrides
(`promptweight.models`).
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

# Names come from files and settings, so any text: each step below is linear in the name.

# "openai/", "openrouter/meta-llama/", "models/". Linear: anchored at the start, and a segment's
# class excludes the `/` that ends it, so each character has one place in the match and a
# failed segment is given back once.
_PREFIXES = re.compile(r"^(?:[\w.-]+/)+")
# One suffix that names a snapshot or a channel of a model rather than another model:
# -2024-08-06, -20250929, -09-2025 (Google), -0125, @20240307 (Vertex), -latest, -global
# (Azure), -preview, -exp, -thinking (Copilot). The fixed ones are at most 11 characters, so
# they are only looked for near the end. Linear: bounded literals, tried at a dozen positions.
_DATED_OR_CHANNEL = re.compile(
    r"(?:-\d{4}-\d{2}-\d{2}|-\d{8}|-\d{2}-\d{4}|-\d{4}|-latest|-global|-preview|-exp|-thinking)$"
)
_LONGEST_FIXED_SUFFIX = len("-2024-08-06\n")  # `$` also matches before a final newline
# A Vertex version after the last `@`. Linear: one class run, matched at one position.
_VERTEX_VERSION = re.compile(r"@[\w.-]+$")
# No real name has more; a name made of thousands of suffixes would otherwise give thousands
# of keys, each as long as the name (quadratic in time and memory).
_MAX_SUFFIXES = 16
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


def normalise(name: str) -> str:
    """What users write to a lookup key: `openai/GPT-4o (Preview)` → `gpt-4o`."""
    bare = _without_trailing_note(name.strip())
    bare = _PREFIXES.sub("", bare.strip())
    # Each run of whitespace becomes one `-` (`str.split` with no argument splits at runs).
    return "-".join(bare.strip().lower().split())


def _without_suffix(key: str) -> str:
    """`key` less one trailing snapshot or channel suffix (the longest, as a leftmost match of
    the suffixes at the end finds it), or `key` itself."""
    at = key.rfind("@")
    # A fixed suffix holds no `@`, so a Vertex version, when there is one, starts leftmost.
    if at != -1 and (version := _VERTEX_VERSION.match(key, at)) is not None:
        return key[:at] + key[version.end() :]
    fixed = _DATED_OR_CHANNEL.search(key, max(0, len(key) - _LONGEST_FIXED_SUFFIX))
    return key[: fixed.start()] + key[fixed.end() :] if fixed else key


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


@dataclass(frozen=True)
class _Named:
    """What one normalised name finds once the overrides apply."""

    entry: ModelEntry
    tokenizer_path: str | None = None


_index_cache: dict[int, tuple[ModelCatalog, dict[str, ModelEntry]]] = {}


def _catalog_index(catalog: ModelCatalog) -> dict[str, ModelEntry]:
    """Normalised id and alias → entry; built once per catalog object."""
    cached = _index_cache.get(id(catalog))
    if cached is not None and cached[0] is catalog:
        return cached[1]
    index: dict[str, ModelEntry] = {}
    for entry in catalog.models:
        for name in [entry.id, *entry.aliases]:
            index.setdefault(normalise(name), entry)
    if len(_index_cache) > 8:
        _index_cache.clear()
    _index_cache[id(catalog)] = (catalog, index)
    return index


def _find(index: Mapping[str, _Named], key: str) -> tuple[str, _Named] | None:
    for candidate in lookup_keys(key):
        if candidate in index:
            return candidate, index[candidate]
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


def _apply_overrides(
    catalog: ModelCatalog, overrides: Mapping[str, ModelOverride]
) -> tuple[dict[str, _Named], dict[str, list[str]]]:
    """Every normalised name → what it finds once the overrides apply; and the problems of
    the overrides, by normalised name.

    An override named by a catalog id or alias patches that entry, under all its names. One
    whose name finds an entry only without a suffix (`gpt-4o-2024-05-13`) becomes a model of its
    own, a patched copy of that entry, which stays as it was. Any other name adds a model, and
    must then give the context window and prices.
    """
    named = {name: _Named(entry) for name, entry in _catalog_index(catalog).items()}
    problems: dict[str, list[str]] = {}
    by_key: dict[str, list[tuple[str, ModelOverride]]] = {}
    for raw_key, override in overrides.items():
        by_key.setdefault(normalise(raw_key), []).append((raw_key, override))
    for key, spellings in by_key.items():
        if len(spellings) > 1:
            names = ", ".join(repr(raw) for raw, _ in spellings)
            problems.setdefault(key, []).append(
                f"promptweight.models names {key!r} {len(spellings)} times ({names}); "
                f"they apply in that order"
            )
    # Patches first, so that a copy made from a catalog entry carries its patches too.
    ordered = sorted(by_key.items(), key=lambda item: item[0] not in named)
    for key, spellings in ordered:
        for raw_key, override in spellings:
            problem = _apply_one(named, key, raw_key, override)
            if problem:
                problems.setdefault(key, []).append(problem)
    return named, problems


def _apply_one(
    named: dict[str, _Named], key: str, raw_key: str, override: ModelOverride
) -> str | None:
    if not key:
        return f"promptweight.models[{raw_key!r}]: a model name cannot be empty; ignored"
    try:
        if key in named:
            base, path = named[key].entry, override.tokenizer_path or named[key].tokenizer_path
            patched = _Named(_patched(base, override, None), path)
            for name, current in named.items():
                if current.entry.id == base.id:
                    named[name] = patched
            return None
        fallback = _find(named, key)
        if fallback is not None:
            copy = _patched(fallback[1].entry, override, key)
            named[key] = _Named(copy, override.tokenizer_path or fallback[1].tokenizer_path)
            return None
        added = _added(key, raw_key, override)
    except ValidationError as error:
        reasons = "; ".join(e["msg"] for e in error.errors())
        return f"promptweight.models[{raw_key!r}]: {reasons}; ignored"
    if isinstance(added, str):
        return added
    named[key] = _Named(added, override.tokenizer_path)
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
    named, problems_by_key = _apply_overrides(catalog, overrides or {})
    key = normalise(name)
    # "": an override without a usable name concerns no model, so it is told with every one.
    tried = ["", *lookup_keys(key)]
    found = _find(named, key)
    fine_tuned = False
    if found is None and key.startswith("ft:"):
        # OpenAI fine-tunes, ft:<base model>:<org>:<suffix>:<id>: the base model's entry.
        base = key.removeprefix("ft:").split(":")[0]
        tried += lookup_keys(base)
        found = _find(named, base)
        fine_tuned = found is not None
    if found is None:
        return Resolution(None, [p for k in tried for p in problems_by_key.get(k, [])])
    matched, hit = found
    problems = [
        problem
        for k, problems_of_k in problems_by_key.items()
        if k in tried or (k in named and named[k].entry.id == hit.entry.id)
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
    for key in lookup_keys(normalise(name)):
        try:
            return encoding_name_for_model(key)
        except KeyError:
            continue
    return None
