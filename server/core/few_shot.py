"""Few-shot examples: the labelled data a prompt pays for on every call.

Two shapes: chat pairs (a user message answered by an assistant message, before the last user
message), and examples written inside a message's text (`<example>` blocks, `Input:`/`Output:`
and `Q:`/`A:` line pairs). An example with an empty output is not an example: a trailing
`Output:` awaiting the model's answer is the live input.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import replace

from server.core.formats.role_markers import stripped_span
from server.core.prompt_model import FewShotExample, Message, Problem, Role, Span

# The patterns below run on any text a user writes, and the interpreter lock is held while one
# runs: each is linear in the text it is given, for the reason in its comment.

# Linear: the `\s*` run after one `</example` ends before the next `<`, so each character is
# read by one attempt.
_EXAMPLE_CLOSE = re.compile(r"</example\s*>", re.I)
_PAIR_TAGS = (("input", "output"), ("user", "assistant"))
# A label line: optional Markdown decoration (or a heading ending in the label), the label, a
# colon, and maybe the first line of its text.
# Linear: it is only ever tried at line starts (`^`), and each attempt reads one line a bounded
# number of times. Every run is followed by a character it cannot match, so giving characters
# back fails at once; the heading's spaces are held to the whole run (`(?![ \t])`), so that
# they are not retried in every split against the lazy `[^\n]*?` that finds the label
# (quadratic: 15 s on `# ` and 20 KB of spaces). The heading is `#`s, spaces, any text, a space
# or tab, then the label; the branch with the lookbehind is the one case that needed the spaces
# given back: the label right after two or more of them (`#  Input:`).
_LABEL = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]+(?![ \t])(?:[^\n]*?[ \t]|(?<=[ \t][ \t]))|[>*_\-][>*_\- \t]*)?"
    r"(input|output|question|answer|q|a)[*_]*[ \t]*:[*_]*[ \t]*",
    re.I | re.M,
)


def label_line(line: str) -> bool:
    """Whether a line starts with an example label (`Input:`, `**Output:**`, `Q:` ...)."""
    return _LABEL.match(line) is not None


_KIND_OF_LABEL = {
    "input": ("input-output", "input"),
    "output": ("input-output", "output"),
    "q": ("q-a", "input"),
    "question": ("q-a", "input"),
    "a": ("q-a", "output"),
    "answer": ("q-a", "output"),
}
# Linear: tried only at newlines, and the spaces after one newline end before the next.
_BLANK_LINE = re.compile(r"\n[ \t]*\r?\n")
# Linear: matched whole (fullmatch) from one position; each run stops at a brace, which is
# what must follow it.
_ONLY_A_VARIABLE = re.compile(r"\{\{[^{}]*\}\}|\$\{[^{}]*\}|\{[A-Za-z_]\w*\}")
# How a slot can begin: a variable (`{{`, `{name}`, `${`) or a template tag (`{%`, `{#`); JSON
# such as `{"reply": ...}` cannot. Linear: matched at the start only.
_SLOT_START = re.compile(r"\s*(?:\{[{%#A-Za-z_]|\$\{)")


def _without_template_statements(text: str) -> str:
    """`text` less its `{% ... %}` and `{# ... #}` tags (the first closer after each opener).

    Scanned with `str.find`: the pattern `{%.*?%}` searched for the closer to the end of the
    text from every unclosed opener (quadratic: 2 s on 20 KB of `{%`). Here a closer that is
    missing once is missing for every later opener too, so it is never searched for again.
    """
    pieces: list[str] = []
    kept_from = at = 0
    missing: set[str] = set()
    while (opener := text.find("{", at)) != -1:
        kind = text[opener + 1 : opener + 2]
        if kind in ("%", "#") and kind not in missing:
            closer = text.find(kind + "}", opener + 2)
            if closer != -1:
                pieces.append(text[kept_from:opener])
                kept_from = at = closer + 2
                continue
            missing.add(kind)
        at = opener + 1
    pieces.append(text[kept_from:])
    return "".join(pieces)


def is_template_slot(text: str) -> bool:
    """True for text that is only a variable (and loop or block tags): the template's live
    slot, filled at render time, not a written example."""
    if _SLOT_START.match(text) is None:
        return False  # quick: a slot starts with its variable or tag (and texts can be long)
    return bool(_ONLY_A_VARIABLE.fullmatch(_without_template_statements(text).strip()))


def chat_pairs(messages: list[Message]) -> list[FewShotExample]:
    last_user = max((i for i, m in enumerate(messages) if m.role is Role.USER), default=-1)
    examples = []
    # Pairs before the last user message: the one the model answers at run time.
    for question, answer in itertools.pairwise(messages[: max(last_user, 0)]):
        if (
            question.role is Role.USER
            and answer.role is Role.ASSISTANT
            and answer.content
            and not is_template_slot(answer.content)
        ):
            examples.append(
                FewShotExample(
                    input=question.content,
                    output=answer.content,
                    kind="chat-pair",
                    span=Span(question.span.start, answer.span.end),
                )
            )
    return examples


# An opening tag's name, and its closing tag. Linear: a bounded literal (`\b` looks one
# character on), and a `\s*` run that ends before the next `<`.
_TAG_NAME = {
    tag: re.compile(rf"<{tag}\b", re.I) for tag in ("example", *itertools.chain(*_PAIR_TAGS))
}
_TAG_CLOSE = {tag: re.compile(rf"</{tag}\s*>", re.I) for tag in itertools.chain(*_PAIR_TAGS)}


def _opening_tag(text: str, tag: str, start: int, end: int) -> Span | None:
    r"""The first `<tag ...>` in text[start:end], as `<tag\b[^>]*>` would find it.

    Its name is found first, then the `>` after it with `str.find`: the one pattern read on to
    the next `>` from every `<tag` that has none, to the end of the text each time (quadratic:
    2 s on 80 KB of `<example`). If the first name has no `>` after it, no later one has.
    """
    name = _TAG_NAME[tag].search(text, start, end)
    if name is None:
        return None
    close = text.find(">", name.end(), end)
    return Span(name.start(), close + 1) if close != -1 else None


def _tagged(text: str, inner: Span, tag: str) -> Span | None:
    r"""The stripped text between the first `<tag ...>` and the first `</tag>` after it.

    What `<tag\b[^>]*>(.*?)</tag\s*>` finds, without that pattern's search for a closing tag
    to the end of the block from every opening tag (quadratic: 6.6 s on `<example>` and 14,000
    `<input>`). If the first opening tag has no closing tag after it, no later one has: a later
    opening tag ends at or after the first one's end.
    """
    opening = _opening_tag(text, tag, inner.start, inner.end)
    if opening is None:
        return None
    closing = _TAG_CLOSE[tag].search(text, opening.end, inner.end)
    return stripped_span(text, opening.end, closing.start()) if closing else None


def _example_blocks(
    text: str, region: Span, index: int
) -> tuple[list[FewShotExample], list[Span], list[Problem]]:
    examples, blocks, problems = [], [], []
    at = region.start
    while (opening := _opening_tag(text, "example", at, region.end)) is not None:
        closing = _EXAMPLE_CLOSE.search(text, opening.end, region.end)
        if closing is None:
            problems.append(
                Problem(
                    "warning",
                    "unclosed-example",
                    "<example> is never closed with </example>; it is not read as an example",
                    opening,
                )
            )
            break
        block = Span(opening.start, closing.end())
        blocks.append(block)
        inner = Span(opening.end, closing.start())
        for input_tag, output_tag in _PAIR_TAGS:
            given, answer = _tagged(text, inner, input_tag), _tagged(text, inner, output_tag)
            if given and answer and answer.end > answer.start:
                examples.append(
                    FewShotExample(
                        input=text[given.start : given.end],
                        output=text[answer.start : answer.end],
                        kind="example-block",
                        span=block,
                        message_index=index,
                    )
                )
                break
        at = closing.end()
    return examples, blocks, problems


# Where a label could start: a line whose first visible character could begin one. Found with a
# literal search for newlines, which is far quicker than trying `_LABEL` at every position.
# Linear: tried only at newlines, and the spaces after one newline end before the next.
_LABEL_LINE = re.compile(r"\n(?=[ \t]*[#>*_\-iIoOqQaA])")


def label_line_starts(text: str) -> list[int]:
    starts = [0] if text[:1] not in ("", "\n") else []
    return starts + [m.end() for m in _LABEL_LINE.finditer(text)]


def _labels_in(text: str, region: Span, line_starts: list[int] | None) -> list[re.Match[str]]:
    if line_starts is None:
        return list(_LABEL.finditer(text, region.start, region.end))
    first = bisect.bisect_left(line_starts, region.start)
    last = bisect.bisect_left(line_starts, region.end)
    found = (_LABEL.match(text, start, region.end) for start in line_starts[first:last])
    return [m for m in found if m is not None]


def _inside(blocks: list[Span], at: int) -> bool:
    """Whether `at` lies in one of `blocks` (in order, not overlapping): a bisection, since a
    scan of every block for every label was quadratic."""
    i = bisect.bisect_right(blocks, at, key=lambda block: block.start) - 1
    return i >= 0 and at < blocks[i].end


def _labelled_pairs(
    text: str, region: Span, index: int, skip: list[Span], line_starts: list[int] | None = None
) -> list[FewShotExample]:
    labels = _labels_in(text, region, line_starts)
    if skip:
        labels = [m for m in labels if not _inside(skip, m.start())]
    sides = [_KIND_OF_LABEL[label.group(1).lower()] for label in labels]
    examples = []
    for i in range(len(labels) - 1):
        kind, side = sides[i]
        if side != "input" or sides[i + 1] != (kind, "output"):
            continue
        label, answer_label = labels[i], labels[i + 1]
        given = text[label.end() : answer_label.start()].strip()
        # The output is one paragraph: up to a blank line, the next label, or the message's end.
        limit = labels[i + 2].start() if i + 2 < len(labels) else region.end
        first = answer_label.end()
        while first < limit and text[first].isspace():
            first += 1
        blank = _BLANK_LINE.search(text, first, limit)
        answer = text[first : blank.start() if blank else limit].rstrip()
        if not answer or not given:
            continue
        if is_template_slot(answer):
            continue  # `Output: {{output}}` is the live slot the template fills, not an example
        examples.append(
            FewShotExample(
                input=given,
                output=answer,
                kind=kind,  # type: ignore[arg-type]  # "input-output" or "q-a"
                span=Span(label.start(), first + len(answer)),
                message_index=index,
            )
        )
    return examples


def _examples_in(
    text: str, region: Span, index: int, line_starts: list[int] | None = None
) -> tuple[list[FewShotExample], list[Problem]]:
    blocks, spans, problems = _example_blocks(text, region, index)
    return blocks + _labelled_pairs(text, region, index, spans, line_starts), problems


def _example_starts(text: str) -> list[int]:
    r"""Where each `<example ...>` tag starts, as a scan for `<example\b[^>]*>` finds them."""
    starts, at = [], 0
    while (opening := _opening_tag(text, "example", at, len(text))) is not None:
        starts.append(opening.start)
        at = opening.end
    return starts


def in_text_examples(
    text: str, messages: list[Message]
) -> tuple[list[FewShotExample], list[Problem]]:
    examples: list[FewShotExample] = []
    problems: list[Problem] = []
    # Where an example could start, found once for the whole text: most messages of a long
    # chat have none, and are passed over without a look at their text.
    line_starts = label_line_starts(text)
    candidates = sorted(line_starts + _example_starts(text))
    after_last = len(candidates)
    for index, message in enumerate(messages):
        region = message.content
        span = message.content_span
        verbatim = len(region) == span.end - span.start and text.startswith(region, span.start)
        if verbatim:
            at = bisect.bisect_left(candidates, span.start)
            if at == after_last or candidates[at] >= span.end:
                continue  # no label line and no <example> tag inside
            found, found_problems = _examples_in(text, span, index, line_starts)
        else:
            # Content that is not verbatim source (a JSON string with escapes, text with a
            # placeholder cut out): read it from the content, and place it on the whole region.
            found, found_problems = _examples_in(region, Span(0, len(region)), index)
            found = [replace(e, span=span) for e in found]
            found_problems = [replace(p, span=span) for p in found_problems]
        examples += found
        problems += found_problems
    return examples, problems


def find_examples(text: str, messages: list[Message]) -> tuple[list[FewShotExample], list[Problem]]:
    found, problems = in_text_examples(text, messages)
    found += chat_pairs(messages)
    found.sort(key=lambda e: e.span.start)
    return found, problems
