"""Knowledge vs behaviour: does the prompt supply knowledge in context?

What is measured, in the prompt's messages (few-shot examples left out: they teach behaviour):
- retrieval placeholders: template variables and `![name]` placeholders whose name says they
  carry retrieved material: a word of the name in `RETRIEVAL_WORDS` (`retrieved_docs`,
  `knowledge`), or a dotted part ending in one of `RETRIEVAL_NOUNS` (`context`, `documents`,
  `search_results`, `doc.text`); `history`, `thread` and the like are the conversation, not
  retrieval;
- pasted data: a run of at least `DATA_RUN_LINES` consecutive lines that are data rather than
  prose (table rows, JSON lines, CSV or TSV rows);
- reference sections: a Markdown section or an XML-tagged block whose title or tag names
  reference material (`## Reference`, `<documents>`, `# Product catalog`) and that holds at
  least `REFERENCE_SECTION_CHARACTERS` characters.

`passed` is True when none is found: behaviour alone, which a fine-tune can learn. False means
knowledge is supplied in context; fine-tuning teaches behaviour, not knowledge, so it will not
replace that context and the verdict leans to combining both. There is no setting: the
heuristics are these constants.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from server.core.advisor.advisor_settings import AdvisorSettings
from server.core.advisor.evidence import capped, lines_evidence, not_measured
from server.core.prompt_analysis import PromptAnalysis
from server.core.prompt_model import LineIndex, PromptDocument, Span
from server.core.template_syntax import Finder
from shared_schemas.advice import Condition, Evidence

ID: Final = "knowledge-in-context"
LABEL = "No knowledge supplied in context"

# A word anywhere in the name says the value is retrieved material.
RETRIEVAL_WORDS = frozenset({"retrieved", "retrieval", "knowledge", "grounding", "rag", "kb"})
# The head noun of a name (its last word, in any dotted part) names retrieved material; only as
# the head, so that `source_language` or `document_type` are not taken for it.
RETRIEVAL_NOUNS = frozenset(
    {
        "context",
        "contexts",
        "doc",
        "docs",
        "document",
        "documents",
        "passage",
        "passages",
        "chunk",
        "chunks",
        "source",
        "sources",
        "snippet",
        "snippets",
        "reference",
        "references",
        "facts",
        "articles",
        "results",
        "corpus",
    }
)
# `results` alone is retrieval only after `search`; `test_results` is not.
_QUALIFIED = {"results": frozenset({"search", "query", "retrieval", "retrieved"})}
# Names of the conversation and the user's input, never retrieval even when a word matches.
CONVERSATION_NAMES = frozenset(
    {"history", "chat_history", "thread", "conversation", "messages", "media", "input", "query"}
)

DATA_RUN_LINES = 30  # above a pretty-printed example answer (faithfulness_nli.prompt: 22 lines)
REFERENCE_SECTION_CHARACTERS = 2000
REFERENCE_TITLE_WORDS = frozenset(
    {
        "reference",
        "references",
        "knowledge",
        "context",
        "documentation",
        "documents",
        "background",
        "facts",
        "data",
        "catalog",
        "catalogue",
        "glossary",
        "faq",
        "policy",
        "policies",
        "sources",
    }
)

# Splits a name into words: `retrievedDocs` → retrieved, docs; `search_results` → search, results.
# Linear: one character class per step, no nesting.
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+")
# Linear: tried at line starts; the `#` run and the spaces are single runs before the title.
_HEADING = re.compile(r"^(#{1,6})[ \t]+(\S[^\n]*)$", re.M)
# Linear: `<name ...>` with a bounded name, at any `<`; the attributes stop at `>` or a newline.
_OPENING_TAG = re.compile(r"<([A-Za-z][\w-]{0,40})(?:[ \t][^<>\n]*)?>")


def _words(name: str) -> list[str]:
    return [w.lower() for w in _WORD_SPLIT.split(_CAMEL.sub("_", name)) if w]


def is_retrieval_name(name: str) -> bool:
    lowered = name.lower()
    if lowered in CONVERSATION_NAMES or lowered.split(".")[0] in CONVERSATION_NAMES:
        return False
    if any(word in RETRIEVAL_WORDS for word in _words(name)):
        return True
    for part in name.split("."):
        words = _words(part)
        if not words or words[-1] not in RETRIEVAL_NOUNS:
            continue
        needs = _QUALIFIED.get(words[-1])
        if needs is None or (len(words) > 1 and words[-2] in needs):
            return True
    return False


def _is_data_line(line: str) -> bool:
    stripped = line.strip()
    if not stripped:
        return False
    if stripped.startswith("|") and stripped.count("|") >= 2:
        return True  # a Markdown table row
    if stripped[0] in '{}[]"':
        return True  # JSON
    if "\t" in stripped:
        return True  # TSV
    # CSV: commas that separate values, not clauses (prose puts a space after its commas).
    return stripped.count(",") >= 2 and ", " not in stripped


@dataclass(frozen=True)
class _Found:
    span: Span
    text: str


def _regions(document: PromptDocument) -> Iterator[tuple[int, int]]:
    """The messages' contents as ranges of the source, when the content is the source."""
    text = document.text
    for message in document.messages:
        region = message.content_span
        if text[region.start : region.end] == message.content:
            yield region.start, region.end
        # Content that is not verbatim (a JSON string with escapes) is a string in a chat
        # file, where data would sit escaped on one line; its lines are not the source's.


def _lines(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    at = start
    while at < end:
        stop = text.find("\n", at, end)
        stop = end if stop == -1 else stop
        yield at, stop
        at = stop + 1


class _Examples:
    """Whether a range lies inside a few-shot example, in O(log n): examples do not overlap,
    so only the last one starting at or before the range can hold it."""

    def __init__(self, spans: list[Span]) -> None:
        self.spans = sorted(spans, key=lambda span: span.start)
        self.starts = [span.start for span in self.spans]

    def hold(self, start: int, end: int) -> bool:
        at = bisect.bisect_right(self.starts, start) - 1
        return at >= 0 and end <= self.spans[at].end


def _data_run(run: list[tuple[int, int]]) -> list[_Found]:
    if len(run) < DATA_RUN_LINES:
        return []
    return [_Found(Span(run[0][0], run[-1][1]), f"pasted data: {len(run):,} lines")]


def _data_runs(document: PromptDocument, examples: _Examples) -> list[_Found]:
    found = []
    text = document.text
    for start, end in _regions(document):
        run: list[tuple[int, int]] = []
        for line_start, line_end in _lines(text, start, end):
            line = text[line_start:line_end]
            if _is_data_line(line) and not examples.hold(line_start, line_end):
                run.append((line_start, line_end))
            else:
                found += _data_run(run)
                run = []
        found += _data_run(run)
    return found


def _section_ends(headings: list[re.Match[str]], end: int) -> list[int]:
    """Where each heading's section ends: at the next heading of its level or above. One pass
    with a stack of open sections, so that a document of many headings stays linear."""
    ends = [end] * len(headings)
    open_sections: list[int] = []
    for number, heading in enumerate(headings):
        level = len(heading.group(1))
        while open_sections and len(headings[open_sections[-1]].group(1)) >= level:
            ends[open_sections.pop()] = heading.start()
        open_sections.append(number)
    return ends


def _reference_sections(document: PromptDocument) -> list[_Found]:
    found = []
    text = document.text
    for start, end in _regions(document):
        headings = list(_HEADING.finditer(text, start, end))
        for heading, section_end in zip(headings, _section_ends(headings, end), strict=True):
            title = heading.group(2).strip()
            size = section_end - heading.end()
            if size >= REFERENCE_SECTION_CHARACTERS and set(_words(title)) & REFERENCE_TITLE_WORDS:
                span = Span(heading.start(), section_end)
                found.append(_Found(span, f"reference section `{title}`: {size:,} characters"))
        # Remembers each closing tag's search, so that many unclosed `<context>` tags do not
        # each search to the end of the text.
        closings = Finder(text, end)
        for tag in _OPENING_TAG.finditer(text, start, end):
            name = tag.group(1)
            if not set(_words(name)) & REFERENCE_TITLE_WORDS:
                continue
            closing, closing_end = closings.find(f"</{name}>", tag.end())
            size = closing - tag.end()
            if closing != -1 and size >= REFERENCE_SECTION_CHARACTERS:
                span = Span(tag.start(), closing_end)
                found.append(_Found(span, f"reference block <{name}>: {size:,} characters"))
    return found


def knowledge_in_context(analysis: PromptAnalysis, settings: AdvisorSettings) -> Condition:
    threshold = (
        "no retrieval placeholders, pasted data "
        f"(≥ {DATA_RUN_LINES} lines) or reference sections "
        f"(≥ {REFERENCE_SECTION_CHARACTERS:,} characters)"
    )
    document = analysis.document
    if document is None:
        return not_measured(ID, LABEL, threshold, "not a prompt the advisor can read")
    examples = _Examples([example.span for example in document.examples])
    found: list[_Found] = []
    for variable in document.variables:
        if is_retrieval_name(variable.name):
            found.append(_Found(variable.span, f"retrieval placeholder `{variable.name}`"))
    for placeholder in document.placeholders:
        if is_retrieval_name(placeholder.kind):
            found.append(_Found(placeholder.span, f"retrieval placeholder `{placeholder.kind}`"))
    found += _data_runs(document, examples)
    found += _reference_sections(document)
    found.sort(key=lambda f: f.span.start)
    index = LineIndex(document.text)
    evidence: list[Evidence] = [lines_evidence(index, f.span, f.text) for f in found]
    placeholders = sum(1 for f in found if f.text.startswith("retrieval"))
    material = len(found) - placeholders
    if not found:
        value = "none found"
    else:
        parts = []
        if placeholders:
            parts.append(
                f"{placeholders:,} retrieval placeholder{'' if placeholders == 1 else 's'}"
            )
        if material:
            parts.append(f"{material:,} block{'' if material == 1 else 's'} of reference material")
        value = ", ".join(parts)
    return Condition(
        id=ID,
        label=LABEL,
        value=value,
        measured=len(found),
        threshold=threshold,
        passed=not found,
        evidence=capped(evidence),
        note=(
            "fine-tuning teaches behaviour, not knowledge: this context stays with a fine-tune"
            if found
            else None
        ),
    )
