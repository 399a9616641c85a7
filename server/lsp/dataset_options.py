"""How the editor validates a `.jsonl` dataset: the folder's training model counts, its
`promptweight.maxSequenceTokens` is the longest example, and the epochs are the default (no
setting names them). Shared by the diagnostics of open datasets and Validate Dataset."""

from __future__ import annotations

from server.core.datasets.validation import ValidationOptions
from server.core.model_choice import ModelChoice, choose_model
from server.lsp.folders import FolderContext


def training_model(folder: FolderContext) -> ModelChoice:
    return choose_model(folder.options.training_model, folder.settings.models)


def validation_options(folder: FolderContext) -> ValidationOptions:
    return ValidationOptions(
        count_tokens=training_model(folder).counter.count,
        max_sequence_tokens=folder.options.max_sequence_tokens,
        max_sequence_tokens_source="setting",
    )
