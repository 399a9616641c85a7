"""Settings from the client, read field by field: one bad value falls back to its default
and is reported, without discarding the others."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from server.core.economics import UsageDefaults
from server.core.model_choice import ModelSettings
from server.core.prompt_analysis import AnalysisSettings
from shared_schemas import InitializationOptions
from shared_schemas.model_catalog import ModelOverride


def _error_text(error: ValidationError) -> str:
    return "; ".join(e["msg"] for e in error.errors())


def read_options(raw: Any) -> tuple[InitializationOptions, list[str]]:
    if raw is None:
        return InitializationOptions(), []
    if not isinstance(raw, dict):
        return InitializationOptions(), [f"settings must be an object, not {type(raw).__name__}"]
    errors: list[str] = []
    accepted: dict[str, Any] = {}
    fields = InitializationOptions.model_fields
    by_alias = {info.alias or name: name for name, info in fields.items()}
    for key, value in raw.items():
        name = by_alias.get(key, key)
        if name not in fields:
            errors.append(f"unknown setting {key!r} ignored")
            continue
        if name == "models":
            accepted[name] = _read_models(value, errors)
            continue
        try:
            InitializationOptions.model_validate({key: value})
        except ValidationError as error:
            default = fields[name].get_default(call_default_factory=True)
            errors.append(f"promptweight.{key}: {_error_text(error)}; using {default!r}")
            continue
        accepted[name] = value
    return InitializationOptions.model_validate(accepted), errors


def _read_models(value: Any, errors: list[str]) -> dict[str, ModelOverride]:
    if not isinstance(value, dict):
        errors.append("promptweight.models must map model names to their facts; ignored")
        return {}
    models = {}
    for name, facts in value.items():
        try:
            models[str(name)] = ModelOverride.model_validate(facts)
        except ValidationError as error:
            errors.append(f"promptweight.models[{name!r}]: {_error_text(error)}; ignored")
    return models


def analysis_settings(
    options: InitializationOptions, workspace_root: str | None
) -> AnalysisSettings:
    return AnalysisSettings(
        models=ModelSettings(
            default_model=options.model,
            overrides=tuple(options.models.items()),
            workspace_root=Path(workspace_root) if workspace_root else None,
        ),
        usage=UsageDefaults(
            max_output_tokens=options.max_output_tokens,
            budget_tokens=options.budget_tokens,
            calls_per_day=options.calls_per_day,
            saturation_warning=options.saturation_warning,
            few_shot_share_info=options.few_shot_share_info,
        ),
        max_characters=options.max_document_characters,
    )
