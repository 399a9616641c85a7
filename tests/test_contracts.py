"""The places that must agree with each other do."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from server.core.prompt_files import PROMPT_FILE_PATTERNS, is_prompt_file
from server.core.training.run_config import load_run_config
from shared_schemas import DocumentStats, Settings
from shared_schemas.generate import SCHEMA_PATH, render
from shared_schemas.methods import METHODS
from shared_schemas.settings import setting_scope
from shared_schemas.vscode_settings import contributed_properties, render_package_json

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


def test_package_json_settings_are_generated_from_the_model() -> None:
    text = (REPO / "package.json").read_text(encoding="utf-8")
    assert text == render_package_json(text), "run `make generate`"


def test_every_server_setting_is_contributed_with_its_scope() -> None:
    manifest = json.loads((REPO / "package.json").read_text(encoding="utf-8"))
    properties = contributed_properties(manifest)
    for name, field in Settings.model_fields.items():
        key = "promptweight." + (field.alias or name)
        assert properties[key]["scope"] == setting_scope(name)


def test_the_client_sends_the_keys_the_model_defines() -> None:
    generated = (REPO / "client" / "src" / "generated" / "protocol.ts").read_text(encoding="utf-8")
    match = re.search(r"export const SETTINGS = \{(.*?)\} as const", generated, re.S)
    assert match is not None
    sent = set(re.findall(r'"([\w.]+)":', match.group(1)))
    assert sent == {field.alias or name for name, field in Settings.model_fields.items()}


def _sources(folder: str, suffix: str) -> list[Path]:
    return [p for p in (REPO / folder).rglob(f"*{suffix}") if "generated" not in p.parts]


@pytest.mark.parametrize(("folder", "suffix"), [("client/src", ".ts"), ("server", ".py")])
def test_custom_method_names_come_from_the_registry(folder: str, suffix: str) -> None:
    for path in _sources(folder, suffix):
        text = path.read_text(encoding="utf-8")
        for method in METHODS:
            assert f'"{method.name}"' not in text, f"{path}: use the registry for {method.name}"


def test_the_registry_names_each_method_once() -> None:
    assert len({m.name for m in METHODS}) == len({m.key for m in METHODS}) == len(METHODS)


def _imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


TRAINING_LIBRARIES = {"torch", "transformers", "peft", "bitsandbytes", "accelerate", "trl"}
LSP_LIBRARIES = {"pygls", "lsprotocol"}


@pytest.mark.parametrize("path", sorted((REPO / "server" / "core").rglob("*.py")), ids=str)
def test_the_core_imports_no_lsp_library(path: Path) -> None:
    assert not _imported_modules(path) & LSP_LIBRARIES


OUTSIDE_THE_TRAINER = sorted(
    p for p in (REPO / "server").rglob("*.py") if "training" not in p.relative_to(REPO).parts[1:2]
)


@pytest.mark.parametrize("path", OUTSIDE_THE_TRAINER, ids=str)
def test_only_the_trainer_process_imports_training_libraries(path: Path) -> None:
    """The language server and the analysis core stay light: torch and friends load only in
    `python -m server.training`, its own process."""
    assert not _imported_modules(path) & TRAINING_LIBRARIES


def test_examples_are_prompt_files_a_dataset_and_a_run_config() -> None:
    examples = [p for p in (REPO / "examples").iterdir() if p.is_file()]
    prompts = [p for p in examples if is_prompt_file(p)]
    assert prompts
    assert sorted(p.name for p in examples if p not in prompts) == [
        "promptweight.train.yaml",
        "triage.train.jsonl",
    ]


def test_the_example_run_config_reads_and_names_its_dataset() -> None:
    run = load_run_config(REPO / "examples" / "promptweight.train.yaml", {})
    assert all(path.is_file() for path in run.datasets)
    assert run.config.base_model == "tiny-model"  # built by `make run`, ignored by git


def test_every_contributed_command_is_registered_by_the_client_and_back() -> None:
    manifest = json.loads((REPO / "package.json").read_text(encoding="utf-8"))
    contributed = {c["command"] for c in manifest["contributes"]["commands"]}
    sources = "".join(p.read_text(encoding="utf-8") for p in _sources("client/src", ".ts"))
    registered = set(re.findall(r'(?:registerCommand|command)\("(promptweight\.\w+)"', sources))
    assert contributed == registered
    menus = manifest["contributes"]["menus"]
    assert {m["command"] for entries in menus.values() for m in entries} <= contributed


def test_the_walkthroughs_media_exist_and_ship_in_the_vsix() -> None:
    manifest = json.loads((REPO / "package.json").read_text(encoding="utf-8"))
    shipped = (REPO / ".vscodeignore").read_text(encoding="utf-8").splitlines()
    commands = {c["command"] for c in manifest["contributes"]["commands"]}
    [walkthrough] = manifest["contributes"]["walkthroughs"]
    for step in walkthrough["steps"]:
        media = step["media"]["markdown"]
        assert (REPO / media).is_file(), media
        assert f"!{Path(media).parent}/*.md" in shipped
        linked = re.findall(r"command:(promptweight\.\w+)", step["description"])
        assert set(linked) <= commands
