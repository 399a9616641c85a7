"""Chat records become sequences with labels on the assistant's tokens only, for any chat
template; packed rows train exactly as the examples one by one would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from server.training.chat_data import IGNORED, ConversationError, to_sequence
from server.training.packing import collate, pack

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

CONVERSATIONS = [
    [
        {"role": "system", "content": "Classify the ticket."},
        {"role": "user", "content": "The VPN drops every hour."},
        {"role": "assistant", "content": "network"},
    ],
    [
        {"role": "user", "content": "The printer is on fire."},
        {"role": "assistant", "content": "hardware"},
        {"role": "user", "content": "And the office is cold."},
        {"role": "assistant", "content": "other"},
    ],
    [
        {"role": "user", "content": "I was charged twice this month, please help."},
        {"role": "assistant", "content": "billing"},
    ],
]

# Real templates' shapes: where a turn starts and ends, and what asks for the answer.
TEMPLATES = {
    "chatml": (
        "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
        "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
    ),
    "llama-3": (
        "{{ bos_token }}{% for m in messages %}<|start_header_id|>{{ m['role'] }}"
        "<|end_header_id|>\n\n{{ m['content'] | trim }}<|eot_id|>{% endfor %}"
        "{% if add_generation_prompt %}<|start_header_id|>assistant<|end_header_id|>\n\n"
        "{% endif %}"
    ),
    "gemma": (
        "{{ bos_token }}{% for m in messages %}{% set role = 'model' if m['role'] == "
        "'assistant' else m['role'] %}<start_of_turn>{{ role }}\n{{ m['content'] | trim }}"
        "<end_of_turn>\n{% endfor %}{% if add_generation_prompt %}<start_of_turn>model\n"
        "{% endif %}"
    ),
}


def tokenizer_of(folder: Path, template: str | None = None) -> Any:
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
    if template is not None:
        tokenizer.chat_template = template
    return tokenizer


@pytest.mark.parametrize("template", TEMPLATES, ids=TEMPLATES.keys())
def test_labels_cover_exactly_the_assistant_answers(tiny_model: Path, template: str) -> None:
    tokenizer = tokenizer_of(tiny_model, TEMPLATES[template])
    sequence = to_sequence(tokenizer, CONVERSATIONS[1], 512)
    trained = [
        t for t, label in zip(sequence.input_ids, sequence.labels, strict=True) if label != IGNORED
    ]
    text = tokenizer.decode(trained)
    assert "hardware" in text and "other" in text
    assert "printer" not in text and "cold" not in text


def test_the_tiny_models_own_template_is_used(tiny_model: Path) -> None:
    sequence = to_sequence(tokenizer_of(tiny_model), CONVERSATIONS[0], 512)
    assert sequence.trained_tokens > 0


def test_a_record_without_an_answer_is_refused(tiny_model: Path) -> None:
    with pytest.raises(ConversationError, match="no assistant tokens"):
        to_sequence(tokenizer_of(tiny_model), [{"role": "user", "content": "hi"}], 512)


def test_a_template_that_rewrites_history_is_refused(tiny_model: Path) -> None:
    # Earlier assistant turns lose their text once a later user turn exists (as Qwen3 does
    # with thinking): prefix renders no longer match.
    rewriting = (
        "{% for m in messages %}{% if m['role'] == 'assistant' and not loop.last %}<|im_start|>"
        "assistant\n<|im_end|>\n{% else %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}"
        "<|im_end|>\n{% endif %}{% endfor %}"
        "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
    )
    with pytest.raises(ConversationError, match="renders earlier turns differently"):
        to_sequence(tokenizer_of(tiny_model, rewriting), CONVERSATIONS[1], 512)


def test_a_packed_row_has_the_loss_of_its_examples_one_by_one(tiny_model: Path) -> None:
    tokenizer = tokenizer_of(tiny_model)
    model = transformers.AutoModelForCausalLM.from_pretrained(
        tiny_model, dtype=torch.float32, attn_implementation="sdpa"
    ).eval()
    sequences = [to_sequence(tokenizer, c, 512) for c in CONVERSATIONS]
    [row] = pack(sequences, 512)
    with torch.no_grad():
        packed = model(**collate([row], tokenizer.pad_token_id, torch.float32)).loss.item()
        total, tokens = 0.0, 0
        for sequence in sequences:
            ids = torch.tensor([sequence.input_ids])
            labels = torch.tensor([sequence.labels])
            predicted = int((labels[0, 1:] != IGNORED).sum())
            total += model(input_ids=ids, labels=labels).loss.item() * predicted
            tokens += predicted
    assert abs(packed - total / tokens) < 1e-3


def test_packing_fills_rows_without_splitting_an_example(tiny_model: Path) -> None:
    tokenizer = tokenizer_of(tiny_model)
    sequences = [to_sequence(tokenizer, c, 512) for c in CONVERSATIONS * 5]
    longest = max(len(s.input_ids) for s in sequences)
    rows = pack(sequences, 2 * longest)
    assert sum(len(r.examples) for r in rows) == len(sequences)
    assert all(r.length <= 2 * longest for r in rows)
    assert len(rows) < len(sequences)
