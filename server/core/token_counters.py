"""Token counters: one interface over tiktoken encodings and Hugging Face `tokenizer.json` files.

Counts of short texts are remembered, so that the messages an edit did not touch are not
re-encoded on every keystroke.
"""

from __future__ import annotations

import os
import re
from abc import ABC, abstractmethod
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import tokenizers

from server.core.encodings import get_encoding
from server.core.token_count import count_tokens, without_lone_surrogates

# Texts up to this size are remembered; larger ones would make an entry cost megabytes.
_CACHED_TEXT_LIMIT = 16_384
_CACHE_ENTRIES = 8192


class TokenizerFileError(Exception):
    """A tokenizer.json that is missing, unreadable or not a tokenizer."""


class TokenCounter(ABC):
    def __init__(self, name: str, exact: bool, note: str | None = None) -> None:
        self.name = name
        self.exact = exact
        self.note = note
        self._cache: OrderedDict[str, int] = OrderedDict()

    def count(self, text: str) -> int:
        if len(text) > _CACHED_TEXT_LIMIT:
            return self._encode_length(text)
        cached = self._cache.get(text)
        if cached is not None:
            self._cache.move_to_end(text)
            return cached
        tokens = self._encode_length(text)
        self._remember(text, tokens)
        return tokens

    def count_many(self, texts: list[str]) -> list[int]:
        return [self.count(text) for text in texts]

    def _remember(self, text: str, tokens: int) -> None:
        self._cache[text] = tokens
        if len(self._cache) > _CACHE_ENTRIES:
            self._cache.popitem(last=False)

    @abstractmethod
    def _encode_length(self, text: str) -> int: ...


# A newline followed by a letter or digit: no piece of tiktoken's pre-tokenizer (the regex
# that splits text before BPE) spans it, for cl100k_base and o200k_base alike. Counting the
# text on either side separately therefore gives exactly the count of the whole.
_PIECE_BOUNDARY = re.compile(r"\n(?=[^\W_])")
_CHUNK_CHARACTERS = 4096
# Below this much text to encode, sharing it among threads costs more than it saves.
_PARALLEL_FROM_CHARACTERS = 200_000
_THREADS = max(1, min(8, os.cpu_count() or 1))


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(_THREADS, thread_name_prefix="promptweight-count")


def _balanced(texts: list[str], parts: int) -> list[list[str]]:
    """`texts` dealt into `parts` batches of about equal length, longest first."""
    batches: list[list[str]] = [[] for _ in range(parts)]
    sizes = [0] * parts
    for text in sorted(texts, key=len, reverse=True):
        smallest = sizes.index(min(sizes))
        batches[smallest].append(text)
        sizes[smallest] += len(text)
    return [batch for batch in batches if batch]


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


class TiktokenCounter(TokenCounter):
    def __init__(self, encoding: str, exact: bool, note: str | None = None) -> None:
        super().__init__(encoding, exact, note)
        self.encoding = get_encoding(encoding)

    def count(self, text: str) -> int:
        return self.count_many([text])[0]

    def count_many(self, texts: list[str]) -> list[int]:
        """Counts of many texts. What the cache lacks is encoded on every core, in a few large
        batches: tiktoken releases the interpreter lock while it encodes."""
        pieces = [
            [text] if len(text) <= _CACHED_TEXT_LIMIT else tiktoken_chunks(text) for text in texts
        ]
        missing = list({p: None for chunks in pieces for p in chunks if p not in self._cache})
        if sum(map(len, missing)) >= _PARALLEL_FROM_CHARACTERS:
            batches = _balanced(missing, _THREADS)
            for batch, counts in zip(batches, _pool().map(self._lengths, batches), strict=True):
                for piece, tokens in zip(batch, counts, strict=True):
                    self._remember(piece, tokens)
        return [sum(TokenCounter.count(self, p) for p in chunks) for chunks in pieces]

    def _lengths(self, texts: list[str]) -> list[int]:
        return [count_tokens(self.encoding, text) for text in texts]

    def _encode_length(self, text: str) -> int:
        return count_tokens(self.encoding, text)


class HuggingFaceCounter(TokenCounter):
    """An open-weight model's own tokenizer, read from its local `tokenizer.json`."""

    def __init__(self, path: Path, label: str) -> None:
        try:
            self.tokenizer = tokenizers.Tokenizer.from_file(str(path))
        except Exception as error:  # the Rust side raises plain Exception for bad files
            raise TokenizerFileError(f"tokenizer file {path} is unreadable: {error}") from error
        super().__init__(label, exact=True)
        self.path = path

    def _encode_length(self, text: str) -> int:
        # The chat template's special tokens are chat overhead, counted on their own.
        encoded = self.tokenizer.encode(without_lone_surrogates(text), add_special_tokens=False)
        return len(encoded.ids)
