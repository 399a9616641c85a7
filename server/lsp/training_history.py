"""`promptweight/trainingHistory`: the events of one run so far, for the training view to draw its
curves again after the window reloads, before it follows the run's live events."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from pygls.uris import to_fs_path

from server.core.training.history import run_history
from server.core.training.run_config import RunConfigError, load_run_config
from server.lsp import training
from server.lsp.server import PromptweightServer
from shared_schemas.methods import TRAINING_HISTORY
from shared_schemas.reports import TrainingHistory, TrainingHistoryParams


def _history(config: Path, run_dir: Path | None, running: set[Path]) -> TrainingHistory:
    try:
        run_config = load_run_config(config, {})
    except RunConfigError:
        return TrainingHistory(run=None)
    return TrainingHistory(run=run_history(run_config.output_dir, run_dir, running))


async def training_history(params: TrainingHistoryParams) -> TrainingHistory:
    path = to_fs_path(params.config)
    if path is None:
        return TrainingHistory(run=None)
    running = {r.run_dir for r in training.RUNS.values() if r.run_dir is not None}
    run_dir = Path(params.run_dir) if params.run_dir else None
    # The config and the events are files: read off the event loop.
    return await asyncio.to_thread(_history, Path(path), run_dir, running)


def register(server: PromptweightServer) -> None:
    @server.feature(TRAINING_HISTORY.name)
    async def on_training_history(ls: PromptweightServer, raw: Any) -> dict[str, object]:
        return (await training_history(TrainingHistoryParams.model_validate(raw))).to_wire()
