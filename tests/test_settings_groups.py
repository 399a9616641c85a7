"""package.json's settings: grouped by topic, each with the scope its use calls for, and every
setting that names an executable or a path ignored from an untrusted workspace."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shared_schemas.settings import SETTING_GROUPS, Settings, is_restricted, setting_scope
from shared_schemas.vscode_settings import PREFIX, contributed_properties

REPO = Path(__file__).resolve().parent.parent
MANIFEST: dict[str, Any] = json.loads((REPO / "package.json").read_text(encoding="utf-8"))
WIRE = {name: PREFIX + (field.alias or name) for name, field in Settings.model_fields.items()}


def test_the_configuration_is_one_titled_group_per_topic_in_order() -> None:
    groups = MANIFEST["contributes"]["configuration"]
    assert [(g["title"], g["order"]) for g in groups] == [
        (title, order) for order, title in enumerate(SETTING_GROUPS.values(), start=1)
    ]


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_every_setting_names_its_group(name: str) -> None:
    extra = Settings.model_fields[name].json_schema_extra
    assert isinstance(extra, dict) and extra.get("group") in SETTING_GROUPS


@pytest.mark.parametrize(
    ("setting", "scope"),
    [
        # What runs code or names files: never from an untrusted workspace.
        ("promptweight.python", "machine-overridable"),
        ("promptweight.training.python", "machine"),
        ("promptweight.models", "machine-overridable"),  # its tokenizerPath entries
        # Analysis knobs: per workspace folder.
        ("promptweight.model", "resource"),
        ("promptweight.maxSequenceTokens", "resource"),
        ("promptweight.advisor.gpuHourUsd", "resource"),
    ],
)
def test_each_kind_of_setting_has_its_scope(setting: str, scope: str) -> None:
    assert contributed_properties(MANIFEST)[setting]["scope"] == scope


def test_every_setting_that_names_an_executable_or_a_path_is_restricted() -> None:
    listed = MANIFEST["capabilities"]["untrustedWorkspaces"]["restrictedConfigurations"]
    expected = {WIRE[name] for name in Settings.model_fields if is_restricted(name)}
    assert expected <= set(listed)
    assert {"promptweight.python", "promptweight.datasetFolder"} <= set(listed)


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_machine_scoped_settings_are_restricted(name: str) -> None:
    if setting_scope(name) in ("machine", "machine-overridable"):
        assert is_restricted(name)


def test_the_client_only_setting_stays_in_the_general_group() -> None:
    general = MANIFEST["contributes"]["configuration"][0]
    assert general["title"] == "General" and "promptweight.python" in general["properties"]
