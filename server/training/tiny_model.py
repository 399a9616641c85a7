"""A tiny Llama-architecture model with a BPE tokenizer trained here, for tests and for trying
the trainer on a laptop CPU: nothing downloads. Real base models need a CUDA GPU."""

from __future__ import annotations

import sys
from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

from server.training.chat_data import FALLBACK_TEMPLATE

SPECIAL_TOKENS = ["<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>", "<pad>"]
_CORPUS = [
    "You are a support assistant. Classify the ticket as network, hardware, billing or other.",
    "The VPN drops every hour. network. The printer is on fire. hardware.",
    "I was charged twice this month. billing. Where is the office? other.",
    "Answer with one word. Summarise the ticket in one sentence.",
]


def build_tiny_model(folder: Path, seed: int = 0) -> Path:
    """Write a 2-layer, 64-wide Llama and its tokenizer into `folder` (about 200 KB)."""
    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tokenizer.train_from_iterator(_CORPUS * 20, trainer)
    fast = PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]  # transformers is untyped here
        tokenizer_object=tokenizer,
        bos_token="<s>",
        eos_token="<|im_end|>",
        unk_token="<unk>",
        pad_token="<pad>",
    )
    # ChatML, the trainer's own fallback: no `{% generation %}` markers are needed.
    fast.chat_template = FALLBACK_TEMPLATE
    folder.mkdir(parents=True, exist_ok=True)
    fast.save_pretrained(folder)
    config = LlamaConfig(
        vocab_size=len(fast),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=2048,
        bos_token_id=fast.bos_token_id,
        eos_token_id=fast.eos_token_id,
        pad_token_id=fast.pad_token_id,
    )
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config)
    model.to(dtype=torch.bfloat16)  # type: ignore[call-arg]  # transformers wraps `to` untyped
    model.save_pretrained(folder)
    return folder


if __name__ == "__main__":
    print(build_tiny_model(Path(sys.argv[1])))
