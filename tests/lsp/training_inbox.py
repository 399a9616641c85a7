"""Every `promptweight/training` notification a test's server sent, awaited by what it holds."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from shared_schemas.training import TrainingNotification

# A trainer loads torch and a model before its first event; on 2 busy cores that takes a while.
TRAINING_TIMEOUT_S = 180


class TrainingInbox:
    def __init__(self) -> None:
        self.received: list[TrainingNotification] = []
        self.arrived = asyncio.Condition()

    async def put(self, raw: Any) -> None:
        async with self.arrived:
            self.received.append(TrainingNotification.model_validate(raw))
            self.arrived.notify_all()

    async def first(
        self, matches: Callable[[TrainingNotification], bool] = lambda n: True
    ) -> TrainingNotification:
        """The first notification that `matches`, once it has arrived."""

        def found() -> TrainingNotification | None:
            return next((n for n in self.received if matches(n)), None)

        async with self.arrived:
            await asyncio.wait_for(self.arrived.wait_for(found), TRAINING_TIMEOUT_S)
        result = found()
        assert result is not None
        return result

    async def event(self, kind: type[Any]) -> Any:
        """The first event of type `kind`."""
        return (await self.first(lambda n: isinstance(n.event, kind))).event
