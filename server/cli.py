"""`promptweight`: the command-line front end on the same engine as the language server."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from server import __version__
from server.core.document_weight import DEFAULT_MAX_DOCUMENT_CHARACTERS, weigh_text
from server.core.prompt_files import is_prompt_file
from server.core.source_text import decode_source
from server.core.tokenizer_choice import choose_tokenizer
from shared_schemas import CheckReport, FileReport, Position, Range, ReportDiagnostic
from shared_schemas.messages import Severity

EXIT_OK, EXIT_FILE_ERRORS, EXIT_USAGE = 0, 1, 2
_START = Range(start=Position(line=0, character=0), end=Position(line=0, character=0))


def _diagnostic(
    severity: Severity, code: str, message: str, at: Range = _START
) -> ReportDiagnostic:
    return ReportDiagnostic(severity=severity, code=code, message=message, range=at)


def check_file(path: Path, model: str, max_characters: int) -> FileReport:
    def report(tokens: int | None, diagnostics: list[ReportDiagnostic]) -> FileReport:
        return FileReport(
            path=str(path),
            model=choice.model,
            encoding=choice.encoding,
            exact=choice.exact,
            prompt_tokens=tokens,
            diagnostics=diagnostics,
        )

    choice = choose_tokenizer(model)
    try:
        size = path.stat().st_size
        # UTF-8 needs at most 4 bytes a character: larger files are over the limit unread.
        raw = b"" if size > 4 * max_characters else path.read_bytes()
    except OSError as error:
        return report(None, [_diagnostic("error", "unreadable", f"cannot read: {error.strerror}")])
    if size > 4 * max_characters:
        message = f"file is {size:,} bytes, too large to count (--max-characters {max_characters})"
        return report(None, [_diagnostic("error", "too-large", message)])

    source = decode_source(raw)
    weight = weigh_text(source.text, model, max_characters)
    if weight.skipped:
        message = f"not counted: {weight.skipped.reason}"
        return report(None, [_diagnostic("error", weight.skipped.code, message)])
    diagnostics = []
    if source.first_invalid is not None:
        line, character = source.first_invalid
        at = Range(
            start=Position(line=line, character=character),
            end=Position(line=line, character=character + 1),
        )
        message = f"invalid UTF-8 ({source.invalid_count} bytes); counted as U+FFFD"
        diagnostics.append(_diagnostic("warning", "invalid-utf8", message, at))
    if weight.note:
        diagnostics.append(_diagnostic("information", "approximate-count", weight.note))
    return report(weight.prompt_tokens, diagnostics)


def expand_paths(paths: Sequence[Path]) -> Iterator[Path]:
    """Files are taken as given; folders are searched for prompt files."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and is_prompt_file(p))
        else:
            yield path


def render_text(report: CheckReport) -> str:
    lines = []
    for file in report.files:
        if file.prompt_tokens is None:
            count = "-"
        else:
            count = f"{'' if file.exact else '≈'}{file.prompt_tokens:,}"
        lines.append(f"{count:>12} tokens  {file.encoding:<12} {file.path}")
        for d in file.diagnostics:
            at = f"{d.range.start.line + 1}:{d.range.start.character + 1}"
            lines.append(f"{'':14}{file.path}:{at}: {d.severity}[{d.code}]: {d.message}")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="promptweight", description=__doc__)
    parser.add_argument("--version", action="version", version=f"promptweight {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="count the tokens of prompt files")
    check.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--model", default="gpt-4o-mini", help="model whose tokenizer counts")
    check.add_argument(
        "--max-characters", type=int, default=DEFAULT_MAX_DOCUMENT_CHARACTERS, metavar="N"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.max_characters < 1:
        print("promptweight: error: --max-characters must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    files = [check_file(p, args.model, args.max_characters) for p in expand_paths(args.paths)]
    report = CheckReport(files=files)
    if args.format == "json":
        print(report.model_dump_json(by_alias=True, indent=2))
    else:
        print(render_text(report))
    has_error = any(d.severity == "error" for f in files for d in f.diagnostics)
    return EXIT_FILE_ERRORS if has_error else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
