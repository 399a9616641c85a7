"""Task diversity: is the task narrow enough for a fine-tune to generalise?

What is measured, over the few-shot examples: how many kinds of output they show, and how much
their inputs' lengths vary. Output kinds are `output_shapes.distinct_kinds`: one per JSON key
set, Markdown shape or prose, and a small label set counts as one kind (a classifier's labels
are one task, however many there are, up to `output_shapes.MAX_LABELS`). The output spread is
`(kinds - 1) / (examples - 1)`: 0 when every output is of one kind, 1 when no two are. The
input spread is the coefficient of variation (standard deviation over mean) of the inputs'
tokens, capped at 1. The diversity is the mean of the two, from 0 to 1.

Threshold: at most `promptweight.advisor.maxDiversity` (default 0.5). Why: a fine-tune learns
the tasks its data shows and generalises poorly past them; a prompt whose examples each show a
different kind of task (different output formats, inputs from a word to a page) is better
served by instructions a model reads on every call. Fewer than `MIN_EXAMPLES` (3) examples:
not measured, as two points show no spread.

Outputs that are each their own label (a few-shot prompt shows each label once) are not
counted as diverse: distinct labels over examples would call every classifier diverse.
"""

from __future__ import annotations

import statistics
from typing import Final

from server.core.advisor.advisor_settings import AdvisorSettings
from server.core.advisor.evidence import lines_evidence, not_measured
from server.core.advisor.output_shapes import distinct_kinds, output_form
from server.core.prompt_analysis import PromptAnalysis
from server.core.prompt_model import LineIndex, Span
from shared_schemas.advice import Condition

ID: Final = "task-diversity"
LABEL = "Task is narrow enough"
MIN_EXAMPLES = 3


def input_spread(lengths: list[int]) -> float:
    """The coefficient of variation of `lengths`, capped at 1; 0 for inputs of no length."""
    mean = statistics.fmean(lengths)
    if mean == 0:
        return 0.0
    return min(1.0, statistics.pstdev(lengths) / mean)


def task_diversity(analysis: PromptAnalysis, settings: AdvisorSettings) -> Condition:
    threshold = f"≤ {settings.max_diversity:.2f}"
    document = analysis.document
    examples = analysis.examples
    if document is None or len(examples) < MIN_EXAMPLES:
        have = len(examples)
        return not_measured(
            ID,
            LABEL,
            threshold,
            f"{have} few-shot example{'' if have == 1 else 's'}: "
            f"at least {MIN_EXAMPLES} are needed to measure variety",
        )
    kinds = distinct_kinds([output_form(weight.example.output) for weight in examples])
    output_spread = (kinds - 1) / (len(examples) - 1)
    spread = input_spread([weight.input_tokens for weight in examples])
    diversity = (output_spread + spread) / 2
    spans = [weight.example.span for weight in examples]
    whole = Span(min(s.start for s in spans), max(s.end for s in spans))
    index = LineIndex(document.text)
    return Condition(
        id=ID,
        label=LABEL,
        value=(
            f"{diversity:.2f} ({kinds:,} kind{'' if kinds == 1 else 's'} of output in "
            f"{len(examples):,} examples, input length spread {spread:.2f})"
        ),
        measured=diversity,
        threshold=threshold,
        passed=diversity <= settings.max_diversity + 1e-9,
        evidence=[lines_evidence(index, whole, f"{len(examples):,} few-shot examples")],
        note=f"output spread {output_spread:.2f}, input spread {spread:.2f}, averaged",
    )
