"""The pre-flight's weight estimate against the real footprint of 4-bit models loaded here:
`get_memory_footprint()` (packed 4-bit weights and the unquantised ones) plus the quantisation
constants bitsandbytes keeps beside each layer, less the buffers (rotary tables)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from server.core.training.memory_estimate import ModelShape, RunShape, estimate, weight_bytes

torch = pytest.importorskip("torch")
bitsandbytes = pytest.importorskip("bitsandbytes")
transformers = pytest.importorskip("transformers")

# The helpers import torch and bitsandbytes: only after the skips above.
from server.training.footprint import (  # noqa: E402
    ARCHITECTURES,
    load_four_bit,
    save_random_model,
    weight_bytes_loaded,
)


@pytest.mark.parametrize("double_quantization", [True, False])
@pytest.mark.parametrize("name", ARCHITECTURES)
def test_the_weight_estimate_is_within_five_percent_of_the_loaded_model(
    tmp_path: Path, name: str, double_quantization: bool
) -> None:
    save_random_model(ARCHITECTURES[name], tmp_path)
    shape = ModelShape.from_config(json.loads((tmp_path / "config.json").read_text()))
    run = RunShape(
        batch_size=1, sequence_tokens=1, lora_rank=8, double_quantization=double_quantization
    )
    quantised, other = weight_bytes(shape, run)
    measured = weight_bytes_loaded(load_four_bit(tmp_path, double_quantization))
    assert abs((quantised + other) - measured) <= 0.05 * measured


def test_checkpointing_keeps_fewer_activations_and_the_parts_add_up() -> None:
    shape = ModelShape.from_config(ARCHITECTURES["smollm2-135m"])
    parts = estimate(shape, RunShape(batch_size=4, sequence_tokens=2048, lora_rank=16))
    assert parts["activations"] < parts["activations_without_checkpointing"]
    counted = [
        v for k, v in parts.items() if k not in ("total", "activations_without_checkpointing")
    ]
    assert parts["total"] == sum(counted)
