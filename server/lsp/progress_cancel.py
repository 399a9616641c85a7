"""The one handler of `window/workDoneProgress/cancel`: each feature that shows cancellable
progress registers what cancelling its token does (pygls takes one handler per method)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from lsprotocol import types

from server.lsp.server import PromptweightServer

Cancel = Callable[[], Awaitable[None]]
_CANCELS: dict[str | int, Cancel] = {}


def on_cancel(token: str | int, cancel: Cancel) -> None:
    _CANCELS[token] = cancel


def forget(token: str | int) -> None:
    _CANCELS.pop(token, None)


def register(server: PromptweightServer) -> None:
    @server.feature(types.WINDOW_WORK_DONE_PROGRESS_CANCEL)
    async def on_progress_cancel(
        ls: PromptweightServer, params: types.WorkDoneProgressCancelParams
    ) -> None:
        cancel = _CANCELS.pop(params.token, None)
        if cancel is not None:
            await cancel()
