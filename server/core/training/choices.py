"""What the Start Fine-Tuning wizard offers in a workspace folder: its `.jsonl` datasets, the base
models it can load without downloading (model folders in the workspace, models in the local
Hugging Face cache) and its existing run configs. The walk is bounded: a huge folder costs a few
thousand directory entries, not a full scan."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from server.core.model_choice import hugging_face_cache_dirs
from server.core.safe_files import read_regular_bytes
from shared_schemas.training_setup import BaseModelChoice, TrainingChoices

MAX_ENTRIES = 20_000
MAX_DEPTH = 4
# Folders that hold no user data worth offering (and can hold very many files).
SKIPPED = {"node_modules", "runs", "__pycache__", "dist", "build", "site-packages"}
_MAX_CONFIG_BYTES = 1 << 20


def _walk(folder: Path) -> Iterator[tuple[Path, list[str]]]:
    """(directory, its file names), breadth first, hidden and skipped folders left out."""
    seen = 0
    queue = [(folder, 0)]
    while queue and seen < MAX_ENTRIES:
        current, depth = queue.pop(0)
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        seen += len(entries)
        files = [e.name for e in entries if e.is_file(follow_symlinks=False)]
        yield current, files
        if depth < MAX_DEPTH:
            queue += [
                (Path(e.path), depth + 1)
                for e in sorted(entries, key=lambda e: e.name)
                if e.is_dir(follow_symlinks=False)
                and not e.name.startswith(".")
                and e.name not in SKIPPED
            ]


def _model_detail(config_path: Path) -> str | None:
    """`llama · 24 layers · hidden 896`, or None when the file is no model config."""
    try:
        config: Any = json.loads(read_regular_bytes(config_path, _MAX_CONFIG_BYTES))
    except (OSError, ValueError):
        return None
    if not isinstance(config, dict) or "model_type" not in config:
        return None
    parts = [str(config["model_type"])]
    if isinstance(config.get("num_hidden_layers"), int):
        parts.append(f"{config['num_hidden_layers']} layers")
    if isinstance(config.get("hidden_size"), int):
        parts.append(f"hidden {config['hidden_size']}")
    return " · ".join(parts)


def _cached_models() -> list[BaseModelChoice]:
    found: dict[str, BaseModelChoice] = {}
    for hub in hugging_face_cache_dirs():
        for repo in sorted(hub.glob("models--*")):
            model_id = repo.name.removeprefix("models--").replace("--", "/")
            for config_path in sorted((repo / "snapshots").glob("*/config.json")):
                detail = _model_detail(config_path)
                if detail is not None and model_id not in found:
                    found[model_id] = BaseModelChoice(id=model_id, source="cache", detail=detail)
    return list(found.values())


def training_choices(folder: Path) -> TrainingChoices:
    datasets: list[str] = []
    models: list[BaseModelChoice] = []
    configs: list[str] = []
    for directory, files in _walk(folder):
        relative = directory.relative_to(folder)
        for name in sorted(files):
            if name.endswith(".jsonl"):
                datasets.append((relative / name).as_posix())
            elif name.endswith(".train.yaml"):
                configs.append((directory / name).as_uri())
        if "config.json" in files and any(n.startswith("tokenizer") for n in files):
            detail = _model_detail(directory / "config.json")
            if detail is not None and directory != folder:
                models.append(
                    BaseModelChoice(id=relative.as_posix(), source="folder", detail=detail)
                )
    return TrainingChoices(
        datasets=datasets, base_models=models + _cached_models(), configs=configs
    )
