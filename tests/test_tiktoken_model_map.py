"""OpenAI's models count with the encoding tiktoken's own model map gives them, in the bundled
catalog, in the script that builds it, and for names the catalog does not hold (where once
`gpt-3.5-turbo-instruct` was counted with o200k_base, which the map says is cl100k_base)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from server.core.model_resolution import tiktoken_encoding
from shared_schemas.model_catalog import ModelEntry, TiktokenTokenizer, load_catalog

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "build_model_catalog.py"


def known_to_tiktoken(entry: ModelEntry) -> list[tuple[str, str]]:
    # As the server looks names up: without a host prefix (`azure/gpt-4o`).
    return [
        (name, encoding)
        for name in (entry.id, *entry.aliases)
        if (encoding := tiktoken_encoding(name)) is not None
    ]


TIKTOKEN_ENTRIES = [
    pytest.param(entry, id=entry.id)
    for entry in load_catalog().models
    if isinstance(entry.tokenizer, TiktokenTokenizer)
]


@pytest.mark.parametrize("entry", TIKTOKEN_ENTRIES)
def test_bundled_entry_uses_the_encoding_tiktoken_gives_its_names(entry: ModelEntry) -> None:
    assert isinstance(entry.tokenizer, TiktokenTokenizer)
    names = known_to_tiktoken(entry)
    assert names, f"tiktoken's map knows none of {entry.id}'s names"
    assert {encoding for _, encoding in names} == {entry.tokenizer.encoding}


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("gpt-3.5-turbo-instruct", "cl100k_base"),
        ("OpenAI/GPT-3.5-Turbo-Instruct", "cl100k_base"),
        ("gpt-4o-2024-05-13", "o200k_base"),
        ("ft:gpt-4o-mini-2024-07-18:org::abc", "o200k_base"),
        ("text-davinci-003", "p50k_base"),
        ("googleai/gemini-2.0-flash", None),
        ("no-such-model", None),
    ],
)
def test_names_are_looked_up_in_tiktokens_map_as_users_write_them(
    name: str, encoding: str | None
) -> None:
    assert tiktoken_encoding(name) == encoding


def test_build_refuses_an_encoding_tiktoken_disagrees_with(tmp_path: Path) -> None:
    litellm = tmp_path / "litellm.json"
    figures = {"max_input_tokens": 4096, "input_cost_per_token": 1.5e-06}
    litellm.write_text(
        json.dumps({"gpt-3.5-turbo-instruct": figures | {"output_cost_per_token": 2e-06}}),
        encoding="utf-8",
    )
    models = tmp_path / "curated.json"
    instruct = {
        "id": "gpt-3.5-turbo-instruct",
        "provider": "openai",
        "key": "gpt-3.5-turbo-instruct",
        "tokenizer": {"kind": "tiktoken", "encoding": "o200k_base"},
    }
    models.write_text(json.dumps([instruct]), encoding="utf-8")
    out = tmp_path / "catalog.json"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(litellm), str(out), "--models", str(models)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1 and not out.exists()
    assert "tiktoken's model map gives 'gpt-3.5-turbo-instruct' cl100k_base" in done.stderr
