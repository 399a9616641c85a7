"""One document model for every prompt-file format.

Positions are character offsets into the document text (Python string indices); `LineIndex`
turns them into (line, UTF-16 column) pairs for LSP and the CLI. Parsers never raise on bad
input: they return a `PromptDocument` whose `problems` say what was wrong.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, TypeVar, dataclass_transform

_T = TypeVar("_T")


@dataclass_transform(frozen_default=True)
def value_object(cls: type[_T]) -> type[_T]:
    """An immutable value, as the type checker sees it. At run time it is a slotted, hashable
    dataclass without `frozen`, whose `__init__` pays an `object.__setattr__` per field: that
    was most of the cost of parsing a large prompt, which makes thousands of these."""
    return dataclass(slots=True, unsafe_hash=True)(cls)


PromptFormat = Literal["prompty", "dotprompt", "prompt-md", "chat-json", "chat-yaml", "markdown"]
ExampleKind = Literal["chat-pair", "example-block", "input-output", "q-a"]
ProblemSeverity = Literal["error", "warning", "information", "hint"]


class Role(StrEnum):
    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"
    TOOL = "tool"


# Role names as prompt files write them, to the four roles of the model.
ROLE_ALIASES: dict[str, Role] = {
    "system": Role.SYSTEM,
    "developer": Role.SYSTEM,
    "user": Role.USER,
    "human": Role.USER,
    "assistant": Role.ASSISTANT,
    "model": Role.ASSISTANT,  # Dotprompt / Gemini
    "tool": Role.TOOL,
    "function": Role.TOOL,
}


@value_object
class Span:
    """[start, end) in character offsets."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad span {self.start}..{self.end}")


@value_object
class Message:
    role: Role
    content: str
    # The message's whole source: its marker (if any) up to the next message's.
    span: Span
    # Where `content` was read from; for a plain-text body, `content` is exactly
    # text[content_span.start:content_span.end].
    content_span: Span
    marker: Span | None = None
    name: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()


@value_object
class FewShotExample:
    input: str
    output: str
    kind: ExampleKind
    span: Span
    message_index: int | None = None  # the message that holds an in-text example


@value_object
class Variable:
    name: str
    span: Span


@value_object
class Placeholder:
    """Runtime content that is not counted as text: `![thread]`, `{{history}}`, `{{media}}`,
    Prompty inputs declared as a `thread`, `image`, `audio` or `file` (that kind), and Jinja
    loops that write out role markers (`conversation`)."""

    kind: str
    span: Span


@value_object
class Problem:
    severity: ProblemSeverity
    code: str
    message: str
    span: Span


@dataclass(frozen=True)
class Metadata:
    model: str | None = None
    max_output_tokens: int | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    tools: list[Any] = field(default_factory=list)
    output_schema: Any = None
    promptweight: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)


# Told a document's metadata and its messages' contents as soon as a parser knows them, before
# it builds the rest: an analysis starts counting tokens then. The contents come as an iterator,
# which a parser may feed as it reads (the listener consumes it; the parser reads on after).
ContentsFound = Callable[[Metadata, Iterator[str]], None]


@dataclass(frozen=True)
class PromptDocument:
    format: PromptFormat
    text: str
    metadata: Metadata
    frontmatter: Span | None
    body: Span
    messages: tuple[Message, ...]
    variables: tuple[Variable, ...]
    placeholders: tuple[Placeholder, ...]
    # What reading the structure found wrong; `problems` adds what finding examples found.
    structure_problems: tuple[Problem, ...]

    @property
    def examples(self) -> tuple[FewShotExample, ...]:
        return self._few_shot[0]

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self._few_shot[1]

    @functools.cached_property
    def _few_shot(self) -> tuple[tuple[FewShotExample, ...], tuple[Problem, ...]]:
        """Found on first use, so that an analysis can have the messages counted meanwhile."""
        from server.core.few_shot import find_examples  # few_shot builds on this module

        examples, problems = find_examples(self.text, list(self.messages))
        ordered = sorted(self.structure_problems + tuple(problems), key=lambda p: p.span.start)
        return tuple(examples), tuple(ordered)


PositionEncoding = Literal["utf-8", "utf-16", "utf-32"]


def code_units(text: str, encoding: PositionEncoding) -> int:
    """The length of `text` in `encoding`'s code units (lone surrogates count as one)."""
    if encoding == "utf-32" or text.isascii():
        return len(text)
    if encoding == "utf-16":
        return len(text.encode("utf-16-le", "surrogatepass")) // 2
    return len(text.encode("utf-8", "surrogatepass"))


class LineIndex:
    """Offsets to LSP positions and back: 0-based line, column in the code units of `encoding`
    (UTF-16 unless the client negotiated another).

    Each conversion costs a bisection plus at most one `_CHUNK`-character slice, on any line
    length: a chat file written on one line holds every range on that line, so walking a line
    from its start for each range would be quadratic in the file's size."""

    _CHUNK = 256

    def __init__(self, text: str, encoding: PositionEncoding = "utf-16") -> None:
        self.text = text
        self.encoding = encoding

    @functools.cached_property
    def line_starts(self) -> list[int]:
        # Built on first use, so that a document's figures go out before its lines are indexed.
        starts = [0]
        start = 0
        while (newline := self.text.find("\n", start)) != -1:
            start = newline + 1
            starts.append(start)
        return starts

    @functools.cached_property
    def _units_are_characters(self) -> bool:
        return self.encoding == "utf-32" or self.text.isascii()

    @functools.cached_property
    def _chunk_units(self) -> list[int]:
        """Code units before each `_CHUNK`-character boundary: [0, units(text[:C]), ...]."""
        total, found, size = 0, [0], self._CHUNK
        for start in range(0, len(self.text), size):
            total += code_units(self.text[start : start + size], self.encoding)
            found.append(total)
        return found

    def _units_before(self, offset: int) -> int:
        if self._units_are_characters:
            return offset
        chunk = offset // self._CHUNK
        boundary = chunk * self._CHUNK
        return self._chunk_units[chunk] + code_units(self.text[boundary:offset], self.encoding)

    def position(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return line, self._units_before(offset) - self._units_before(self.line_starts[line])

    def offset(self, line: int, column: int) -> int:
        """The inverse of `position`; positions past a line's end clamp to it, and a column
        inside a character's code units to that character's end."""
        if line >= len(self.line_starts):
            return len(self.text)
        start = self.line_starts[max(line, 0)]
        end = self.line_starts[line + 1] - 1 if line + 1 < len(self.line_starts) else len(self.text)
        if column <= 0:
            return start
        if self._units_are_characters:
            return min(start + column, end)
        target = self._units_before(start) + column
        # The last chunk boundary inside the line at or before the target, then character steps.
        first, last = -(-start // self._CHUNK), end // self._CHUNK
        chunk = bisect.bisect_right(self._chunk_units, target, first, last + 1) - 1
        offset = max(start, chunk * self._CHUNK) if chunk >= first else start
        units = self._units_before(offset)
        while offset < end and units < target:
            units += code_units(self.text[offset], self.encoding)
            offset += 1
        return offset
