"""`promptweight`: the command-line front end on the same engine as the language server."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from server import __version__
from server.cli_export import add_export_command, run_export
from server.cli_validate import add_validate_command, run_validate
from server.core.countable import DEFAULT_MAX_DOCUMENT_CHARACTERS
from server.core.economics import MAX_BUDGET_TOKENS, MAX_CALLS_PER_DAY, UsageDefaults
from server.core.model_choice import ModelSettings, choose_model
from server.core.partials import partials_beside
from server.core.prompt_analysis import (
    AnalysisSettings,
    PromptAnalysis,
    analyse_prompt,
    analysis_problems,
)
from server.core.prompt_files import FoundFile, find_prompt_files, read_found
from server.core.prompt_model import LineIndex, Problem, Span
from server.core.prompt_parser import detect_format
from server.core.safe_files import FileTooLargeError
from server.core.source_text import decode_source
from server.figures_report import prompt_figures
from shared_schemas import (
    CheckReport,
    ExampleReport,
    FileReport,
    MessageReport,
    Position,
    Range,
    ReportDiagnostic,
    SkippedFile,
    VariableReport,
)

EXIT_OK, EXIT_FILE_ERRORS, EXIT_USAGE = 0, 1, 2


def to_range(index: LineIndex, span: Span) -> Range:
    (start_line, start_char), (end_line, end_char) = (
        index.position(span.start),
        index.position(span.end),
    )
    return Range(
        start=Position(line=start_line, character=start_char),
        end=Position(line=end_line, character=end_char),
    )


def to_diagnostic(index: LineIndex, problem: Problem) -> ReportDiagnostic:
    return ReportDiagnostic(
        severity=problem.severity,
        code=problem.code,
        message=problem.message,
        range=to_range(index, problem.span),
    )


def file_report(
    path: Path, text: str, analysis: PromptAnalysis, extra: list[Problem]
) -> FileReport:
    index = LineIndex(text)
    document = analysis.document
    problems = sorted(extra + analysis_problems(analysis), key=lambda p: p.span.start)
    return FileReport(
        **dict(prompt_figures(analysis)),
        path=str(path),
        format=analysis.format,
        model=analysis.file_model,
        encoding=analysis.model.counter.name,
        exact=analysis.exact,
        messages=[
            MessageReport(
                role=m.message.role.value,
                name=m.message.name,
                content_tokens=m.tokens,
                range=to_range(index, m.message.span),
            )
            for m in analysis.messages
        ],
        few_shot_examples=[
            ExampleReport(
                input=e.example.input,
                output=e.example.output,
                input_tokens=e.input_tokens,
                output_tokens=e.output_tokens,
                kind=e.example.kind,
                range=to_range(index, e.example.span),
            )
            for e in analysis.examples
        ],
        variables=[
            VariableReport(name=v.name, range=to_range(index, v.span))
            for v in (document.variables if document else ())
        ],
        prompt_tokens=analysis.prompt_tokens,
        diagnostics=[to_diagnostic(index, p) for p in problems],
    )


def unread_report(path: Path, settings: AnalysisSettings, code: str, message: str) -> FileReport:
    model = choose_model(None, settings.models)
    start = Position(line=0, character=0)
    return FileReport(
        model_id=model.entry.id,
        path=str(path),
        format=detect_format(path.name, ""),
        model=None,
        encoding=model.counter.name,
        exact=model.exact,
        messages=[],
        few_shot_examples=[],
        variables=[],
        prompt_tokens=None,
        diagnostics=[
            ReportDiagnostic(
                severity="error", code=code, message=message, range=Range(start=start, end=start)
            )
        ],
    )


def check_file(
    path: Path, settings: AnalysisSettings, within: Path | None = None
) -> FileReport | SkippedFile:
    max_characters = settings.max_characters
    try:
        # UTF-8 needs at most 4 bytes a character: larger files are over the limit unread.
        raw = read_found(FoundFile(path, within), 4 * max_characters)
    except FileTooLargeError as error:
        size = f"{error.size:,}" if error.size is not None else f"over {error.limit:,}"
        message = f"file is {size} bytes, too large to count (--max-characters {max_characters})"
        return unread_report(path, settings, "too-large", message)
    except OSError as error:
        return unread_report(path, settings, "unreadable", f"cannot read: {error.strerror}")

    source = decode_source(raw)
    read = partials_beside(path, max_characters)
    analysis = analyse_prompt(path.name, source.text, settings, read)
    if analysis.document is None and analysis.skipped is None:
        return SkippedFile(
            path=str(path), reason=f"not a prompt: {analysis.format} without messages"
        )
    extra = []
    if source.first_invalid is not None and analysis.skipped is None:
        index = LineIndex(source.text)
        at = index.offset(*source.first_invalid)
        message = f"invalid UTF-8 ({source.invalid_count} bytes); counted as U+FFFD"
        extra.append(Problem("warning", "invalid-utf8", message, Span(at, at + 1)))
    return file_report(path, source.text, analysis, extra)


def render_text(report: CheckReport) -> str:
    lines = []
    for file in report.files:
        if file.prompt_tokens is None:
            count = "-"
        else:
            count = f"{'' if file.exact else '≈'}{file.prompt_tokens:,}"
        examples = len(file.few_shot_examples)
        lines.append(
            f"{count:>12} tokens  {file.encoding:<12} {len(file.messages):>3} messages"
            f" {examples:>3} examples  {file.path}"
        )
        for d in file.diagnostics:
            at = f"{d.range.start.line + 1}:{d.range.start.character + 1}"
            lines.append(f"{'':14}{file.path}:{at}: {d.severity}[{d.code}]: {d.message}")
    lines += [f"{'':14}{s.path}: skipped, {s.reason}" for s in report.skipped]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="promptweight", description=__doc__)
    parser.add_argument("--version", action="version", version=f"promptweight {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="parse and count prompt files")
    check.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument(
        "--model", default="gpt-4o-mini", help="model for files that do not name their own"
    )
    check.add_argument(
        "--max-characters", type=int, default=DEFAULT_MAX_DOCUMENT_CHARACTERS, metavar="N"
    )
    check.add_argument(
        "--max-output-tokens",
        type=int,
        default=UsageDefaults.max_output_tokens,
        metavar="N",
        help="expected output per call, for files that declare none",
    )
    check.add_argument(
        "--budget",
        type=int,
        default=UsageDefaults.budget_tokens,
        metavar="TOKENS",
        help="room for runtime content (retrieved documents, history) per call",
    )
    check.add_argument(
        "--calls-per-day", type=int, default=UsageDefaults.calls_per_day, metavar="N"
    )
    add_export_command(commands)
    add_validate_command(commands)
    return parser


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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "export":
        return run_export(args)
    if args.command == "validate":
        return run_validate(args)
    settings = settings_from(args)
    if isinstance(settings, str):
        print(f"promptweight: error: {settings}", file=sys.stderr)
        return EXIT_USAGE
    results = [
        SkippedFile(path=str(f.path), reason=f.skipped)
        if f.skipped is not None
        else check_file(f.path, settings, f.within)
        for f in find_prompt_files(args.paths)
    ]
    report = CheckReport(
        files=[r for r in results if isinstance(r, FileReport)],
        skipped=[r for r in results if isinstance(r, SkippedFile)],
    )
    if args.format == "json":
        print(report.model_dump_json(by_alias=True, indent=2))
    else:
        print(render_text(report))
    has_error = any(d.severity == "error" for f in report.files for d in f.diagnostics)
    return EXIT_FILE_ERRORS if has_error else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
