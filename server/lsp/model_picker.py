"""`promptweight/models`: the models the Select Model picker offers, for one document.

Asked for when the picker opens rather than sent at start: the catalog holds thousands of
models, and the folder's overrides and the local tokenizers may have changed since.
"""

from __future__ import annotations

import asyncio
from typing import Any

from server.core.model_listing import ListedModel, list_models, resolved_id
from server.lsp.server import PromptweightServer
from shared_schemas.methods import MODELS
from shared_schemas.model_picker import ModelListing, ModelsParams, ModelsResult


def _listing(listed: ListedModel) -> ModelListing:
    entry = listed.entry
    return ModelListing(
        id=entry.id,
        provider=entry.provider,
        context_window=entry.context_window,
        max_output_tokens=entry.max_output_tokens,
        input_usd_per_million=entry.input_usd_per_million,
        output_usd_per_million=entry.output_usd_per_million,
        exact=listed.exact,
        tokenizer=listed.tokenizer,
    )


async def models_for(ls: PromptweightServer, uri: str | None) -> ModelsResult:
    folder = ls.folder_of(uri) if uri else ls.folders.outside
    models = folder.settings.models
    listed = await asyncio.to_thread(list_models, models)
    # The document's own model, from the analysis every other request shares (none for a
    # dataset, a run config or a document the server does not hold).
    analysed = await ls.analysed_now(uri) if uri else None
    file_model = analysed.analysis.file_model if analysed else None
    return ModelsResult(
        models=[_listing(m) for m in listed],
        setting=folder.options.model,
        setting_id=resolved_id(folder.options.model, models),
        file_model=file_model,
        # Resolved as the setting is: an unknown name is counted as the default, not listed.
        file_model_id=resolved_id(file_model, models) if file_model else None,
        folder=folder.uri,
    )


def register(server: PromptweightServer) -> None:
    @server.feature(MODELS.name)
    async def on_models(ls: PromptweightServer, raw: Any) -> dict[str, object]:
        params = ModelsParams.model_validate(raw)
        return (await models_for(ls, params.uri)).to_wire()
