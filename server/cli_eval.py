"""`promptweight eval RUN_DIR [--prompt FILE] [--json] [--calls-per-day N]`: did the fine-tune
pay off? On the run's held-out examples, the base model with the prompt's full few-shot prompt
against the base model with the adapter and the short prompt: format validity, exact match,
prompt tokens and latency per call, and what the short prompt saves a month at the prompt's
call volume. The models run in the trainer's process (`python -m server.training eval`, an
argument list, never a shell); the prompt is the one whose export the run trained on, found
beside its dataset, unless given. Exit status 0 when the evaluation ran; 1 when it failed;
2 for a usage error (no run folder, no adapter, no prompt)."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import IO

from pydantic import ValidationError

from server.core.economics import MAX_CALLS_PER_DAY
from server.core.prompt_analysis import AnalysisSettings
from server.core.training.evaluation import (
    EvalSetupError,
    completed_report,
    eval_cases,
    eval_command,
    find_prompt,
    held_out_records,
    read_prompt,
    require_adapter,
)
from shared_schemas.evaluation import EvalReport, EvalResult

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
MARKS = {True: "✓", False: "✗"}


def add_eval_command(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="compare a run's adapter and short prompt with the full few-shot prompt",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    parser.add_argument("--prompt", type=Path, metavar="FILE", help="the prompt the run learned")
    parser.add_argument("--json", action="store_true", help="the report as JSON")
    parser.add_argument(
        "--calls-per-day", type=int, metavar="N", help="instead of the prompt's own volume"
    )
    parser.add_argument("--max-new-tokens", type=int, default=128, metavar="N")
    parser.add_argument("--batch-size", type=int, default=8, metavar="N")


def _rate(count: int | None, rate: float | None, examples: int) -> str:
    return "not checked" if count is None or rate is None else f"{count}/{examples} ({rate:.0%})"


def _row(label: str, full: str, short: str) -> str:
    return f"  {label:<30}{full:<22}{short}".rstrip() + "\n"


def render_text(report: EvalReport, out: IO[str]) -> None:
    count = len(report.examples)
    full, short = report.full, report.short
    out.write(
        f"{report.run_dir}: {count} held-out examples, base model {report.base_model}\n"
        f"  prompt: {report.prompt_path}\n"
        f"  valid format: {report.format_rule or 'not checked (no format most outputs share)'}\n"
    )
    out.write(_row("", "full prompt, base", "short prompt, adapter"))
    for label, a, b in (
        (
            "format valid",
            _rate(full.valid, full.valid_rate, count),
            _rate(short.valid, short.valid_rate, count),
        ),
        (
            "exact match",
            _rate(full.matches, full.match_rate, count),
            _rate(short.matches, short.match_rate, count),
        ),
        ("input tokens per call", "", ""),
        (
            "  base model's tokenizer",
            f"{full.prompt_tokens_per_call:,.1f}",
            f"{short.prompt_tokens_per_call:,.1f}",
        ),
    ):
        out.write(_row(label, a, b))
    saving = report.saving
    if saving is not None:
        estimated = "" if saving.exact_counts else ", estimated"
        out.write(
            _row(
                f"  {saving.model} (billed{estimated})",
                f"{saving.prompt_tokens_full:,.1f}",
                f"{saving.prompt_tokens_short:,.1f}",
            )
        )
    out.write(
        _row(
            f"latency per call (batch {report.batch_size})",
            f"{full.seconds_per_call:.3f} s",
            f"{short.seconds_per_call:.3f} s",
        )
    )
    if saving is not None:
        out.write(
            f"  saving: ${saving.saving_per_month_usd:,.2f} a month "
            f"({saving.tokens_saved_per_call:,.1f} tokens per call, "
            f"{saving.calls_per_day:,} calls a day for 30 days, "
            f"at ${saving.input_price_per_million:g} per million input tokens)\n"
        )
    for number, row in enumerate(report.examples, 1):
        out.write(
            f"  {number:>3}. expected {_short(row.expected)}: full {_short(row.answer_full)} "
            f"{MARKS[row.match_full]}, short {_short(row.answer_short)} {MARKS[row.match_short]}\n"
        )


def _short(text: str, limit: int = 30) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= limit else flat[: limit - 1] + "…")


def run_eval(args: argparse.Namespace) -> int:
    calls = args.calls_per_day
    if calls is not None and not 0 <= calls <= MAX_CALLS_PER_DAY:
        return _usage(f"--calls-per-day must be between 0 and {MAX_CALLS_PER_DAY:,}")
    if args.max_new_tokens < 1 or args.batch_size < 1:
        return _usage("--max-new-tokens and --batch-size must be at least 1")
    run_dir = args.run_dir.resolve()
    try:
        require_adapter(run_dir)
        prompt = args.prompt.resolve() if args.prompt is not None else find_prompt(run_dir)
        analysis = read_prompt(prompt, AnalysisSettings())
        assert analysis.document is not None  # read_prompt refuses a file without one
        cases = eval_cases(analysis.document, held_out_records(run_dir))
    except EvalSetupError as error:
        return _usage(str(error))
    command = eval_command(sys.executable, run_dir, prompt, args.max_new_tokens, args.batch_size)
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = result.stdout.strip().splitlines()
    try:
        answer = EvalResult.model_validate_json(lines[-1] if lines else "")
    except ValidationError:
        reason = result.stderr.strip().splitlines()[-1:] or [f"status {result.returncode}"]
        print(f"promptweight: error: the trainer did not answer: {reason[0]}", file=sys.stderr)
        return EXIT_FAILED
    if answer.report is None:
        print(f"promptweight: error: {answer.error}", file=sys.stderr)
        return EXIT_FAILED
    report = completed_report(answer.report, analysis, cases, calls, run_dir)
    if args.json:
        sys.stdout.write(report.model_dump_json(by_alias=True, indent=2) + "\n")
    else:
        render_text(report, sys.stdout)
    return EXIT_OK


def _usage(message: str) -> int:
    print(f"promptweight: error: {message}", file=sys.stderr)
    return EXIT_USAGE
