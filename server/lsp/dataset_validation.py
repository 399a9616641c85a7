"""`promptweight/validateDataset`: Validate Dataset's report of one `.jsonl` file.

An open dataset is answered with the report its diagnostics come from (the editor's text,
validated once per version); a file the editor has not opened is streamed from disk, as
`promptweight validate` reads it, so its size does not matter. Both take the folder's
settings. Reading only: allowed in an untrusted workspace.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any, Literal

from pygls.uris import to_fs_path

from server.core.datasets.validation import validate_dataset
from server.core.model_choice import ModelChoice
from server.core.safe_files import lines_within, open_regular
from server.lsp.dataset_options import training_model, validation_options
from server.lsp.dataset_view import is_dataset
from server.lsp.folders import FolderContext
from server.lsp.server import PromptweightServer
from shared_schemas.dataset_validation import ValidateDatasetParams, ValidateDatasetResult
from shared_schemas.datasets import DatasetReport
from shared_schemas.methods import VALIDATE_DATASET


def validate_file(path: str, folder: FolderContext) -> DatasetReport | str:
    """The report of the dataset at `path`, or why it could not be read."""
    try:
        with open_regular(path) as stream:
            # As far as the file went when opened, if something keeps writing it.
            size = os.fstat(stream.fileno()).st_size
            return validate_dataset(lines_within(stream, size), validation_options(folder), path)
    except OSError as error:
        return f"cannot read {path}: {error.strerror or error}"


async def validate(ls: PromptweightServer, uri: str) -> ValidateDatasetResult:
    folder = ls.folder_of(uri)
    model = await asyncio.to_thread(training_model, folder)
    if not is_dataset(uri):
        return _result("not a .jsonl dataset", "disk", folder, model)
    kept = await ls.dataset_report(uri)
    if kept is not None and isinstance(kept[1], DatasetReport):
        return _result(kept[1], "editor", folder, model)
    # Not open, or too large for the editor to validate: the file as saved, streamed.
    path = to_fs_path(uri)
    if path is None:
        return _result("not a file on this machine", "disk", folder, model)
    return _result(await asyncio.to_thread(validate_file, path, folder), "disk", folder, model)


def _result(
    found: DatasetReport | str,
    source: Literal["editor", "disk"],
    folder: FolderContext,
    model: ModelChoice,
) -> ValidateDatasetResult:
    return ValidateDatasetResult(
        report=found if isinstance(found, DatasetReport) else None,
        error=found if isinstance(found, str) else None,
        source=source,
        training_model=folder.options.training_model,
        tokenizer=model.counter.name,
        exact=model.exact,
    )


def register(server: PromptweightServer) -> None:
    @server.feature(VALIDATE_DATASET.name)
    async def on_validate_dataset(ls: PromptweightServer, raw: Any) -> dict[str, object]:
        params = ValidateDatasetParams.model_validate(raw)
        return (await validate(ls, params.uri)).to_wire()
