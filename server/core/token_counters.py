"""Token counters: one interface over tiktoken encodings and Hugging Face `tokenizer.json` files.

Counts of short texts are remembered, so that the messages an edit did not touch are not
re-encoded on every keystroke. Many texts at once (a prompt being opened) are counted in one
batch, spread over the machine's cores where the tokenizer lets go of the interpreter lock.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import tokenizers

from server.core.encodings import get_encoding
from server.core.token_count import (
    ApproximationNotes,
    token_lengths_function,
    without_lone_surrogates,
)

# Texts up to this size are remembered (larger ones are cut into pieces that are, or else
# counted afresh): an entry the size of a whole document would cost megabytes.
_LIMIT = 16_384
_CACHE_ENTRIES = 8192
# Below this many characters to encode, handing work to threads costs more than it saves.
_PARALLEL_MIN_CHARACTERS = 65_536


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
        cached = self._cached(text)
        if cached is not None:
            return cached
        notes: ApproximationNotes = []
        tokens = self._encode_lengths([text], notes)[0]
        if not notes:  # an approximate count is not remembered as if it were exact
            self._remember({text: tokens})
        return tokens

    def count_all(self, texts: Sequence[str]) -> list[int]:
        """The count of each text. What the cache lacks is encoded in one batch."""
        return self.start_counting(texts, sum(map(len, texts))).result()

    def start_counting(self, texts: Iterable[str], expected_characters: int) -> PendingCounts:
        """Begin counting `texts`, which may still be in the making (a parser yields contents
        as it finds them). When `expected_characters` are many, each full batch goes to a
        worker thread at once, so counting starts before the last text is known; the caller
        can do other work until it asks for the `result()`."""
        pending = PendingCounts(self, self._batch_characters(expected_characters))
        try:
            for text in texts:
                pending.add(text)
        except BaseException:
            pending.cancel()  # the texts' producer failed: no worker should go on for nothing
            raise
        pending.close()
        return pending

    def _cached(self, text: str) -> int | None:
        if not self._cache:  # read unlocked: at worst, a text just counted elsewhere is redone
            return None
        with self._lock:
            tokens = self._cache.get(text)
            if tokens is not None:
                self._cache.move_to_end(text)
            return tokens

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

    def _batch_characters(self, expected_characters: int) -> int | None:
        """How many characters to encode to hand a worker thread at a time, for a run of about
        `expected_characters` (a hint: the batches are cut from what there is); None: no
        worker, the caller encodes."""
        return None

    @abstractmethod
    def _encode_lengths(
        self, texts: list[str], notes: ApproximationNotes | None = None
    ) -> list[int]:
        """The counts of `texts`, encoded on this thread; an approximate one is noted in
        `notes` with why."""


class PendingCounts:
    """Counts under way (`TokenCounter.start_counting`): texts are added, each batch of the
    ones the cache lacks goes to a worker thread when full, and `result()` waits for them."""

    def __init__(self, counter: TokenCounter, batch_characters: int | None) -> None:
        self.texts: list[str] = []
        self._counter = counter
        self._batch_characters = batch_characters
        self._split: dict[int, list[str]] = {}  # long texts' pieces, by index
        self._known: dict[str, int] = {}
        self._asked: set[str] = set()
        self._batch: list[str] = []
        self._batch_size = 0
        self._runs: list[tuple[list[str], Future[list[int]] | list[int]]] = []
        # Texts counted only approximately, with why (appended from worker threads).
        self.notes: ApproximationNotes = []

    def add(self, text: str) -> None:
        self.texts.append(text)
        if len(text) <= _LIMIT:
            self._want(text)
            return
        pieces = self._counter._pieces(text)
        self._split[len(self.texts) - 1] = pieces
        for piece in pieces:
            self._want(piece)

    def _want(self, piece: str) -> None:
        if piece in self._asked:
            return
        self._asked.add(piece)
        tokens = self._counter._cached(piece)
        if tokens is not None:
            self._known[piece] = tokens
            return
        self._batch.append(piece)
        self._batch_size += len(piece)
        if self._batch_characters is not None and self._batch_size >= self._batch_characters:
            self._hand_over()

    def _hand_over(self) -> None:
        batch, self._batch, self._batch_size = self._batch, [], 0
        self._runs.append((batch, _POOL.submit(self._counter._encode_lengths, batch, self.notes)))

    def close(self) -> None:
        """No more texts: the last batch is handed over, or encoded here and now when no
        worker is wanted or all the work is this small batch (a thread would cost more than it
        saves: an edit leaves one or two texts to encode)."""
        if not self._batch:
            return
        if self._batch_characters is not None and (
            self._runs or self._batch_size >= _PARALLEL_MIN_CHARACTERS
        ):
            self._hand_over()
        else:
            batch, self._batch, self._batch_size = self._batch, [], 0
            self._runs.append((batch, self._counter._encode_lengths(batch, self.notes)))

    def cancel(self) -> None:
        """Withdraw the batches no worker has begun."""
        for _, run in self._runs:
            if isinstance(run, Future):
                run.cancel()

    def result(self) -> list[int]:
        """Wait for the counts, encoding here the batches no worker has begun (from the last:
        workers take the first); the fresh counts are remembered."""
        runs, self._runs = self._runs, []
        for i in reversed(range(len(runs))):
            batch, run = runs[i]
            if isinstance(run, Future) and run.cancel():
                runs[i] = (batch, self._counter._encode_lengths(batch, self.notes))
        fresh: dict[str, int] = {}
        for batch, run in runs:
            fresh.update(zip(batch, run.result() if isinstance(run, Future) else run, strict=True))
        known = self._known
        if fresh:
            known.update(fresh)
            for text, _ in self.notes:  # approximate counts are not remembered as exact
                fresh.pop(text, None)
            self._counter._remember(fresh)
        # Long texts are summed by index: hashing one (to look it up) would cost more.
        counts = [known[text] if len(text) <= _LIMIT else 0 for text in self.texts]
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
# analysis reads on and finds few-shot examples), then, waiting, encodes the batches no worker
# has begun.
# So the cores stay busy without more threads than cores contending for them.
_POOL = ThreadPoolExecutor(max(1, min(8, usable_cpus()) - 1), thread_name_prefix="tokens")


class TiktokenCounter(TokenCounter):
    def __init__(self, encoding: str, exact: bool, note: str | None = None) -> None:
        super().__init__(encoding, exact, note)
        self.encoding = get_encoding(encoding)
        self._lengths = token_lengths_function(self.encoding)

    def _pieces(self, text: str) -> list[str]:
        # Long texts are counted by chunk, so an edit re-encodes one chunk, not the text.
        return tiktoken_chunks(text)

    def _encode_lengths(
        self, texts: list[str], notes: ApproximationNotes | None = None
    ) -> list[int]:
        return self._lengths(texts, notes)

    def _batch_characters(self, expected_characters: int) -> int | None:
        workers = usable_cpus()
        if workers < 2:
            return None
        # tiktoken encodes with the interpreter lock released, so the batches use every core.
        # Four batches per core: texts differ in tokens per character, and a thread done early
        # takes another batch (measured: 1.6x on two cores, against 1.5x with one per core).
        # Never smaller than what is worth a thread: the hint can be far off (a Dotprompt
        # partial can make the contents much longer than the file).
        return max(expected_characters // (4 * workers), _PARALLEL_MIN_CHARACTERS)


class HuggingFaceCounter(TokenCounter):
    """An open-weight model's own tokenizer, read from its local `tokenizer.json`."""

    def __init__(self, path: Path, label: str) -> None:
        try:
            self.tokenizer = tokenizers.Tokenizer.from_file(str(path))
        except Exception as error:  # the Rust side raises plain Exception for bad files
            raise TokenizerFileError(f"tokenizer file {path} is unreadable: {error}") from error
        super().__init__(label, exact=True)
        self.path = path

    def _batch_characters(self, expected_characters: int) -> int | None:
        # One batch, whatever its size: `encode_batch` spreads it over the cores itself. When it
        # is large it runs on a worker thread while the caller goes on.
        return sys.maxsize

    def _encode_lengths(
        self, texts: list[str], notes: ApproximationNotes | None = None
    ) -> list[int]:
        # The chat template's special tokens are chat overhead, counted on their own.
        # `encode_batch` spreads the texts over the cores itself.
        cleaned = [without_lone_surrogates(text) for text in texts]
        if len(cleaned) == 1:
            return [len(self.tokenizer.encode(cleaned[0], add_special_tokens=False).ids)]
        encoded = self.tokenizer.encode_batch(cleaned, add_special_tokens=False)
        return [len(e.ids) for e in encoded]
