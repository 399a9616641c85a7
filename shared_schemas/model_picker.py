"""`promptweight/models`: the model catalog, as the Select Model picker shows it."""

from __future__ import annotations

from pydantic import Field

from shared_schemas.wire import WireModel


class ModelsParams(WireModel):
    uri: str | None = Field(
        default=None,
        description="The document the picker was opened for: its workspace folder's settings "
        "(`promptweight.models`, `promptweight.model`) apply, and its own model is reported.",
    )


class ModelListing(WireModel):
    """One model the settings can name, with what the picker shows of it."""

    id: str = Field(description="The name to write into `promptweight.model`.")
    provider: str
    context_window: int
    max_output_tokens: int | None
    input_usd_per_million: float
    output_usd_per_million: float
    exact: bool = Field(description="Whether its tokens are counted exactly on this machine.")
    tokenizer: str = Field(description="What counts its tokens, or why they are estimated.")


class ModelsResult(WireModel):
    models: list[ModelListing] = Field(
        description="The catalog with the folder's `promptweight.models` applied (patched "
        "entries and added ones), by provider, its own names before hosts' prefixed ones, then "
        "by id."
    )
    setting: str = Field(description="`promptweight.model` as the document's folder sets it.")
    setting_id: str | None = Field(
        description="The listed model the setting resolves to; null: a name nothing knows (the "
        "server then counts with gpt-4o-mini)."
    )
    file_model: str | None = Field(
        default=None,
        description="The model the document's own frontmatter names, which wins over the "
        "setting for that file.",
    )
    file_model_id: str | None = Field(
        default=None,
        description="The listed model the document's own model resolves to; null: none, or a "
        "name nothing knows (counted as the setting's model).",
    )
    folder: str | None = Field(
        default=None, description="The workspace folder whose settings apply; null: the window's."
    )
