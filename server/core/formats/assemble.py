"""The steps every format shares once its messages are known."""

from __future__ import annotations

from typing import Any

from server.core.prompt_model import (
    Message,
    Metadata,
    Placeholder,
    Problem,
    PromptDocument,
    PromptFormat,
    Span,
    Variable,
)


def as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def first_of(*values: Any) -> Any:
    return next((v for v in values if v not in (None, "", [], {})), None)


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def listing(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def assemble(
    *,
    format: PromptFormat,
    text: str,
    metadata: Metadata,
    frontmatter: Span | None,
    body: Span,
    messages: list[Message],
    variables: list[Variable],
    placeholders: list[Placeholder],
    problems: list[Problem],
) -> PromptDocument:
    return PromptDocument(
        format=format,
        text=text,
        metadata=metadata,
        frontmatter=frontmatter,
        body=body,
        messages=tuple(messages),
        variables=tuple(sorted(variables, key=lambda v: v.span.start)),
        placeholders=tuple(placeholders),
        structure_problems=tuple(problems),
    )
