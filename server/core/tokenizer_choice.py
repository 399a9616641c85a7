"""Which tokenizer counts a model's tokens, and whether that count is exact."""

from __future__ import annotations

from dataclasses import dataclass

import tiktoken.model

from server.core.encodings import bundled_encoding_names

FALLBACK_ENCODING = "o200k_base"


@dataclass(frozen=True)
class TokenizerChoice:
    model: str
    encoding: str
    exact: bool
    note: str | None = None


def choose_tokenizer(model: str) -> TokenizerChoice:
    """tiktoken's own model table decides; a model it does not know is counted approximately."""
    try:
        encoding = tiktoken.model.encoding_name_for_model(model)
    except KeyError:
        return TokenizerChoice(
            model,
            FALLBACK_ENCODING,
            exact=False,
            note=f"no exact tokenizer known for model {model!r}; approximated with "
            f"{FALLBACK_ENCODING}",
        )
    if encoding not in bundled_encoding_names():
        return TokenizerChoice(
            model,
            FALLBACK_ENCODING,
            exact=False,
            note=f"{model!r} uses {encoding}, which is not bundled; approximated with "
            f"{FALLBACK_ENCODING}",
        )
    return TokenizerChoice(model, encoding, exact=True)
