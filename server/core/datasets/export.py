"""A prompt's few-shot examples as fine-tuning records, one per example.

The formats are the ones trainers read: OpenAI chat fine-tuning (also Hugging Face's
conversational format), prompt-completion, Alpaca and ShareGPT. The user and assistant texts
are the examples' input and output exactly as the document model holds them, so an export
round-trips byte for byte after JSON decoding.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal, get_args

from server.core.few_shot import in_text_examples
from server.core.prompt_model import FewShotExample, Message, Problem, PromptDocument, Role, Span

DatasetFormat = Literal["openai", "prompt-completion", "alpaca", "sharegpt"]
SystemHandling = Literal["strip", "keep", "omit"]
DATASET_FORMATS: tuple[DatasetFormat, ...] = get_args(DatasetFormat)
SYSTEM_HANDLINGS: tuple[SystemHandling, ...] = get_args(SystemHandling)

Record = dict[str, Any]

# `${input:name}`: linear, as `[^{}\n]*` stops at the `{` of the next `${`, so no character is
# scanned from two starts.
_VSCODE_VARIABLE = re.compile(r"\$\{[^{}\n]*\}")
_SPACE = " \t\r\n"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Line breaks to `str.splitlines` and to editors (VS Code offers to delete them) that JSON leaves
# raw: escaped, so one record stays one line for every reader.
_UNUSUAL_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


@dataclass(frozen=True)
class ExportOptions:
    format: DatasetFormat = "openai"
    # strip: the system text without its written examples (the model learns them instead);
    # keep: as written; omit: no system text at all.
    system: SystemHandling = "strip"


def _join_at_seam(left: str, right: str) -> str:
    """Join the text around a removed example; a gap that spanned blank lines becomes one."""
    head, tail = left.rstrip(_SPACE), right.lstrip(_SPACE)
    gap = left[len(head) :] + right[: len(right) - len(tail)]
    if gap.count("\n") >= 2:
        gap = "\n\n" + gap[gap.rfind("\n") + 1 :]  # keep the next line's indentation
    return head + gap + tail


def without_spans(content: str, spans: list[Span]) -> str:
    """`content` with the spans (relative to it) removed, stripped."""
    pieces, at = [], 0
    for span in sorted(spans, key=lambda s: s.start):
        pieces.append(content[at : max(at, span.start)])
        at = max(at, span.end)
    pieces.append(content[at:])
    joined = pieces[0]
    for piece in pieces[1:]:
        joined = _join_at_seam(joined, piece)
    return joined.strip()


def _example_spans_in(document: PromptDocument, index: int, message: Message) -> list[Span]:
    """Where the message's in-text examples lie, relative to its content."""
    region = message.content_span
    if document.text[region.start : region.end] == message.content:
        return [
            Span(e.span.start - region.start, e.span.end - region.start)
            for e in document.examples
            if e.message_index == index
        ]
    # Content that is not verbatim source (a JSON string with escapes, a placeholder cut out):
    # the document places its examples on the whole region, so find them again in the content.
    whole = Span(0, len(message.content))
    alone = Message(message.role, message.content, span=whole, content_span=whole)
    return [e.span for e in in_text_examples(message.content, [alone])[0]]


def system_text(document: PromptDocument, handling: SystemHandling) -> str:
    """The text the records carry as their system message; "" for none."""
    if handling == "omit":
        return ""
    parts = []
    for index, message in enumerate(document.messages):
        if message.role is not Role.SYSTEM:
            continue
        if handling == "keep":
            parts.append(message.content)
        else:
            parts.append(
                without_spans(message.content, _example_spans_in(document, index, message))
            )
    return "\n\n".join(part for part in parts if part)


def _record(system: str, example: FewShotExample, format: DatasetFormat) -> Record:
    given, answer = example.input, example.output
    match format:
        case "openai":
            turns = [{"role": "system", "content": system}] if system else []
            turns += [{"role": "user", "content": given}, {"role": "assistant", "content": answer}]
            return {"messages": turns}
        case "prompt-completion":
            return {"prompt": f"{system}\n\n{given}" if system else given, "completion": answer}
        case "alpaca":
            return {"instruction": system, "input": given, "output": answer}
        case "sharegpt":
            turns = [{"from": "system", "value": system}] if system else []
            turns += [{"from": "human", "value": given}, {"from": "gpt", "value": answer}]
            return {"conversations": turns}


def _template_syntax(text: str) -> str | None:
    """The first `{{ name }}`, `{% for %}` or `${input:name}` in `text`: text a template
    engine would still fill in. With `str.find`, not a lazy `.*?` regex, which searches to
    the end of the text again from every unclosed `{{`; here, when the first opening has no
    closing after it, no later one has."""
    found: list[tuple[int, str]] = []
    for opening, closing in (("{{", "}}"), ("{%", "%}")):
        start = text.find(opening)
        end = text.find(closing, start + 2) if start != -1 else -1
        if end != -1:
            found.append((start, text[start : end + 2]))
    variable = _VSCODE_VARIABLE.search(text)
    if variable is not None:
        found.append((variable.start(), variable.group(0)))
    return min(found)[1] if found else None


def _variables_warning(number: int, example: FewShotExample) -> Problem | None:
    found = _template_syntax(example.input) or _template_syntax(example.output)
    if found is None:
        return None
    if len(found) > 80:
        found = found[:77] + "..."
    message = (
        f"example {number} still holds template syntax ({found}); "
        "it is exported as written, not filled in"
    )
    return Problem("warning", "example-has-variables", message, example.span)


def dataset_records(
    document: PromptDocument, options: ExportOptions | None = None
) -> tuple[list[Record], list[Problem]]:
    """One record per few-shot example, in document order, and what to warn about."""
    options = options or ExportOptions()
    if not document.examples:
        return [], []
    system = system_text(document, options.system)
    records, problems = [], []
    for number, example in enumerate(document.examples, start=1):
        records.append(_record(system, example, options.format))
        if (problem := _variables_warning(number, example)) is not None:
            problems.append(problem)
    return records, problems


def jsonl_line(record: Record) -> str:
    """The record as one JSONL line, without its newline. Text stays readable: only what could
    break the line (or is not UTF-8) is written as a \\u escape."""
    line = json.dumps(record, ensure_ascii=False)
    if _LONE_SURROGATE.search(line):
        # A lone surrogate (from a `\ud800` escape in a chat JSON file) has no UTF-8 form;
        # only `\u` escapes carry it, and they still decode to the same string.
        return json.dumps(record)
    return line.translate(_UNUSUAL_LINE_BREAKS)


def record_key(record: Any) -> str:
    """Canonical JSON: equal for records with the same content, whatever their key order."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
