"""VS Code / Copilot prompt files."""

from __future__ import annotations

from server.core.formats.prompt_md import parse_prompt_md

TEXT = """---
description: Review code
mode: agent
model: GPT-4o
tools: ['codebase']
---
Review ${selection} in ${file}.
Focus: ${input:focus:what to look at} and ${input:depth}.
"""


def test_body_is_one_user_message() -> None:
    document = parse_prompt_md(TEXT)
    assert [(m.role.value, m.content.splitlines()[0]) for m in document.messages] == [
        ("user", "Review ${selection} in ${file}.")
    ]


def test_frontmatter_gives_model_and_tools() -> None:
    metadata = parse_prompt_md(TEXT).metadata
    assert (metadata.model, metadata.tools) == ("GPT-4o", ["codebase"])


def test_vscode_variables_with_ranges() -> None:
    document = parse_prompt_md(TEXT)
    assert [v.name for v in document.variables] == ["selection", "file", "focus", "depth"]
    span = document.variables[2].span
    assert TEXT[span.start : span.end] == "${input:focus:what to look at}"


def test_empty_body_has_no_message() -> None:
    assert parse_prompt_md("---\ndescription: x\n---\n\n").messages == ()
