"""Few-shot examples to a fine-tuning dataset, as a workspace edit the editor can undo.

The code action and the `promptweight.exportDataset` command build the same edit: create
`<prompt-stem>.train.jsonl` (CreateFile plus a text edit), or append only the records the file
does not hold yet. An existing file is never overwritten, and the target stays inside the
workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types

from server.core.datasets.dataset_file import (
    WriteResult,
    existing_keys,
    inside,
    keys_of_lines,
    new_lines,
    write_dataset,
)
from server.core.datasets.export import ExportOptions, dataset_records, jsonl_line
from server.core.prompt_files import prompt_stem as prompt_stem
from server.core.prompt_model import PositionEncoding, PromptDocument, code_units

EXPORT_KIND = f"{types.CodeActionKind.Source.value}.promptweight.exportDataset"


class ExportRefused(Exception):
    """The export cannot be offered: nothing new, a target outside the workspace, and so on."""


@dataclass(frozen=True)
class DatasetEdit:
    title: str
    edit: types.WorkspaceEdit
    written: int
    skipped: int
    warnings: int


def dataset_target(prompt: Path, folder: str, root: Path | None) -> Path:
    base = (root / folder) if (folder and root) else prompt.parent
    target = (base / f"{prompt_stem(prompt.name)}.train.jsonl").resolve()
    if root is not None and not inside(target, root):
        raise ExportRefused(f"the dataset {target} would be outside the workspace {root}")
    return target


def _end_of(path: Path, encoding: PositionEncoding) -> tuple[types.Position, bool]:
    """Where an append goes, read without loading the file: (end position, ends with newline)."""
    lines, last = 0, b""
    with path.open("rb") as stream:
        for line in stream:
            if line.endswith(b"\n"):
                lines += 1
                last = b""
            else:
                last = line
    character = code_units(last.decode("utf-8", errors="replace"), encoding)
    return types.Position(lines, character), not last


def dataset_edit(
    documents: list[PromptDocument],
    target: Path,
    options: ExportOptions,
    open_text: str | None,
    can_create: bool,
    encoding: PositionEncoding = "utf-16",
) -> DatasetEdit:
    """The edit that brings the examples of `documents` into `target`."""
    records, problems = [], []
    for document in documents:
        found, warnings = dataset_records(document, options)
        records += found
        problems += warnings
    if not records:
        raise ExportRefused("no few-shot examples to export")
    uri = target.as_uri()
    exists = open_text is not None or target.exists()
    if open_text is not None:
        keys = keys_of_lines(open_text.splitlines())
    else:
        keys = existing_keys(target) if exists else set()
    lines = new_lines(records, keys)
    skipped = len(records) - len(lines)
    if not lines:
        raise ExportRefused(f"{target.name} already holds all {len(records)} examples")
    body = "\n".join(lines) + "\n"
    text_document = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None)
    noun = "example" if len(lines) == 1 else "examples"
    if exists:
        if open_text is not None:
            end = _end_of_text(open_text, encoding)
            ends_with_newline = open_text == "" or open_text.endswith("\n")
        else:
            end, ends_with_newline = _end_of(target, encoding)
        text = body if ends_with_newline else "\n" + body
        edit = types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=text_document, edits=[types.TextEdit(types.Range(end, end), text)]
                )
            ]
        )
        title = f"Append {len(lines)} new {noun} to {target.name}"
    else:
        if not can_create:
            raise ExportRefused("the editor cannot create files through workspace edits")
        start = types.Position(0, 0)
        edit = types.WorkspaceEdit(
            document_changes=[
                types.CreateFile(
                    uri=uri, options=types.CreateFileOptions(overwrite=False, ignore_if_exists=True)
                ),
                types.TextDocumentEdit(
                    text_document=text_document,
                    edits=[types.TextEdit(types.Range(start, start), body)],
                ),
            ]
        )
        title = f"Export {len(lines)} few-shot {noun} as a fine-tuning dataset"
    if problems:
        title += f" ({len(problems)} with template variables)"
    return DatasetEdit(title, edit, len(lines), skipped, len(problems))


def _end_of_text(text: str, encoding: PositionEncoding) -> types.Position:
    line = text.count("\n")
    last = text[text.rfind("\n") + 1 :]
    return types.Position(line, code_units(last, encoding))


def write_dataset_file(
    documents: list[PromptDocument], target: Path, options: ExportOptions
) -> WriteResult:
    """The export written by the server itself, for an editor that cannot apply an edit that
    creates a file: the CLI's atomic writer, appending only the records the file lacks (an
    existing file is never replaced)."""
    records = []
    for document in documents:
        records += dataset_records(document, options)[0]
    if not records:
        raise ExportRefused("no few-shot examples to export")
    return write_dataset(target, [jsonl_line(r) for r in records], "append")
