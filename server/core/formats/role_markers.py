"""Bodies split by role-marker lines: Prompty, and prompt-flow style Jinja2 / Markdown prompts.

A role marker is a line holding, case-insensitively, an optional `#`, a role name, optional
`[key=value, ...]` attributes and a colon, and nothing else; which roles, how many `#` and
which spaces depend on the runtime that reads the file (`PROMPTY`, `BROAD`). Text before the
first marker belongs to `leading_role`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from server.core.prompt_model import ROLE_ALIASES, Message, Placeholder, Problem, Role, Span

# Prompty's runtime (prompty 2.1, `PromptyChatParser`) reads a line as a role marker when it
# holds, whatever its case, at most one `#`, one of these roles, `[key=value, ...]` attributes
# written right after the role, and a colon, around any whitespace (Unicode `\s`). Only those:
# `tool:` or `## user:` in a `.prompty` file is text the model reads.
_PROMPTY_ROLES = "system|user|assistant|developer"
# Prompt flow's Jinja2 / Markdown prompts, and Markdown prompts in general (no one runtime reads
# them), keep a broader reading on purpose: prompt flow's `# tool:` and `# function:` markers,
# any heading level, and Prompty's roles and attributes.
_BROAD_ROLES = "system|user|assistant|developer|tool|function"

# Prompty's own grammar, with whitespace as `\s`. Each match runs over one line, never past its
# end (`_colon_lines` bounds it), so `\s` cannot reach the next line. Linear on any line: every
# run inside the attributes is possessive, so an attribute is read one way only and the
# repetition around it can only give back whole attributes, each then refused in one step at
# the `]` that must follow; the runs before the role are one `\s*` then, after an optional `#`,
# another, so no two runs compete for the same spaces.
_PROMPTY_MARKER = (
    rf"^\s*(?:#\s*)?({_PROMPTY_ROLES})"
    r'(\[(?:\w++\s*+=\s*+(?:"[^"]*"|[^",\]]*+)\s*+,?+\s*+)+\])?\s*:\s*$'
)
# Linear on any line: each run (`[ \t]*`, `#+`, the attributes' `[^\]\n]*`) is followed by
# something it cannot match, so no two quantifiers compete for the same characters; the spaces
# before the attributes and before the colon are one `[ \t]*`, with the attributes' own
# trailing spaces inside their optional group. (Written as two adjacent `[ \t]*` around an
# optional group, a long run of spaces before a failing end was tried in every split: 9 s on
# 100 KB.) It is only ever matched at a line start, never searched.
_BROAD_MARKER = rf"^[ \t]*(?:#+[ \t]*)?({_BROAD_ROLES})[ \t]*(?:(\[[^\]\n]*\])[ \t]*)?:[ \t]*\r?$"
# A line that either reading takes for a marker: what an edit must not make or break for a quick
# recount (`live_counts`). Linear: two linear alternatives, each tried once.
MARKER = re.compile(f"(?:{_PROMPTY_MARKER})|(?:{_BROAD_MARKER})", re.I | re.M)

# Lines that look like a marker but name no role: `# narrator:`, `Human:`, and in Prompty files
# `A:` (elsewhere a bare `A:` is usually a Q/A few-shot label awaiting its answer).
_NEAR_MISS_WORDS = "ai|bot|human|model|agent|customer"


def _near_miss(extra_words: str) -> re.Pattern[str]:
    # Linear for the same reasons as `_BROAD_MARKER` (the word's `[\w-]*` cannot match the
    # spaces after it).
    return re.compile(
        rf"^[ \t]*(?:#+[ \t]*([A-Za-z][\w-]*)|({_NEAR_MISS_WORDS}{extra_words}))"
        r"[ \t]*(?:\[[^\]\n]*\][ \t]*)?:[ \t]*\r?$",
        re.I | re.M,
    )


@dataclass(frozen=True)
class MarkerReading:
    """Which lines one runtime reads as role markers, and which lines only look like one."""

    roles: tuple[str, ...]
    marker: re.Pattern[str]  # group 1: the role, group 2: the attributes, if any
    near_miss: re.Pattern[str]  # group 1 or 2: the word
    # Lines the broader reading takes for markers and this one does not (`tool:` in Prompty):
    # reported, since the author most likely meant a marker.
    refused: re.Pattern[str] | None = None
    runtime: str = ""


PROMPTY = MarkerReading(
    roles=tuple(_PROMPTY_ROLES.split("|")),
    marker=re.compile(_PROMPTY_MARKER, re.I | re.M),
    near_miss=_near_miss("|a|q"),
    refused=re.compile(_BROAD_MARKER, re.I | re.M),
    runtime="the Prompty runtime",
)
BROAD = MarkerReading(
    roles=tuple(_BROAD_ROLES.split("|")),
    marker=re.compile(_BROAD_MARKER, re.I | re.M),
    near_miss=_near_miss(""),
)
# Linear: one class run, matched whole (fullmatch) against one attribute's name.
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z_][\w-]*")


def _role(word: str) -> Role:
    """The role a matched word names. Case-insensitive matching also takes a long s (U+017F) for
    an `s` or a dotless i (U+0131) for an `i`, which `str.lower` leaves unlike any role name."""
    role = ROLE_ALIASES.get(word.lower())
    if role is not None:
        return role
    for name, alias in ROLE_ALIASES.items():
        if re.fullmatch(re.escape(name), word, re.I):
            return alias
    return Role.SYSTEM


def _attributes(raw: str | None) -> tuple[tuple[str, str], ...]:
    """`[name=value, key='x']` → pairs; a part that is not `name = value` is skipped."""
    if not raw:
        return ()
    pairs = []
    for part in raw[1:-1].split(","):
        # Split at the first `=` with str methods rather than one pattern with `\s*` on both
        # sides of each piece.
        name, equals, value = part.partition("=")
        name = name.strip()
        if equals and _ATTRIBUTE_NAME.fullmatch(name):
            pairs.append((name, value.strip().strip("\"'")))
    return tuple(pairs)


def stripped_span(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


def content_without(text: str, span: Span, cut: list[Placeholder], starts: list[int]) -> str:
    """The text of `span`, with placeholders (runtime content) cut out and the rest stripped.
    `cut` is in order of start, and `starts` holds those starts."""
    # Only the placeholders that start inside the span are looked at: a scan of them all for
    # every message was quadratic in a long chat full of `{{history}}`.
    first, last = bisect.bisect_left(starts, span.start), bisect.bisect_left(starts, span.end)
    inside = [p.span for p in cut[first:last] if p.span.end <= span.end]
    if not inside:
        return text[span.start : span.end]
    pieces, at = [], span.start
    for piece in inside:
        pieces.append(text[at : piece.start])
        at = piece.end
    pieces.append(text[at : span.end])
    return "".join(pieces).strip()


def _blank(text: str, start: int, end: int) -> bool:
    return start >= end or text[start:end].isspace()


# Every marker line ends in a colon: finding those colons first (a literal search, fast) and
# matching only their lines is much quicker than trying the marker pattern at every position.
# Linear: tried only where a `:` is, and the run of spaces after one colon ends before the next
# colon, so each character is read by one attempt. The spaces are any but a newline, as
# Prompty's markers allow.
_LINE_END_COLON = re.compile(r":[^\S\n]*$", re.M)


def _colon_lines(text: str, body: Span) -> Iterator[tuple[int, int]]:
    """(start, end) of each line of `body` that ends in a colon, in order."""
    for colon in _LINE_END_COLON.finditer(text, body.start, body.end):
        yield max(text.rfind("\n", body.start, colon.start()) + 1, body.start), colon.end()


def marker_lines(
    text: str, body: Span, near_miss: re.Pattern[str], near: list[re.Match[str]]
) -> Iterator[re.Match[str]]:
    """The broad reading's role markers (Markdown prompts), in order, as they are found; lines
    that `near_miss` matches go to `near`."""
    for start, end in _colon_lines(text, body):
        match = BROAD.marker.match(text, start, end)
        if match is not None:
            yield match
        elif (miss := near_miss.match(text, start, end)) is not None:
            near.append(miss)


def read_markers(
    text: str, body: Span, reading: MarkerReading, near: list[Problem]
) -> Iterator[re.Match[str]]:
    """The role markers `reading` finds, in order, as they are found; lines that look like one
    but are not go to `near`, as warnings."""
    for start, end in _colon_lines(text, body):
        match = reading.marker.match(text, start, end)
        if match is not None:
            yield match
        elif reading.refused is not None and (refused := reading.refused.match(text, start, end)):
            near.append(_refused(text, refused, reading))
        elif (miss := reading.near_miss.match(text, start, end)) is not None:
            near.append(_unknown_role(text, miss, reading))


def _unknown_role(text: str, near: re.Match[str], reading: MarkerReading) -> Problem:
    word = near.group(1) or near.group(2)
    return Problem(
        "warning",
        "unknown-role",
        f"`{word}:` is not a role marker (roles: {', '.join(reading.roles)}); "
        "its text stays in the message above",
        stripped_span(text, near.start(), near.end()),
    )


def _refused(text: str, line: re.Match[str], reading: MarkerReading) -> Problem:
    # Named by its role word alone: the line itself may be a megabyte of attributes.
    return Problem(
        "warning",
        "unknown-role",
        f"this `{line.group(1)}:` line is not a role marker for {reading.runtime}, which reads "
        f"{', '.join(reading.roles)}, with at most one `#` before the role and attributes right "
        "after it (`user[name=Ann]:`); its text stays in the message above",
        stripped_span(text, line.start(), line.end()),
    )


def split_messages(
    text: str,
    body: Span,
    leading_role: Role,
    placeholders: list[Placeholder],
    reading: MarkerReading = PROMPTY,
    on_contents: Callable[[Iterator[str]], None] | None = None,
) -> tuple[list[Message], list[Problem]]:
    """The messages of `body`, less `placeholders` (in order of start). `on_contents` hears
    their contents while the body is still being read: it gets an iterator that reads on as it
    is consumed (an analysis hands each batch to a counting thread as soon as it has one)."""
    messages: list[Message] = []
    problems: list[Problem] = []
    markers: list[re.Match[str]] = []
    near_misses: list[Problem] = []
    contents: list[str] = []
    content_spans: list[Span] = []
    placeholder_starts = [p.span.start for p in placeholders]

    def content_of(region_start: int, region_end: int) -> str:
        # Stripped with str methods: much quicker than a stripped_span per message.
        raw = text[region_start:region_end]
        content = raw.strip()
        content_start = region_start + len(raw) - len(raw.lstrip())
        span = Span(content_start, content_start + len(content))
        content = (
            content_without(text, span, placeholders, placeholder_starts)
            if placeholders
            else content
        )
        contents.append(content)
        content_spans.append(span)
        return content

    # First each message's content and where it lies...
    def read_contents() -> Iterator[str]:
        region_start = body.start
        for marker in read_markers(text, body, reading, near_misses):
            if markers or not _blank(text, region_start, marker.start()):
                yield content_of(region_start, marker.start())
            markers.append(marker)
            region_start = marker.end()
        if markers or not _blank(text, region_start, body.end):
            yield content_of(region_start, body.end)

    contents_read = read_contents()
    if on_contents is not None:
        on_contents(contents_read)
    for _ in contents_read:  # what the listener left unread
        pass
    starts = [marker.start() for marker in markers] + [body.end]
    has_leading = len(contents) > len(markers)

    # ...then the messages.
    if has_leading:
        messages.append(
            Message(leading_role, contents[0], Span(body.start, starts[0]), content_spans[0])
        )
    for i, marker in enumerate(markers):
        k = i + 1 if has_leading else i
        marker_end = marker.end()
        word, raw_attributes = marker.group(1, 2)
        attributes = _attributes(raw_attributes) if raw_attributes else ()
        marker_span = (
            Span(starts[i], marker_end)
            if not (text[starts[i]].isspace() or text[marker_end - 1].isspace())
            else stripped_span(text, starts[i], marker_end)
        )
        messages.append(
            Message(
                role=_role(word),
                content=contents[k],
                # Blank text before the first marker belongs to it: the spans tile the body.
                span=Span(body.start if i == 0 and not has_leading else starts[i], starts[i + 1]),
                content_span=content_spans[k],
                marker=marker_span,
                name=dict(attributes).get("name") if attributes else None,
                attributes=attributes,
            )
        )
        if not contents[k]:
            problems.append(
                Problem("warning", "empty-message", f"the {word} message is empty", marker_span)
            )

    problems += near_misses
    problems.sort(key=lambda p: p.span.start)
    return messages, problems
