"""Image estimates by each provider's documented formula, against the providers' own worked
examples where they publish them."""

from __future__ import annotations

from typing import Any

import pytest

from server.core.image_tokens import DeclaredImage, declared_image, image_tokens

ESTIMATES = [
    # OpenAI's examples: 1024 x 1024 at high detail is 4 tiles (765); 2048 x 4096 scales to
    # 1024 x 2048, then 768 x 1536: 6 tiles (1105); low detail is the base whatever the size.
    ("openai", "gpt-4o", DeclaredImage(1024, 1024, "high"), 765),
    ("openai", "gpt-4o", DeclaredImage(2048, 4096, "high"), 1105),
    ("openai", "gpt-4o", DeclaredImage(4096, 8192, "low"), 85),
    ("openai", "gpt-4o", DeclaredImage(512, 512, "high"), 85 + 170),  # never scaled up
    ("openai", "gpt-4o", DeclaredImage(1024, 1024, "auto"), 765),  # the larger, high
    ("openai", "gpt-4o", DeclaredImage(1024, 1024), 765),
    ("openai", "gpt-4.1", DeclaredImage(1024, 1024, "high"), 765),
    ("openai", "gpt-4o-mini", DeclaredImage(1024, 1024, "high"), 2833 + 4 * 5667),
    ("openai", "gpt-4o-mini", DeclaredImage(1024, 1024, "low"), 2833),
    ("openai", "o3", DeclaredImage(1024, 1024, "high"), 75 + 4 * 150),
    # Anthropic's table: about 54, 1,334 and 1,590 tokens; a larger image is scaled down.
    ("anthropic", "claude-sonnet-4-5", DeclaredImage(200, 200), 54),
    ("anthropic", "claude-sonnet-4-5", DeclaredImage(1000, 1000), 1334),
    ("anthropic", "claude-sonnet-4-5", DeclaredImage(1092, 1092), 1590),
    ("anthropic", "claude-3-5-haiku", DeclaredImage(4000, 4000), 1600),
    ("anthropic", "claude-3-5-haiku", DeclaredImage(3136, 200), 210),  # 1568 x 100 / 750
    # Gemini: one 258-token image up to 384 x 384, else 768 x 768 tiles of 258.
    ("google", "gemini-2.5-flash", DeclaredImage(384, 384), 258),
    ("google", "gemini-2.5-flash", DeclaredImage(385, 100), 258),
    ("google", "gemini-2.5-pro", DeclaredImage(1024, 1024), 4 * 258),
    ("google", "gemini-2.5-pro", DeclaredImage(1536, 768), 2 * 258),
]


@pytest.mark.parametrize(("provider", "model", "image", "tokens"), ESTIMATES)
def test_estimate_follows_the_providers_formula(
    provider: str, model: str, image: DeclaredImage, tokens: int
) -> None:
    estimate = image_tokens(model, provider, image)
    assert estimate is not None and estimate.tokens == tokens


# Patch-billed OpenAI models, Gemini 3 and other providers: no rule known here, so no number.
UNKNOWN = [
    ("openai", "gpt-4.1-mini"),
    ("openai", "gpt-5"),
    ("google", "gemini-3-flash-preview"),
    ("meta", "llama-3.3-70b"),
]


@pytest.mark.parametrize(("provider", "model"), UNKNOWN)
def test_no_estimate_without_a_known_rule(provider: str, model: str) -> None:
    assert image_tokens(model, provider, DeclaredImage(1024, 1024)) is None


def test_the_rule_is_named_for_the_hover() -> None:
    estimate = image_tokens("gpt-4o", "openai", DeclaredImage(1024, 1024, "low"))
    assert estimate is not None and "low detail" in estimate.rule


DECLARATIONS: list[tuple[Any, DeclaredImage | None]] = [
    ({"kind": "image", "width": 1024, "height": 768}, DeclaredImage(1024, 768)),
    ({"width": 800, "height": 600, "detail": "low"}, DeclaredImage(800, 600, "low")),
    ({"width": 800, "height": 600, "detail": "ultra"}, DeclaredImage(800, 600)),
    ({"width": 800}, None),
    ({"width": "800", "height": 600}, None),
    ({"width": True, "height": 600}, None),
    ({"width": 0, "height": 600}, None),
    ({"width": 10**9, "height": 600}, None),
    ("an image", None),
]


@pytest.mark.parametrize(("spec", "image"), DECLARATIONS)
def test_declared_size_is_whole_pixels_or_nothing(spec: Any, image: DeclaredImage | None) -> None:
    assert declared_image(spec) == image
