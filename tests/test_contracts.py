"""The places that must agree with each other do."""

from __future__ import annotations

import json
import re
from pathlib import Path

from server.core.prompt_files import PROMPT_FILE_PATTERNS, is_prompt_file
from shared_schemas import DocumentStats
from shared_schemas.generate import SCHEMA_PATH, render

REPO = Path(__file__).resolve().parent.parent


def test_committed_json_schema_is_up_to_date() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render(), "run `make generate`"


def test_wire_names_are_camel_case() -> None:
    stats = DocumentStats(
        uri="file:///a.prompty",
        version=3,
        format="prompty",
        model="m",
        encoding="e",
        exact=True,
        prompt_tokens=7,
    )
    assert stats.to_wire()["promptTokens"] == 7
    assert DocumentStats.model_validate(stats.to_wire()) == stats


def test_client_document_selector_matches_the_server() -> None:
    extension = (REPO / "client" / "src" / "extension.ts").read_text(encoding="utf-8")
    match = re.search(r"PROMPT_FILE_PATTERNS = \[(.*?)\]", extension, re.S)
    assert match is not None
    assert tuple(re.findall(r'"([^"]+)"', match.group(1))) == PROMPT_FILE_PATTERNS


def test_activation_events_cover_every_prompt_file_pattern() -> None:
    manifest = json.loads((REPO / "package.json").read_text(encoding="utf-8"))
    events = set(manifest["activationEvents"])
    assert {f"workspaceContains:**/{p}" for p in PROMPT_FILE_PATTERNS} <= events


def test_settings_and_initialization_options_agree() -> None:
    manifest = json.loads((REPO / "package.json").read_text(encoding="utf-8"))
    settings = manifest["contributes"]["configuration"]["properties"]
    options = json.loads(render())["$defs"]["InitializationOptions"]["properties"]
    for name, option in options.items():
        # `models` defaults to a fresh {} (default_factory), which JSON Schema does not show.
        assert settings[f"promptweight.{name}"]["default"] == option.get("default", {})


def test_examples_are_prompt_files() -> None:
    examples = [p for p in (REPO / "examples").iterdir() if p.is_file()]
    assert examples and all(is_prompt_file(p) for p in examples)
