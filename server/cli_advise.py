"""`promptweight advise FILE... [--format json] [--calls-per-day N] [--chart OUT]`: keep
prompting, fine-tune, or combine both? Each prompt's conditions measured against their
thresholds, the break-even volume, and what would change the verdict; `--chart OUT` (one file)
also draws monthly cost against calls per day as PNG or SVG. Exit status 0; 2 for a usage error
(a file that cannot be read or is no prompt is reported in its place)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import IO

from server.cli_usage import add_usage_arguments, settings_from
from server.core.advisor.advise import AdviceContext, Costing, advise_and_cost
from server.core.advisor.advisor_settings import AdvisorSettings
from server.core.partials import partials_beside
from server.core.prompt_analysis import AnalysisSettings, PromptAnalysis, analyse_prompt
from server.core.prompt_files import FoundFile, find_prompt_files, read_found
from server.core.source_text import decode_source
from shared_schemas.advice import AdviceReport, FileAdvice

EXIT_OK, EXIT_USAGE = 0, 2
MARKS = {True: "✓", False: "✗", None: "-"}


def add_advise_command(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "advise",
        help="prompt or fine-tune? the verdict for each prompt, with its evidence",
        description=__doc__,
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--dataset-folder",
        default="",
        metavar="DIR",
        help="where exported datasets are, as promptweight.datasetFolder (default: beside)",
    )
    parser.add_argument(
        "--chart",
        type=Path,
        metavar="OUT",
        help="with one FILE: monthly cost against calls/day, as .png or .svg (the [chart] extra)",
    )
    add_usage_arguments(parser)


def render_text(advice: FileAdvice, out: IO[str]) -> None:
    out.write(f"{advice.path}: {advice.summary}\n")
    width = max(len(c.label) for c in advice.conditions)
    for condition in advice.conditions:
        measured = condition.passed is not None
        value = condition.value if measured else f"not measured: {condition.note}"
        out.write(
            f"  {MARKS[condition.passed]} {condition.label:<{width}}  {value}"
            f"{'' if condition.passed is None else f'  (needs {condition.threshold})'}\n"
        )
    costs = advice.break_even
    if costs is not None:
        options = [costs.prompting, *([costs.prompting_cached] if costs.prompting_cached else [])]
        options += costs.fine_tuned
        shown = ", ".join(
            f"{o.name} ${o.cost_per_call_usd:.5f} (${o.cost_per_month_usd:,.2f}/month"
            + (f", {_usd(o.training_cost_usd)} to train" if o.training_cost_usd else "")
            + ")"
            for o in options
        )
        out.write(f"  per call at {costs.calls_per_day:,} calls/day: {shown}\n")
    for reason in advice.reasons:
        out.write(f"  · {reason}\n")
    if advice.flips:
        out.write(f"  would change: {'; '.join(f.text for f in advice.flips)}\n")


def _usd(amount: float) -> str:
    return f"${amount:,.2f}" if amount >= 1 else f"${amount:.4f}"


def run_advise(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if isinstance(settings, str):
        print(f"promptweight: error: {settings}", file=sys.stderr)
        return EXIT_USAGE
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        print(f"promptweight: error: no such file: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    if args.chart is not None and (len(args.paths) != 1 or args.paths[0].is_dir()):
        print("promptweight: error: --chart draws one prompt: name one FILE", file=sys.stderr)
        return EXIT_USAGE
    context = AdviceContext(
        settings=AdvisorSettings(),
        dataset_folder=args.dataset_folder,
        workspace_root=Path.cwd(),
    )
    report: list[FileAdvice] = []
    for found in find_prompt_files(args.paths):
        if found.skipped is not None:
            print(f"{found.path}: skipped, {found.skipped}", file=sys.stderr)
            continue
        advised = _advise_one(found, settings, context)
        if isinstance(advised, str):
            print(f"{found.path}: {advised}", file=sys.stderr)
            continue
        advice, analysis, costing = advised
        if args.format == "text":
            render_text(advice, sys.stdout)
        report.append(advice)
        if args.chart is not None:
            problem = _chart(analysis, costing, args.chart)
            if problem is not None:
                print(f"promptweight: error: {problem}", file=sys.stderr)
                return EXIT_USAGE
    if args.format == "json":
        sys.stdout.write(AdviceReport(files=report).model_dump_json(by_alias=True, indent=2) + "\n")
    return EXIT_OK


def _advise_one(
    found: FoundFile, settings: AnalysisSettings, context: AdviceContext
) -> tuple[FileAdvice, PromptAnalysis, Costing] | str:
    try:
        raw = read_found(found, 4 * settings.max_characters)
    except OSError as error:
        return f"cannot read: {error.strerror or error}"
    text = decode_source(raw).text
    analysis = analyse_prompt(
        found.path.name, text, settings, partials_beside(found.path, settings.max_characters)
    )
    if analysis.document is None:
        reason = analysis.skipped.reason if analysis.skipped else "no messages"
        return f"not advised: {reason}"
    advice, costing = advise_and_cost(found.path, analysis, context)
    return advice, analysis, costing


def _chart(analysis: PromptAnalysis, costing: Costing, out: Path) -> str | None:
    """Draws the chart from the report's own analysis and costing; what went wrong, or None."""
    from server.advice_chart import ChartError, write_chart

    try:
        write_chart(analysis, costing.settings, costing.training_tokens, out)
    except (ChartError, OSError) as error:
        return str(error)
    sys.stdout.flush()  # the report first, then this note
    print(f"chart written to {out}", file=sys.stderr)
    return None
