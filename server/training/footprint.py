"""What 4-bit models really hold, to check the pre-flight estimate
(`server/core/training/memory_estimate.py`) against: small real architectures with random
weights, loaded in 4-bit NF4 as a run loads them, and their weights' bytes.

Shared by the estimate's tests and `bench/train_packing.py`, so both measure the same thing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import bitsandbytes
import torch
from transformers import AutoConfig, AutoModelForCausalLM, BitsAndBytesConfig

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


def save_random_model(settings: dict[str, Any], folder: Path, seed: int = 0) -> Path:
    """A model of this shape with random bf16 weights, saved in `folder` (built whole in
    memory: for models up to about a billion parameters)."""
    config = AutoConfig.for_model(**settings)
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(config).to(torch.bfloat16)  # type: ignore[no-untyped-call]
    model.save_pretrained(folder)
    return folder


def load_four_bit(folder: Path, double_quantization: bool) -> Any:
    """The model in `folder` on the CPU, its linear layers in 4-bit NF4 as a run loads them."""
    quantization = BitsAndBytesConfig(  # type: ignore[no-untyped-call]
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=double_quantization,
        bnb_4bit_compute_dtype=torch.bfloat16,
    )
    return AutoModelForCausalLM.from_pretrained(
        folder, quantization_config=quantization, device_map={"": "cpu"}, dtype=torch.bfloat16
    )


def weight_bytes_loaded(model: Any) -> int:
    """`get_memory_footprint()` (packed 4-bit weights and the unquantised ones) plus the
    quantisation constants bitsandbytes keeps beside each layer, which it leaves out, less the
    buffers (rotary tables), which the estimate leaves out."""
    constants = 0
    for module in model.modules():
        if isinstance(module, bitsandbytes.nn.Linear4bit):  # type: ignore[attr-defined]
            weight: Any = module.weight
            state = weight.quant_state
            constants += state.absmax.nbytes + state.code.nbytes
            if state.offset is not None:
                constants += state.offset.nbytes
            if state.state2 is not None:
                constants += state.state2.absmax.nbytes + state.state2.code.nbytes
    buffers = int(sum(buffer.nbytes for buffer in model.buffers()))
    return int(model.get_memory_footprint()) + constants - buffers
