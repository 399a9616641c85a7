"""Figures as the wire fields shared by `DocumentStats` and `FileReport`."""

from __future__ import annotations

from server.core.economics import Figures
from server.core.prompt_analysis import PromptAnalysis
from shared_schemas import PromptFigures, TokenBreakdown

# The two token figures, each under one name wherever it is shown (the CLI's table, the status
# bar, the code lens, the hovers): what one call sends, the content with chat overhead, tools
# and output schema (`inputTokens`), and the messages' content alone (`promptTokens`). Two
# figures both called "tokens" read as one number that changes.
INPUT_TOKENS = "input tokens"
CONTENT_TOKENS = "content tokens"


def token_breakdown(figures: Figures) -> TokenBreakdown:
    return TokenBreakdown(
        system=figures.system_tokens,
        examples=figures.few_shot_tokens,
        instructions=figures.instruction_tokens,
        overhead=figures.overhead_tokens,
        tools=figures.tool_tokens,
    )


def figures_fields(model_id: str, figures: Figures | None) -> PromptFigures:
    if figures is None:
        return PromptFigures(model_id=model_id)
    return PromptFigures(
        model_id=model_id,
        overhead_tokens=figures.overhead_tokens,
        tool_tokens=figures.tool_tokens,
        input_tokens=figures.input_tokens,
        few_shot_tokens=figures.few_shot_tokens,
        context_window=figures.context_window,
        max_output_tokens=figures.max_output_tokens,
        budget_tokens=figures.budget_tokens,
        saturation=figures.saturation,
        cost_per_call_usd=figures.cost_per_call_usd,
        calls_per_day=figures.calls_per_day,
        cost_per_month_usd=figures.cost_per_month_usd,
        breakdown=token_breakdown(figures),
    )


def prompt_figures(analysis: PromptAnalysis) -> PromptFigures:
    return figures_fields(analysis.model.entry.id, analysis.figures)
