"""Counting tokens of text, the one primitive every figure is built on."""

from __future__ import annotations

import re

import tiktoken

# A lone surrogate (from a client that sent invalid UTF-16, or a file decoded with
# surrogateescape) cannot be encoded to UTF-8, so tiktoken would raise. The editor shows such
# a code unit as U+FFFD, so count it as one.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_lone_surrogates(text: str) -> str:
    if _LONE_SURROGATE.search(text):
        return _LONE_SURROGATE.sub("\ufffd", text)
    return text


def count_tokens(encoding: tiktoken.Encoding, text: str) -> int:
    """Tokens of `text`, with special-token text such as `<|endoftext|>` counted as plain text."""
    return len(encoding.encode_ordinary(without_lone_surrogates(text)))
