"""`promptweight/validateDataset`: one `.jsonl` dataset's validation, for Validate Dataset."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared_schemas.datasets import DatasetReport
from shared_schemas.wire import WireModel


class ValidateDatasetParams(WireModel):
    uri: str = Field(description="A `.jsonl` file: open in the editor, or on disk.")


class ValidateDatasetResult(WireModel):
    report: DatasetReport | None = Field(
        description="The validator's report (as `promptweight validate` makes it); null with "
        "`error`."
    )
    error: str | None = Field(default=None, description="Why the file was not validated.")
    source: Literal["editor", "disk"] = Field(
        description="Whether the editor's text (unsaved changes included) or the file on disk "
        "was read."
    )
    training_model: str = Field(description="`promptweight.trainingModel`: whose tokens count.")
    tokenizer: str = Field(description="The tokenizer that counted.")
    exact: bool = Field(description="Whether that tokenizer is the model's own.")
