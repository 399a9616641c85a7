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
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Sequence
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


class TokenizerFileError(Exception):
    """A tokenizer.json that is missing, unreadable or not a tokenizer."""


class TokenCounter(ABC):
    def __init__(self, name: str, exact: bool, note: str | None = None) -> None:
        self.name = name
        self.exact = exact
        self.note = note
        self._cache: OrderedDict[str, int] = OrderedDict()

    def count(self, text: str) -> int:
        if len(text) > _LIMIT:
            return self.count_all([text])[0]
        cached = self._cache.get(text)
        if cached is not None:
            self._cache.move_to_end(text)
            return cached
        tokens = self._encode_lengths([text])[0]
        self._remember(text, tokens)
        return tokens

    def count_all(self, texts: Sequence[str]) -> list[int]:
        """The count of each text. What the cache lacks is encoded in one batch."""
        cache = self._cache
        split = {i: self._pieces(text) for i, text in enumerate(texts) if len(text) > _LIMIT}
        wanted = dict.fromkeys(text for text in texts if len(text) <= _LIMIT)
        for pieces in split.values():
            wanted.update(dict.fromkeys(pieces))
        known: dict[str, int] = {}
        missing: list[str] = []
        for piece in wanted:
            tokens = cache.get(piece)
            if tokens is None:
                missing.append(piece)
            else:
                cache.move_to_end(piece)
                known[piece] = tokens
        if missing:
            for piece, tokens in zip(missing, self._encode_lengths(missing), strict=True):
                known[piece] = tokens
                if len(piece) <= _LIMIT:
                    self._remember(piece, tokens)
        return [
            sum(known[piece] for piece in split[i]) if i in split else known[text]
            for i, text in enumerate(texts)
        ]

    def _remember(self, text: str, tokens: int) -> None:
        self._cache[text] = tokens
        if len(self._cache) > _CACHE_ENTRIES:
            self._cache.popitem(last=False)

    def _pieces(self, text: str) -> list[str]:
        """A long text as the pieces counted (and cached) separately; their counts add up to
        the text's."""
        return [text]

    @abstractmethod
    def _encode_lengths(self, texts: list[str]) -> list[int]: ...


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


_pool: ThreadPoolExecutor | None = None


def _thread_pool() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(min(8, usable_cpus()), thread_name_prefix="tokens")
    return _pool


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
        workers = usable_cpus()
        if workers < 2 or sum(map(len, texts)) < _PARALLEL_MIN_CHARACTERS:
            return self._lengths(texts)
        # tiktoken encodes with the interpreter lock released, so the batches use every core.
        runs = _thread_pool().map(self._lengths, balanced_batches(texts, workers))
        return [tokens for run in runs for tokens in run]


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
