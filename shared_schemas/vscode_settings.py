"""`contributes.configuration` of package.json, generated from `Settings`.

Each field of `Settings` becomes `promptweight.<camelCaseName>` with its JSON type, default,
bounds, enum, scope and documentation, in its group: one titled section of the Settings editor
per topic (`SETTING_GROUPS`, in that order), the settings in the model's order. Settings the
server never sees (`promptweight.python`, read by the client alone) stay as written in
package.json, in the group they are written in (General, for one written outside any).

`capabilities.untrustedWorkspaces.restrictedConfigurations` is generated too: the client-only
settings written there, then every setting that names an executable or a path
(`is_restricted`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shared_schemas.settings import (
    SETTING_GROUPS,
    SettingGroup,
    Settings,
    is_restricted,
    setting_group,
)

PACKAGE_JSON = Path(__file__).resolve().parent.parent / "package.json"
PREFIX = "promptweight."
_COPIED = ("type", "default", "minimum", "maximum", "exclusiveMinimum", "enum")


def _wire_name(name: str) -> str:
    return Settings.model_fields[name].alias or name


def setting_properties() -> dict[str, dict[str, Any]]:
    """Every server setting's package.json entry, by its full name, in the model's order."""
    schema = Settings.model_json_schema(mode="serialization")
    properties: dict[str, dict[str, Any]] = {}
    for name, prop in schema["properties"].items():
        entry: dict[str, Any] = {key: prop[key] for key in _COPIED if key in prop}
        if "enum" in prop:
            entry["type"] = "string"
        if prop.get("additionalProperties") is not None or "$ref" in str(prop):
            entry.setdefault("type", "object")
        if name == "models":
            entry["default"] = {}
        if "enumDescriptions" in prop:
            entry["enumDescriptions"] = prop["enumDescriptions"]
        entry["scope"] = prop["scope"]
        entry["markdownDescription"] = prop["description"]
        properties[PREFIX + name] = entry
    return properties


def contributed_properties(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every setting package.json contributes, whether its configuration is one object or a
    list of groups."""
    configuration = manifest["contributes"]["configuration"]
    groups = configuration if isinstance(configuration, list) else [configuration]
    return {key: value for group in groups for key, value in group["properties"].items()}


def _own_properties(configuration: Any, generated: set[str]) -> dict[str, dict[str, Any]]:
    """The client-only settings as written, by the id of the group that holds them."""
    groups = configuration if isinstance(configuration, list) else [configuration]
    ids = {f"{PREFIX}{group}" for group in SETTING_GROUPS}
    own: dict[str, dict[str, Any]] = {}
    for group in groups:
        group_id = group.get("id") if group.get("id") in ids else f"{PREFIX}general"
        for key, value in group["properties"].items():
            if key not in generated:
                own.setdefault(group_id, {})[key] = value
    return own


def configuration_groups(configuration: Any) -> list[dict[str, Any]]:
    generated = setting_properties()
    own = _own_properties(configuration, set(generated))
    by_group: dict[SettingGroup, dict[str, dict[str, Any]]] = {g: {} for g in SETTING_GROUPS}
    for name in Settings.model_fields:
        full = PREFIX + _wire_name(name)
        by_group[setting_group(name)][full] = generated[full]
    result = []
    for order, (group, title) in enumerate(SETTING_GROUPS.items(), start=1):
        group_id = f"{PREFIX}{group}"
        # Client-only settings first, then the server's in the model's order.
        properties = {**own.get(group_id, {}), **by_group[group]}
        # The Settings editor sorts a group's settings by name unless each has an order.
        for position, entry in enumerate(by_group[group].values(), start=1):
            entry["order"] = position
        result.append({"id": group_id, "title": title, "order": order, "properties": properties})
    return result


def restricted_configurations(current: list[str]) -> list[str]:
    generated = {PREFIX + _wire_name(name) for name in Settings.model_fields}
    restricted = [PREFIX + _wire_name(n) for n in Settings.model_fields if is_restricted(n)]
    return [key for key in current if key not in generated] + restricted


def render_package_json(text: str) -> str:
    manifest = json.loads(text)
    contributes = manifest["contributes"]
    contributes["configuration"] = configuration_groups(contributes["configuration"])
    untrusted = manifest["capabilities"]["untrustedWorkspaces"]
    untrusted["restrictedConfigurations"] = restricted_configurations(
        untrusted.get("restrictedConfigurations", [])
    )
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


def write_package_json(path: Path = PACKAGE_JSON) -> None:
    path.write_text(render_package_json(path.read_text(encoding="utf-8")), encoding="utf-8")
