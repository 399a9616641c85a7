"""Settings from the client, read field by field: one bad value falls back to its default
and is reported, without discarding the others. The window's settings and each workspace
folder's are read the same way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from server.core.economics import UsageDefaults
from server.core.model_choice import ModelSettings
from server.core.prompt_analysis import AnalysisSettings
from shared_schemas import FolderSettings, Settings
from shared_schemas.model_catalog import ModelOverride

_FOLDERS = "folders"
_NOT_SETTINGS = {_FOLDERS, "workspaceTrusted"}  # read by `read_folders` and `read_trust`


def _error_text(error: ValidationError) -> str:
    return "; ".join(e["msg"] for e in error.errors())


def read_options(raw: Any, where: str = "") -> tuple[Settings, list[str]]:
    """The settings in `raw` (initialization options, or one folder's), and what was wrong.
    `where` names the folder in messages."""
    if raw is None:
        return Settings(), []
    if not isinstance(raw, dict):
        return Settings(), [f"settings{where} must be an object, not {type(raw).__name__}"]
    errors: list[str] = []
    accepted: dict[str, Any] = {}
    fields = Settings.model_fields
    by_alias = {info.alias or name: name for name, info in fields.items()}
    for key, value in raw.items():
        if key in _NOT_SETTINGS:
            continue
        name = by_alias.get(key, key)
        if name not in fields:
            errors.append(f"unknown setting {key!r}{where} ignored")
            continue
        if name == "models":
            accepted[name] = _read_models(value, errors, where)
            continue
        try:
            Settings.model_validate({key: value})
        except ValidationError as error:
            default = fields[name].get_default(call_default_factory=True)
            errors.append(f"promptweight.{key}{where}: {_error_text(error)}; using {default!r}")
            continue
        accepted[name] = value
    return Settings.model_validate(accepted), errors


def read_trust(raw: Any) -> bool:
    """Whether the client said the workspace is trusted (anything else: not)."""
    return isinstance(raw, dict) and raw.get("workspaceTrusted") is True


def read_folders(raw: Any, window: Settings) -> tuple[dict[str, Settings], list[str]]:
    """Each workspace folder's settings by folder URI, from the options' `folders`: the
    window's, with what the folder sets on top (a folder sends only its folder-scoped keys, so
    window- and machine-scoped ones such as `training.python` come from the window)."""
    if not isinstance(raw, dict) or raw.get(_FOLDERS) is None:
        return {}, []
    entries = raw[_FOLDERS]
    if not isinstance(entries, list):
        return {}, ["settings 'folders' must be a list; ignored"]
    found: dict[str, Settings] = {}
    errors: list[str] = []
    for entry in entries:
        try:
            folder = FolderSettings.model_validate(entry)
        except ValidationError as error:
            errors.append(f"a folder's settings: {_error_text(error)}; ignored")
            continue
        settings, problems = read_options(folder.settings, f" (folder {folder.uri})")
        found[folder.uri] = window.model_copy(
            update={name: getattr(settings, name) for name in settings.model_fields_set}
        )
        errors += problems
    return found, errors


def _read_models(value: Any, errors: list[str], where: str) -> dict[str, ModelOverride]:
    if not isinstance(value, dict):
        errors.append(f"promptweight.models{where} must map model names to their facts; ignored")
        return {}
    models = {}
    for name, facts in value.items():
        try:
            models[str(name)] = ModelOverride.model_validate(facts)
        except ValidationError as error:
            errors.append(f"promptweight.models[{name!r}]{where}: {_error_text(error)}; ignored")
    return models


def analysis_settings(options: Settings, workspace_root: Path | str | None) -> AnalysisSettings:
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
