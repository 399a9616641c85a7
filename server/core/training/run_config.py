"""A run's configuration: `promptweight.train.yaml` read and checked, flags applied on top,
paths resolved against the config's folder. No torch: the CLI and the language server use it
before they start the trainer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from server.core.model_choice import hugging_face_cache_dirs
from server.core.safe_files import read_regular_bytes
from server.core.yaml_limits import compose_limited
from shared_schemas.training import TrainingConfig

CONFIG_FILE_NAME = "promptweight.train.yaml"
_MAX_CONFIG_BYTES = 1_000_000


class RunConfigError(ValueError):
    """The configuration cannot start a run; the message says why, for the user."""


@dataclass(frozen=True)
class RunConfig:
    config: TrainingConfig
    folder: Path  # paths in the config are relative to it

    def path(self, value: str) -> Path:
        return (self.folder / value).resolve()

    @property
    def datasets(self) -> list[Path]:
        return [self.path(d) for d in self.config.datasets]

    @property
    def output_dir(self) -> Path:
        return self.path(self.config.output_dir)

    def base_model_folder(self) -> Path | None:
        """The base model as a local folder, if it names one."""
        candidate = self.path(self.config.base_model)
        return candidate if (candidate / "config.json").is_file() else None

    def base_model_config(self) -> dict[str, Any] | None:
        """The base model's `config.json`, from its folder or the local Hugging Face cache;
        None when neither has it (nothing is downloaded)."""
        folder = self.base_model_folder()
        found = [folder / "config.json"] if folder is not None else []
        if not found:
            cache = "models--" + self.config.base_model.replace("/", "--")
            for hub in hugging_face_cache_dirs():
                found += sorted((hub / cache / "snapshots").glob("*/config.json"))
        for path in found:
            try:
                loaded = json.loads(read_regular_bytes(path, _MAX_CONFIG_BYTES))
            except (OSError, ValueError):
                continue
            if isinstance(loaded, dict):
                return loaded
        return None


def _errors(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'config'}: {e['msg']}" for e in error.errors()
    )


def load_run_config(path: Path | None, overrides: dict[str, Any]) -> RunConfig:
    """The config at `path` (or none: flags only, relative to the working folder) with the
    flags' `overrides` (wire names: `baseModel`, `datasets`, `maxSteps`, `outputDir`)."""
    raw: dict[str, Any] = {}
    folder = Path.cwd()
    if path is not None:
        try:
            text = read_regular_bytes(path, _MAX_CONFIG_BYTES).decode("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise RunConfigError(f"cannot read {path}: {error}") from error
        try:
            loaded, _, refusal = compose_limited(text, yaml.SafeLoader, single=True)
        except yaml.YAMLError as error:
            raise RunConfigError(f"{path} is not valid YAML: {error}") from error
        if refusal is not None:
            raise RunConfigError(f"{path}: {refusal.reason}")
        if loaded is not None and not isinstance(loaded, dict):
            raise RunConfigError(f"{path} must be a mapping of settings")
        raw = loaded or {}
        folder = path.resolve().parent
    raw.update({k: v for k, v in overrides.items() if v is not None})
    try:
        config = TrainingConfig.model_validate(raw)
    except ValidationError as error:
        raise RunConfigError(f"invalid training config: {_errors(error)}") from error
    return RunConfig(config, folder)
