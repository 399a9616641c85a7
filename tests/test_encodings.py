"""The bundled encodings are tiktoken's official ones, loaded offline and verified."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from server.core.encodings import (
    ENCODINGS_DIR,
    EncodingUnavailableError,
    get_encoding,
    read_encoding,
)

# Token ids from tiktoken's own test suite and OpenAI's tokenizer: they only come out of the
# real ranks, so they prove the files are the official ones.
KNOWN_ENCODINGS = [
    ("cl100k_base", "hello world", [15339, 1917]),
    ("o200k_base", "hello world", [24912, 2375]),
    ("cl100k_base", "<|endoftext|>", [27, 91, 8862, 728, 428, 91, 29]),
]


@pytest.mark.parametrize(("name", "text", "ids"), KNOWN_ENCODINGS)
def test_bundled_encoding_gives_official_token_ids(name: str, text: str, ids: list[int]) -> None:
    assert get_encoding(name).encode_ordinary(text) == ids


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base"])
def test_bundled_encoding_round_trips_unicode(name: str) -> None:
    text = "Prompt 🧪 naïve façade — 東京 \t\r\n"
    encoding = get_encoding(name)
    assert encoding.decode(encoding.encode_ordinary(text)) == text


def test_encoding_is_loaded_once_per_process() -> None:
    assert get_encoding("o200k_base") is get_encoding("o200k_base")


@pytest.fixture
def encodings_copy(tmp_path: Path) -> Path:
    shutil.copytree(ENCODINGS_DIR, tmp_path / "encodings")
    return tmp_path / "encodings"


def test_corrupt_encoding_file_is_refused(encodings_copy: Path) -> None:
    path = encodings_copy / "cl100k_base.tiktoken"
    data = bytearray(path.read_bytes())
    data[100] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(EncodingUnavailableError, match="corrupt"):
        read_encoding(encodings_copy, "cl100k_base")


def test_missing_encoding_file_is_a_clear_error(encodings_copy: Path) -> None:
    (encodings_copy / "o200k_base.tiktoken").unlink()
    with pytest.raises(EncodingUnavailableError, match="missing"):
        read_encoding(encodings_copy, "o200k_base")


def test_unbundled_encoding_is_a_clear_error(encodings_copy: Path) -> None:
    with pytest.raises(EncodingUnavailableError, match="not bundled"):
        read_encoding(encodings_copy, "r50k_base")


def test_unreadable_manifest_is_a_clear_error(encodings_copy: Path) -> None:
    (encodings_copy / "manifest.json").write_text("{not json")
    with pytest.raises(EncodingUnavailableError, match="make encodings"):
        read_encoding(encodings_copy, "o200k_base")
