"""YAML frontmatter between `---` lines at the top of a file: configuration, not content."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from server.core.prompt_model import Problem, Span
from server.core.token_count import without_lone_surrogates
from server.core.yaml_limits import compose_limited

_OPENING = re.compile(r"\A\ufeff?---[ \t]*\r?\n")
_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.M)

# libyaml's loader when the wheel has it: several times faster on large frontmatter.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Frontmatter:
    span: Span | None  # the whole block, both `---` lines included
    data: dict[str, Any] = field(default_factory=dict)
    body_start: int = 0
    problems: tuple[Problem, ...] = ()


def yaml_error_problem(error: yaml.YAMLError, offset: int, limit: int, code: str) -> Problem:
    """A YAML error in text that starts at `offset` of the document, placed where YAML saw it."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    at = min(offset + (mark.index if mark is not None else 0), limit)
    reason = getattr(error, "problem", None) or str(error)
    return Problem("error", code, f"invalid YAML: {reason}", Span(at, at))


def load_yaml(source: str, offset: int, code: str) -> tuple[Any, Problem | None]:
    """Parse YAML that starts at `offset` in the document; an error becomes a located problem,
    and so does an alias or nesting too deep (`yaml_limits.py`), found before any value is
    built."""
    try:
        # libyaml reads UTF-8: a lone surrogate (undecodable input) is read as U+FFFD, one
        # for one, so positions stay as they are.
        data, _, refusal = compose_limited(
            without_lone_surrogates(source), _SafeLoader, single=True
        )
    except yaml.YAMLError as error:
        return None, yaml_error_problem(error, offset, offset + len(source), code)
    except (RecursionError, ValueError) as error:
        message = f"frontmatter YAML cannot be read: {type(error).__name__}"
        return None, Problem("error", code, message, Span(offset, offset))
    if refusal is not None:
        start = offset + min(refusal.start, len(source))
        end = offset + min(max(refusal.end, refusal.start), len(source))
        message = f"{refusal.reason}; the frontmatter is ignored"
        return None, Problem("error", refusal.code, message, Span(start, end))
    return data, None


def read_frontmatter(text: str) -> Frontmatter:
    opening = _OPENING.match(text)
    if opening is None:
        return Frontmatter(span=None, body_start=1 if text.startswith("\ufeff") else 0)
    closing = _CLOSING.search(text, opening.end())
    if closing is None:
        problem = Problem(
            "error",
            "frontmatter-unclosed",
            "frontmatter opened with `---` is never closed; the file is read as body text",
            Span(0, opening.end()),
        )
        return Frontmatter(span=None, body_start=0, problems=(problem,))
    span = Span(0, closing.end())
    data, yaml_problem = load_yaml(
        text[opening.end() : closing.start()], opening.end(), "frontmatter-yaml"
    )
    if yaml_problem is not None:
        return Frontmatter(span=span, body_start=closing.end(), problems=(yaml_problem,))
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problem = Problem(
            "error",
            "frontmatter-yaml",
            f"frontmatter must be a YAML mapping of keys to values, not a {type(data).__name__}",
            Span(opening.end(), closing.start()),
        )
        return Frontmatter(span=span, body_start=closing.end(), problems=(problem,))
    return Frontmatter(span=span, data=data, body_start=closing.end())


def dig(data: Any, *path: str) -> Any:
    """data[path[0]][path[1]]..., or None where any step is missing or not a mapping."""
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data
