"""What the token report charts: each message's and example's tokens, and the cost per month at
a few call volumes, as of the newest text, whether that was analysed in full or recounted live.

While the user types inside a message the server recounts only that message (`LiveCounts`) and
analyses in full once typing pauses. The report follows the quick recounts too, so that it
moves with every keystroke without asking for a full analysis each time.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from server.core.economics import Figures
from server.core.live_counts import LiveCounts
from server.core.prompt_analysis import PromptAnalysis

# Volumes a team compares against, besides its own configured one.
CALL_VOLUMES = (1_000, 10_000, 100_000)
# A chart of more bars than this is unreadable, and the report goes out on every keystroke.
MAX_ITEMS = 500
LABEL_CHARACTERS = 48


@dataclass(frozen=True)
class VolumeFigure:
    calls_per_day: int
    cost_per_month_usd: float
    configured: bool


@dataclass(frozen=True)
class Weights:
    """Each message's and example's tokens, and the figures, of one text."""

    message_tokens: tuple[int, ...]
    example_tokens: tuple[tuple[int, int], ...]  # each example's input and output
    figures: Figures


def volume_costs(figures: Figures, volumes: tuple[int, ...] = CALL_VOLUMES) -> list[VolumeFigure]:
    """The monthly cost at each volume and at the configured one, by increasing volume."""
    configured = figures.calls_per_day
    return [
        VolumeFigure(
            calls, replace(figures, calls_per_day=calls).cost_per_month_usd, calls == configured
        )
        for calls in sorted({*volumes, configured})
    ]


def analysed_weights(analysis: PromptAnalysis) -> Weights | None:
    if analysis.document is None or analysis.figures is None:
        return None
    return Weights(analysis.message_tokens, analysis.example_tokens, analysis.figures)


def live_weights(live: LiveCounts) -> Weights:
    """The weights after quick recounts. Only message contents change between full analyses:
    a chat pair's tokens are its two messages', and an in-text example is never edited live
    (an edit touching one is structural)."""
    pairs = iter(live.pairs)
    examples = []
    for weighed in live.analysis.examples:
        if weighed.example.message_index is None:
            question, answer = next(pairs)
            examples.append((live.tokens[question], live.tokens[answer]))
        else:
            examples.append((weighed.input_tokens, weighed.output_tokens))
    return Weights(tuple(live.tokens), tuple(examples), live.figures())


def example_label(text: str) -> str:
    """An example's input on one short line: its whitespace collapsed, cut at a word."""
    # A bounded slice first: an input may be a megabyte long.
    words = " ".join(text[: LABEL_CHARACTERS * 4].split())
    if len(words) <= LABEL_CHARACTERS:
        return words
    # One character past the room left for `…`: a space there means the cut ends a word.
    cut = words[:LABEL_CHARACTERS]
    space = cut.rfind(" ")
    return (cut[:space] if space > LABEL_CHARACTERS // 2 else cut[:-1]) + "…"
