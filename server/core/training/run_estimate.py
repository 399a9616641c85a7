"""The pre-flight memory estimate of a configured run (the formula is in memory_estimate.py),
from the base model's `config.json` alone: nothing loads, nothing downloads."""

from __future__ import annotations

from server.core.training.memory_estimate import ModelShape, ModelShapeError, RunShape, estimate
from server.core.training.run_config import RunConfig
from shared_schemas.training import MemoryEstimate


class NoEstimate(ValueError):
    """The run's memory cannot be estimated; the message says why."""


def estimate_run(run: RunConfig, gpu_bf16: bool | None) -> MemoryEstimate:
    """`gpu_bf16`: whether the GPU computes in bfloat16; None when training on the CPU."""
    config = run.config
    found = run.base_model_config()
    if found is None:
        raise NoEstimate(f"the base model {config.base_model!r} is not here: no estimate")
    try:
        shape = ModelShape.from_config(found)
    except ModelShapeError as error:
        raise NoEstimate(f"no estimate: {error}") from error
    dtype = config.compute_dtype
    if dtype == "auto":
        dtype = "bfloat16" if gpu_bf16 is None or gpu_bf16 else "float16"
    parts = estimate(
        shape,
        RunShape(
            batch_size=config.batch_size,
            sequence_tokens=config.max_sequence_tokens,
            lora_rank=config.lora.rank,
            compute_dtype=dtype,
            double_quantization=config.double_quantization,
            gradient_checkpointing=config.gradient_checkpointing,
            paged_8bit_optimizer=gpu_bf16 is not None,
        ),
    )
    return MemoryEstimate.model_validate(parts)
