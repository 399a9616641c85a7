"""Ceilings reached: has prompting shown its limits yet?

What is measured, from the analysis's figures: context saturation (prompt, expected output and
runtime budget over the model's context window) against `promptweight.saturationWarning`, the
same line the context-saturation diagnostic draws; the prompt tokens sent on every call (the
prefill a model reads before its first output token, so a latency proxy) against
`promptweight.advisor.longPromptTokens` (default 2,000); and the monthly cost at the file's call
volume against `promptweight.advisor.monthlyCostUsd` (default $1,000). The condition passes
(favours fine-tuning) when any ceiling is reached.

Why: prompting shows its ceilings as saturation, latency from long prompts and cost at scale; a
fine-tune that removes examples and instructions from every call lifts all three. Fine-tuning
before any ceiling shows is usually the wrong order. No figures (not a prompt, not counted):
not measured. A model without prices costs $0 a month here, which reaches no ceiling; the note
says so.
"""

from __future__ import annotations

from typing import Final

from server.core.advisor.advisor_settings import AdvisorSettings
from server.core.advisor.evidence import not_measured
from server.core.prompt_analysis import PromptAnalysis
from shared_schemas.advice import Condition, Evidence

ID: Final = "ceilings"
LABEL = "Prompting ceilings reached"


def ceilings(
    analysis: PromptAnalysis, settings: AdvisorSettings, saturation_warning: float
) -> Condition:
    threshold = (
        f"any of: saturation ≥ {saturation_warning:.0%}, "
        f"≥ {settings.long_prompt_tokens:,} input tokens per call, "
        f"≥ ${settings.monthly_cost_usd:,.0f} a month"
    )
    figures = analysis.figures
    if figures is None:
        return not_measured(ID, LABEL, threshold, "no figures: the file was not counted")
    saturation = figures.saturation
    prefill = figures.input_tokens
    monthly = figures.cost_per_month_usd
    reached = {
        "saturation": saturation >= saturation_warning,
        "prefill": prefill >= settings.long_prompt_tokens,
        "cost": monthly >= settings.monthly_cost_usd,
    }
    shown = {
        "saturation": f"{saturation:.0%} of the {figures.context_window:,}-token window",
        "prefill": f"{prefill:,} input tokens per call",
        "cost": f"${monthly:,.2f} a month at {figures.calls_per_day:,} calls/day",
    }
    value = ", ".join(
        f"{text} (reached)" if reached[name] else text for name, text in shown.items()
    )
    evidence = [
        Evidence(text=f"{shown[name]}: ceiling reached") for name, hit in reached.items() if hit
    ]
    no_prices = figures.input_price_per_million == 0 and figures.output_price_per_million == 0
    return Condition(
        id=ID,
        label=LABEL,
        value=value,
        measured=sum(reached.values()),
        threshold=threshold,
        passed=any(reached.values()),
        evidence=evidence,
        note="the model has no prices: the cost ceiling is not measured" if no_prices else None,
    )
