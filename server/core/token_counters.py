"""Token counters: one interface over tiktoken encodings and Hugging Face `tokenizer.json` files.

Counts of short texts are remembered, so that the messages an edit did not touch are not
re-encoded on every keystroke. Many texts at once (a prompt being opened) are counted in one
batch, spread over the machine's cores where the tokenizer lets go of the interpreter lock.
"""

from __future__ import annotations

import bisect
import itertools
import os
import re
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import tokenizers

from server.core.encodings import get_encoding
from server.core.token_count import token_lengths_function, without_lone_surrogates

# Texts up to this size are remembered (larger ones are cut into pieces that are, or else
# counted afresh): an entry the size of a whole document would cost megabytes.
_LIMIT = 16_384
_CACHE_ENTRIES = 8192
# Below this many characters to encode, handing work to threads costs more than it saves.
_PARALLEL_MIN_CHARACTERS = 65_536

Lengths = Callable[[], list[int]]  # a batch's counts, once they are ready


class TokenizerFileError(Exception):
    """A tokenizer.json that is missing, unreadable or not a tokenizer."""


class TokenCounter(ABC):
    def __init__(self, name: str, exact: bool, note: str | None = None) -> None:
        self.name = name
        self.exact = exact
        self.note = note
        self._cache: OrderedDict[str, int] = OrderedDict()
        # Documents are analysed on worker threads, and share their model's counter.
        self._lock = threading.Lock()

    def count(self, text: str) -> int:
        if len(text) > _LIMIT:
            return self.count_all([text])[0]
        with self._lock:
            cached = self._cache.get(text)
            if cached is not None:
                self._cache.move_to_end(text)
                return cached
        tokens = self._encode_lengths([text])[0]
        self._remember({text: tokens})
        return tokens

    def count_all(self, texts: Sequence[str]) -> list[int]:
        """The count of each text. What the cache lacks is encoded in one batch."""
        return self.start_counting(texts).result()

    def start_counting(self, texts: Sequence[str]) -> PendingCounts:
        """Begin counting `texts`: a large batch goes to worker threads, and the caller can do
        other work until it asks for the `result()`."""
        split = {i: self._pieces(text) for i, text in enumerate(texts) if len(text) > _LIMIT}
        wanted = dict.fromkeys(text for text in texts if len(text) <= _LIMIT)
        for pieces in split.values():
            wanted.update(dict.fromkeys(pieces))
        known: dict[str, int] = {}
        missing: list[str] = []
        with self._lock:
            cache = self._cache
            for piece in wanted:
                tokens = cache.get(piece)
                if tokens is None:
                    missing.append(piece)
                else:
                    cache.move_to_end(piece)
                    known[piece] = tokens
        lengths = self._start_encoding(missing) if missing else None
        return PendingCounts(self, texts, split, known, missing, lengths)

    def _remember(self, counts: dict[str, int]) -> None:
        with self._lock:
            for text, tokens in counts.items():
                if len(text) <= _LIMIT:
                    self._cache[text] = tokens
            while len(self._cache) > _CACHE_ENTRIES:
                self._cache.popitem(last=False)

    def _pieces(self, text: str) -> list[str]:
        """A long text as the pieces counted (and cached) separately; their counts add up to
        the text's."""
        return [text]

    def _start_encoding(self, texts: list[str]) -> Lengths:
        """Encode `texts` now, or on a worker thread when they are many."""
        if sum(map(len, texts)) < _PARALLEL_MIN_CHARACTERS:
            done = self._encode_lengths(texts)
            return lambda: done
        return run_batches(self._encode_lengths, [texts])

    @abstractmethod
    def _encode_lengths(self, texts: list[str]) -> list[int]: ...


class PendingCounts:
    """Counts under way (`TokenCounter.start_counting`)."""

    def __init__(
        self,
        counter: TokenCounter,
        texts: Sequence[str],
        split: dict[int, list[str]],
        known: dict[str, int],
        missing: list[str],
        lengths: Lengths | None,
    ) -> None:
        self._counter, self._texts, self._split = counter, texts, split
        self._known, self._missing, self._lengths = known, missing, lengths

    def result(self) -> list[int]:
        """Wait for the counts; the fresh ones are remembered."""
        known = self._known
        if self._lengths is not None:
            fresh = dict(zip(self._missing, self._lengths(), strict=True))
            self._lengths = None
            known.update(fresh)
            self._counter._remember(fresh)
        # Long texts are summed by index: hashing one (to look it up) would cost more.
        counts = [known[text] if len(text) <= _LIMIT else 0 for text in self._texts]
        for i, pieces in self._split.items():
            counts[i] = sum(known[piece] for piece in pieces)
        return counts


# A newline followed by a letter or digit: no piece of tiktoken's pre-tokenizer (the regex
# that splits text before BPE) spans it, for cl100k_base and o200k_base alike. Counting the
# text on either side separately therefore gives exactly the count of the whole.
_PIECE_BOUNDARY = re.compile(r"\n(?=[^\W_])")
_CHUNK_CHARACTERS = 4096


def tiktoken_chunks(text: str, size: int = _CHUNK_CHARACTERS) -> list[str]:
    """`text` cut at piece boundaries into chunks of about `size` characters. An edit changes
    the chunk it falls in (and rarely the next), so the others come from the cache."""
    chunks, start = [], 0
    while len(text) - start > size:
        boundary = _PIECE_BOUNDARY.search(text, start + size)
        if boundary is None:
            break
        chunks.append(text[start : boundary.start() + 1])
        start = boundary.start() + 1
    chunks.append(text[start:])
    return chunks


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# Threads start only when work is first handed over.
# One core is left to the thread that hands out the work: it does its own work meanwhile (an
# analysis finds few-shot examples), then, waiting, encodes the batches no worker has begun.
# So the cores stay busy without more threads than cores contending for them.
_POOL = ThreadPoolExecutor(max(1, min(8, usable_cpus()) - 1), thread_name_prefix="tokens")


def run_batches(work: Callable[[list[str]], list[int]], batches: list[list[str]]) -> Lengths:
    """Start `work` on each batch on the pool; the returned function waits for the results,
    doing itself the batches no worker has begun (from the last: workers take the first)."""
    runs = [(batch, _POOL.submit(work, batch)) for batch in batches]

    def results() -> list[int]:
        done: dict[int, list[int]] = {}
        for i in reversed(range(len(runs))):
            batch, run = runs[i]
            if run.cancel():
                done[i] = work(batch)
        lengths: list[int] = []
        for i, (_, run) in enumerate(runs):
            lengths += done[i] if i in done else run.result()
        return lengths

    return results


def balanced_batches(texts: list[str], batches: int) -> list[list[str]]:
    """`texts` in order, cut into at most `batches` runs of about equal total length."""
    ends = list(itertools.accumulate(len(text) for text in texts))
    if not ends:
        return []
    cuts = [bisect.bisect_left(ends, ends[-1] * k / batches) + 1 for k in range(1, batches)]
    bounds = [0, *cuts, len(texts)]
    runs = [texts[a:b] for a, b in itertools.pairwise(bounds)]
    return [run for run in runs if run]


class TiktokenCounter(TokenCounter):
    def __init__(self, encoding: str, exact: bool, note: str | None = None) -> None:
        super().__init__(encoding, exact, note)
        self.encoding = get_encoding(encoding)
        self._lengths = token_lengths_function(self.encoding)

    def _pieces(self, text: str) -> list[str]:
        # Long texts are counted by chunk, so an edit re-encodes one chunk, not the text.
        return tiktoken_chunks(text)

    def _encode_lengths(self, texts: list[str]) -> list[int]:
        return self._start_encoding(texts)()

    def _start_encoding(self, texts: list[str]) -> Lengths:
        if sum(map(len, texts)) < _PARALLEL_MIN_CHARACTERS or (workers := usable_cpus()) < 2:
            done = self._lengths(texts)
            return lambda: done
        # tiktoken encodes with the interpreter lock released, so the batches use every core.
        # Four batches per core: texts differ in tokens per character, and a thread done early
        # takes another batch (measured: 1.6x on two cores, against 1.5x with one per core).
        batches = balanced_batches(texts, 4 * workers)
        return run_batches(self._lengths, batches)


class HuggingFaceCounter(TokenCounter):
    """An open-weight model's own tokenizer, read from its local `tokenizer.json`."""

    def __init__(self, path: Path, label: str) -> None:
        try:
            self.tokenizer = tokenizers.Tokenizer.from_file(str(path))
        except Exception as error:  # the Rust side raises plain Exception for bad files
            raise TokenizerFileError(f"tokenizer file {path} is unreadable: {error}") from error
        super().__init__(label, exact=True)
        self.path = path

    def _encode_lengths(self, texts: list[str]) -> list[int]:
        # The chat template's special tokens are chat overhead, counted on their own.
        # `encode_batch` spreads the texts over the cores itself.
        cleaned = [without_lone_surrogates(text) for text in texts]
        if len(cleaned) == 1:
            return [len(self.tokenizer.encode(cleaned[0], add_special_tokens=False).ids)]
        encoded = self.tokenizer.encode_batch(cleaned, add_special_tokens=False)
        return [len(e.ids) for e in encoded]
