"""The figures a team decides with: chat overhead, tool tokens, context saturation and cost."""

from __future__ import annotations

import json
import math
import re
import reprlib
from dataclasses import dataclass
from typing import Any

from server.core.prompt_model import Message, Metadata, Problem, Role, Span
from server.core.token_counters import TokenCounter
from shared_schemas.model_catalog import ModelEntry

# OpenAI's documented chat convention: every message costs 3 tokens of framing, a `name` one
# more, and the reply is primed with 3.
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING_TOKENS = 3
DAYS_PER_MONTH = 30

MAX_CALLS_PER_DAY = 1_000_000_000
MAX_BUDGET_TOKENS = 100_000_000


@dataclass(frozen=True)
class UsageDefaults:
    """From settings; a file's frontmatter may override each."""

    max_output_tokens: int = 1024
    budget_tokens: int = 0
    calls_per_day: int = 1000
    saturation_warning: float = 0.8
    few_shot_share_info: float = 0.3


@dataclass(frozen=True)
class Figures:
    prompt_tokens: int
    overhead_tokens: int
    tool_tokens: int
    few_shot_tokens: int
    context_window: int
    max_output_tokens: int
    budget_tokens: int
    calls_per_day: int
    input_price_per_million: float
    output_price_per_million: float
    # System messages' tokens, less the examples written inside them (counted as examples).
    system_tokens: int = 0

    @property
    def instruction_tokens(self) -> int:
        """Every other message token: user turns that are not examples, and the like."""
        return max(0, self.prompt_tokens - self.system_tokens - self.few_shot_tokens)

    @property
    def input_tokens(self) -> int:
        """What the prompt sends on each call, before runtime content."""
        return self.prompt_tokens + self.overhead_tokens + self.tool_tokens

    @property
    def saturation(self) -> float:
        used = self.input_tokens + self.max_output_tokens + self.budget_tokens
        return used / self.context_window

    @property
    def cost_per_call_usd(self) -> float:
        """Input (with the runtime budget) plus the expected output, at list prices."""
        sent = self.input_tokens + self.budget_tokens
        return (
            sent * self.input_price_per_million
            + self.max_output_tokens * self.output_price_per_million
        ) / 1_000_000

    @property
    def cost_per_month_usd(self) -> float:
        return self.cost_per_call_usd * self.calls_per_day * DAYS_PER_MONTH


def overhead_tokens(messages: tuple[Message, ...] | list[Message]) -> int:
    if not messages:
        return 0
    names = sum(1 for m in messages if m.name)
    return TOKENS_PER_MESSAGE * len(messages) + TOKENS_PER_NAME * names + REPLY_PRIMING_TOKENS


def tool_tokens(metadata: Metadata, counter: TokenCounter) -> int:
    """Tool definitions and the output schema, counted as their compact JSON. Providers wrap
    them in their own framing, so this is close, not exact."""
    # Tool names (Copilot's `tools: [codebase]`, Dotprompt's `tools: [getWeather]`) refer to
    # definitions that live in code, out of sight: only definitions written here are counted.
    parts: list[Any] = [tool for tool in metadata.tools if isinstance(tool, dict)]
    if metadata.output_schema is not None:
        parts.append(metadata.output_schema)
    if not parts:
        return 0
    try:
        return counter.count(_compact_json(parts))
    except (ValueError, RecursionError):
        # A value that holds itself, or nests past the stack: the readers refuse both
        # (`yaml_limits.py`, `json_values.MAX_NESTING`), so no file gets here.
        return 0


def _compact_json(value: Any) -> str:
    try:
        return json.dumps(value, separators=(",", ":"), default=str)
    except TypeError:
        # A key JSON cannot hold: YAML reads `2024-01-01:` as a date.
        return json.dumps(_string_keys(value), separators=(",", ":"), default=str)


def _string_keys(value: Any) -> Any:
    """The value with every mapping key a string; nesting is bounded by the readers."""
    if isinstance(value, dict):
        return {
            key if isinstance(key, str) else str(key): _string_keys(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_string_keys(item) for item in value]
    return value


def _setting_span(text: str, frontmatter: Span | None, key: str) -> Span:
    """Where `key:` is written in the frontmatter, for a diagnostic on the right line."""
    if frontmatter is None:
        return Span(0, 0)
    # Linear: tried only at line starts, and the spaces before and after the literal key end at
    # a non-space on that line.
    found = re.compile(rf"^[ \t]*{re.escape(key)}[ \t]*:", re.M).search(
        text, frontmatter.start, frontmatter.end
    )
    return Span(found.start(), found.end()) if found else Span(frontmatter.start, frontmatter.start)


def _whole_number(
    value: Any, key: str, upper: int, text: str, frontmatter: Span | None
) -> tuple[int | None, list[Problem]]:
    if value is None:
        return None, []
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        # Shortened: the value may be a whole list or mapping.
        reason = f"must be a whole number, not {reprlib.repr(value)}"
    elif value != int(value):
        reason = f"must be a whole number, not {value}"
    elif not 0 <= value <= upper:
        reason = f"must be between 0 and {upper:,}, not {int(value):,}"
    else:
        return int(value), []
    span = _setting_span(text, frontmatter, key)
    return None, [
        Problem(
            "warning", "invalid-setting", f"promptweight.{key} {reason}; using the setting", span
        )
    ]


def usage_from_file(
    metadata: Metadata, text: str, frontmatter: Span | None, defaults: UsageDefaults
) -> tuple[UsageDefaults, list[Problem]]:
    """The file's `promptweight:` frontmatter (and its declared max output) over the settings."""
    settings = metadata.promptweight
    budget, budget_problems = _whole_number(
        settings.get("budget"), "budget", MAX_BUDGET_TOKENS, text, frontmatter
    )
    calls, calls_problems = _whole_number(
        settings.get("callsPerDay"), "callsPerDay", MAX_CALLS_PER_DAY, text, frontmatter
    )
    return (
        UsageDefaults(
            max_output_tokens=metadata.max_output_tokens or defaults.max_output_tokens,
            budget_tokens=defaults.budget_tokens if budget is None else budget,
            calls_per_day=defaults.calls_per_day if calls is None else calls,
            saturation_warning=defaults.saturation_warning,
            few_shot_share_info=defaults.few_shot_share_info,
        ),
        budget_problems + calls_problems,
    )


def system_share(
    roles: list[Role], message_tokens: list[int], examples: list[tuple[int | None, int]]
) -> int:
    """System messages' tokens less the in-text examples they hold; `examples` pairs each
    example's message index (None for chat pairs) with its tokens."""
    system = {i for i, role in enumerate(roles) if role is Role.SYSTEM}
    inside = sum(tokens for index, tokens in examples if index in system)
    return max(0, sum(message_tokens[i] for i in system) - inside)


def figures_for(
    entry: ModelEntry,
    usage: UsageDefaults,
    prompt_tokens: int,
    overhead: int,
    tools: int,
    few_shot: int,
    system: int = 0,
) -> Figures:
    return Figures(
        prompt_tokens=prompt_tokens,
        overhead_tokens=overhead,
        tool_tokens=tools,
        few_shot_tokens=few_shot,
        context_window=entry.context_window,
        max_output_tokens=usage.max_output_tokens,
        budget_tokens=usage.budget_tokens,
        calls_per_day=usage.calls_per_day,
        input_price_per_million=entry.input_usd_per_million,
        output_price_per_million=entry.output_usd_per_million,
        system_tokens=system,
    )


def figure_problems(figures: Figures, usage: UsageDefaults, at: Span) -> list[Problem]:
    problems = []
    saturation = figures.saturation
    window = f"{figures.context_window:,}-token context window"
    used = (
        f"{figures.input_tokens:,} input + {figures.max_output_tokens:,} output + "
        f"{figures.budget_tokens:,} budget"
    )
    if saturation > 1:
        problems.append(
            Problem("error", "context-overflow", f"{saturation:.0%} of the {window}: {used}", at)
        )
    elif saturation >= usage.saturation_warning:
        problems.append(
            Problem(
                "warning", "context-saturation", f"{saturation:.0%} of the {window}: {used}", at
            )
        )
    if (
        figures.prompt_tokens
        and figures.few_shot_tokens / figures.prompt_tokens > usage.few_shot_share_info
    ):
        share = figures.few_shot_tokens / figures.prompt_tokens
        problems.append(
            Problem(
                "information",
                "fine-tuning-candidate",
                f"few-shot examples are {share:.0%} of the prompt ({figures.few_shot_tokens:,} "
                "tokens on every call): if the task and its output format are stable, a "
                "fine-tuned model could learn them instead",
                at,
            )
        )
    return problems
