"""From a model name to what counts and prices it: a catalog entry and a token counter.

OpenAI models count exactly with tiktoken; open-weight models with their own tokenizer.json
when one is found locally (a configured path, or the Hugging Face cache); models without a
public local tokenizer are estimated with o200k_base and marked inexact. A model in neither the
catalog nor the settings is priced as the default model; it counts exactly only where
tiktoken's own model map names its encoding, and is otherwise an estimate that says so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from server.core.encodings import bundled_encoding_names
from server.core.model_resolution import resolve, tiktoken_encoding
from server.core.token_counters import (
    HuggingFaceCounter,
    TiktokenCounter,
    TokenCounter,
    TokenizerFileError,
)
from shared_schemas.model_catalog import (
    EstimateTokenizer,
    ModelCatalog,
    ModelEntry,
    ModelOverride,
    TiktokenTokenizer,
    load_catalog,
)

ESTIMATE_ENCODING = "o200k_base"


def _shown(name: str, limit: int = 80) -> str:
    """A model name as a message quotes it: a name pasted by mistake (a whole paragraph, a
    megabyte) must not become a megabyte-long diagnostic."""
    return repr(name if len(name) <= limit else name[: limit - 3] + "...")


@dataclass(frozen=True)
class ModelChoice:
    name: str  # as asked for
    entry: ModelEntry
    counter: TokenCounter
    notes: tuple[str, ...] = ()  # why a count is approximate, why another model is used

    @property
    def exact(self) -> bool:
        return self.counter.exact


@dataclass(frozen=True)
class ModelSettings:
    default_model: str = "gpt-4o-mini"
    overrides: tuple[tuple[str, ModelOverride], ...] = ()
    # Relative tokenizer paths from settings resolve here, and must stay inside it.
    workspace_root: Path | None = None


def hugging_face_cache_dirs() -> list[Path]:
    dirs = []
    if os.environ.get("HF_HUB_CACHE"):
        dirs.append(Path(os.environ["HF_HUB_CACHE"]))
    if os.environ.get("HF_HOME"):
        dirs.append(Path(os.environ["HF_HOME"]) / "hub")
    dirs.append(Path.home() / ".cache" / "huggingface" / "hub")
    return dirs


def find_cached_tokenizer(repo: str) -> Path | None:
    """The newest `tokenizer.json` of `repo` in the local Hugging Face cache; never downloads."""
    folder = "models--" + repo.replace("/", "--")
    found = [
        path
        for cache_dir in hugging_face_cache_dirs()
        for path in (cache_dir / folder / "snapshots").glob("*/tokenizer.json")
    ]
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


def configured_tokenizer_path(raw: str, workspace_root: Path | None) -> Path:
    path = Path(raw).expanduser()
    if workspace_root is None:
        return path.resolve()
    resolved = (workspace_root / path).resolve()
    if not resolved.is_relative_to(workspace_root.resolve()):
        raise TokenizerFileError(
            f"tokenizer path {raw!r} is outside the workspace ({workspace_root}); "
            "paths from settings must stay inside it"
        )
    return resolved


@cache
def _tiktoken_counter(encoding: str, exact: bool, note: str | None) -> TiktokenCounter:
    return TiktokenCounter(encoding, exact, note)


@cache
def _hugging_face_counter(path: Path, mtime: float, label: str) -> HuggingFaceCounter:
    # mtime in the key: an edited or replaced tokenizer.json is read again.
    return HuggingFaceCounter(path, label)


def counter_for(entry: ModelEntry, tokenizer_path: str | None, root: Path | None) -> TokenCounter:
    tokenizer = entry.tokenizer
    if tokenizer_path:
        # A tokenizer.json named in settings is the model's own, whatever the catalog says.
        return _configured_counter(entry, tokenizer_path, root)
    if tokenizer.kind == "tiktoken":
        return _tiktoken_counter(tokenizer.encoding, True, None)
    if tokenizer.kind == "estimate":
        # Said of the model, not its maker: the catalog estimates some open-weight models too
        # (those LiteLLM lists whose tokenizer it does not name).
        note = (
            f"no local tokenizer is known for {entry.id} ({entry.provider}); "
            f"estimated with {tokenizer.encoding}"
        )
        return _tiktoken_counter(tokenizer.encoding, False, note)
    try:
        path = find_cached_tokenizer(tokenizer.repo)
        if path is None:
            note = (
                f"no local tokenizer.json for {tokenizer.repo} (Hugging Face cache, or set "
                f"`tokenizerPath` in promptweight.models); estimated with {ESTIMATE_ENCODING}"
            )
            return _tiktoken_counter(ESTIMATE_ENCODING, False, note)
        return _hugging_face_counter(path, path.stat().st_mtime, f"{tokenizer.repo} tokenizer")
    except (TokenizerFileError, OSError) as error:
        return _tiktoken_counter(
            ESTIMATE_ENCODING, False, f"{error}; estimated with {ESTIMATE_ENCODING}"
        )


def _configured_counter(entry: ModelEntry, raw_path: str, root: Path | None) -> TokenCounter:
    try:
        path = configured_tokenizer_path(raw_path, root)
        if not path.is_file():
            raise TokenizerFileError(f"tokenizer file {path} does not exist")
        return _hugging_face_counter(path, path.stat().st_mtime, f"{entry.id} tokenizer.json")
    except (TokenizerFileError, OSError) as error:
        return _tiktoken_counter(
            ESTIMATE_ENCODING, False, f"{error}; estimated with {ESTIMATE_ENCODING}"
        )


def unknown_model_counter(name: str, default: ModelEntry) -> TokenCounter:
    """What counts a model the catalog and the settings do not know.

    Its tokenizer is unknown too, so the default model's tokenizer would only be a guess: the
    count is exact only where tiktoken's model map (OpenAI's own) names a bundled encoding for
    the name. The note names no model, so that every unknown name typed shares one counter
    and its cache.
    """
    encoding = tiktoken_encoding(name)
    if encoding is not None and encoding in bundled_encoding_names():
        return _tiktoken_counter(encoding, True, None)
    tokenizer = default.tokenizer
    guess = (
        tokenizer.encoding
        if isinstance(tokenizer, TiktokenTokenizer | EstimateTokenizer)
        and tokenizer.encoding in bundled_encoding_names()
        else ESTIMATE_ENCODING
    )
    why = (
        f"its encoding, {encoding}, is not bundled"
        if encoding is not None
        else "a model unknown to the catalog and the settings has no known tokenizer"
    )
    return _tiktoken_counter(guess, False, f"{why}; estimated with {guess}")


def choose_model(name: str | None, settings: ModelSettings) -> ModelChoice:
    """The model `name` names (a file's own), else the default; never fails."""
    catalog: ModelCatalog = load_catalog()
    overrides = dict(settings.overrides)
    notes: list[str] = []
    entry = None
    resolution = None
    unknown = False
    if name:
        resolution = resolve(name, catalog, overrides)
        entry = resolution.entry
        notes += resolution.problems
        unknown = entry is None
    tokenizer_path = resolution.tokenizer_path if resolution and entry else None
    if entry is None:
        default = resolve(settings.default_model, catalog, overrides)
        notes += [p for p in default.problems if p not in notes]
        entry, tokenizer_path = default.entry, default.tokenizer_path
        if entry is None:
            notes.append(
                f"unknown default model {_shown(settings.default_model)}; using gpt-4o-mini"
            )
            entry = resolve("gpt-4o-mini", catalog, {}).entry
            assert entry is not None, "the bundled catalog always has gpt-4o-mini"
    if name and unknown:
        counter = unknown_model_counter(name, entry)
        # An estimate's reason is the counter's own note, which the hover shows as well.
        counted = (
            f", counted with {counter.name}, tiktoken's encoding for it" if counter.exact else ""
        )
        notes.append(
            f"unknown model {_shown(name)}: not in the catalog or promptweight.models; "
            f"priced as {entry.id}{counted}"
        )
    else:
        counter = counter_for(entry, tokenizer_path, settings.workspace_root)
    if counter.note:
        notes.append(counter.note)
    return ModelChoice(name or settings.default_model, entry, counter, tuple(notes))
