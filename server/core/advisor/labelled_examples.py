"""Labelled examples: is there enough data to fine-tune on?

What is measured: the prompt's few-shot examples plus the records of its exported datasets,
`<stem>.train.jsonl` (the export's own name, `prompt_files.prompt_stem`) beside the prompt and
in the workspace's `promptweight.datasetFolder`. Each dataset is read as `promptweight validate`
reads it (streamed, regular files only, as far as the file went when opened), and its records
without errors are counted: what a trainer would accept. Records that are the prompt's own
examples exported (with any system handling) are counted once, not twice. The datasets'
training tokens (the validator's estimate: records' tokens times `advisor.epochs`) come back beside
the condition for the break-even; None without a dataset.

Threshold: `promptweight.advisor.minExamples` (default 100) to consider a fine-tune, and
`promptweight.advisor.confidentExamples` (default 1,000) to be confident. Why: fine-tunes learn
a task from hundreds to thousands of examples; a few-shot prompt's handful shows the format
but is far too few to train on.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from server.core.advisor.advisor_settings import AdvisorSettings
from server.core.advisor.evidence import capped, lines_evidence
from server.core.datasets.dataset_file import existing_keys, inside
from server.core.datasets.export import (
    SYSTEM_HANDLINGS,
    ExportOptions,
    dataset_records,
    record_key,
)
from server.core.datasets.validation import ValidationOptions, validate_dataset
from server.core.prompt_analysis import PromptAnalysis
from server.core.prompt_files import prompt_stem
from server.core.prompt_model import LineIndex, PromptDocument, Span
from server.core.safe_files import lines_within, open_regular
from shared_schemas.advice import Condition, Evidence
from shared_schemas.datasets import DatasetSummary

ID: Final = "labelled-examples"
LABEL = "Enough labelled examples"
DATASET_SUFFIX = ".train.jsonl"


def find_datasets(
    prompt_path: Path, dataset_folder: str, workspace_root: Path | None
) -> list[Path]:
    """The prompt's exported datasets that exist: beside it, then in the dataset folder (only
    inside the workspace, as the export writes there only)."""
    name = prompt_stem(prompt_path.name) + DATASET_SUFFIX
    candidates = [prompt_path.parent / name]
    if dataset_folder and workspace_root is not None:
        in_folder = workspace_root / dataset_folder / name
        if inside(in_folder, workspace_root):
            candidates.append(in_folder)
    found: list[Path] = []
    seen: set[str] = set()
    for candidate in candidates:
        resolved = os.path.realpath(candidate)
        if resolved not in seen and candidate.is_file():
            seen.add(resolved)
            found.append(candidate)
    return found


def _own_record_keys(document: PromptDocument | None) -> set[str]:
    """The prompt's examples as the export writes them, whichever system text it chose."""
    if document is None or not document.examples:
        return set()
    return {
        record_key(record)
        for handling in SYSTEM_HANDLINGS
        for record in dataset_records(document, ExportOptions("openai", handling))[0]
    }


def _summary(path: Path, options: ValidationOptions) -> DatasetSummary:
    with open_regular(path) as stream:
        size = os.fstat(stream.fileno()).st_size
        return validate_dataset(lines_within(stream, size), options, str(path)).summary


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def labelled_examples(
    analysis: PromptAnalysis, datasets: list[Path], settings: AdvisorSettings
) -> tuple[Condition, int | None]:
    few_shot = len(analysis.examples)
    options = ValidationOptions(count_tokens=analysis.model.counter.count, epochs=settings.epochs)
    own = _own_record_keys(analysis.document)
    parts = [f"{few_shot:,} few-shot"]
    evidence: list[Evidence] = []
    document = analysis.document
    if document is not None and document.examples:
        spans = [example.span for example in document.examples]
        whole = Span(min(s.start for s in spans), max(s.end for s in spans))
        text = _plural(few_shot, "few-shot example")
        evidence.append(lines_evidence(LineIndex(document.text), whole, text))
    notes: list[str] = []
    total = few_shot
    training_tokens: int | None = None
    for path in datasets:
        try:
            summary = _summary(path, options)
            repeated = len(existing_keys(path) & own) if own else 0
        except OSError as error:
            notes.append(f"{path.name} could not be read: {error.strerror or error}")
            evidence.append(Evidence(text="could not be read", path=str(path)))
            continue
        # Never below zero: a repeated record is counted once by the keys, more by the summary.
        added = max(0, summary.examples - repeated)
        total += added
        training_tokens = (training_tokens or 0) + summary.estimated_training_tokens
        parts.append(f"{added:,} in {path.name}")
        rejected = summary.records - summary.examples
        text = f"{_plural(summary.examples, 'record')} a trainer accepts"
        if rejected:
            text += f", {rejected:,} with errors"
        if repeated:
            text += f"; {_plural(repeated, 'record')} repeating the prompt's own examples"
        evidence.append(Evidence(text=text, path=str(path)))
    value = f"{total:,} ({' + '.join(parts)})"
    if total >= settings.confident_examples:
        value += ": enough to be confident"
    if not datasets:
        notes.append(
            f"no exported dataset (<prompt>{DATASET_SUFFIX}) beside the prompt or in the"
            " dataset folder"
        )
    condition = Condition(
        id=ID,
        label=LABEL,
        value=value,
        measured=total,
        threshold=(
            f"≥ {settings.min_examples:,} to consider, "
            f"≥ {settings.confident_examples:,} to be confident"
        ),
        passed=total >= settings.min_examples,
        evidence=capped(evidence),
        note="; ".join(notes) or None,
    )
    return condition, training_tokens
