"""What a provider bills for one image, by the provider's own documented rule, from the size a
prompt declares for it.

An image is not text: no tokenizer counts it, and each provider turns pixels into tokens its own
way. When a Prompty input of `kind: image` declares its size (`width` and `height` in pixels,
and for OpenAI models optionally `detail: low | high | auto`), the provider's published formula
gives an estimate. It stays an estimate, never an exact count: the provider may resize or crop
differently, and the image sent at run time may not be the size declared.

The rules, as each provider documents them:
- OpenAI, tile-billed models: `detail: low` costs the base; otherwise the image is scaled to fit
  a 2048 x 2048 square, then so that its shortest side is at most 768 px, and each 512 px tile
  of it costs the tile price, plus the base (1024 x 1024 at high detail: 85 + 4 x 170 = 765 for
  GPT-4o). `auto` lets the model choose; the estimate takes high detail, the larger.
- Anthropic: width x height / 750, after scaling so that the long edge is at most 1568 px; about
  1,600 tokens at most.
- Google Gemini 2 and earlier: 258 tokens for an image with both sides at most 384 px; a larger
  one is cut into 768 x 768 tiles of 258 tokens each.
Models whose rule is not one of these (OpenAI's patch-billed models, Gemini 3) get no estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

# Base and per-tile tokens of OpenAI's tile-billed models, by catalog id. GPT-4o mini bills many
# more tokens per tile at a lower price per token, so that an image costs about what it costs
# on GPT-4o.
_OPENAI_TILES = {
    "gpt-4o": (85, 170),
    "gpt-4.1": (85, 170),
    "gpt-4-turbo": (85, 170),
    "gpt-4o-mini": (2833, 5667),
    "o3": (75, 150),
}
DETAILS = ("low", "high", "auto")
# A side longer than this is not a real image's: the declaration is ignored.
_MAX_SIDE = 100_000


@dataclass(frozen=True)
class DeclaredImage:
    width: int
    height: int
    detail: str | None = None  # OpenAI's `low`, `high` or `auto`; None: not declared


@dataclass(frozen=True)
class ImageEstimate:
    tokens: int
    rule: str  # the provider's rule, in words, for the hover


def _side(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= _MAX_SIDE:
        return value
    return None


def declared_image(spec: Any) -> DeclaredImage | None:
    """The size an input's declaration gives (`width`, `height`, optional `detail`), or None
    when it gives none, or one that is not whole pixels."""
    if not isinstance(spec, dict):
        return None
    width, height, detail = _side(spec.get("width")), _side(spec.get("height")), spec.get("detail")
    if width is None or height is None:
        return None
    return DeclaredImage(width, height, detail if detail in DETAILS else None)


def _openai_tiles(image: DeclaredImage, base: int, tile: int) -> int:
    if image.detail == "low":
        return base
    # Exact fractions: a float scale can land a side a hair over a tile boundary.
    width, height = Fraction(image.width), Fraction(image.height)
    if max(width, height) > 2048:
        scale = Fraction(2048) / max(width, height)
        width, height = width * scale, height * scale
    if min(width, height) > 768:
        scale = Fraction(768) / min(width, height)
        width, height = width * scale, height * scale
    return base + tile * math.ceil(width / 512) * math.ceil(height / 512)


def _anthropic(image: DeclaredImage) -> int:
    width, height = Fraction(image.width), Fraction(image.height)
    if max(width, height) > 1568:
        scale = Fraction(1568) / max(width, height)
        width, height = width * scale, height * scale
    return min(math.ceil(width * height / 750), 1600)


def _gemini(image: DeclaredImage) -> int:
    if image.width <= 384 and image.height <= 384:
        return 258
    return 258 * math.ceil(image.width / 768) * math.ceil(image.height / 768)


def image_tokens(model_id: str, provider: str, image: DeclaredImage) -> ImageEstimate | None:
    """The provider's estimate for `image` sent to the catalog model `model_id`, or None when
    Promptweight knows no documented rule for that model."""
    if provider == "openai" and model_id in _OPENAI_TILES:
        base, tile = _OPENAI_TILES[model_id]
        if image.detail == "low":
            rule = f"OpenAI, low detail: {base} tokens whatever the size"
        else:
            rule = (
                f"OpenAI, {'high' if image.detail == 'high' else 'high (the most `auto` picks)'}"
                f" detail: {base} + {tile} per 512 px tile, after scaling to fit 2048 px and a "
                "shortest side of 768 px"
            )
        return ImageEstimate(_openai_tiles(image, base, tile), rule)
    if provider == "anthropic":
        return ImageEstimate(
            _anthropic(image), "Anthropic: width x height / 750, long edge scaled to 1568 px"
        )
    if provider == "google" and model_id.startswith(("gemini-1", "gemini-2")):
        return ImageEstimate(
            _gemini(image), "Gemini: 258 tokens up to 384 x 384 px, else 258 per 768 px tile"
        )
    return None
