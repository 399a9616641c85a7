"""Per-key debouncing: the newest request for a key replaces any pending one."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Debouncer:
    def __init__(self) -> None:
        self._pending: dict[str, asyncio.Task[None]] = {}

    def schedule(self, key: str, delay_s: float, job: Callable[[], Awaitable[None]]) -> None:
        self.cancel(key)
        self._pending[key] = asyncio.get_running_loop().create_task(self._run(key, delay_s, job))

    def cancel(self, key: str) -> None:
        task = self._pending.pop(key, None)
        if task is not None:
            task.cancel()

    async def _run(self, key: str, delay_s: float, job: Callable[[], Awaitable[None]]) -> None:
        try:
            if delay_s > 0:
                await asyncio.sleep(delay_s)
            await job()
        except asyncio.CancelledError:
            raise
        except Exception:
            # One bad document must never take the server down with it.
            log.exception("job for %s failed", key)
        finally:
            if self._pending.get(key) is asyncio.current_task():
                del self._pending[key]
