"""Bodies split by role-marker lines: Prompty, and prompt-flow style Jinja2 / Markdown prompts.

A role marker is a line holding, case-insensitively, an optional `#`, a role name, optional
`[key=value, ...]` attributes and a colon, and nothing else. Text before the first marker
belongs to `leading_role`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator

from server.core.prompt_model import ROLE_ALIASES, Message, Placeholder, Problem, Role, Span

_ROLE_NAMES = "system|user|assistant|developer|tool|function"
# Linear on any line: each run (`[ \t]*`, `#+`, the attributes' `[^\]\n]*`) is followed by
# something it cannot match, so no two quantifiers compete for the same characters; the spaces
# before the attributes and before the colon are one `[ \t]*`, with the attributes' own
# trailing spaces inside their optional group. (Written as two adjacent `[ \t]*` around an
# optional group, a long run of spaces before a failing end was tried in every split: 9 s on
# 100 KB.) It is only ever matched at a line start, never searched.
MARKER = re.compile(
    rf"^[ \t]*(?:#+[ \t]*)?({_ROLE_NAMES})[ \t]*(?:(\[[^\]\n]*\])[ \t]*)?:[ \t]*\r?$",
    re.I | re.M,
)
# Lines that look like a marker but name no role Prompty knows: `# narrator:`, `Human:`, and in
# Prompty files `A:` (elsewhere a bare `A:` is usually a Q/A few-shot label awaiting its answer).
_NEAR_MISS_WORDS = "ai|bot|human|model|agent|customer"
# Linear for the same reasons as `MARKER` (the word's `[\w-]*` cannot match the spaces after it).
_NEAR_MISS = {
    strict: re.compile(
        rf"^[ \t]*(?:#+[ \t]*([A-Za-z][\w-]*)|({_NEAR_MISS_WORDS}{'|a|q' if strict else ''}))"
        r"[ \t]*(?:\[[^\]\n]*\][ \t]*)?:[ \t]*\r?$",
        re.I | re.M,
    )
    for strict in (True, False)
}
# Linear: one class run, matched whole (fullmatch) against one attribute's name.
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z_][\w-]*")


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
# colon, so each character is read by one attempt.
_LINE_END_COLON = re.compile(r":[ \t]*\r?$", re.M)


def marker_lines(
    text: str, body: Span, near_miss: re.Pattern[str], near: list[re.Match[str]]
) -> Iterator[re.Match[str]]:
    """Role markers, in order, as they are found; lines that look like one but name no known
    role go to `near`."""
    for colon in _LINE_END_COLON.finditer(text, body.start, body.end):
        line_start = max(text.rfind("\n", body.start, colon.start()) + 1, body.start)
        match = MARKER.match(text, line_start, colon.end())
        if match is not None:
            yield match
        elif (miss := near_miss.match(text, line_start, colon.end())) is not None:
            near.append(miss)


def split_messages(
    text: str,
    body: Span,
    leading_role: Role,
    placeholders: list[Placeholder],
    strict: bool = True,
    on_contents: Callable[[Iterator[str]], None] | None = None,
) -> tuple[list[Message], list[Problem]]:
    """The messages of `body`, less `placeholders` (in order of start). `on_contents` hears
    their contents while the body is still being read: it gets an iterator that reads on as it
    is consumed (an analysis hands each batch to a counting thread as soon as it has one)."""
    messages: list[Message] = []
    problems: list[Problem] = []
    markers: list[re.Match[str]] = []
    near_misses: list[re.Match[str]] = []
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
        for marker in marker_lines(text, body, _NEAR_MISS[strict], near_misses):
            if markers or not _blank(text, region_start, marker.start()):
                yield content_of(region_start, marker.start())
            markers.append(marker)
            region_start = marker.end()
        if markers or not _blank(text, region_start, body.end):
            yield content_of(region_start, body.end)

    reading = read_contents()
    if on_contents is not None:
        on_contents(reading)
    for _ in reading:  # what the listener left unread
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
            if not (text[starts[i]] in " \t" or text[marker_end - 1] in " \t\r")
            else stripped_span(text, starts[i], marker_end)
        )
        messages.append(
            Message(
                role=ROLE_ALIASES[word.lower()],
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

    for near in near_misses:
        word = near.group(1) or near.group(2)
        problems.append(
            Problem(
                "warning",
                "unknown-role",
                f"`{word}:` is not a role marker (roles: {_ROLE_NAMES.replace('|', ', ')}); "
                "its text stays in the message above",
                stripped_span(text, near.start(), near.end()),
            )
        )
    problems.sort(key=lambda p: p.span.start)
    return messages, problems
