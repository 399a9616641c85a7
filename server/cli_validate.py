"""`promptweight validate DATASET.jsonl`: checks a chat fine-tuning dataset before training.

The file is read in binary and streamed line by line, so its size does not matter; only a
regular file is read (a FIFO or a device is refused). Tokens are counted with the tokenizer of
the model to be fine-tuned (`--model`). Lines and columns are counted from 1, in the text
output and in the JSON (a `ValidateReport`) alike; columns are in UTF-16 code units, as editors
count them.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from server.core.datasets.validation import (
    DEFAULT_EPOCHS,
    DEFAULT_MAX_PROBLEMS,
    DEFAULT_MAX_SEQUENCE_TOKENS,
    ValidationOptions,
    validate_dataset,
)
from server.core.model_choice import ModelSettings, choose_model
from server.core.safe_files import lines_within, open_regular
from shared_schemas.datasets import (
    DatasetReport,
    TokenDistribution,
    ValidateProblem,
    ValidateReport,
    ValueSource,
)

EXIT_OK, EXIT_DATASET_ERRORS, EXIT_USAGE = 0, 1, 2

# (flag, attribute, lowest, highest): beyond these a number is a typo, not a setting.
_BOUNDS = (
    ("--max-sequence-tokens", "max_sequence_tokens", 1, 10_000_000),
    ("--epochs", "epochs", 1, 1000),
    ("--max-problems", "max_problems", 0, 10**9),
)


def add_validate_command(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    validate = subparsers.add_parser(
        "validate",
        help="check a chat fine-tuning dataset (.jsonl)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    validate.add_argument("dataset", type=Path, metavar="DATASET.jsonl")
    validate.add_argument("--format", choices=("text", "json"), default="text")
    validate.add_argument(
        "--model", default="gpt-4o-mini", help="the model to fine-tune: its tokenizer counts"
    )
    # No argparse defaults for these two: None tells the summary that the default was assumed.
    validate.add_argument(
        "--max-sequence-tokens",
        type=int,
        metavar="N",
        help="the training model's longest example; longer ones are truncated"
        f" (default {DEFAULT_MAX_SEQUENCE_TOKENS:,})",
    )
    validate.add_argument(
        "--epochs", type=int, metavar="N", help=f"for training tokens (default {DEFAULT_EPOCHS})"
    )
    validate.add_argument(
        "--max-problems",
        type=int,
        default=DEFAULT_MAX_PROBLEMS,
        metavar="N",
        help="problems to list; the rest are counted",
    )
    return validate


def usage_problem(args: argparse.Namespace) -> str | None:
    for flag, attribute, low, high in _BOUNDS:
        value = getattr(args, attribute)
        if value is not None and not low <= value <= high:
            return f"{flag} must be between {low:,} and {high:,}, not {value:,}"
    return None


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _counted(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _assumed(source: ValueSource, flag: str) -> str:
    # The command reads no settings: a value is the flag's or the default.
    return f"from {flag}" if source == "flag" else f"the default; {flag} sets it"


def _spread(tokens: TokenDistribution) -> str:
    return (
        f"min {tokens.min:,}, median {_number(tokens.median)}, p90 {_number(tokens.p90)},"
        f" max {tokens.max:,}"
    )


def one_based(report: DatasetReport) -> ValidateReport:
    """The report as the command prints it: the validator's LSP positions counted from 1."""
    return ValidateReport(
        path=report.path,
        problems=[
            ValidateProblem(
                severity=p.severity,
                code=p.code,
                message=p.message,
                line=p.line + 1,
                column=p.start_character + 1,
                end_column=p.end_character + 1,
            )
            for p in report.problems
        ],
        omitted_problems=report.omitted_problems,
        error_count=report.error_count,
        warning_count=report.warning_count,
        summary=report.summary,
    )


def render_text(report: DatasetReport, tokenizer: str) -> str:
    path = report.path or "<dataset>"
    lines = [
        f"{path}:{p.line}:{p.column}: {p.severity}[{p.code}]: {p.message}"
        for p in one_based(report).problems
    ]
    if report.omitted_problems:
        lines.append(f"... and {report.omitted_problems:,} more problems (--max-problems)")
    s = report.summary
    lines += [
        f"{path}: {_counted(report.error_count, 'error')}, "
        f"{_counted(report.warning_count, 'warning')}",
        f"  examples           {s.examples:,} of {s.records:,} records: {s.guidance}",
    ]
    if s.example_tokens is not None and s.assistant_tokens is not None:
        lines += [
            f"  tokens per example {_spread(s.example_tokens)}",
            f"  assistant tokens   {s.assistant_tokens_total:,} ({_spread(s.assistant_tokens)})",
        ]
    lines += [
        f"  missing            system in {s.missing_system:,}, user in {s.missing_user:,}",
        f"  too long           {s.too_long:,} over {s.max_sequence_tokens:,} tokens"
        " (trainers truncate them)",
        f"  training tokens    {s.estimated_training_tokens:,} ({_counted(s.epochs, 'epoch')})",
        f"  epochs             {s.epochs:,} ({_assumed(s.epochs_source, '--epochs')})",
        f"  maximum length     {s.max_sequence_tokens:,} tokens"
        f" ({_assumed(s.max_sequence_tokens_source, '--max-sequence-tokens')})",
        f"  tokenizer          {tokenizer}",
    ]
    return "\n".join(lines)


def _chosen(flag_value: int | None, default: int) -> tuple[int, ValueSource]:
    return (default, "default") if flag_value is None else (flag_value, "flag")


def run_validate(args: argparse.Namespace) -> int:
    problem = usage_problem(args)
    if problem is not None:
        print(f"promptweight: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    model = choose_model(args.model, ModelSettings())
    max_tokens, max_tokens_source = _chosen(args.max_sequence_tokens, DEFAULT_MAX_SEQUENCE_TOKENS)
    epochs, epochs_source = _chosen(args.epochs, DEFAULT_EPOCHS)
    options = ValidationOptions(
        count_tokens=model.counter.count,
        max_sequence_tokens=max_tokens,
        max_sequence_tokens_source=max_tokens_source,
        epochs=epochs,
        epochs_source=epochs_source,
        max_problems=args.max_problems,
    )
    path: Path = args.dataset
    try:
        with open_regular(path) as stream:
            # Streamed: as far as the file went when opened, if something keeps writing it.
            size = os.fstat(stream.fileno()).st_size
            report = validate_dataset(lines_within(stream, size), options, str(path))
    except OSError as error:
        reason = error.strerror or str(error)
        print(f"promptweight: error: cannot read {path}: {reason}", file=sys.stderr)
        return EXIT_USAGE
    for note in model.notes:
        print(f"promptweight: note: {note}", file=sys.stderr)
    if args.format == "json":
        print(one_based(report).model_dump_json(by_alias=True, indent=2))
    else:
        exact = "exact" if model.exact else "estimate"
        print(render_text(report, f"{model.counter.name} ({exact}, {model.entry.id})"))
    return EXIT_DATASET_ERRORS if report.error_count else EXIT_OK
