"""Token counters: tiktoken encodings and open-weight models' own tokenizer.json files."""

from __future__ import annotations

import struct
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tiktoken import Encoding
from tokenizers import Tokenizer, models, pre_tokenizers, trainers

from server.core import token_counters
from server.core.encodings import get_encoding
from server.core.model_choice import configured_tokenizer_path, find_cached_tokenizer
from server.core.token_count import ApproximationNotes, count_tokens, token_lengths_function
from server.core.token_counters import (
    _POOL,
    HuggingFaceCounter,
    TiktokenCounter,
    TokenizerFileError,
    tiktoken_chunks,
)

CORPUS = ["the quick brown fox jumps over the lazy dog"] * 20 + ["prompt tokens cost money"] * 20


@pytest.fixture
def tokenizer_json(tmp_path: Path) -> Path:
    """A real BPE tokenizer, trained here: no model can be downloaded on these machines."""
    tokenizer = Tokenizer(models.BPE(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.train_from_iterator(
        CORPUS, trainers.BpeTrainer(vocab_size=120, special_tokens=["[UNK]", "<s>"])
    )
    path = tmp_path / "tokenizer.json"
    tokenizer.save(str(path))
    return path


TEXTS = ["", "the quick brown fox", "prompt tokens cost money, the lazy dog", "🧪 \ud800 odd"]


@pytest.mark.parametrize("text", TEXTS)
def test_hugging_face_counter_counts_like_the_tokenizer(tokenizer_json: Path, text: str) -> None:
    counter = HuggingFaceCounter(tokenizer_json, "tiny")
    clean = text.replace("\ud800", "\ufffd")
    expected = len(
        Tokenizer.from_file(str(tokenizer_json)).encode(clean, add_special_tokens=False).ids
    )
    assert counter.count(text) == expected
    assert counter.exact


def test_corrupt_tokenizer_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "tokenizer.json"
    path.write_text('{"version": "1.0", "model": ')
    with pytest.raises(TokenizerFileError, match="unreadable"):
        HuggingFaceCounter(path, "broken")


def test_tokenizer_found_in_the_hugging_face_cache(
    tokenizer_json: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot = tmp_path / "hub" / "models--org--tiny-model" / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    (snapshot / "tokenizer.json").write_bytes(tokenizer_json.read_bytes())
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    assert find_cached_tokenizer("org/tiny-model") == snapshot / "tokenizer.json"
    assert find_cached_tokenizer("org/absent") is None


def test_tokenizer_path_from_settings_must_stay_in_the_workspace(tmp_path: Path) -> None:
    root = tmp_path / "workspace"
    root.mkdir()
    assert configured_tokenizer_path("tok/t.json", root) == root / "tok" / "t.json"
    with pytest.raises(TokenizerFileError, match="outside the workspace"):
        configured_tokenizer_path("../secret.json", root)
    with pytest.raises(TokenizerFileError, match="outside the workspace"):
        configured_tokenizer_path("/etc/passwd", root)


def test_tiktoken_counter_remembers_short_texts() -> None:
    counter = TiktokenCounter("o200k_base", exact=True)
    text = "count me once"
    assert counter.count(text) == len(get_encoding("o200k_base").encode_ordinary(text))
    assert counter.count(text) == counter.count(text)
    assert text in counter._cache


PIECES = st.sampled_from(
    [
        "\n",
        "\n\n",
        " ",
        "  ",
        "word",
        "Word",
        "42",
        "1234",
        "'s",
        ".",
        "/",
        "//",
        "\t",
        "é",
        "東京",
        "🧪",
        "\r\n",
        "-",
        "_",
        "a\nb",
        "\n/",
        "\n1",
    ]
)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(PIECES, max_size=200).map("".join),
    st.sampled_from(["o200k_base", "cl100k_base"]),
    st.integers(1, 40),
)
def test_chunks_cut_only_where_tiktoken_would(text: str, encoding: str, size: int) -> None:
    """The sum of the chunks' counts is the whole text's count, however small the chunks."""
    tiktoken = get_encoding(encoding)
    chunks = tiktoken_chunks(text, size)
    assert "".join(chunks) == text
    assert sum(len(tiktoken.encode_ordinary(c)) for c in chunks) == len(
        tiktoken.encode_ordinary(text)
    )


def test_large_text_is_counted_in_cached_chunks() -> None:
    text = "\n".join(f"Line {i} of a long system prompt." for i in range(3000))
    chunks = tiktoken_chunks(text)
    assert len(chunks) > 10 and "".join(chunks) == text
    counter = TiktokenCounter("o200k_base", exact=True)
    assert counter.count(text) == len(get_encoding("o200k_base").encode_ordinary(text))
    assert all(chunk in counter._cache for chunk in chunks)


# Texts that could break counting many texts in one call: special tokens' text (the separator
# itself among them), parts of it, lone surrogates, empty texts, and text that makes ids whose
# bytes could look like the separator's.
BATCH_PIECES = st.sampled_from(
    [
        "<|endoftext|>",
        "<|endof",
        "text|>",
        "<|fim_prefix|>",
        "<|endofprompt|>",
        "\ud800",
        "",
        " ",
        "\n",
        "word",
        "東京",
        "🧪",
        "\x00",
        "\uffff",
        "42",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(BATCH_PIECES, max_size=12).map("".join), max_size=12),
    st.sampled_from(["o200k_base", "cl100k_base"]),
)
def test_many_texts_counted_at_once_count_as_each_alone(texts: list[str], encoding: str) -> None:
    counter = TiktokenCounter(encoding, exact=True)
    assert counter.count_all(texts) == [count_tokens(counter.encoding, text) for text in texts]


@pytest.mark.parametrize("encoding", ["o200k_base", "cl100k_base"])
def test_one_call_counts_many_texts(encoding: str) -> None:
    """The fast path is taken with the installed tiktoken (a newer tiktoken without its buffer
    encoder would fall back to one call per text, and this test says so)."""
    tiktoken = get_encoding(encoding)
    assert hasattr(tiktoken._core_bpe, "encode_to_tiktoken_buffer")
    lengths = token_lengths_function(tiktoken)
    texts = ["Hello there", "", "<|endoftext|> inside", "General Kenobi!"]
    assert lengths(texts) == [len(tiktoken.encode_ordinary(text)) for text in texts]


class StraddlingEncoding:
    """An encoding (of 16 M tokens, say) whose ids' bytes can spell the separator's: "a" is
    id 0x00010000 and the separator 0x00000100, so "a" + separator reads 00 00 01 00 00 01 00
    00, where the separator's bytes also start at the second byte."""

    special_tokens_set = frozenset({"<|endoftext|>"})
    ids: ClassVar[dict[str, list[int]]] = {"a": [0x00010000], "b": [5, 6]}

    def encode_single_token(self, text: str) -> int:
        return 0x00000100

    def encode_ordinary(self, text: str) -> list[int]:
        return self.ids[text]

    @property
    def _core_bpe(self) -> object:
        encoding = self

        class Core:
            def encode_to_tiktoken_buffer(self, text: str, allowed: object) -> bytes:
                parts = text.split("<|endoftext|>")
                ids = [
                    i
                    for n, part in enumerate(parts)
                    for i in [0x100] * (n > 0) + encoding.ids[part]
                ]
                return struct.pack(f"={len(ids)}I", *ids)

        return Core()


def test_separator_bytes_across_two_ids_do_not_cut_a_count() -> None:
    lengths = token_lengths_function(cast(Encoding, StraddlingEncoding()))
    assert lengths(["a", "b"]) == [1, 2]


def test_large_batches_are_counted_on_threads_exactly() -> None:
    """Over the size where the work is split over threads: the counts do not change."""
    texts = [f"Message {i}: " + "tokens cost money " * (i % 50) for i in range(3000)]
    assert sum(len(text) for text in texts) > 1_000_000
    counter = TiktokenCounter("o200k_base", exact=True)
    expected = [len(counter.encoding.encode_ordinary(text)) for text in texts]
    assert counter.count_all(texts) == expected
    assert counter.count_all(texts) == expected  # now from the cache


class RecordingCounter(TiktokenCounter):
    """Counts exactly, and notes which thread encoded which batch."""

    def __init__(self) -> None:
        super().__init__("o200k_base", exact=True)
        self.batches: list[tuple[str, list[str]]] = []
        self.encoding_began = threading.Event()

    def _encode_lengths(
        self, texts: list[str], notes: ApproximationNotes | None = None
    ) -> list[int]:
        self.batches.append((threading.current_thread().name, texts))
        self.encoding_began.set()
        return super()._encode_lengths(texts, notes)


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(token_counters, "usable_cpus", lambda: 2)  # whatever this machine has


def test_batches_no_worker_has_begun_are_done_by_the_waiting_thread() -> None:
    """With every worker busy, waiting for the results does the work in the waiting thread:
    the caller is one of the cores, not an idle bystander."""
    release = threading.Event()
    blockers = [_POOL.submit(release.wait) for _ in range(_POOL._max_workers)]
    counter = RecordingCounter()
    texts = [f"Row {i}: invoice {i} is due." for i in range(8000)]
    try:
        pending = counter.start_counting(texts, sum(map(len, texts)))
        assert pending.result() == [count_tokens(counter.encoding, text) for text in texts]
        assert len(counter.batches) > 1
        assert {thread for thread, _ in counter.batches} == {threading.current_thread().name}
    finally:
        release.set()
        for blocker in blockers:
            blocker.result()


@pytest.mark.usefixtures("two_cores")
def test_counting_begins_before_the_last_text_is_known() -> None:
    """A parser yields contents as it reads; full batches go to a worker meanwhile."""
    counter = RecordingCounter()
    texts = [f"Turn {i}: the customer asks about invoice {i}." for i in range(8000)]

    def reading() -> Iterator[str]:
        yield from texts[:-1]
        assert counter.encoding_began.wait(timeout=30), "no batch was handed over yet"
        yield texts[-1]

    pending = counter.start_counting(reading(), sum(map(len, texts)))
    assert pending.result() == [count_tokens(counter.encoding, text) for text in texts]
    assert any(thread != threading.current_thread().name for thread, _ in counter.batches)


@pytest.mark.usefixtures("two_cores")
def test_what_an_edit_leaves_to_encode_is_encoded_by_the_caller() -> None:
    """A recount after an edit finds all but one text in the cache: no thread for that one."""
    counter = RecordingCounter()
    texts = [f"Turn {i}: the customer asks about invoice {i}." for i in range(8000)]
    counter.count_all(texts)
    counter.batches.clear()
    edited = [*texts[:-1], "Turn 7999: the customer asks about an invoice."]
    assert counter.start_counting(edited, sum(map(len, edited))).result()[-1] > 0
    assert counter.batches == [(threading.current_thread().name, [edited[-1]])]


@pytest.mark.usefixtures("two_cores")
def test_a_hint_far_below_the_texts_still_spreads_them() -> None:
    """A Dotprompt partial can make the contents much longer than the file that names it."""
    counter = RecordingCounter()
    texts = [f"Row {i}: invoice {i} is due." for i in range(8000)]
    assert counter.start_counting(texts, 10).result() == counter.count_all(texts)
    assert len(counter.batches) > 1


def test_when_the_texts_fail_midway_no_batch_is_left_to_run() -> None:
    release = threading.Event()
    blockers = [_POOL.submit(release.wait) for _ in range(_POOL._max_workers)]
    counter = RecordingCounter()

    def failing() -> Iterator[str]:
        for i in range(8000):
            yield f"Row {i}: invoice {i} is due."
        raise ValueError("parser bug")

    try:
        with pytest.raises(ValueError):
            counter.start_counting(failing(), 8000 * 25)
    finally:
        release.set()
        for blocker in blockers:
            blocker.result()
    _POOL.submit(lambda: None).result()  # taken only after any batch left in the queue
    assert counter.batches == []


def test_counting_can_go_on_while_the_caller_works() -> None:
    counter = TiktokenCounter("o200k_base", exact=True)
    texts = [f"Turn {i}: the customer asks about invoice {i}." for i in range(4000)]
    pending = counter.start_counting(texts, sum(map(len, texts)))
    assert sum(len(text) for text in texts) > 65_536  # large enough for worker threads
    expected = [len(counter.encoding.encode_ordinary(text)) for text in texts]
    assert pending.result() == expected
    assert all(text in counter._cache for text in texts)
