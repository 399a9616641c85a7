"""Build the offline tiktoken encodings that ship inside the `server` package.

tiktoken downloads its encoding files on first use; Promptweight must work offline. The npm
package `tiktoken` carries the same ranks in a compact JSON form. This script rewrites them in
the `.tiktoken` format and refuses to write anything whose sha256 differs from the hash that
Python tiktoken itself pins for that encoding, so the shipped file is the official one, byte for
byte.

Usage: python scripts/build_encodings.py NODE_MODULES_TIKTOKEN_DIR OUT_DIR
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import tiktoken_ext.openai_public as openai_public

from server.core.atomic_files import write_bytes_atomically

ENCODINGS = ("o200k_base", "cl100k_base")


def pinned_constructor_args(name: str) -> tuple[str, dict[str, Any]]:
    """Ask Python tiktoken what it pins for `name`, without letting it download anything."""
    pinned: dict[str, str] = {}

    def record(url: str, expected_hash: str | None = None) -> dict[bytes, int]:
        if expected_hash is None:
            raise SystemExit(f"tiktoken pins no hash for {name} ({url}); refusing to build it")
        pinned["hash"] = expected_hash
        return {}

    original = openai_public.load_tiktoken_bpe
    openai_public.load_tiktoken_bpe = record  # type: ignore[assignment]
    try:
        args = openai_public.ENCODING_CONSTRUCTORS[name]()
    finally:
        openai_public.load_tiktoken_bpe = original
    return pinned["hash"], args


def ranks_from_npm(encoder_json: Path) -> bytes:
    """npm tiktoken groups tokens as `<tag> <offset> <b64> ...`: the i-th has rank offset+i."""
    data = json.loads(encoder_json.read_text(encoding="utf-8"))
    ranked: list[tuple[int, str]] = []
    for group in data["bpe_ranks"].split("\n"):
        if not group:
            continue
        fields = group.split(" ")
        offset = int(fields[1])
        ranked.extend((offset + i, token) for i, token in enumerate(fields[2:]))
    ranked.sort()
    for _, token in ranked:
        base64.b64decode(token, validate=True)  # a corrupt token fails here, loudly
    return "".join(f"{token} {rank}\n" for rank, token in ranked).encode("ascii")


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    npm_dir, out_dir = Path(argv[1]), Path(argv[2])
    npm_version = json.loads((npm_dir / "package.json").read_text(encoding="utf-8"))["version"]
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {}
    for name in ENCODINGS:
        expected, args = pinned_constructor_args(name)
        contents = ranks_from_npm(npm_dir / "encoders" / f"{name}.json")
        actual = hashlib.sha256(contents).hexdigest()
        if actual != expected:
            print(
                f"error: {name} built from npm tiktoken@{npm_version} has sha256 {actual}, "
                f"but Python tiktoken pins {expected}; nothing written",
                file=sys.stderr,
            )
            return 1
        write_bytes_atomically(out_dir / f"{name}.tiktoken", contents)
        manifest[name] = {
            "file": f"{name}.tiktoken",
            "sha256": expected,
            "patStr": args["pat_str"],
            "specialTokens": args["special_tokens"],
            "source": f"npm tiktoken@{npm_version}",
        }
        ranks = contents.count(b"\n")
        print(f"{name}: {ranks} ranks, sha256 {actual} (matches tiktoken's pin)")
    write_bytes_atomically(
        out_dir / "manifest.json", (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
