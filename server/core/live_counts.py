"""Counts kept current through a plain edit, without parsing the document again.

Typing a word inside a message changes that message's tokens and nothing else about the
prompt's structure. `LiveCounts` recognises such edits, recounts only the one message (whose
chunks mostly come from the counter's cache) and shifts the positions after it. Any other edit
(a new line, a marker, a brace, a label, an edit in frontmatter or an example) returns None, and
the caller analyses the document in full. The numbers are the full analysis's, exactly: a
property test checks that after every edit.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace

from server.core.economics import Figures, system_share
from server.core.few_shot import is_template_slot, label_line
from server.core.formats.role_markers import MARKER
from server.core.prompt_analysis import PromptAnalysis
from server.core.prompt_model import Role

# Characters that can start or end structure in some format (variables, tags, placeholders,
# markers, labels, frontmatter, JSON and YAML syntax). An edit that holds none, on a line that
# holds none, leaves the structure as it was.
_STRUCTURAL = re.compile(r"[\n\r{}<>\[\]!$:#\-\"'\\`|*_%@=]")
# Template and tag syntax that an edit next to it could make or break.
_LINE_SYNTAX = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}|\$\{|</?[A-Za-z]|!\[|```")
_BLOCK = 65_536


def common_prefix(a: str, b: str) -> int:
    limit = min(len(a), len(b))
    start = 0
    while start < limit and a[start : start + _BLOCK] == b[start : start + _BLOCK]:
        start += _BLOCK
    if start >= limit:
        return limit
    end = min(start + _BLOCK, limit)
    while start < end:  # binary search inside the first differing block
        middle = (start + end + 1) // 2
        if a[start:middle] == b[start:middle]:
            start = middle
        else:
            end = middle - 1
    return start


def common_suffix(a: str, b: str, limit: int) -> int:
    """Length of the common end of `a` and `b`, at most `limit`."""
    length = 0
    while length < limit:
        step = min(_BLOCK, limit - length)
        if (
            a[len(a) - length - step : len(a) - length]
            != b[len(b) - length - step : len(b) - length]
        ):
            low, high = 0, step - 1
            while low < high:
                middle = (low + high + 1) // 2
                if (
                    a[len(a) - length - middle : len(a) - length]
                    == b[len(b) - length - middle : len(b) - length]
                ):
                    low = middle
                else:
                    high = middle - 1
            return length + low
        length += step
    return length


@dataclass
class LiveCounts:
    text: str
    analysis: PromptAnalysis
    roles: list[Role]
    # Each message's region: after its marker (or from its start) to the next message.
    region_starts: list[int]
    region_ends: list[int]
    contents: list[str]
    tokens: list[int]
    verbatim: list[bool]  # content is its region of the source, stripped (nothing cut out)
    # In-text examples: (message index, start, end, tokens); an edit touching one is structural.
    in_text: list[tuple[int, int, int, int]]
    # Chat pairs: (question message, answer message).
    pairs: list[tuple[int, int]]

    @classmethod
    def of(cls, analysis: PromptAnalysis, text: str) -> LiveCounts | None:
        document = analysis.document
        if document is None or analysis.figures is None:
            return None
        if document.format not in ("prompty", "markdown", "prompt-md", "dotprompt"):
            return None  # JSON and YAML have syntax everywhere: parse them
        messages = [m.message for m in analysis.messages]
        region_starts = [m.marker.end if m.marker else m.span.start for m in messages]
        region_ends = [m.span.end for m in messages]
        index_of = {m.span.start: i for i, m in enumerate(messages)}
        pairs = []
        for weighed in analysis.examples:
            example = weighed.example
            if example.message_index is None:
                question = index_of[example.span.start]
                pairs.append((question, question + 1))
        return cls(
            text=text,
            analysis=analysis,
            roles=[m.role for m in messages],
            region_starts=region_starts,
            region_ends=region_ends,
            contents=[m.content for m in messages],
            tokens=[m.tokens for m in analysis.messages],
            # The quick count reads a message's whole region as its content: only true where
            # nothing in it is left out (a Dotprompt comment, section or history, a placeholder).
            verbatim=[
                text[start:end].strip() == m.content
                for m, start, end in zip(messages, region_starts, region_ends, strict=True)
            ],
            in_text=[
                (
                    e.example.message_index,
                    e.example.span.start,
                    e.example.span.end,
                    e.input_tokens + e.output_tokens,
                )
                for e in analysis.examples
                if e.example.message_index is not None
            ],
            pairs=pairs,
        )

    def _touches_syntax(self, text: str, start: int, end: int) -> bool:
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line = text[line_start : len(text) if line_end < 0 else line_end]
        if MARKER.fullmatch(line) or label_line(line):
            return True
        # Syntax elsewhere on the line is fine; next to the edit, the edit may make or break it.
        return any(
            m.start() + line_start <= end and start <= m.end() + line_start
            for m in _LINE_SYNTAX.finditer(line)
        )

    def apply(self, new: str) -> Figures | None:
        """The figures of `new`, or None when the edit needs a full analysis."""
        old = self.text
        start = common_prefix(old, new)
        tail = common_suffix(old, new, min(len(old), len(new)) - start)
        old_end, new_end = len(old) - tail, len(new) - tail
        if _STRUCTURAL.search(old, start, old_end) or _STRUCTURAL.search(new, start, new_end):
            return None
        if self._touches_syntax(old, start, old_end) or self._touches_syntax(new, start, new_end):
            return None
        index = bisect.bisect_right(self.region_starts, start) - 1
        if index < 0 or old_end > self.region_ends[index] or not self.verbatim[index]:
            return None
        if any(i == index for i, _, _, _ in self.in_text):
            # An example runs to the end of its last line: typing after its trailing spaces
            # lengthens it.
            if any(
                i == index and s <= old_end and start <= _line_end(old, e)
                for i, s, e, _ in self.in_text
            ):
                return None
            if not _line_of(old, start).strip():
                return None  # a blank line ends an example's output: filling it moves the end
        delta = len(new) - len(old)
        content = new[self.region_starts[index] : self.region_ends[index] + delta].strip()
        before = self.contents[index]
        if not content or not before or is_template_slot(before) or is_template_slot(content):
            return None  # emptiness and template slots decide what counts as an example

        self.region_ends[index] += delta
        for i in range(index + 1, len(self.region_starts)):
            self.region_starts[i] += delta
            self.region_ends[i] += delta
        self.in_text = [
            (i, s + delta, e + delta, t) if s > start else (i, s, e, t)
            for i, s, e, t in self.in_text
        ]
        self.contents[index] = content
        self.tokens[index] = self.analysis.model.counter.count(content)
        self.text = new
        return self.figures()

    def figures(self) -> Figures:
        base = self.analysis.figures
        assert base is not None
        pair_tokens: list[tuple[int | None, int]] = [
            (None, self.tokens[q] + self.tokens[a]) for q, a in self.pairs
        ]
        in_text_tokens: list[tuple[int | None, int]] = [(i, t) for i, _, _, t in self.in_text]
        return replace(
            base,
            prompt_tokens=sum(self.tokens),
            few_shot_tokens=sum(t for _, t in pair_tokens) + sum(t for _, t in in_text_tokens),
            system_tokens=system_share(self.roles, self.tokens, pair_tokens + in_text_tokens),
        )


def _line_of(text: str, offset: int) -> str:
    end = text.find("\n", offset)
    return text[text.rfind("\n", 0, offset) + 1 : len(text) if end < 0 else end]


def _line_end(text: str, offset: int) -> int:
    end = text.find("\n", offset)
    return len(text) if end < 0 else end
