"""Counting tokens of text, the one primitive every figure is built on."""

from __future__ import annotations

import re
import struct
from collections.abc import Callable

import tiktoken

# A lone surrogate (from a client that sent invalid UTF-16, or a file decoded with
# surrogateescape) cannot be encoded to UTF-8, so tiktoken would raise. The editor shows such
# a code unit as U+FFFD, so count it as one.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Both bundled encodings have it; texts are joined with it to count many in one call.
_SEPARATOR = "<|endoftext|>"

TokenLengths = Callable[[list[str]], list[int]]


def without_lone_surrogates(text: str) -> str:
    if _LONE_SURROGATE.search(text):
        return _LONE_SURROGATE.sub("\ufffd", text)
    return text


def count_tokens(encoding: tiktoken.Encoding, text: str) -> int:
    """Tokens of `text`, with special-token text such as `<|endoftext|>` counted as plain text."""
    return len(encoding.encode_ordinary(without_lone_surrogates(text)))


def token_lengths_function(encoding: tiktoken.Encoding) -> TokenLengths:
    """A function giving, for a list of texts, what `count_tokens` gives for each, in one call
    into tiktoken.

    The texts are joined with `<|endoftext|>` and encoded with that special token allowed and
    no other. tiktoken encodes the text between two allowed special tokens exactly as it would
    encode it alone (it runs its pre-tokenizer on each stretch separately), and special-token
    text inside a stretch stays plain text, as with `encode_ordinary`; so each text's count is
    the number of ids between two separator ids. One call for many texts matters: tiktoken
    releases the interpreter lock while it encodes, and few long calls let several threads
    encode at once, where thousands of short ones keep them queueing for the lock. The ids come
    as the packed uint32 buffer behind tiktoken's own `encode_to_numpy` (no Python list is
    built); its `nbytes` are right but its `shape` is not (tiktoken 0.14), so only bytes are
    read. Tests compare every path with `count_tokens`.
    """
    core = getattr(encoding, "_core_bpe", None)
    encode_buffer = getattr(core, "encode_to_tiktoken_buffer", None)
    if encode_buffer is None or _SEPARATOR not in encoding.special_tokens_set:
        return lambda texts: [count_tokens(encoding, text) for text in texts]
    separator_bytes = struct.pack("=I", encoding.encode_single_token(_SEPARATOR))
    allowed = frozenset({_SEPARATOR})

    def encoded_bytes(text: str) -> bytes:
        try:
            buffer = encode_buffer(text, allowed)
        except UnicodeEncodeError:
            buffer = encode_buffer(without_lone_surrogates(text), allowed)
        return memoryview(buffer).cast("B").tobytes()

    def joined_lengths(texts: list[str]) -> list[int]:
        if not texts:
            return []
        ids = encoded_bytes(_SEPARATOR.join(texts))
        # Cut at the separator's four bytes. Four bytes straddling two ids cannot match them
        # in the bundled encodings (an id's high byte would have to equal one of the
        # separator's three low bytes, none of which is zero); were it ever so, some piece
        # would not be whole ids, the sizes would not add up, and each text is counted alone.
        lengths = [len(piece) >> 2 for piece in ids.split(separator_bytes)]
        if len(lengths) == len(texts) and 4 * (sum(lengths) + len(texts) - 1) == len(ids):
            return lengths
        return [count_tokens(encoding, text) for text in texts]

    def token_lengths(texts: list[str]) -> list[int]:
        plain = [i for i, text in enumerate(texts) if _SEPARATOR not in text]
        if len(plain) == len(texts):
            return joined_lengths(texts)
        # Texts holding the separator's text are counted one by one.
        lengths = [count_tokens(encoding, text) for text in texts]
        for i, tokens in zip(plain, joined_lengths([texts[i] for i in plain]), strict=True):
            lengths[i] = tokens
        return lengths

    return token_lengths
