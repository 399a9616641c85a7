"""A `*.train.yaml` written for the user: the settings they chose (camelCase, as they would type
them), defaults left out so the file stays short, and a name that is free."""

from __future__ import annotations

from pathlib import Path

import yaml

from shared_schemas.training import TrainingConfig

HEADER = (
    "# A QLoRA run: `Promptweight: Start Fine-Tuning` or `promptweight train {name}`.\n"
    "# Every setting, with its default: TrainingConfig in shared_schemas/training.py.\n"
)


def config_text(config: TrainingConfig, file_name: str) -> str:
    """The YAML of `config`: the fields set or required, in the model's order."""
    chosen = config.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    chosen = {"name": config.name, **chosen}  # the run's name says what the file is, always
    body = yaml.safe_dump(chosen, sort_keys=False, allow_unicode=True, default_flow_style=None)
    return HEADER.format(name=file_name) + body


def free_config_path(folder: Path, name: str) -> Path:
    """`promptweight.train.yaml` when it is free, else `<name>.train.yaml`, else a numbered one:
    a wizard never overwrites a config."""
    candidates = [folder / "promptweight.train.yaml", folder / f"{name}.train.yaml"]
    candidates += [folder / f"{name}-{n}.train.yaml" for n in range(2, 1000)]
    for candidate in candidates:
        if not candidate.exists() and not candidate.is_symlink():
            return candidate
    raise FileExistsError(f"no free config name for {name!r} in {folder}")
