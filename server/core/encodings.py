"""Offline tiktoken encodings, shipped inside this package and verified on load.

The files are produced at build time by `scripts/build_encodings.py`, which checks each against
the sha256 Python tiktoken pins. They are read here directly rather than through
`tiktoken.get_encoding`, because that path downloads on a cache miss and copies files into a
temporary cache: this product never touches the network unless the user opts in.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from functools import cache
from pathlib import Path

import tiktoken
from pydantic import BaseModel, ConfigDict, Field

ENCODINGS_DIR = Path(__file__).resolve().parent.parent / "encodings"


class EncodingUnavailableError(Exception):
    """A bundled encoding is missing or corrupt: the package was built or installed badly."""


class _BundledEncoding(BaseModel):
    model_config = ConfigDict(frozen=True)

    file: str
    sha256: str
    pat_str: str = Field(alias="patStr")
    special_tokens: dict[str, int] = Field(alias="specialTokens")
    source: str


_load_lock = threading.Lock()


def read_manifest(directory: Path) -> dict[str, _BundledEncoding]:
    path = directory / "manifest.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {name: _BundledEncoding.model_validate(entry) for name, entry in raw.items()}
    except (OSError, ValueError) as error:
        raise EncodingUnavailableError(
            f"encodings manifest unreadable at {path}: {error}; rebuild with `make encodings`"
        ) from error


def read_encoding(directory: Path, name: str) -> tiktoken.Encoding:
    """Load `name` from `directory`, verifying its sha256; never touches the network."""
    entry = read_manifest(directory).get(name)
    if entry is None:
        raise EncodingUnavailableError(f"encoding {name} is not bundled in {directory}")
    path = directory / entry.file
    try:
        contents = path.read_bytes()
    except OSError as error:
        raise EncodingUnavailableError(f"encoding {name} missing at {path}: {error}") from error
    actual = hashlib.sha256(contents).hexdigest()
    if actual != entry.sha256:
        raise EncodingUnavailableError(
            f"encoding {name} at {path} is corrupt: sha256 {actual}, expected {entry.sha256}"
        )
    ranks: dict[bytes, int] = {}
    for line in contents.splitlines():
        token, rank = line.split()
        ranks[base64.b64decode(token)] = int(rank)
    return tiktoken.Encoding(
        name=name,
        pat_str=entry.pat_str,
        mergeable_ranks=ranks,
        special_tokens=entry.special_tokens,
    )


@cache
def bundled_encoding_names() -> tuple[str, ...]:
    return tuple(sorted(read_manifest(ENCODINGS_DIR)))


def get_encoding(name: str) -> tiktoken.Encoding:
    """The bundled encoding `name`, loaded once per process; thread-safe."""
    with _load_lock:
        return _get_encoding(name)


@cache
def _get_encoding(name: str) -> tiktoken.Encoding:
    return read_encoding(ENCODINGS_DIR, name)
