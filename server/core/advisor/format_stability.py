"""Format stability: is the output format stable enough for a fine-tune to learn it?

What is measured: an output schema declared in the file (Prompty's `response_format` or
`outputs`, Dotprompt's `output.schema`, a chat file's `response_format`) passes outright, since
the provider then holds every answer to it; `{type: text}` declares no format. Without one, the
few-shot examples' outputs are compared (`output_shapes.py`): the value is the share of them in
the largest group with one format (JSON objects with one key set, labels from one small set, or
one Markdown / field shape), written `5 of 6 (83%)`.

Threshold: `promptweight.advisor.formatConsistency` (default 90%). Why: a fine-tune learns the
format its data shows; outputs that disagree with each other teach no format, and prompting
shows its first ceiling as inconsistent output on format-sensitive tasks. No examples and no
schema: not measured, as there is nothing to compare.
"""

from __future__ import annotations

import re
from typing import Any, Final

from server.core.advisor.advisor_settings import AdvisorSettings
from server.core.advisor.evidence import capped, lines_evidence, not_measured, share
from server.core.advisor.output_shapes import consistency, output_form
from server.core.prompt_analysis import PromptAnalysis
from server.core.prompt_model import LineIndex, PromptDocument, Span
from shared_schemas.advice import Condition, Evidence

ID: Final = "format-stability"
LABEL = "Output format is stable"

# Linear: tried only at line starts; the spaces and the optional quote are single runs that end
# at the literal key.
_SCHEMA_KEY = re.compile(r'^([ \t]*)"?(response_format|outputs|output)"?[ \t]*:', re.M)


def _declares_format(schema: Any) -> bool:
    if schema is None or schema == "text":
        return False
    return not (isinstance(schema, dict) and schema.get("type") == "text" and len(schema) == 1)


def _schema_span(document: PromptDocument) -> Span:
    """Where the schema is written: its key's line and the lines indented under it."""
    text = document.text
    region = document.frontmatter or document.body
    found = _SCHEMA_KEY.search(text, region.start, region.end)
    if found is None:
        return Span(region.start, region.start)
    indent = len(found.group(1))
    end = text.find("\n", found.end(), region.end)
    end = region.end if end == -1 else end
    while end < region.end:
        next_end = text.find("\n", end + 1, region.end)
        next_end = region.end if next_end == -1 else next_end
        line = text[end + 1 : next_end]
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        end = next_end
    return Span(found.start(), end)


def format_stability(analysis: PromptAnalysis, settings: AdvisorSettings) -> Condition:
    threshold = f"≥ {settings.format_consistency:.0%} of the examples' outputs in one format"
    document = analysis.document
    if document is None:
        return not_measured(ID, LABEL, threshold, "not a prompt the advisor can read")
    index = LineIndex(document.text)
    if _declares_format(document.metadata.output_schema):
        return Condition(
            id=ID,
            label=LABEL,
            value="output schema declared",
            measured=1.0,
            threshold=threshold + ", or a declared output schema",
            passed=True,
            evidence=[lines_evidence(index, _schema_span(document), "the output schema")],
        )
    examples = document.examples
    if not examples:
        return not_measured(
            ID, LABEL, threshold, "no few-shot examples and no output schema to compare"
        )
    forms = [output_form(example.output) for example in examples]
    found = consistency(forms)
    measured = found.consistent / len(examples)
    evidence: list[Evidence] = []
    if found.consistent:
        members = [examples[i].span for i in found.members]
        whole = Span(min(s.start for s in members), max(s.end for s in members))
        evidence.append(lines_evidence(index, whole, f"{found.consistent:,} outputs: {found.form}"))
    in_group = set(found.members)
    odd = "unlike the others" if found.consistent else "no two outputs share a format"
    for number, (example, form) in enumerate(zip(examples, forms, strict=True), start=1):
        if number - 1 not in in_group:
            text = f"example {number}: {form.describe()}, {odd}"
            evidence.append(lines_evidence(index, example.span, text))
    return Condition(
        id=ID,
        label=LABEL,
        value=share(found.consistent, len(examples)),
        measured=measured,
        threshold=threshold,
        # Compared as counts: 9 of 10 is exactly 90%, whatever the float of 0.9.
        passed=found.consistent >= settings.format_consistency * len(examples) - 1e-9,
        evidence=capped(evidence),
        note=f"the largest group: {found.form}" if found.form else "no two outputs alike",
    )
