"""Prompty (`.prompty`) and prompt-flow style Jinja2 / Markdown prompts (`# system:` markers)."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from typing import Any

from server.core.formats.assemble import as_int, assemble, first_of, listing, mapping
from server.core.formats.frontmatter import dig, read_frontmatter
from server.core.formats.role_markers import BROAD, PROMPTY, split_messages
from server.core.image_tokens import DeclaredImage, declared_image
from server.core.prompt_model import (
    ContentsFound,
    Metadata,
    Problem,
    PromptDocument,
    PromptFormat,
    Role,
    Span,
)
from server.core.template_syntax import RUNTIME_INPUT_KINDS, curly_variables, placeholders

# Where the conversation goes at run time: the budget a user sets aside for runtime content.
RUNTIME_CONVERSATION = (
    "runtime conversation: this loop writes out the chat history when the prompt runs, so its "
    "role markers are the history's, not system text; it is not counted here (leave room for "
    "it in the runtime budget: `promptweight.budgetTokens`, or `promptweight.budget` in the "
    "frontmatter)"
)


def _input_specs(data: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Each declared input's name and declaration: Prompty 2's `inputs:` mapping or list, or
    `inputSchema.properties` (a list of entries with a `name`)."""
    for declared in (data.get("inputs"), dig(data, "inputSchema", "properties")):
        if isinstance(declared, dict):
            entries = list(declared.items())
        elif isinstance(declared, list):
            entries = [(dig(entry, "name"), entry) for entry in declared]
        else:
            continue
        for name, spec in entries:
            if isinstance(name, str):
                yield name, spec


def runtime_inputs(data: dict[str, Any]) -> dict[str, str]:
    """Inputs whose `kind` is not text (`RUNTIME_INPUT_KINDS`), name to kind."""
    found: dict[str, str] = {}
    for name, spec in _input_specs(data):
        kind = dig(spec, "kind")
        if isinstance(kind, str) and kind in RUNTIME_INPUT_KINDS:
            found[name] = kind
    return found


def declared_images(data: dict[str, Any]) -> dict[str, DeclaredImage]:
    """Image inputs that declare their size (`width`, `height`, optional `detail`), by name."""
    found: dict[str, DeclaredImage] = {}
    for name, spec in _input_specs(data):
        if dig(spec, "kind") == "image" and (image := declared_image(spec)) is not None:
            found[name] = image
    return found


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
    found_placeholders = placeholders(text, body, runtime_inputs(frontmatter.data))
    conversation = [
        Problem("information", "runtime-conversation", RUNTIME_CONVERSATION, p.span)
        for p in found_placeholders
        if p.kind == "conversation"
    ]
    messages, problems = split_messages(
        text,
        body,
        Role.SYSTEM,
        found_placeholders,
        # A `.prompty` file's markers are the ones its runtime reads; other Markdown prompts
        # keep the broader reading (prompt flow's `# tool:`, heading levels).
        reading=PROMPTY if format == "prompty" else BROAD,
        on_contents=None if on_contents is None else partial(on_contents, metadata),
    )
    if format == "prompty" and dig(frontmatter.data, "template", "format", "strict") is not False:
        # Prompty's strict mode, its default, rewrites each marker line before rendering (against
        # markers injected through inputs) and drops its attributes: no `name` reaches the
        # model, so none is counted.
        messages = [m if m.name is None else replace(m, name=None) for m in messages]
    # A message of runtime content alone (`{{photo}}`, `{{history}}`) is not empty.
    starts = [p.span.start for p in found_placeholders]
    runtime_only = {
        m.marker
        for m in messages
        if not m.content
        and bisect.bisect_left(starts, m.content_span.start)
        < bisect.bisect_left(starts, m.content_span.end)
    }
    problems = [p for p in problems if p.code != "empty-message" or p.span not in runtime_only]
    return assemble(
        format=format,
        text=text,
        metadata=metadata,
        frontmatter=frontmatter.span,
        body=body,
        messages=messages,
        variables=curly_variables(text, body),
        placeholders=found_placeholders,
        problems=list(frontmatter.problems) + problems + conversation,
    )


def parse_markdown(text: str, on_contents: ContentsFound | None = None) -> PromptDocument:
    return parse_prompty(text, "markdown", on_contents)
