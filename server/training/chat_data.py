"""Chat records to training sequences: token ids, and labels on the assistant's tokens only.

Assistant spans are found by rendering the conversation's prefixes with the tokenizer's own
chat template: the tokens a turn adds after the prompt that asks for it (`add_generation_prompt`)
are that turn's. So any template works, with no `{% generation %}` markers. A template that
rewrites earlier turns once later ones exist (the rendered prefix is then not a token prefix of
the whole conversation) is refused rather than trained on misplaced labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

IGNORED = -100  # the label of a token the loss skips
# For tokenizers without a chat template: ChatML, which most open chat models use or resemble.
FALLBACK_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


class ConversationError(ValueError):
    """A record that cannot become a training sequence; the message says why."""


@dataclass(frozen=True)
class Sequence:
    input_ids: list[int]
    labels: list[int]

    @property
    def trained_tokens(self) -> int:
        return sum(label != IGNORED for label in self.labels)


def _render(tokenizer: Any, messages: list[dict[str, str]], prompt: bool) -> list[int]:
    template = tokenizer.chat_template or FALLBACK_TEMPLATE
    ids = tokenizer.apply_chat_template(
        messages,
        chat_template=template,
        add_generation_prompt=prompt,
        tokenize=True,
        return_dict=False,
    )
    if isinstance(ids, dict) or hasattr(ids, "keys"):  # some versions answer with a dict
        ids = ids["input_ids"]
    return [int(i) for i in ids]


def to_sequence(tokenizer: Any, messages: list[dict[str, str]], max_tokens: int) -> Sequence:
    """The record's ids and labels, cut to `max_tokens`; labels only on assistant turns."""
    whole = _render(tokenizer, messages, prompt=False)
    labels = [IGNORED] * len(whole)
    for turn, message in enumerate(messages):
        if message.get("role") != "assistant":
            continue
        before = _render(tokenizer, messages[:turn], prompt=True)
        through = _render(tokenizer, messages[: turn + 1], prompt=False)
        if whole[: len(before)] != before or whole[: len(through)] != through:
            raise ConversationError(
                "the chat template renders earlier turns differently once later ones follow; "
                "assistant tokens cannot be located"
            )
        labels[len(before) : len(through)] = whole[len(before) : len(through)]
    sequence = Sequence(whole[:max_tokens], labels[:max_tokens])
    if sequence.trained_tokens == 0:
        raise ConversationError("no assistant tokens to train on (within the sequence limit)")
    return sequence


def prompt_ids(tokenizer: Any, messages: list[dict[str, str]]) -> list[int]:
    """The ids that ask the model for the next assistant turn, as training rendered them."""
    return _render(tokenizer, messages, prompt=True)
