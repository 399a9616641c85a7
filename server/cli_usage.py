"""The flags that say how a prompt is used (`--model`, `--max-output-tokens`, `--budget`,
`--calls-per-day`, `--max-characters`), shared by `check` and `advise`, and the analysis
settings they make."""

from __future__ import annotations

import argparse
from pathlib import Path

from server.core.countable import DEFAULT_MAX_DOCUMENT_CHARACTERS
from server.core.economics import MAX_BUDGET_TOKENS, MAX_CALLS_PER_DAY, UsageDefaults
from server.core.model_choice import ModelSettings
from server.core.prompt_analysis import AnalysisSettings


def add_usage_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model", default="gpt-4o-mini", help="model for files that do not name their own"
    )
    parser.add_argument(
        "--max-characters", type=int, default=DEFAULT_MAX_DOCUMENT_CHARACTERS, metavar="N"
    )
    parser.add_argument(
        "--max-output-tokens",
        type=int,
        default=UsageDefaults.max_output_tokens,
        metavar="N",
        help="expected output per call, for files that declare none",
    )
    parser.add_argument(
        "--budget",
        type=int,
        default=UsageDefaults.budget_tokens,
        metavar="TOKENS",
        help="room for runtime content (retrieved documents, history) per call",
    )
    parser.add_argument(
        "--calls-per-day", type=int, default=UsageDefaults.calls_per_day, metavar="N"
    )


def settings_from(args: argparse.Namespace) -> AnalysisSettings | str:
    """The settings, or what is wrong with them."""
    bounds = [
        ("--max-characters", args.max_characters, 1, 10**12),
        ("--max-output-tokens", args.max_output_tokens, 1, 10_000_000),
        ("--budget", args.budget, 0, MAX_BUDGET_TOKENS),
        ("--calls-per-day", args.calls_per_day, 0, MAX_CALLS_PER_DAY),
    ]
    for flag, value, low, high in bounds:
        if not low <= value <= high:
            return f"{flag} must be between {low:,} and {high:,}, not {value:,}"
    return AnalysisSettings(
        models=ModelSettings(default_model=args.model, workspace_root=Path.cwd()),
        usage=UsageDefaults(
            max_output_tokens=args.max_output_tokens,
            budget_tokens=args.budget,
            calls_per_day=args.calls_per_day,
        ),
        max_characters=args.max_characters,
    )
