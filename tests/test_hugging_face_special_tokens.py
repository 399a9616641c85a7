"""A Hugging Face tokenizer whose post-processor adds special tokens, as real chat models' do
(Llama adds `<|begin_of_text|>`, many add BOS and EOS): those tokens belong to the chat
template, which is counted as overhead on its own, so a message's count leaves them out."""

from __future__ import annotations

from pathlib import Path

import pytest
from tokenizers import Tokenizer, models, pre_tokenizers, processors, trainers

from server.core.token_counters import HuggingFaceCounter

CORPUS = ["the quick brown fox jumps over the lazy dog"] * 20 + ["prompt tokens cost money"] * 20
TEXTS = ["the quick brown fox", "prompt tokens cost money, the lazy dog", "fox"]


@pytest.fixture
def tokenizer_json(tmp_path: Path) -> Path:
    """Trained here (nothing can be downloaded), with a post-processor adding `<s>` and `</s>`."""
    tokenizer = Tokenizer(models.BPE(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.train_from_iterator(
        CORPUS, trainers.BpeTrainer(vocab_size=120, special_tokens=["[UNK]", "<s>", "</s>"])
    )
    bos, eos = tokenizer.token_to_id("<s>"), tokenizer.token_to_id("</s>")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", bos), ("</s>", eos)]
    )
    path = tmp_path / "tokenizer.json"
    tokenizer.save(str(path))
    return path


def without_special(path: Path, text: str) -> int:
    return len(Tokenizer.from_file(str(path)).encode(text, add_special_tokens=False).ids)


def test_the_test_tokenizer_does_add_special_tokens(tokenizer_json: Path) -> None:
    # Else the tests below could not tell the two ways of counting apart.
    tokenizer = Tokenizer.from_file(str(tokenizer_json))
    for text in TEXTS:
        with_special = tokenizer.encode(text).ids
        assert len(with_special) == without_special(tokenizer_json, text) + 2
        assert with_special[0] == tokenizer.token_to_id("<s>")


@pytest.mark.parametrize("text", TEXTS)
def test_one_text_is_counted_without_special_tokens(tokenizer_json: Path, text: str) -> None:
    counter = HuggingFaceCounter(tokenizer_json, "tiny")
    assert counter.count(text) == without_special(tokenizer_json, text)


def test_many_texts_are_counted_without_special_tokens(tokenizer_json: Path) -> None:
    # Several texts go through `encode_batch`, a separate call with its own flag.
    counter = HuggingFaceCounter(tokenizer_json, "tiny")
    assert counter.count_all(TEXTS) == [without_special(tokenizer_json, t) for t in TEXTS]
