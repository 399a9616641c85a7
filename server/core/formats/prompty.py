"""Prompty (`.prompty`) and prompt-flow style Jinja2 / Markdown prompts (`# system:` markers)."""

from __future__ import annotations

from functools import partial
from typing import Any

from server.core.formats.assemble import as_int, assemble, first_of, listing, mapping
from server.core.formats.frontmatter import dig, read_frontmatter
from server.core.formats.role_markers import split_messages
from server.core.prompt_model import (
    ContentsFound,
    Metadata,
    PromptDocument,
    PromptFormat,
    Role,
    Span,
)
from server.core.template_syntax import curly_variables, placeholders


def prompty_metadata(data: dict[str, Any]) -> Metadata:
    model = data.get("model")
    parameters = mapping(first_of(dig(model, "parameters"), dig(model, "options")))
    name = (
        model
        if isinstance(model, str)
        else first_of(
            dig(model, "configuration", "name"),
            dig(model, "configuration", "azure_deployment"),
            dig(model, "configuration", "model"),
            dig(model, "id"),
        )
    )
    return Metadata(
        model=name if isinstance(name, str) else None,
        max_output_tokens=as_int(
            first_of(
                parameters.get("max_tokens"),
                parameters.get("max_completion_tokens"),
                parameters.get("maxOutputTokens"),
            )
        ),
        parameters=parameters,
        tools=listing(first_of(data.get("tools"), parameters.get("tools"))),
        output_schema=first_of(parameters.get("response_format"), data.get("outputs")),
        promptweight=mapping(data.get("promptweight")),
        raw=data,
    )


def parse_prompty(
    text: str, format: PromptFormat = "prompty", on_contents: ContentsFound | None = None
) -> PromptDocument:
    frontmatter = read_frontmatter(text)
    metadata = prompty_metadata(frontmatter.data)
    body = Span(frontmatter.body_start, len(text))
    found_placeholders = placeholders(text, body)
    messages, problems = split_messages(
        text,
        body,
        Role.SYSTEM,
        found_placeholders,
        strict=format == "prompty",
        on_contents=None if on_contents is None else partial(on_contents, metadata),
    )
    return assemble(
        format=format,
        text=text,
        metadata=metadata,
        frontmatter=frontmatter.span,
        body=body,
        messages=messages,
        variables=curly_variables(text, body),
        placeholders=found_placeholders,
        problems=list(frontmatter.problems) + problems,
    )


def parse_markdown(text: str, on_contents: ContentsFound | None = None) -> PromptDocument:
    return parse_prompty(text, "markdown", on_contents)
