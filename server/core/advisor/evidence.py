"""What every condition module needs: 1-based line ranges for evidence, shares written the way
the report shows them, and the shape of a condition that could not be measured."""

from __future__ import annotations

from server.core.prompt_model import LineIndex, Span
from shared_schemas.advice import Condition, ConditionId, Evidence

# Evidence lists stay readable in a hover: the first few places, then a count of the rest.
MAX_EVIDENCE = 10


def line_range(index: LineIndex, span: Span) -> tuple[int, int]:
    """The 1-based first and last line of `span`; a span ending at a line's start ends on the
    line before, as an editor's selection of whole lines does."""
    first, _ = index.position(span.start)
    last, column = index.position(span.end)
    if column == 0 and span.end > span.start:
        last -= 1
    return first + 1, max(first, last) + 1


def lines_evidence(index: LineIndex, span: Span, text: str) -> Evidence:
    start, end = line_range(index, span)
    return Evidence(text=text, start_line=start, end_line=end)


def capped(evidence: list[Evidence]) -> list[Evidence]:
    if len(evidence) <= MAX_EVIDENCE:
        return evidence
    rest = len(evidence) - MAX_EVIDENCE + 1
    return [*evidence[: MAX_EVIDENCE - 1], Evidence(text=f"and {rest:,} more")]


def share(part: int, whole: int) -> str:
    """`5 of 6 (83%)`."""
    return f"{part:,} of {whole:,} ({part / whole:.0%})"


def not_measured(id: ConditionId, label: str, threshold: str, note: str) -> Condition:
    return Condition(
        id=id,
        label=label,
        value="not measured",
        measured=None,
        threshold=threshold,
        passed=None,
        note=note,
    )
