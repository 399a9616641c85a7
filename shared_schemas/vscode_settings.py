"""`contributes.configuration` of package.json, generated from `Settings`.

Each field of `Settings` becomes `promptweight.<camelCaseName>` with its JSON type, default,
bounds, enum, scope and documentation. Settings the server never sees (`promptweight.python`,
read by the client alone) stay as written in package.json, ahead of the generated ones.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shared_schemas.settings import Settings

PACKAGE_JSON = Path(__file__).resolve().parent.parent / "package.json"
PREFIX = "promptweight."
_COPIED = ("type", "default", "minimum", "maximum", "exclusiveMinimum", "enum")


def setting_properties() -> dict[str, dict[str, Any]]:
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


def render_package_json(text: str) -> str:
    manifest = json.loads(text)
    configuration = manifest["contributes"]["configuration"]
    generated = setting_properties()
    own = {k: v for k, v in configuration["properties"].items() if k not in generated}
    # Client-only settings first, then the server's in the model's order.
    configuration["properties"] = {**own, **generated}
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


def write_package_json(path: Path = PACKAGE_JSON) -> None:
    path.write_text(render_package_json(path.read_text(encoding="utf-8")), encoding="utf-8")
