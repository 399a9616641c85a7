"""The models a setting can name, as a picker lists them: the catalog with the user's overrides
applied, each with whether this machine counts its tokens exactly.

Exactness is told without loading any tokenizer (the catalog will hold thousands of models):
tiktoken encodings are bundled, an open-weight model is exact when its `tokenizer.json` is in
the local Hugging Face cache or at a configured path inside the workspace, and the rest are
estimates, as `model_choice.counter_for` would count them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from server.core.model_choice import (
    ESTIMATE_ENCODING,
    ModelSettings,
    configured_tokenizer_path,
    find_cached_tokenizer,
)
from server.core.model_resolution import resolve
from server.core.token_counters import TokenizerFileError
from shared_schemas.model_catalog import ModelCatalog, ModelEntry, load_catalog


@dataclass(frozen=True)
class ListedModel:
    entry: ModelEntry
    exact: bool
    tokenizer: str  # what counts it, or why it is estimated


@dataclass(frozen=True)
class _Known:
    entry: ModelEntry
    tokenizer_path: str | None = None


def _with_overrides(catalog: ModelCatalog, settings: ModelSettings) -> list[_Known]:
    """Catalog entries, each replaced by its patched form, plus the models the settings add.

    Each override is resolved by its own name, as a prompt naming it would be: a patch keeps
    the entry's id, a copy or an added model gets the override's name (one resolve per
    override, not per entry: the catalog is large, the overrides few)."""
    known = {entry.id: _Known(entry) for entry in catalog.models}
    overrides = dict(settings.overrides)
    for name in overrides:
        found = resolve(name, catalog, overrides)
        if found.entry is not None:
            known[found.entry.id] = _Known(found.entry, found.tokenizer_path)
    return list(known.values())


def _has_local_tokenizer(repo: str) -> bool:
    try:
        return find_cached_tokenizer(repo) is not None
    except OSError:
        return False


def _counting(
    known: _Known, settings: ModelSettings, local: Callable[[str], bool]
) -> tuple[bool, str]:
    entry, estimated = known.entry, f"estimated with {ESTIMATE_ENCODING}"
    if known.tokenizer_path:
        try:
            path = configured_tokenizer_path(known.tokenizer_path, settings.workspace_root)
        except TokenizerFileError:
            return False, f"{estimated} (its tokenizerPath is outside the workspace)"
        if path.is_file():
            return True, known.tokenizer_path
        return False, f"{estimated} ({known.tokenizer_path} not found)"
    tokenizer = entry.tokenizer
    if tokenizer.kind == "tiktoken":
        return True, tokenizer.encoding
    if tokenizer.kind == "estimate":
        return False, f"estimated with {tokenizer.encoding}"
    if local(tokenizer.repo):
        return True, f"{tokenizer.repo} tokenizer.json"
    return False, f"{estimated} (no local {tokenizer.repo} tokenizer.json)"


def list_models(settings: ModelSettings, catalog: ModelCatalog | None = None) -> list[ListedModel]:
    """Every model the settings can name, by provider, each provider's own names before hosts'
    prefixed ones, then by id (case aside). Reads the
    Hugging Face cache's folders: callers keep it off the event loop."""
    catalog = catalog or load_catalog()
    listed = []
    # Many entries share a repository (sizes, hosts): its cache folder is looked at once.
    local = cache(_has_local_tokenizer)
    for known in _with_overrides(catalog, settings):
        exact, tokenizer = _counting(known, settings, local)
        listed.append(ListedModel(known.entry, exact, tokenizer))
    return sorted(listed, key=_order)


def _order(listed: ListedModel) -> tuple[str, bool, str]:
    # A provider's own names first, then the same models under a host's prefix (`azure/eu/...`).
    entry = listed.entry
    return entry.provider.lower(), "/" in entry.id, entry.id.lower()


def resolved_id(
    name: str, settings: ModelSettings, catalog: ModelCatalog | None = None
) -> str | None:
    """The id of the listed model `name` means, or None when nothing knows it."""
    found = resolve(name, catalog or load_catalog(), dict(settings.overrides))
    return found.entry.id if found.entry is not None else None
