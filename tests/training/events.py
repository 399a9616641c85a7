"""Trainer events as tests write them into run folders: a run of ten steps on the tiny model."""

from __future__ import annotations

from pathlib import Path

from shared_schemas.training import Started, Step


def started(run_dir: Path) -> Started:
    return Started(
        run_dir=str(run_dir),
        base_model="tiny",
        trainable_parameters=1,
        total_parameters=2,
        quantization="nf4",
        device="cpu",
        total_steps=10,
        train_examples=4,
        eval_examples=0,
    )


def step(number: int) -> Step:
    """Step `number` of ten, its loss falling."""
    return Step(
        step=number,
        total_steps=10,
        epoch=0.1 * number,
        loss=5.0 - 0.1 * number,
        learning_rate=1e-3,
        tokens_per_second=100.0,
        memory_bytes=None,
    )
