"""Template variables and runtime placeholders in prompt text.

Jinja2, Mustache and Handlebars share `{{ name }}`; VS Code prompt files use `${input:name}`,
`${selection}` and the like. Placeholders (`![thread]`, `{{history}}`, `{{media ...}}`, inputs
declared as a thread, image, audio or file, and Jinja loops that write out role markers) stand for
runtime content and are recorded, not counted as text.
"""

from __future__ import annotations

import bisect
import re

from server.core.prompt_model import Placeholder, Span, Variable

# These patterns run on any text a user writes, while the interpreter lock is held: each is
# linear in the text, for the reason in its comment.

# `{{ name }}`, `{{ name.field }}`, `{{ name | filter }}`, `{{{ raw }}}`; not block helpers.
# Linear: each run (`\s*`, the name, the filter's `[^{}]*`) ends at a character that the next
# piece must start with or that stops it, so an attempt gives back at most one run, once; and
# the runs read from one `{{` end at or before the next brace, so attempts do not re-read.
_CURLY = re.compile(r"\{\{\{?-?\s*([A-Za-z_][\w.]*)\s*(?:\|[^{}]*)?-?\}?\}\}")
_HANDLEBARS_KEYWORDS = frozenset(
    {"this", "else", "true", "false", "null", "loop", "role", "section"}
)
# `{{history}}` and `{{media ...}}`, in one pass over the text. Linear as `_CURLY` is.
_RUNTIME_CONTENT = re.compile(r"\{\{\s*(?:(history)\s*\}\}|media\b[^{}]*\}\})")
# `{% for m in history %}`: the loop variable. Linear: tried only where `{%` is (the literal
# start), and the last run `[^%]*` ends at the next `%`, which every later `{%` holds.
_FOR = re.compile(r"\{%-?\s*for\s+([A-Za-z_]\w*)\s+in\b[^%]*%\}")
# Linear: literals around two `\s*` runs, each ending at a non-space.
_ENDFOR = re.compile(r"\{%-?\s*endfor\s*-?%\}")
# `{{ m.role }}:` or `{{ m['role'] }}:` ending its line: a role marker written at run time (as
# Prompty's own markers, the colon ends the line; `{{m.role}}: {{m.content}}` is a transcript
# in the text). Linear as `_CURLY` is: each run ends at a character the next piece must start
# with or that stops it.
_ROLE_OUTPUT = re.compile(
    r"\{\{-?\s*([A-Za-z_]\w*)(?:\.role|\[\s*[\"']role[\"']\s*\])\s*-?\}\}[ \t]*:[ \t]*(?:\r?\n|$)"
)
# Inputs whose value is not text: Prompty 2 `kind`s the provider bills (or that are the
# conversation itself) apart from the prompt's text.
RUNTIME_INPUT_KINDS = frozenset({"thread", "image", "audio", "file"})
# Linear: matched once per line, at its start, against that line only.
_THREAD = re.compile(r"^[ \t]*!\[([A-Za-z_]\w*)\][ \t]*$", re.M)
# `${name`, `${input:name` or `${input` (a name alone, tried when the first fails): the start
# of a VS Code variable, whose end is found with `str.find` (see `vscode_variables`). Linear:
# a bounded literal, then one `\w*` run that ends before the next `$`.
_VSCODE_START = re.compile(r"\$\{(?:input:)?([A-Za-z_]\w*)")
_VSCODE_INPUT_ALONE = re.compile(r"\$\{(input)")


class Finder:
    """The next match at or after a position, remembering the last answer per needle.

    Scanning forward repeats a search from later positions, which mostly has the same answer;
    remembering it keeps text full of unclosed `{{` (or `${name:`) linear rather than quadratic.
    """

    def __init__(self, text: str, end: int) -> None:
        self.text = text
        self.end = end
        # needle -> (searched from, match start, match end); -1 where nothing matched
        self.memory: dict[str | re.Pattern[str], tuple[int, int, int]] = {}

    def find(self, needle: str | re.Pattern[str], start: int) -> tuple[int, int]:
        """(start, end) of the next match, or (-1, -1)."""
        remembered = self.memory.get(needle)
        if remembered is not None:
            searched_from, found, found_end = remembered
            if searched_from <= start and (found == -1 or found >= start):
                return found, found_end
        if isinstance(needle, str):
            found = self.text.find(needle, start, self.end)
            found_end = found + len(needle) if found != -1 else -1
        else:
            match = needle.search(self.text, start, self.end)
            found, found_end = (match.start(), match.end()) if match else (-1, -1)
        self.memory[needle] = (start, found, found_end)
        return found, found_end


def curly_variables(text: str, span: Span) -> list[Variable]:
    found = []
    for match in _CURLY.finditer(text, span.start, span.end):
        name = match.group(1)
        if name.split(".")[0] in _HANDLEBARS_KEYWORDS or name in ("history", "media"):
            continue
        found.append(Variable(name, Span(match.start(), match.end())))
    return found


def _vscode_end(text: str, at: int, finder: Finder) -> int:
    r"""Where a VS Code variable whose name ends at `at` ends, or -1: `}` at once, or `:` or
    `=` and text up to the first `}` on the line (`(?::[^}\n]*|=[^}\n]*)?\}`)."""
    if text.startswith("}", at, finder.end):
        return at + 1
    if not text.startswith((":", "="), at, finder.end):
        return -1
    (brace, _), (newline, _) = finder.find("}", at + 1), finder.find("\n", at + 1)
    return brace + 1 if brace != -1 and (newline == -1 or brace < newline) else -1


def vscode_variables(text: str, span: Span) -> list[Variable]:
    r"""`${input:name}`, `${name:default}`, `${selection}`: what the pattern
    `\$\{(?:input:)?([A-Za-z_]\w*)(?::[^}\n]*|=[^}\n]*)?\}` finds, with the end found by
    `Finder`; that pattern read to the end of the line from every `${name:` that has no `}`
    (quadratic: 4 s on 40 KB of `${a:`)."""
    found = []
    finder = Finder(text, span.end)
    at = span.start
    while (dollar := finder.find("${", at)[0]) != -1:
        end = -1
        for start in (_VSCODE_START, _VSCODE_INPUT_ALONE):
            # `${input:x y}` is not `input:` and a name, but it is `input` and `:x y}`.
            match = start.match(text, dollar, span.end)
            if match is not None and (end := _vscode_end(text, match.end(), finder)) != -1:
                found.append(Variable(match.group(1), Span(dollar, end)))
                break
        at = end if end != -1 else dollar + 1
    return found


def _thread_placeholders(text: str, span: Span) -> list[Placeholder]:
    """`![thread]` lines, found through a search for `!` then checked: a one-character search
    runs at memchr speed, many times faster on a long text than one for `![`. Each line is
    checked once, then passed: one `![` can start it, and looking back to the line's start
    from every `![` on it was quadratic (6.5 s on 1 MB of `![`)."""
    found = []
    at = text.find("!", span.start, span.end)
    while at != -1:
        if text.startswith("[", at + 1):
            line_start = max(text.rfind("\n", span.start, at) + 1, span.start)
            line_end = text.find("\n", at, span.end)
            match = _THREAD.match(text, line_start, span.end if line_end == -1 else line_end)
            if match is not None:
                kind = match.group(1).lower()
                found.append(Placeholder(kind, Span(match.start(), match.end())))
            if line_end == -1:
                break
            at = line_end
        at = text.find("!", at + 1, span.end)
    return found


def conversation_loops(text: str, span: Span) -> list[Placeholder]:
    """`{% for m in history %}{{m.role}}:\n{{m.content}}{% endfor %}`: a loop whose body writes
    a role marker from its variable is the conversation replayed at run time, not the text of
    the message it sits in. Loops found are not nested in one another: the search goes on after
    each one's `{% endfor %}`. `Finder` remembers the next `endfor` and role output, so a text
    of many unclosed loops stays linear."""
    found = []
    finder = Finder(text, span.end)
    at = span.start
    while (loop := _FOR.search(text, at, span.end)) is not None:
        end_start, close = finder.find(_ENDFOR, loop.end())
        role_start, _ = finder.find(_ROLE_OUTPUT, loop.end())
        if end_start == -1 or role_start == -1 or role_start > end_start:
            at = loop.end()
            continue
        role = _ROLE_OUTPUT.match(text, role_start, end_start)
        if role is not None and role.group(1) == loop.group(1):
            found.append(Placeholder("conversation", Span(loop.start(), close)))
        at = close
    return found


def declared_placeholders(text: str, span: Span, kinds: dict[str, str]) -> list[Placeholder]:
    """`{{photo}}` where the file declares `photo` an input of a runtime kind (`kinds`: name to
    kind, one of `RUNTIME_INPUT_KINDS`)."""
    if not kinds:
        return []
    return [
        Placeholder(kinds[v.name], v.span) for v in curly_variables(text, span) if v.name in kinds
    ]


def placeholders(
    text: str, span: Span, input_kinds: dict[str, str] | None = None
) -> list[Placeholder]:
    found = _thread_placeholders(text, span)
    found += [
        Placeholder("history" if m.group(1) else "media", Span(m.start(), m.end()))
        for m in _RUNTIME_CONTENT.finditer(text, span.start, span.end)
    ]
    seen = {p.span for p in found}
    found += [p for p in declared_placeholders(text, span, input_kinds or {}) if p.span not in seen]
    loops = conversation_loops(text, span)
    if loops:
        # What a loop holds goes with it: overlapping placeholders would be cut twice.
        starts = [loop.span.start for loop in loops]

        def in_loop(p: Placeholder) -> bool:
            i = bisect.bisect_right(starts, p.span.start) - 1
            return i >= 0 and p.span.end <= loops[i].span.end

        found = [p for p in found if not in_loop(p)] + loops
    return sorted(found, key=lambda p: p.span.start)
