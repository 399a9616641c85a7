"""The peak accelerator memory of a QLoRA run, estimated from the base model's `config.json`
before anything loads.

Weights (measured against `get_memory_footprint()` of real 4-bit models in the tests):
- every linear layer of the decoder is 4-bit NF4: half a byte a weight, plus its quantisation
  constants: one absmax per 64-weight block, fp32 (4 bytes), or with double quantisation one
  byte, with an fp32 absmax per 256 blocks, a 256-entry fp32 code book and an fp32 offset per
  layer; every 4-bit layer also keeps NF4's 16-entry fp32 code;
- embeddings, norms, biases and the output layer stay in the compute dtype (2 bytes in bf16 or
  fp16); `prepare_model_for_kbit_training` then upcasts them to fp32 for stable training, which
  `other_weights` counts (4 bytes each).
LoRA: rank x (in + out) fp32 weights per adapted layer, as many fp32 gradients, and AdamW's two
moments: 8 bytes a weight in fp32, 2 with bitsandbytes' paged 8-bit AdamW (CUDA only).
Activations per token of a decoder layer (compute dtype; SDPA or flash attention, so no
sequence-squared scores): the inputs the backward pass needs, about 6 x hidden + 2 x the
key-value width + 4 x the MLP width, plus the two RMSNorms' fp32 inputs (2 x 4 x hidden bytes).
With gradient checkpointing only each layer's input (hidden) is kept, plus one layer's full set
while it is recomputed. Logits: tokens x vocabulary in the compute dtype, their fp32 copy for the
loss and its fp32 gradient. The total adds them; allocator slack and the CUDA context (a few
hundred MB) come on top and are not counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_BLOCK = 64  # weights per absmax block (bitsandbytes' 4-bit default)
_BLOCKS_PER_SECOND_LEVEL = 256  # blocks per fp32 absmax when the absmaxes are quantised
_NF4_CODE_BYTES = 16 * 4
_SECOND_LEVEL_CODE_BYTES = 256 * 4 + 4  # the 8-bit code book of the absmaxes, and an offset
_DTYPE_BYTES = {"bfloat16": 2, "float16": 2, "float32": 4}


class ModelShapeError(ValueError):
    """A `config.json` this estimate cannot read (not a decoder it knows)."""


@dataclass(frozen=True)
class ModelShape:
    hidden: int
    intermediate: int
    layers: int
    heads: int
    kv_heads: int
    head_dim: int
    vocabulary: int
    tied_embeddings: bool
    qkv_bias: bool

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> ModelShape:
        """From a Llama, Qwen2, Mistral, Gemma or similar decoder's `config.json`."""
        try:
            hidden = int(config["hidden_size"])
            heads = int(config["num_attention_heads"])
            return cls(
                hidden=hidden,
                intermediate=int(config["intermediate_size"]),
                layers=int(config["num_hidden_layers"]),
                heads=heads,
                kv_heads=int(config.get("num_key_value_heads") or heads),
                head_dim=int(config.get("head_dim") or hidden // heads),
                vocabulary=int(config["vocab_size"]),
                tied_embeddings=bool(config.get("tie_word_embeddings", False)),
                qkv_bias=bool(config.get("attention_bias", False))
                or config.get("model_type") == "qwen2",
            )
        except (KeyError, TypeError, ValueError, ZeroDivisionError) as error:
            raise ModelShapeError(f"not a decoder config this estimate reads: {error}") from error

    def linear_layers(self) -> list[tuple[int, int]]:
        """(in, out) of every linear layer of one decoder layer."""
        q, kv = self.heads * self.head_dim, self.kv_heads * self.head_dim
        h, i = self.hidden, self.intermediate
        return [(h, q), (h, kv), (h, kv), (q, h), (h, i), (h, i), (i, h)]


@dataclass(frozen=True)
class RunShape:
    batch_size: int
    sequence_tokens: int
    lora_rank: int
    compute_dtype: str = "bfloat16"
    double_quantization: bool = True
    gradient_checkpointing: bool = True
    paged_8bit_optimizer: bool = True


def four_bit_bytes(weights: int, double_quantization: bool) -> int:
    """One 4-bit linear layer's weights and quantisation constants."""
    blocks = -(-weights // _BLOCK)
    packed = -(-weights // 2)
    if not double_quantization:
        return packed + 4 * blocks + _NF4_CODE_BYTES
    second_level = 4 * -(-blocks // _BLOCKS_PER_SECOND_LEVEL)
    return packed + blocks + second_level + _SECOND_LEVEL_CODE_BYTES + _NF4_CODE_BYTES


def weight_bytes(model: ModelShape, run: RunShape, upcast: bool = False) -> tuple[int, int]:
    """(4-bit linear layers, everything else) as loaded; `upcast`: after the fp32 upcast of
    the unquantised weights that training prepares."""
    quantised = model.layers * sum(
        four_bit_bytes(a * b, run.double_quantization) for a, b in model.linear_layers()
    )
    embeddings = model.vocabulary * model.hidden
    output = 0 if model.tied_embeddings else model.vocabulary * model.hidden
    norms = model.hidden * (2 * model.layers + 1)
    biases = model.layers * (model.heads + 2 * model.kv_heads) * model.head_dim * model.qkv_bias
    element = 4 if upcast else _DTYPE_BYTES[run.compute_dtype]
    return quantised, (embeddings + output + norms + biases) * element


def estimate(model: ModelShape, run: RunShape) -> dict[str, int]:
    """Each part of the peak, in bytes (the fields of `shared_schemas.training.MemoryEstimate`)."""
    base, other = weight_bytes(model, run, upcast=True)
    lora = model.layers * sum(run.lora_rank * (a + b) for a, b in model.linear_layers())
    tokens = run.batch_size * run.sequence_tokens
    element = _DTYPE_BYTES[run.compute_dtype]
    kv = model.kv_heads * model.head_dim
    per_layer = (6 * model.hidden + 2 * kv + 4 * model.intermediate) * element
    per_layer += 2 * 4 * model.hidden
    without = tokens * per_layer * model.layers
    with_checkpointing = tokens * (model.hidden * element * model.layers + per_layer)
    activations = with_checkpointing if run.gradient_checkpointing else without
    logits = tokens * model.vocabulary * (element + 4 + 4)
    parts = {
        "base_weights": base,
        "other_weights": other,
        "lora_weights": 4 * lora,
        "lora_gradients": 4 * lora,
        "optimizer_state": (2 if run.paged_8bit_optimizer else 8) * lora,
        "activations": activations,
        "activations_without_checkpointing": without,
        "logits": logits,
    }
    total = sum(v for k, v in parts.items() if k != "activations_without_checkpointing")
    return {**parts, "total": total}
