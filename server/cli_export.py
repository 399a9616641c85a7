"""`promptweight export`: prompt files' few-shot examples as one fine-tuning dataset (JSONL)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from server.core.countable import DEFAULT_MAX_DOCUMENT_CHARACTERS
from server.core.datasets.dataset_file import (
    DatasetExistsError,
    DatasetWriteError,
    WriteMode,
    check_dataset_target,
    write_dataset,
)
from server.core.datasets.export import (
    DATASET_FORMATS,
    SYSTEM_HANDLINGS,
    ExportOptions,
    Record,
    dataset_records,
    jsonl_line,
)
from server.core.partials import partials_beside
from server.core.prompt_model import LineIndex, Problem, Span
from server.core.prompt_parser import parse_prompt
from server.core.safe_files import read_regular_bytes
from server.core.source_text import decode_source

EXIT_OK, EXIT_NOTHING_WRITTEN, EXIT_USAGE = 0, 1, 2


def add_export_command(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    export = subparsers.add_parser(
        "export",
        help="write prompt files' few-shot examples as a fine-tuning dataset (JSONL)",
        description="Write prompt files' few-shot examples as one fine-tuning dataset (JSONL).",
    )
    export.add_argument(
        "prompts", nargs="+", type=Path, metavar="PROMPT", help="prompt files; one dataset from all"
    )
    export.add_argument(
        "-o", "--output", required=True, type=Path, metavar="OUT.jsonl", help="the dataset file"
    )
    export.add_argument(
        "--format",
        choices=DATASET_FORMATS,
        default="openai",
        help="record shape (default: openai, also Hugging Face's conversational format)",
    )
    export.add_argument(
        "--system",
        choices=SYSTEM_HANDLINGS,
        default="strip",
        help="system text in each record: without its written examples (strip, the default), "
        "as written (keep), or none (omit)",
    )
    existing = export.add_mutually_exclusive_group()
    existing.add_argument(
        "--append", action="store_true", help="add records that are not in OUT yet"
    )
    existing.add_argument("--force", action="store_true", help="replace OUT")
    return export


def _error(message: str) -> None:
    print(f"promptweight: error: {message}", file=sys.stderr)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _warning_line(path: Path, index: LineIndex, problem: Problem) -> str:
    line, column = index.position(problem.span.start)
    return f"{path}:{line + 1}:{column + 1}: {problem.severity}[{problem.code}]: {problem.message}"


def _prompt_records(path: Path, options: ExportOptions) -> tuple[list[Record], list[str]] | str:
    """The prompt's records and the lines to print about it, or why it could not be read."""
    try:
        # UTF-8 needs at most 4 bytes a character: the document limit, in bytes.
        source = decode_source(read_regular_bytes(path, 4 * DEFAULT_MAX_DOCUMENT_CHARACTERS))
    except OSError as error:
        return f"cannot read {path}: {error.strerror or error}"

    document = parse_prompt(path.name, source.text, partials_beside(path))
    if document is None:
        return [], [f"{path}: 0 examples (not a prompt: no chat messages)"]
    records, problems = dataset_records(document, options)
    index = LineIndex(source.text)
    if source.first_invalid is not None:
        at = index.offset(*source.first_invalid)
        message = f"invalid UTF-8 ({source.invalid_count} bytes); exported as U+FFFD"
        problems.insert(0, Problem("warning", "invalid-utf8", message, Span(at, at + 1)))
    report = [f"{path}: {_plural(len(records), 'example')}"]
    return records, report + [_warning_line(path, index, p) for p in problems]


def _write_mode(args: argparse.Namespace) -> WriteMode:
    return "append" if args.append else "force" if args.force else "create"


def run_export(args: argparse.Namespace) -> int:
    output: Path = args.output
    mode = _write_mode(args)
    if output.is_dir() and not output.is_symlink():
        _error(f"{output} is a folder; name the dataset file, e.g. -o {output / 'dataset.jsonl'}")
        return EXIT_USAGE
    try:  # a symbolic link or a FIFO is refused before any prompt is read
        check_dataset_target(output)
    except DatasetWriteError as error:
        _error(str(error))
        return EXIT_NOTHING_WRITTEN
    if mode == "create" and output.exists():
        _error(
            f"{output} already exists: use --append to add the new records or --force to replace it"
        )
        return EXIT_USAGE
    if any(_same_file(prompt, output) for prompt in args.prompts):
        _error(f"{output} is one of the prompts; choose another output file")
        return EXIT_USAGE

    options = ExportOptions(format=args.format, system=args.system)
    records: list[Record] = []
    unreadable = False
    for prompt in args.prompts:
        read = _prompt_records(prompt, options)
        if isinstance(read, str):
            _error(read)
            unreadable = True
            continue
        records += read[0]
        print("\n".join(read[1]))
    if unreadable:
        return EXIT_USAGE
    if not records:
        _error(f"no few-shot examples in {_plural(len(args.prompts), 'prompt')}; nothing to export")
        return EXIT_NOTHING_WRITTEN

    try:
        result = write_dataset(output, [jsonl_line(r) for r in records], mode)
    except DatasetExistsError as error:
        _error(str(error))
        return EXIT_USAGE
    except DatasetWriteError as error:
        _error(f"{error}; {output} is unchanged" if output.exists() else str(error))
        return EXIT_NOTHING_WRITTEN
    skipped = f", skipped {result.skipped} already there or repeated" if result.skipped else ""
    print(f"wrote {_plural(result.written, 'record')} to {output}{skipped}")
    return EXIT_OK


def _same_file(prompt: Path, output: Path) -> bool:
    try:
        return output.exists() and prompt.exists() and prompt.samefile(output)
    except OSError:
        return False
