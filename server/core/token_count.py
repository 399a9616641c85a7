"""Counting tokens of text, the one primitive every figure is built on."""

from __future__ import annotations

import re
import struct
from typing import Protocol

import tiktoken

# A lone surrogate (from a client that sent invalid UTF-16, or a file decoded with
# surrogateescape) cannot be encoded to UTF-8, so tiktoken would raise. The editor shows such
# a code unit as U+FFFD, so count it as one.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Both bundled encodings have it; texts are joined with it to count many in one call.
_SEPARATOR = "<|endoftext|>"

# A count that is not exact says why here (the text, and the reason), when the caller asks.
ApproximationNotes = list[tuple[str, str]]


class TokenLengths(Protocol):
    def __call__(self, texts: list[str], notes: ApproximationNotes | None = None) -> list[int]: ...


# tiktoken's pre-tokenizer backtracks through a run of whitespace one character at a time: on
# about a megabyte of it (spaces, tabs, no-break spaces) its regex stack overflows, and it
# raises `PanicException` (a BaseException) or, through the buffer API, `ValueError`. Texts
# with such runs are counted in pieces cut inside the runs, every `_RUN_PIECE` characters.
# tiktoken takes runs of a few hundred thousand characters whole, so the pieces stay far from
# its limit. A cut inside a whitespace run can move the count by a token or two, so such a
# count is reported as approximate.
_RUN_PIECE = 32_768
_HORIZONTAL_WHITESPACE = frozenset(
    "\t\x0b\x0c \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
APPROXIMATE_RUNS = "a run of tens of thousands of whitespace characters is counted in pieces"
APPROXIMATE_UNCOUNTABLE = "tiktoken could not encode this text; estimated at 4 characters a token"


def _is_tiktoken_failure(error: BaseException) -> bool:
    # pyo3's PanicException has no importable class until a panic has happened.
    return isinstance(error, ValueError) or type(error).__name__ == "PanicException"


def _cut_inside_long_runs(text: str) -> list[str]:
    """`text` cut every `_RUN_PIECE` characters inside whitespace runs longer than that (one
    pass, run only for the rare text tiktoken refused)."""
    pieces, start, run_start = [], 0, -1
    for index, char in enumerate(text):
        if char in _HORIZONTAL_WHITESPACE:
            if run_start < 0:
                run_start = index
            elif index - run_start >= _RUN_PIECE and index - start >= _RUN_PIECE:
                pieces.append(text[start:index])
                start = index
        else:
            run_start = -1
    pieces.append(text[start:])
    return pieces


def _count_robustly(
    encoding: tiktoken.Encoding, text: str, notes: ApproximationNotes | None
) -> int:
    """What `encode_ordinary` would give, for a text tiktoken cannot take whole."""
    pieces = _cut_inside_long_runs(text)
    try:
        tokens = sum(len(encoding.encode_ordinary(piece)) for piece in pieces)
        reason = APPROXIMATE_RUNS
    except BaseException as error:
        if not _is_tiktoken_failure(error):
            raise
        tokens, reason = (len(text) + 3) // 4, APPROXIMATE_UNCOUNTABLE
    if notes is not None:
        notes.append((text, reason))
    return tokens


def without_lone_surrogates(text: str) -> str:
    if _LONE_SURROGATE.search(text):
        return _LONE_SURROGATE.sub("\ufffd", text)
    return text


def count_tokens(
    encoding: tiktoken.Encoding, text: str, notes: ApproximationNotes | None = None
) -> int:
    """Tokens of `text`, with special-token text such as `<|endoftext|>` counted as plain text.
    A text tiktoken cannot take whole is counted in pieces, and noted in `notes`."""
    text = without_lone_surrogates(text)
    try:
        return len(encoding.encode_ordinary(text))
    except BaseException as error:
        if not _is_tiktoken_failure(error):
            raise
        return _count_robustly(encoding, text, notes)


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

        def one_by_one(texts: list[str], notes: ApproximationNotes | None = None) -> list[int]:
            return [count_tokens(encoding, text, notes) for text in texts]

        return one_by_one
    separator_bytes = struct.pack("=I", encoding.encode_single_token(_SEPARATOR))
    allowed = frozenset({_SEPARATOR})

    def encoded_bytes(text: str) -> bytes | None:
        """The ids, or None when tiktoken cannot take the text whole."""
        try:
            try:
                buffer = encode_buffer(text, allowed)
            except UnicodeEncodeError:
                buffer = encode_buffer(without_lone_surrogates(text), allowed)
        except BaseException as error:
            if not _is_tiktoken_failure(error):
                raise
            return None
        return memoryview(buffer).cast("B").tobytes()

    def joined_lengths(texts: list[str], notes: ApproximationNotes | None) -> list[int]:
        if not texts:
            return []
        ids = encoded_bytes(_SEPARATOR.join(texts))
        if ids is None:
            return [count_tokens(encoding, text, notes) for text in texts]
        # Cut at the separator's four bytes. Four bytes straddling two ids cannot match them
        # in the bundled encodings (an id's high byte would have to equal one of the
        # separator's three low bytes, none of which is zero); were it ever so, some piece
        # would not be whole ids, the sizes would not add up, and each text is counted alone.
        lengths = [len(piece) >> 2 for piece in ids.split(separator_bytes)]
        if len(lengths) == len(texts) and 4 * (sum(lengths) + len(texts) - 1) == len(ids):
            return lengths
        return [count_tokens(encoding, text, notes) for text in texts]

    def token_lengths(texts: list[str], notes: ApproximationNotes | None = None) -> list[int]:
        plain = [i for i, text in enumerate(texts) if _SEPARATOR not in text]
        if len(plain) == len(texts):
            return joined_lengths(texts, notes)
        # Texts holding the separator's text are counted one by one.
        lengths = [count_tokens(encoding, text, notes) for text in texts]
        joined = joined_lengths([texts[i] for i in plain], notes)
        for i, tokens in zip(plain, joined, strict=True):
            lengths[i] = tokens
        return lengths

    return token_lengths
