"""Dotprompt (`.prompt`, Google Dotprompt / Firebase Genkit): YAML frontmatter, Handlebars body.

Roles switch with `{{role "user"}}`, the block form `{{#role "user"}}...{{/role}}`, or the
already-rendered `<<<dotprompt:role:user>>>`; text before the first switch is a user turn.
`{{history}}` and `{{media url=...}}` stand for runtime content and are recorded, not counted.
Text after `{{history}}` with no role switch first is a model turn, as the reference runtimes
render it (the history's messages come in between).
`{{section "name"}}` marks where a named part of the message starts: structure, not text, so it
is neither content nor counted (`dotprompt_sections` finds them).
A partial `{{> style}}` is the text of `_style.prompt` beside the file: it is sent with the
prompt, so its text (and any role switches in it) goes into the messages, placed on the tag.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from server.core.formats.assemble import as_int, assemble, listing, mapping
from server.core.formats.frontmatter import dig, read_frontmatter
from server.core.formats.role_markers import stripped_span
from server.core.prompt_model import (
    ROLE_ALIASES,
    Message,
    Metadata,
    Placeholder,
    Problem,
    ProblemSeverity,
    PromptDocument,
    Role,
    Span,
    Variable,
)
from server.core.template_syntax import Finder, curly_variables

if TYPE_CHECKING:
    from server.core.prompt_parser import PartialReader

# The tags. They run on any text a user writes, with the interpreter lock held, so each is
# linear: the tag patterns are only matched where `_CANDIDATE` found `{{` or `<<<dotprompt:`,
# never searched; each of their runs (`\s*`, a quoted or bare name, `[^{}]*`) is followed by a
# character it cannot match, so an attempt gives a run back at most once; and the runs read
# from one candidate stop at the next brace, `<`, `>` or newline, before the next candidate.
_QUOTED = r"""(?:"([^"\n{}]*)"|'([^'\n{}]*)')"""
_ROLE = re.compile(r"\{\{~?\s*(#\s*)?role\s+" + _QUOTED + r"\s*~?\}\}")
_ROLE_CLOSE = re.compile(r"\{\{~?\s*/\s*role\s*~?\}\}")
_HISTORY = re.compile(r"\{\{~?\s*history\s*~?\}\}")
_SECTION = re.compile(r"\{\{~?\s*section\s+" + _QUOTED + r"\s*~?\}\}")
_MEDIA = re.compile(r"\{\{~?\s*media\b[^{}]*\}\}")
# The bare name is held to its whole run (the lookahead: a character it cannot hold follows), so
# that it is never split against the `[^{}]*` after it, which matches its characters too. (A
# long name with no `}}` was retried at every split: quadratic, 22 s on `{{> ` and 100 KB.)
_PARTIAL = re.compile(
    r"""\{\{~?\s*>\s*(?:"([^"\n{}]+)"|'([^'\n{}]+)'|([^\s{}~"']+)(?=[\s{}~"']))[^{}]*\}\}"""
)
_COMMENT_START = re.compile(r"\{\{~?!(--)?")
# Searched through `Finder`, which remembers its answer (a bounded literal).
_LONG_COMMENT_END = re.compile(r"--~?\}\}")
_RENDERED_ROLE = re.compile(r"<<<dotprompt:role:([^<>\n]*)>>>")
_RENDERED_HISTORY = re.compile(r"<<<dotprompt:history>>>")
_RENDERED_MEDIA = re.compile(r"<<<dotprompt:media:url\b[^<>\n]*>>>")
# Searched from ever later positions: two bounded literals.
_CANDIDATE = re.compile(r"\{\{|<<<dotprompt:")

# Partials may include partials; a reader that invents names, or a fan-out of partials that
# include each other many times over, must not make one parse unbounded.
_MAX_PARTIAL_DEPTH = 8
_MAX_PARTIAL_EXPANSIONS = 64

_KNOWN_ROLES = "system, user, model, tool"


# --- Tokens: what a Handlebars body holds besides text -------------------------------------


@dataclass(frozen=True)
class _Marker:
    span: Span
    word: str
    role: Role | None  # None: a role Dotprompt does not know


@dataclass(frozen=True)
class _Cut:
    """Markup that is not sent: `{{/role}}`, comments."""

    span: Span


@dataclass(frozen=True)
class _Section:
    """`{{section "name"}}`: where a named part of the message starts; not sent as text."""

    span: Span
    name: str


@dataclass(frozen=True)
class _Runtime:
    """`{{history}}`, `{{media}}`: content supplied at run time."""

    span: Span
    kind: str


@dataclass(frozen=True)
class _Partial:
    span: Span
    name: str


_Token = _Marker | _Cut | _Section | _Runtime | _Partial


def _tokenize(text: str, start: int, end: int) -> tuple[list[_Token], list[Span]]:
    """The recognised tags of text[start:end] in order, and the spans of unclosed `{{`."""
    tokens: list[_Token] = []
    unclosed: list[Span] = []
    finder = Finder(text, end)
    at = start
    while (candidate := _CANDIDATE.search(text, at, end)) is not None:
        i = candidate.start()
        if text.startswith("<<<", i):
            at = i + 1
            if match := _RENDERED_ROLE.match(text, i, end):
                word = match.group(1)
                tokens.append(_Marker(Span(i, match.end()), word, ROLE_ALIASES.get(word)))
            elif match := _RENDERED_HISTORY.match(text, i, end):
                tokens.append(_Runtime(Span(i, match.end()), "history"))
            elif match := _RENDERED_MEDIA.match(text, i, end):
                tokens.append(_Runtime(Span(i, match.end()), "media"))
            else:
                continue
            at = match.end()
            continue

        if comment := _COMMENT_START.match(text, i, end):
            closing = _LONG_COMMENT_END if comment.group(1) else "}}"
            _, close = finder.find(closing, comment.end())
            if close == -1:
                unclosed.append(Span(i, i + 2))
                at = i + 2
            else:
                tokens.append(_Cut(Span(i, close)))
                at = close
            continue

        if match := _ROLE_CLOSE.match(text, i, end):
            tokens.append(_Cut(Span(i, match.end())))
        elif match := _ROLE.match(text, i, end):
            word = match.group(2) if match.group(2) is not None else match.group(3)
            tokens.append(_Marker(Span(i, match.end()), word, ROLE_ALIASES.get(word)))
        elif match := _HISTORY.match(text, i, end):
            tokens.append(_Runtime(Span(i, match.end()), "history"))
        elif match := _SECTION.match(text, i, end):
            name = match.group(1) if match.group(1) is not None else match.group(2)
            tokens.append(_Section(Span(i, match.end()), name))
        elif match := _MEDIA.match(text, i, end):
            tokens.append(_Runtime(Span(i, match.end()), "media"))
        elif match := _PARTIAL.match(text, i, end):
            name = next(g for g in match.groups() if g is not None)
            tokens.append(_Partial(Span(i, match.end()), name))
        else:
            # Any other tag (a variable, `{{#if}}`, `{{else}}`) is template text; it only has
            # to be closed before the next one opens.
            opening = 3 if text.startswith("{{{", i) else 2
            close, _ = finder.find("}}", i + opening)
            reopen, _ = finder.find("{{", i + opening)
            if close == -1 or (reopen != -1 and reopen < close):
                unclosed.append(Span(i, i + 2))
                at = i + 2
            else:
                at = close + 3 if text.startswith("}}}", close) and opening == 3 else close + 2
            continue
        at = match.end()
    return tokens, unclosed


# --- Messages -------------------------------------------------------------------------------


@dataclass
class _Draft:
    role: Role
    start: int
    marker: Span | None
    word: str
    # Where a problem with the message is shown: its marker, or the partial tag it came from.
    at: Span | None = None
    pieces: list[str] = field(default_factory=list)
    # Source spans that hold this message's content; a partial's text is placed on its tag.
    holds: list[Span] = field(default_factory=list)
    # Opened by `{{history}}` rather than by a marker: dropped if nothing comes before the next.
    after_history: bool = False


@dataclass
class _Inclusion:
    """One top-level partial tag: everything read from it is placed on `tag`."""

    tag: Span
    # Whether the message in progress already holds something from this tag: a role switch
    # inside the partial then starts its message after the tag rather than at it.
    used: bool = False


class _Builder:
    def __init__(self, body: Span, read_partial: PartialReader | None) -> None:
        self.body = body
        self.read_partial = read_partial
        self.drafts: list[_Draft] = [_Draft(Role.USER, body.start, None, "user")]
        self.placeholders: list[Placeholder] = []
        self.problems: list[Problem] = []
        self.partials: dict[str, str | None] = {}
        self.unreadable: dict[str, str] = {}  # why a partial was refused, by name
        self.tags: list[Span] = []  # the body's own tags, in order
        self.expansions = 0

    @property
    def current(self) -> _Draft:
        return self.drafts[-1]

    def problem(self, severity: ProblemSeverity, code: str, message: str, span: Span) -> None:
        self.problems.append(Problem(severity, code, message, span))

    def walk(
        self,
        source: str,
        start: int,
        end: int,
        inclusion: _Inclusion | None = None,
        stack: tuple[str, ...] = (),
    ) -> None:
        tokens, unclosed = _tokenize(source, start, end)
        if inclusion is None:
            self.tags += [token.span for token in tokens]
        for span in unclosed:
            self.problem(
                "warning",
                "unclosed-tag",
                self._where(stack, "`{{` is never closed with `}}`; it is read as text"),
                inclusion.tag if inclusion else span,
            )
        at = start
        for token in tokens:
            self.add_text(source, at, token.span.start, inclusion)
            at = token.span.end
            match token:
                case _Marker(role=None):
                    self.problem(
                        "warning",
                        "unknown-role",
                        self._where(
                            stack,
                            f"`{token.word}` is not a role ({_KNOWN_ROLES}); "
                            "its text stays in the message above",
                        ),
                        inclusion.tag if inclusion else token.span,
                    )
                case _Marker(role=Role() as role):
                    self.switch(role, token, inclusion)
                case _Runtime():
                    span = inclusion.tag if inclusion else token.span
                    self.placeholders.append(Placeholder(token.kind, span))
                    self.hold(span, inclusion)
                    if token.kind == "history":
                        self.drafts.append(
                            _Draft(Role.ASSISTANT, span.end, None, "model", after_history=True)
                        )
                case _Partial():
                    self.include(token, inclusion, stack)
                case _Cut() | _Section():
                    pass
        self.add_text(source, at, end, inclusion)

    def add_text(self, source: str, start: int, end: int, inclusion: _Inclusion | None) -> None:
        if start >= end:
            return
        self.current.pieces.append(source[start:end])
        held = stripped_span(source, start, end)
        if held.end > held.start:
            self.hold(inclusion.tag if inclusion else held, inclusion)

    def hold(self, span: Span, inclusion: _Inclusion | None) -> None:
        self.current.holds.append(span)
        if inclusion is not None:
            inclusion.used = True

    def switch(self, role: Role, marker: _Marker, inclusion: _Inclusion | None) -> None:
        if inclusion is None:
            start, marker_span = marker.span.start, marker.span
        elif inclusion.used:
            # The tag already belongs to the message above; this one starts right after it,
            # with an empty marker so that the marker stays inside the message.
            start = inclusion.tag.end
            marker_span = Span(start, start)
        else:
            start, marker_span = inclusion.tag.start, inclusion.tag
            inclusion.used = True
        at = inclusion.tag if inclusion else marker_span
        implicit = len(self.drafts) == 1 and self.current.marker is None
        if (implicit or self.current.after_history) and not self.current.holds:
            # Blank text before the first marker, or after a history, belongs to the marker, so
            # that the spans tile the body.
            start = self.drafts.pop().start
        self.drafts.append(_Draft(role, start, marker_span, marker.word, at=at))

    def include(
        self, partial: _Partial, inclusion: _Inclusion | None, stack: tuple[str, ...]
    ) -> None:
        name = partial.name
        if inclusion is None:
            inclusion = _Inclusion(partial.span)
            self.placeholders.append(Placeholder("partial", partial.span))
        tag = inclusion.tag
        if name in stack:
            chain = " → ".join(f"_{n}.prompt" for n in (*stack, name))
            self.problem("error", "partial-cycle", f"partials include each other: {chain}", tag)
            return
        if len(stack) >= _MAX_PARTIAL_DEPTH or self.expansions >= _MAX_PARTIAL_EXPANSIONS:
            self.problem(
                "warning",
                "partial-limit",
                self._where(
                    stack,
                    f"partial `{name}` is not read: more than {_MAX_PARTIAL_DEPTH} levels deep "
                    f"or {_MAX_PARTIAL_EXPANSIONS} inclusions",
                ),
                tag,
            )
            return
        source = self.read(name)
        if source is None:
            why = self.unreadable.get(name)
            message = (
                f"partial `{name}` cannot be read: `_{name}.prompt` is {why}"
                if why
                else f"partial `{name}` not found: expected `_{name}.prompt`"
            )
            self.problem("error", "missing-partial", self._where(stack, message), tag)
            return
        self.expansions += 1
        frontmatter = read_frontmatter(source)
        for problem in frontmatter.problems:
            self.problem(
                problem.severity, problem.code, f"in `_{name}.prompt`: {problem.message}", tag
            )
        # The partial's text is placed stripped: blank lines around it are the file's, not
        # the prompt's.
        content = stripped_span(source, frontmatter.body_start, len(source))
        self.walk(source, content.start, content.end, inclusion, (*stack, name))

    def read(self, name: str) -> str | None:
        if name not in self.partials:
            text: str | None = None
            if self.read_partial is not None:
                try:
                    text = self.read_partial(name)
                except OSError as error:  # refused: a FIFO, a link out of the folder, too large
                    self.unreadable[name] = error.strerror or str(error)
                except Exception:  # a reader that fails is a missing partial, not a crash
                    text = None
            self.partials[name] = text if isinstance(text, str) else None
        return self.partials[name]

    @staticmethod
    def _where(stack: tuple[str, ...], message: str) -> str:
        return f"in `_{stack[-1]}.prompt`: {message}" if stack else message

    def messages(self) -> list[Message]:
        if len(self.drafts) > 1 and self.current.after_history and not self.current.holds:
            self.drafts.pop()  # nothing after the history: its blank end is the message above's
        drafts = self.drafts
        if len(drafts) == 1 and not drafts[0].holds:
            return []
        messages = []
        for i, draft in enumerate(drafts):
            end = drafts[i + 1].start if i + 1 < len(drafts) else self.body.end
            span = Span(draft.start, end)
            content = "".join(draft.pieces).strip()
            messages.append(
                Message(
                    role=draft.role,
                    content=content,
                    span=span,
                    content_span=_content_span(draft.holds, span),
                    marker=draft.marker,
                )
            )
            if draft.at is not None and not content:
                self.problem(
                    "warning", "empty-message", f"the {draft.word} message is empty", draft.at
                )
        return messages


def _content_span(holds: list[Span], span: Span) -> Span:
    if not holds:
        return Span(span.end, span.end)
    start = max(min(h.start for h in holds), span.start)
    end = min(max(h.end for h in holds), span.end)
    return Span(min(start, end), end)


# --- Metadata and the document --------------------------------------------------------------


def _output_schema(output: Any) -> Any:
    """`output.schema`, which the model is sent; a bare `output.format` is no schema."""
    return dig(output, "schema")


def dotprompt_metadata(data: dict[str, Any]) -> Metadata:
    model = data.get("model")
    parameters = mapping(data.get("config"))
    return Metadata(
        model=model if isinstance(model, str) else None,
        max_output_tokens=as_int(parameters.get("maxOutputTokens")),
        parameters=parameters,
        tools=listing(data.get("tools")),
        output_schema=_output_schema(data.get("output")),
        promptweight=mapping(data.get("promptweight")),
        raw=data,
    )


def parse_dotprompt(text: str, read_partial: PartialReader | None = None) -> PromptDocument:
    frontmatter = read_frontmatter(text)
    body = Span(frontmatter.body_start, len(text))
    builder = _Builder(body, read_partial)
    builder.walk(text, body.start, body.end)
    messages = builder.messages()
    return assemble(
        format="dotprompt",
        text=text,
        metadata=dotprompt_metadata(frontmatter.data),
        frontmatter=frontmatter.span,
        body=body,
        messages=messages,
        variables=_variables(text, body, builder.tags),
        placeholders=sorted(builder.placeholders, key=lambda p: p.span.start),
        problems=list(frontmatter.problems) + list(dict.fromkeys(builder.problems)),
    )


def dotprompt_sections(text: str, body: Span) -> list[tuple[str, Span]]:
    """The `{{section "name"}}` markers of the body (not of its partials), in order: each
    section's name and its tag."""
    tokens, _ = _tokenize(text, body.start, body.end)
    return [(token.name, token.span) for token in tokens if isinstance(token, _Section)]


def _variables(text: str, body: Span, tags: list[Span]) -> list[Variable]:
    # A name inside a comment or a role / partial tag is not a template variable.
    starts = [t.start for t in tags]
    kept = []
    for variable in curly_variables(text, body):
        i = bisect.bisect_right(starts, variable.span.start) - 1
        if i < 0 or tags[i].end <= variable.span.start:
            kept.append(variable)
    return kept
