"""One prompt file's advice: every condition measured, the break-even worked out, the verdict
decided (`verdict.py`). Reads the prompt's datasets and asks git about its history: call it off
an event loop."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from server.core.advisor.advisor_settings import AdvisorSettings
from server.core.advisor.break_even import break_even, cost_curve, curve_volumes, volume
from server.core.advisor.ceilings import ceilings
from server.core.advisor.format_stability import format_stability
from server.core.advisor.history import requirements_settled
from server.core.advisor.knowledge import knowledge_in_context
from server.core.advisor.labelled_examples import find_datasets, labelled_examples
from server.core.advisor.proof import read_proof
from server.core.advisor.task_diversity import task_diversity
from server.core.advisor.verdict import decide
from server.core.prompt_analysis import PromptAnalysis, analysis_problems
from shared_schemas.advice import FileAdvice, Proof

CURVE_POINTS = 9  # a table in the report; the --chart draws its own, finer


@dataclass(frozen=True)
class AdviceContext:
    settings: AdvisorSettings = field(default_factory=AdvisorSettings)
    dataset_folder: str = ""
    workspace_root: Path | None = None
    saturation_warning: float = 0.8
    now: datetime | None = None  # tests fix the clock; None: now


@dataclass(frozen=True)
class Costing:
    """What the advice's costs were worked out from, for a chart that must agree with them:
    the settings (with a serving speed the proof measured) and the datasets' training tokens."""

    settings: AdvisorSettings
    training_tokens: int | None


def advise(path: Path, analysis: PromptAnalysis, context: AdviceContext) -> FileAdvice:
    return advise_and_cost(path, analysis, context)[0]


def advise_and_cost(
    path: Path, analysis: PromptAnalysis, context: AdviceContext
) -> tuple[FileAdvice, Costing]:
    settings = context.settings
    proof, unproven = read_proof(path, context.workspace_root, context.dataset_folder)
    if proof is not None and proof.serving_tokens_per_second:
        settings = replace(settings, serving_tokens_per_second=proof.serving_tokens_per_second)
    datasets = find_datasets(path, context.dataset_folder, context.workspace_root)
    examples, training_tokens = labelled_examples(analysis, datasets, settings)
    costs = break_even(analysis, settings, training_tokens)
    if costs is not None:
        volumes = curve_volumes(costs.calls_per_day, costs.break_even_calls_per_day, CURVE_POINTS)
        curve = cost_curve(analysis, settings, training_tokens, volumes)
        costs = costs.model_copy(update={"curve": curve})
    conditions = [
        format_stability(analysis, settings),
        requirements_settled(path, settings, context.now),
        examples,
        volume(costs, settings),
        ceilings(analysis, settings, context.saturation_warning),
        knowledge_in_context(analysis, settings),
        task_diversity(analysis, settings),
    ]
    advice = decide(str(path), conditions, costs, settings.min_examples)
    reasons, not_measured = list(advice.reasons), list(advice.not_measured)
    if proof is not None:
        reasons.append(_proof_reason(proof))
    if unproven:
        not_measured.append(unproven)
    if unreadable := _errors_note(analysis):
        not_measured.append(unreadable)
    found = advice.model_copy(
        update={"proof": proof, "reasons": reasons, "not_measured": not_measured}
    )
    return found, Costing(settings, training_tokens)


def _errors_note(analysis: PromptAnalysis) -> str | None:
    """A file with errors was read only in part: every figure above may fall short, and the
    verdict is on what was read."""
    errors = [p for p in analysis_problems(analysis) if p.severity == "error"]
    if not errors:
        return None
    count = "an error" if len(errors) == 1 else f"{len(errors)} errors"
    return (
        f"the whole file: it has {count} ({errors[0].code}: {errors[0].message}), so the "
        "figures cover only what could be read"
    )


def _proof_reason(proof: Proof) -> str:
    run = Path(proof.run_dir).name
    said = (
        f"the fine-tune {run} matched {proof.match_rate_short:.0%} of {proof.examples} held-out "
        f"answers with the short prompt, the prompt {proof.match_rate_full:.0%}, with "
        f"{proof.prompt_tokens_full - proof.prompt_tokens_short:,.0f} fewer prompt tokens a call"
    )
    if proof.serving_tokens_per_second:
        said += f"; it served {proof.serving_tokens_per_second:,.0f} tokens/s on {proof.device}"
    return said
