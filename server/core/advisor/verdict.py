"""The verdict from the measured conditions: keep prompting, fine-tune, or combine both.

Fine-tuning pays when the task is well defined and its output stable, there are enough labelled
examples, and the volume makes the per-call saving pay back the training. So these are gates,
each of which must pass:
- `format-stability`, `labelled-examples` and `volume` must be measured and pass;
- `requirements-settled` and `task-diversity` must not fail (not measured does not block: no git
  history, or too few examples to judge variety, says nothing against a fine-tune).
When every gate passes, the verdict is **Fine-tune**, or **Combine both** when the prompt
supplies knowledge in context (`knowledge-in-context` failed): a fine-tune teaches behaviour and
format, not the user's data, so retrieval stays. Otherwise it is **Keep prompting**.
`ceilings` is no gate: reaching one (saturation, prefill length, monthly cost) is said as a
reason, and reaching none is said too, since fine-tuning before a ceiling shows is usually the
wrong order.
"""

from __future__ import annotations

import math

from shared_schemas.advice import (
    BreakEven,
    Condition,
    ConditionId,
    FileAdvice,
    Flip,
    Verdict,
)

MUST_PASS: tuple[ConditionId, ...] = ("format-stability", "labelled-examples", "volume")
MUST_NOT_FAIL: tuple[ConditionId, ...] = ("requirements-settled", "task-diversity")
LABELS: dict[Verdict, str] = {
    "keep-prompting": "Keep prompting",
    "fine-tune": "Fine-tune",
    "combine": "Combine both",
}


def short_count(value: int) -> str:
    """`1,950`, `12.4k`, `124k`, `3.1M`: for the one-line summary (rounded down, so the summary
    never promises a break-even below the exact one the report gives)."""
    if value >= 1_000_000:
        return f"{math.floor(value / 100_000) / 10:.1f}M"
    if value >= 100_000:
        return f"{value // 1000}k"
    if value >= 10_000:
        return f"{math.floor(value / 100) / 10:.1f}k"
    return f"{value:,}"


def _gate_open(condition: Condition) -> bool:
    if condition.id in MUST_PASS:
        return condition.passed is True
    if condition.id in MUST_NOT_FAIL:
        return condition.passed is not False
    return True


def _flip(condition: Condition, break_even: BreakEven | None, min_examples: int) -> Flip | None:
    """What would open a closed gate."""
    if condition.id == "volume" and break_even and break_even.break_even_calls_per_day:
        return Flip(
            condition="volume",
            text=f"at {break_even.break_even_calls_per_day:,} calls/day or more",
        )
    if condition.id == "labelled-examples" and condition.measured is not None:
        missing = max(min_examples - int(condition.measured), 0)
        return Flip(condition=condition.id, text=f"with {missing:,} more labelled examples")
    texts: dict[ConditionId, str] = {
        "format-stability": "with a declared output schema, or example outputs of one format",
        "requirements-settled": "once the prompt stops changing (fewer commits a month)",
        "task-diversity": "with a narrower task (fewer distinct kinds of output)",
        "volume": "if a fine-tuned model cost less per call than the prompt",
    }
    text = texts.get(condition.id)
    return Flip(condition=condition.id, text=text) if text else None


def decide(
    path: str,
    conditions: list[Condition],
    break_even: BreakEven | None,
    min_examples: int,
) -> FileAdvice:
    by_id = {c.id: c for c in conditions}
    closed = [c for c in conditions if not _gate_open(c)]
    knowledge = by_id.get("knowledge-in-context")
    ceilings = by_id.get("ceilings")
    reasons: list[str] = []
    flips: list[Flip] = []
    verdict: Verdict
    if closed:
        verdict = "keep-prompting"
        for condition in closed:
            state = "not measured" if condition.passed is None else condition.value
            reasons.append(f"{condition.label}: {state} (needs {condition.threshold})")
            flip = _flip(condition, break_even, min_examples)
            if flip is not None:
                flips.append(flip)
    else:
        knowledge_here = knowledge is not None and knowledge.passed is False
        verdict = "combine" if knowledge_here else "fine-tune"
        reasons.append("the task is defined, its format stable, with enough examples and volume")
        if knowledge_here:
            reasons.append(
                "the prompt supplies knowledge in context: a fine-tune teaches behaviour and "
                "format, not that data, so keep retrieval and fine-tune the rest"
            )
        if break_even and break_even.break_even_calls_per_day:
            flips.append(
                Flip(
                    condition="volume",
                    text=f"below {break_even.break_even_calls_per_day:,} calls/day",
                )
            )
    if ceilings is not None and ceilings.passed is True:
        reasons.append(f"ceilings reached: {ceilings.value}")
    elif ceilings is not None and ceilings.passed is False and verdict != "keep-prompting":
        reasons.append("no prompting ceiling reached yet: prompting still has room")
    measured = [c for c in conditions if c.passed is not None]
    passed = sum(1 for c in measured if c.passed)
    summary = f"{LABELS[verdict]} · {passed} of {len(measured)} conditions"
    if break_even and break_even.break_even_calls_per_day:
        summary += f" · break-even {short_count(break_even.break_even_calls_per_day)} calls/day"
    elif break_even is not None:
        summary += " · no break-even"
    not_measured = [
        f"{c.label}: {c.note or 'not measured'}" for c in conditions if c.passed is None
    ]
    return FileAdvice(
        path=path,
        verdict=verdict,
        summary=summary,
        reasons=reasons,
        conditions=conditions,
        break_even=break_even,
        flips=flips,
        not_measured=not_measured,
    )
