"""`promptweight`: the command-line front end on the same engine as the language server."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from server import __version__
from server.check_report import CheckedFile, Unread
from server.cli_advise import add_advise_command, run_advise
from server.cli_doctor import add_doctor_command, run_doctor
from server.cli_eval import add_eval_command, run_eval
from server.cli_export import add_export_command, run_export
from server.cli_train import add_train_command, run_train
from server.cli_usage import add_usage_arguments, settings_from
from server.cli_validate import add_validate_command, run_validate
from server.core.model_choice import choose_model
from server.core.partials import partials_beside
from server.core.prompt_analysis import (
    AnalysisSettings,
    analyse_prompt,
)
from server.core.prompt_files import FoundFile, find_prompt_files, is_prompt_file, read_found
from server.core.prompt_model import LineIndex, Problem, Span
from server.core.prompt_parser import detect_format
from server.core.safe_files import FileTooLargeError
from server.core.source_text import decode_source
from shared_schemas import (
    SkippedFile,
)

EXIT_OK, EXIT_FILE_ERRORS, EXIT_USAGE = 0, 1, 2


def unread(path: Path, settings: AnalysisSettings, code: str, message: str) -> CheckedFile:
    model = choose_model(None, settings.models)
    return CheckedFile(path, "", Unread(code, message, detect_format(path.name, ""), model))


def check_file(
    path: Path, settings: AnalysisSettings, within: Path | None = None
) -> CheckedFile | SkippedFile:
    max_characters = settings.max_characters
    try:
        # UTF-8 needs at most 4 bytes a character: larger files are over the limit unread.
        raw = read_found(FoundFile(path, within), 4 * max_characters)
    except FileTooLargeError as error:
        size = f"{error.size:,}" if error.size is not None else f"over {error.limit:,}"
        message = f"file is {size} bytes, too large to count (--max-characters {max_characters})"
        return unread(path, settings, "too-large", message)
    except OSError as error:
        return unread(path, settings, "unreadable", f"cannot read: {error.strerror}")

    source = decode_source(raw)
    read = partials_beside(path, max_characters)
    analysis = analyse_prompt(path.name, source.text, settings, read)
    extra = []
    # `check DIR` only finds prompt-named files; any other JSON or YAML named on the command
    # line may well be configuration, and is left alone. One named as a chat (`.chat.json`)
    # that holds no messages is a broken prompt: the analysis reports it (`not-chat`), and a
    # CI run fails on it rather than passing it over.
    if analysis.document is None and analysis.skipped is None and not is_prompt_file(path):
        return SkippedFile(
            path=str(path), reason=f"not a prompt: {analysis.format} without messages"
        )
    if source.first_invalid is not None and analysis.skipped is None:
        index = LineIndex(source.text)
        at = index.offset(*source.first_invalid)
        message = f"invalid UTF-8 ({source.invalid_count} bytes); counted as U+FFFD"
        extra.append(Problem("warning", "invalid-utf8", message, Span(at, at + 1)))
    return CheckedFile(path, source.text, analysis, extra)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="promptweight", description=__doc__)
    parser.add_argument("--version", action="version", version=f"promptweight {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="parse and count prompt files")
    check.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    check.add_argument("--format", choices=("text", "json"), default="text")
    add_usage_arguments(check)
    add_export_command(commands)
    add_validate_command(commands)
    add_train_command(commands)
    add_doctor_command(commands)
    add_advise_command(commands)
    add_eval_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(argv)
    except BrokenPipeError:
        # The reader left (`promptweight check . | head`): not an error worth a traceback.
        # stdout points at nothing from here on, so the interpreter's last flush cannot fail.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FILE_ERRORS


def run(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "export":
        return run_export(args)
    if args.command == "validate":
        return run_validate(args)
    if args.command == "train":
        return run_train(args)
    if args.command == "doctor":
        return run_doctor(args)
    if args.command == "advise":
        return run_advise(args)
    if args.command == "eval":
        return run_eval(args)
    settings = settings_from(args)
    if isinstance(settings, str):
        print(f"promptweight: error: {settings}", file=sys.stderr)
        return EXIT_USAGE
    # Each file is written out as soon as it is checked, and let go: a folder of large
    # prompts never sits in memory at once.
    out = sys.stdout
    skipped: list[SkippedFile] = []
    has_error = False
    first = True
    if args.format == "json":
        out.write('{"files": [')
    for found in find_prompt_files(args.paths):
        result = (
            SkippedFile(path=str(found.path), reason=found.skipped)
            if found.skipped is not None
            else check_file(found.path, settings, found.within)
        )
        if isinstance(result, SkippedFile):
            skipped.append(result)
            continue
        has_error = has_error or result.has_error
        if args.format == "json":
            out.write("\n" if first else ",\n")
            out.writelines(result.json_chunks())
        else:
            out.write("\n".join(result.text_lines()) + "\n")
        first = False
    if args.format == "json":
        rest = json.dumps([s.to_wire() for s in skipped], ensure_ascii=False)
        out.write(f'\n], "skipped": {rest}}}\n')
    else:
        out.writelines(f"{'':14}{s.path}: skipped, {s.reason}\n" for s in skipped)
    return EXIT_FILE_ERRORS if has_error else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
