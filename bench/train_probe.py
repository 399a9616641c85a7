"""A Hugging Face `Trainer` that watches its own loop: each step's wall time, the real (not
padding) tokens it trained on, and the bytes the LoRA weights, their gradients and the optimiser
state hold after the first optimiser step.

`server.training.run.train` builds its `Trainer` inside; `probing` instruments the `Trainer`
class itself for the length of a `with`, so the benches time the run path unchanged, with the
same instrument as the baseline.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import torch
from transformers import Trainer, TrainerCallback, TrainerControl, TrainerState


@dataclass
class AdapterBytes:
    weights: int
    gradients: int
    optimizer_state: int

    @property
    def total(self) -> int:
        return self.weights + self.gradients + self.optimizer_state


@dataclass
class Probe:
    """What a probed run measured. Step times are between consecutive step ends, so that data
    loading and collation (the packed path's masks are built there) count too."""

    pad_id: int
    step_seconds: list[float] = field(default_factory=list)
    step_tokens: list[int] = field(default_factory=list)
    adapter: AdapterBytes | None = None
    _tokens: int = 0
    _last_end: float | None = None

    def measured(self, warmup: int) -> tuple[list[float], list[int]]:
        """Step times and real tokens after the first `warmup` steps (allocations, kernels
        chosen: slower than the steady state)."""
        return self.step_seconds[warmup:], self.step_tokens[warmup:]

    def tokens_per_second(self, warmup: int) -> float:
        seconds, tokens = self.measured(warmup)
        return sum(tokens) / sum(seconds) if seconds else 0.0

    def median_step_seconds(self, warmup: int) -> float:
        seconds, _ = self.measured(warmup)
        return statistics.median(seconds) if seconds else 0.0


def _synchronise() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def tensor_bytes(value: Any) -> int:
    return int(value.nbytes) if isinstance(value, torch.Tensor) else 0


class _Watch(TrainerCallback):
    def __init__(self, probe: Probe) -> None:
        self.probe = probe

    def on_train_begin(
        self, args: Any, state: TrainerState, control: TrainerControl, **_: Any
    ) -> None:
        _synchronise()
        self.probe._last_end = time.perf_counter()

    def on_optimizer_step(
        self,
        args: Any,
        state: TrainerState,
        control: TrainerControl,
        model: Any = None,
        optimizer: Any = None,
        **_: Any,
    ) -> None:
        # Here, and not later: the gradients are freed right after the optimiser's step.
        if self.probe.adapter is not None or model is None or optimizer is None:
            return
        trained = [p for p in model.parameters() if p.requires_grad]
        self.probe.adapter = AdapterBytes(
            weights=sum(tensor_bytes(p) for p in trained),
            gradients=sum(tensor_bytes(p.grad) for p in trained),
            optimizer_state=sum(
                tensor_bytes(value)
                for per_parameter in optimizer.state.values()
                for value in per_parameter.values()
            ),
        )

    def on_step_end(
        self, args: Any, state: TrainerState, control: TrainerControl, **_: Any
    ) -> None:
        _synchronise()
        now = time.perf_counter()
        if self.probe._last_end is not None:
            self.probe.step_seconds.append(now - self.probe._last_end)
            self.probe.step_tokens.append(self.probe._tokens)
        self.probe._tokens = 0
        self.probe._last_end = now


@contextmanager
def probing(probe: Probe) -> Iterator[None]:
    """Every `Trainer` made inside this `with` (the plain one or a subclass) reports to
    `probe`: the run path's own, built inside `server.training.run.train`, as the baseline's."""
    original_init = Trainer.__init__
    original_step = Trainer.training_step

    def init(self: Trainer, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.add_callback(_Watch(probe))

    def training_step(
        self: Trainer, model: Any, inputs: dict[str, Any], num_items_in_batch: Any = None
    ) -> torch.Tensor:
        # The pad id never comes out of text, so what is not padding is a real token, whether
        # the batch is padded examples or packed rows.
        probe._tokens += int((inputs["input_ids"] != probe.pad_id).sum())
        return original_step(self, model, inputs, num_items_in_batch)

    with (
        mock.patch.object(Trainer, "__init__", init),
        mock.patch.object(Trainer, "training_step", training_step),
    ):
        yield
