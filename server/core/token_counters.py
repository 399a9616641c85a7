"""Token counters: one interface over tiktoken encodings and Hugging Face `tokenizer.json` files.

Counts of short texts are remembered, so that the messages an edit did not touch are not
re-encoded on every keystroke.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections import OrderedDict
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
        if len(text) <= _CACHED_TEXT_LIMIT:
            return super().count(text)
        # Long texts are counted by chunk, so an edit re-encodes one chunk, not the text.
        # (Encoding chunks on several threads was measured too: no faster on two cores.)
        count_chunk = super().count
        return sum(count_chunk(chunk) for chunk in tiktoken_chunks(text))

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
