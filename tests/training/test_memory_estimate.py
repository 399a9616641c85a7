"""The pre-flight's weight estimate against the real footprint of 4-bit models loaded here:
`get_memory_footprint()` (packed 4-bit weights and the unquantised ones) plus the quantisation
constants bitsandbytes keeps beside each layer, less the buffers (rotary tables)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from server.core.training.memory_estimate import ModelShape, RunShape, estimate, weight_bytes

torch = pytest.importorskip("torch")
bitsandbytes = pytest.importorskip("bitsandbytes")
transformers = pytest.importorskip("transformers")

ARCHITECTURES: dict[str, dict[str, Any]] = {
    # SmolLM2-135M's shape (Llama architecture, tied embeddings), random weights.
    "smollm2-135m": {
        "model_type": "llama",
        "vocab_size": 49152,
        "hidden_size": 576,
        "intermediate_size": 1536,
        "num_hidden_layers": 30,
        "num_attention_heads": 9,
        "num_key_value_heads": 3,
        "tie_word_embeddings": True,
    },
    # A small Qwen2: biases on q, k and v, untied output layer.
    "qwen2-small": {
        "model_type": "qwen2",
        "vocab_size": 4096,
        "hidden_size": 256,
        "intermediate_size": 704,
        "num_hidden_layers": 4,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "tie_word_embeddings": False,
    },
    # The tests' tiny model.
    "tiny-llama": {
        "model_type": "llama",
        "vocab_size": 320,
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "tie_word_embeddings": False,
    },
}


def measured_bytes(folder: Path, double_quantization: bool) -> int:
    quantization = transformers.BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=double_quantization,
        bnb_4bit_compute_dtype=torch.bfloat16,
    )
    model = transformers.AutoModelForCausalLM.from_pretrained(
        folder, quantization_config=quantization, device_map={"": "cpu"}, dtype=torch.bfloat16
    )
    constants = 0
    for module in model.modules():
        if isinstance(module, bitsandbytes.nn.Linear4bit):
            state = module.weight.quant_state
            constants += state.absmax.nbytes + state.code.nbytes
            if state.offset is not None:
                constants += state.offset.nbytes
            if state.state2 is not None:
                constants += state.state2.absmax.nbytes + state.state2.code.nbytes
    buffers = sum(buffer.nbytes for buffer in model.buffers())
    return int(model.get_memory_footprint()) + constants - buffers


@pytest.mark.parametrize("double_quantization", [True, False])
@pytest.mark.parametrize("name", ARCHITECTURES)
def test_the_weight_estimate_is_within_five_percent_of_the_loaded_model(
    tmp_path: Path, name: str, double_quantization: bool
) -> None:
    settings = ARCHITECTURES[name]
    config = transformers.AutoConfig.for_model(**settings)
    torch.manual_seed(0)
    transformers.AutoModelForCausalLM.from_config(config).to(torch.bfloat16).save_pretrained(
        tmp_path
    )
    shape = ModelShape.from_config(json.loads((tmp_path / "config.json").read_text()))
    run = RunShape(
        batch_size=1, sequence_tokens=1, lora_rank=8, double_quantization=double_quantization
    )
    quantised, other = weight_bytes(shape, run)
    measured = measured_bytes(tmp_path, double_quantization)
    assert abs((quantised + other) - measured) <= 0.05 * measured


def test_checkpointing_keeps_fewer_activations_and_the_parts_add_up() -> None:
    shape = ModelShape.from_config(ARCHITECTURES["smollm2-135m"])
    parts = estimate(shape, RunShape(batch_size=4, sequence_tokens=2048, lora_rank=16))
    assert parts["activations"] < parts["activations_without_checkpointing"]
    counted = [
        v for k, v in parts.items() if k not in ("total", "activations_without_checkpointing")
    ]
    assert parts["total"] == sum(counted)
