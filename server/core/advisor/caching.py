"""Prompt caching: what a prompt costs per call once its static prefix is billed at the
provider's cached-input price.

Providers cache a repeated prompt prefix and bill a hit at a discount (the catalog's
`cachedInputUsdPerMillion`) once the prefix reaches a minimum length (`cacheMinimumTokens`).
Everything before the first template variable or runtime placeholder is the same on every call,
so it is the part that can hit.

`static_prefix_tokens` is an approximation, on purpose close to how providers build the prefix
(tools and output schema, then the messages in order):
- the tool and output-schema tokens, which providers put first;
- every message wholly before the first variable or placeholder, with its chat framing;
- the framing of the message holding it, and its content up to it: counted exactly with the
  analysis' counter where the content is the source text as written (plain-text formats),
  else that message's tokens in proportion to the characters before it (chat JSON and YAML,
  whose content is unescaped from the source);
- with no variable and no placeholder, the whole input per call (reply priming included):
  the runtime input is then appended after it.
A provider caches in steps (OpenAI: 128 tokens), so a hit can cover a little less than this.

The cached cost per call takes the prefix at the cached price on `hit_rate` of the calls and
at the input price on the others; the rest of the input and the output as before. Anthropic's
cache-write surcharge (1.25 times the input price on a miss) is not in the catalog and is not
counted, so for Claude the cached figure is slightly low at low hit rates.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.core.economics import (
    DAYS_PER_MONTH,
    TOKENS_PER_MESSAGE,
    TOKENS_PER_NAME,
)
from server.core.prompt_analysis import PromptAnalysis
from server.core.prompt_model import Message


@dataclass(frozen=True)
class CachedCost:
    prefix_tokens: int
    hit_rate: float
    cost_per_call_usd: float
    cost_per_month_usd: float


def _first_runtime_offset(analysis: PromptAnalysis) -> int | None:
    """Where the first variable or runtime placeholder starts; None: the prompt has none."""
    document = analysis.document
    if document is None:
        return None
    starts = [v.span.start for v in document.variables]
    starts += [p.span.start for p in document.placeholders]
    return min(starts, default=None)


def _framing(message: Message) -> int:
    return TOKENS_PER_MESSAGE + (TOKENS_PER_NAME if message.name else 0)


def _content_before(
    analysis: PromptAnalysis, text: str, message: Message, tokens: int, offset: int
) -> int:
    """The tokens of `message`'s content before `offset` (which lies in its source)."""
    span = message.content_span
    if offset <= span.start:
        return 0
    if offset >= span.end:
        return tokens
    content_end = span.start + len(message.content)
    if text.startswith(message.content, span.start):
        # Written as it is sent (plain-text formats); a placeholder may follow it in the span.
        if offset >= content_end:
            return tokens
        return analysis.model.counter.count(text[span.start : offset])
    # Content unescaped from JSON or YAML, or with a placeholder taken out of its middle, has
    # no exact source slice: share its tokens out by characters, which is close for text and
    # never more than the message's own count.
    return tokens * (offset - span.start) // (span.end - span.start)


def static_prefix_tokens(analysis: PromptAnalysis) -> int:
    """The tokens each call sends before its first runtime content (0 without figures)."""
    figures, document = analysis.figures, analysis.document
    if figures is None or document is None:
        return 0
    offset = _first_runtime_offset(analysis)
    if offset is None:
        return figures.input_tokens
    prefix = figures.tool_tokens
    for weighed in analysis.messages:
        message = weighed.message
        if message.span.end <= offset:
            prefix += _framing(message) + weighed.tokens
            continue
        if message.span.start <= offset:
            prefix += _framing(message) + _content_before(
                analysis, document.text, message, weighed.tokens, offset
            )
        break
    return prefix


def cacheable(analysis: PromptAnalysis, prefix_tokens: int) -> bool:
    """Whether the model's provider would cache a prefix this long: it has a cached price and
    the prefix reaches its minimum. An unknown minimum (hosts that publish a cached price but
    no floor, like DeepSeek's) is taken as none."""
    entry = analysis.model.entry
    if entry.cached_input_usd_per_million is None or prefix_tokens <= 0:
        return False
    return prefix_tokens >= (entry.cache_minimum_tokens or 0)


def cached_cost(analysis: PromptAnalysis, hit_rate: float) -> CachedCost | None:
    """The prompt's cost with its static prefix cached on `hit_rate` of the calls; None when
    it has no figures or the model would not cache its prefix."""
    figures = analysis.figures
    prefix = static_prefix_tokens(analysis)
    cached_price = analysis.model.entry.cached_input_usd_per_million
    if figures is None or cached_price is None or not cacheable(analysis, prefix):
        return None
    # Only the hits change price: each is the prefix at the cached rather than the input price.
    discount = prefix * hit_rate * (figures.input_price_per_million - cached_price) / 1_000_000
    per_call = figures.cost_per_call_usd - discount
    return CachedCost(
        prefix_tokens=prefix,
        hit_rate=hit_rate,
        cost_per_call_usd=per_call,
        cost_per_month_usd=per_call * figures.calls_per_day * DAYS_PER_MONTH,
    )
