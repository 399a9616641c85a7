from __future__ import annotations

import pytest

from server.core.source_text import decode_source

DECODED = [
    # raw bytes, text, invalid byte count, first invalid (line, UTF-16 column)
    (b"plain", "plain", 0, None),
    (b"\xef\xbb\xbfwith BOM", "with BOM", 0, None),
    (b"crlf\r\nkept\r\n", "crlf\r\nkept\r\n", 0, None),
    (b"ok\nbad \xff here", "ok\nbad \ufffd here", 1, (1, 4)),
    ("🧪".encode() + b"\xc3", "🧪\ufffd", 1, (0, 2)),  # the emoji is two UTF-16 units
]


@pytest.mark.parametrize(("raw", "text", "invalid", "first"), DECODED)
def test_decode_source(raw: bytes, text: str, invalid: int, first: tuple[int, int] | None) -> None:
    source = decode_source(raw)
    assert (source.text, source.invalid_count, source.first_invalid) == (text, invalid, first)
