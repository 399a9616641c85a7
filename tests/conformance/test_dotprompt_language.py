"""The Dotprompt language the extension contributes for `.prompt` files: registered, shipped,
and its grammar recognising each kind of Handlebars tag Dotprompt uses.

There is no TextMate engine here, so the grammar is checked the way the engine starts: at a
tag's first character every body rule is tried in order and the first that matches wins (all
candidates match at the same position, where TextMate goes by order).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent.parent
MANIFEST = json.loads((REPO / "package.json").read_text(encoding="utf-8"))
CONTRIBUTES = MANIFEST["contributes"]
GRAMMAR_PATH = REPO / "syntaxes" / "dotprompt.tmLanguage.json"
GRAMMAR: dict[str, Any] = json.loads(GRAMMAR_PATH.read_text(encoding="utf-8"))


def _language(language_id: str) -> dict[str, Any]:
    languages: list[dict[str, Any]] = CONTRIBUTES["languages"]
    [language] = [entry for entry in languages if entry["id"] == language_id]
    return language


def test_prompt_files_open_as_dotprompt() -> None:
    language = _language("dotprompt")
    assert language["extensions"] == [".prompt"]
    assert (REPO / language["configuration"]).is_file()
    assert "onLanguage:dotprompt" in MANIFEST["activationEvents"]


def test_the_grammar_is_contributed_for_the_language_and_shipped() -> None:
    [grammar] = [g for g in CONTRIBUTES["grammars"] if g["language"] == "dotprompt"]
    assert REPO / grammar["path"] == GRAMMAR_PATH
    assert grammar["scopeName"] == GRAMMAR["scopeName"]
    shipped = (REPO / ".vscodeignore").read_text(encoding="utf-8").splitlines()
    assert "!syntaxes/*.json" in shipped


def _patterns(rule: dict[str, Any]) -> list[str]:
    found = [rule[key] for key in ("match", "begin", "end") if key in rule]
    for inner in rule.get("patterns", []):
        found += _patterns(inner)
    return found


@pytest.mark.parametrize("name", sorted(GRAMMAR["repository"]))
def test_every_rule_compiles(name: str) -> None:
    for pattern in _patterns(GRAMMAR["repository"][name]):
        re.compile(pattern)


def _first_rule(text: str) -> str | None:
    for entry in GRAMMAR["repository"]["body"]["patterns"]:
        name: str = entry["include"].removeprefix("#")
        rule = GRAMMAR["repository"][name]
        if re.match(rule.get("match") or rule["begin"], text):
            return name
    return None


TAGS = [
    ('{{role "user"}}', "role"),
    ("{{~ role 'model' ~}}", "role"),
    ('{{#role "system"}}', "role"),
    ("{{/role}}", "block-close"),
    ('{{section "intro"}}', "structure-helper"),
    ("{{media url=photoUrl}}", "structure-helper"),
    ("{{history}}", "structure-helper"),
    ("{{json data indent=2}}", "structure-helper"),
    ("{{> style personality=p}}", "partial"),
    ("{{#if formal}}", "block-open"),
    ("{{#each items}}", "block-open"),
    ("{{/if}}", "block-close"),
    ("{{else}}", "else"),
    ("{{!-- a {{nested}} note --}}", "comment-block"),
    ("{{! a note }}", "comment"),
    ("{{{raw}}}", "raw-expression"),
    ("{{name}}", "expression"),
    ("{{@state.name}}", "expression"),
    ("<<<dotprompt:role:user>>>", "rendered-marker"),
    ("<<<dotprompt:history>>>", "rendered-marker"),
    ("plain words", None),
]


@pytest.mark.parametrize(("tag", "rule"), TAGS)
def test_each_tag_is_read_by_its_rule(tag: str, rule: str | None) -> None:
    assert _first_rule(tag) == rule


def test_the_frontmatter_is_embedded_yaml_from_the_first_line_only() -> None:
    frontmatter = GRAMMAR["repository"]["frontmatter"]
    assert frontmatter["patterns"] == [{"include": "source.yaml"}]
    begin = re.compile(frontmatter["begin"], re.M)
    assert begin.search("---\nmodel: m\n---\nHi") is not None
    assert begin.search("Hi\n---\nmore") is None
    [grammar] = [g for g in CONTRIBUTES["grammars"] if g["language"] == "dotprompt"]
    assert grammar["embeddedLanguages"] == {frontmatter["contentName"]: "yaml"}


def test_role_names_are_marked_inside_the_role_tag() -> None:
    [name_rule, _] = GRAMMAR["repository"]["role"]["patterns"]
    assert re.fullmatch(name_rule["match"], '"model"')
    assert not re.fullmatch(name_rule["match"], '"narrator"')
