"""What form a few-shot example's output takes, for comparing outputs with each other.

Each output is one of four forms, tried in this order:
- a JSON object (its text, or the text inside one Markdown code fence, parses to an object),
  known by its set of keys; any other JSON value (an array, a number) is `json <kind>`;
- a label: one line of at most `LABEL_MAX_CHARACTERS` characters and `LABEL_MAX_WORDS` words
  (`positive`, `billing`, `Score: 4`), known by its text;
- a shape: text whose lines have Markdown or field structure, known by the sequence of its
  line kinds (headings, bullets, numbered items, table rows, code fences, quotes, `Name:` fields
  with their names), consecutive lines of one kind counted once;
- prose: anything else. Prose has no format a model could keep to, so no two prose outputs
  count as "the same format".

Labels form a set only while it is small (`MAX_LABELS` distinct values): a closed set of labels
is what a classifier answers; beyond that, short answers are open-ended.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from server.core.json_values import TooDeepError, json_kind, loads_bounded

LABEL_MAX_CHARACTERS = 40
LABEL_MAX_WORDS = 4
MAX_LABELS = 10

# Linear: each is matched once per line, at its start, and every run ends at a character the
# next piece cannot start with.
_FIELD = re.compile(r"[A-Za-z][\w ]{0,30}:(?:\s|$)")
_NUMBERED = re.compile(r"\d{1,3}[.)]\s")


@dataclass(frozen=True)
class OutputForm:
    kind: str  # "json", "label", "shape" or "prose"
    # What two outputs of one kind must share to have one format: the sorted keys of a JSON
    # object, a label's text, a shape's line kinds; () for prose.
    key: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.kind == "json":
            return f"JSON objects with keys {', '.join(self.key)}" if self.key else "empty JSON"
        if self.kind == "label":
            return "labels"
        if self.kind == "shape":
            return "the shape " + " / ".join(self.key)
        return "prose"


def _unfenced(text: str) -> str:
    """The text inside one Markdown code fence that is the whole output, else the text."""
    if text.startswith("```") and text.endswith("```") and len(text) > 6:
        first_line_end = text.find("\n")
        if first_line_end != -1:
            return text[first_line_end + 1 : -3].strip()
    return text


def _json_form(text: str) -> OutputForm | None:
    if not text or text[0] not in "{[":
        return None  # scalars are labels or prose: `42` and `true` are short answers
    try:
        value = loads_bounded(text)
    except (ValueError, TooDeepError, RecursionError):
        return None
    if isinstance(value, dict):
        return OutputForm("json", tuple(sorted(value)))
    return OutputForm("json", (json_kind(value),)) if isinstance(value, list) else None


def _line_kind(line: str) -> str:
    if line.startswith("#"):
        return "heading " + "#" * (len(line) - len(line.lstrip("#")))
    if line.startswith(("- ", "* ", "+ ")):
        return "bullet"
    if line.startswith("|"):
        return "table"
    if line.startswith("```"):
        return "fence"
    if line.startswith(">"):
        return "quote"
    if _NUMBERED.match(line):
        return "numbered"
    field = _FIELD.match(line)
    if field is not None:
        return field.group(0).rstrip().rstrip(":") + ":"
    return "text"


def output_form(output: str) -> OutputForm:
    text = output.strip()
    found = _json_form(_unfenced(text))
    if found is not None:
        return found
    short = "\n" not in text and len(text) <= LABEL_MAX_CHARACTERS
    if short and len(text.split()) <= LABEL_MAX_WORDS:
        return OutputForm("label", (text,))
    kinds: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped:
            kind = _line_kind(stripped)
            if not kinds or kinds[-1] != kind:
                kinds.append(kind)
    if kinds == ["text"] or not kinds:
        return OutputForm("prose")
    return OutputForm("shape", tuple(kinds))


@dataclass(frozen=True)
class Consistency:
    consistent: int  # outputs of the largest group that shares one format
    form: str  # that format, described; "" when no two outputs share one
    members: tuple[int, ...]  # the indexes of those outputs


def consistency(forms: Sequence[OutputForm]) -> Consistency:
    """The largest group of outputs with one format: one JSON key set, one small label set, or
    one shape."""
    groups: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    for number, form in enumerate(forms):
        if form.kind == "label":
            groups.setdefault(("label", ()), []).append(number)
        elif form.kind != "prose":
            groups.setdefault((form.kind, form.key), []).append(number)
    labels = groups.get(("label", ()))
    if labels is not None and len({forms[i].key for i in labels}) > MAX_LABELS:
        del groups[("label", ())]
    if not groups:
        return Consistency(0, "", ())
    (kind, key), members = max(groups.items(), key=lambda item: len(item[1]))
    if kind == "label":
        distinct = len({forms[i].key for i in members})
        described = f"labels from a set of {distinct}"
    else:
        described = OutputForm(kind, key).describe()
    return Consistency(len(members), described, tuple(members))


def distinct_kinds(forms: Sequence[OutputForm]) -> int:
    """How many kinds of output there are: each JSON key set, shape and prose is one kind, and
    so is a small label set (a classifier's answers are one kind); labels beyond `MAX_LABELS`
    distinct values are open-ended short answers, each its own kind."""
    labels = Counter(form.key for form in forms if form.kind == "label")
    open_labels = len(labels) > MAX_LABELS
    kinds = {(form.kind, form.key if form.kind != "label" or open_labels else ()) for form in forms}
    return len(kinds)
