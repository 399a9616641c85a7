"""An analysis's figures as the wire fields shared by `DocumentStats` and `FileReport`."""

from __future__ import annotations

from server.core.prompt_analysis import PromptAnalysis
from server.core.prompt_model import Role
from shared_schemas import PromptFigures, TokenBreakdown


def token_breakdown(analysis: PromptAnalysis) -> TokenBreakdown | None:
    figures = analysis.figures
    if figures is None:
        return None
    system_messages = {
        index for index, m in enumerate(analysis.messages) if m.message.role is Role.SYSTEM
    }
    in_system_examples = sum(
        e.input_tokens + e.output_tokens
        for e in analysis.examples
        if e.example.message_index in system_messages
    )
    system = max(0, sum(analysis.messages[i].tokens for i in system_messages) - in_system_examples)
    examples = figures.few_shot_tokens
    instructions = max(0, figures.prompt_tokens - system - examples)
    return TokenBreakdown(
        system=system,
        examples=examples,
        instructions=instructions,
        overhead=figures.overhead_tokens,
        tools=figures.tool_tokens,
    )


def prompt_figures(analysis: PromptAnalysis) -> PromptFigures:
    figures = analysis.figures
    if figures is None:
        return PromptFigures(model_id=analysis.model.entry.id)
    return PromptFigures(
        model_id=analysis.model.entry.id,
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
        breakdown=token_breakdown(analysis),
    )
