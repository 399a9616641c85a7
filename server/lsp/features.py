"""Outline, folding and hover: views of one analysed document, with no state of their own."""

from __future__ import annotations

from lsprotocol import types

from server.core.advisor.advisor_settings import AdvisorSettings
from server.core.advisor.caching import cached_cost
from server.core.formats.prompty import declared_images
from server.core.image_tokens import image_tokens
from server.core.prompt_analysis import PromptAnalysis
from server.core.prompt_model import LineIndex, PromptDocument, Span
from server.core.prompt_parser import reading_note
from server.core.template_syntax import curly_variables
from server.figures_report import CONTENT_TOKENS, INPUT_TOKENS, token_breakdown
from server.lsp.conversions import to_range


def _tokens(count: int, exact: bool) -> str:
    return f"{'' if exact else '≈'}{count:,} tokens"


def document_symbols(analysis: PromptAnalysis, index: LineIndex) -> list[types.DocumentSymbol]:
    exact = analysis.exact
    # Each message's in-text examples, gathered once: not a scan of every example per message.
    held: dict[int, list[types.DocumentSymbol]] = {}
    for number, e in enumerate(analysis.examples, start=1):
        if e.example.message_index is not None:
            held.setdefault(e.example.message_index, []).append(
                types.DocumentSymbol(
                    name=f"example {number}",
                    detail=_tokens(e.input_tokens + e.output_tokens, exact),
                    kind=types.SymbolKind.Field,
                    range=to_range(index, e.example.span),
                    selection_range=to_range(index, e.example.span),
                )
            )
    symbols = []
    for position, weighed in enumerate(analysis.messages):
        message = weighed.message
        children = held.get(position)
        label = message.role.value + (f" ({message.name})" if message.name else "")
        selection = message.marker or message.content_span
        symbols.append(
            types.DocumentSymbol(
                name=label,
                detail=_tokens(weighed.tokens, exact),
                kind=types.SymbolKind.Object,
                range=to_range(index, message.span),
                selection_range=to_range(index, selection),
                children=children or None,
            )
        )
    for number, e in enumerate(analysis.examples, start=1):
        if e.example.message_index is None:  # chat pairs span two messages
            symbols.append(
                types.DocumentSymbol(
                    name=f"example {number}",
                    detail=_tokens(e.input_tokens + e.output_tokens, exact),
                    kind=types.SymbolKind.Field,
                    range=to_range(index, e.example.span),
                    selection_range=to_range(
                        index, Span(e.example.span.start, e.example.span.start)
                    ),
                )
            )
    symbols.sort(key=lambda s: (s.range.start.line, s.range.start.character))
    return symbols


def folding_ranges(analysis: PromptAnalysis, index: LineIndex) -> list[types.FoldingRange]:
    spans = [m.message.span for m in analysis.messages] + [
        e.example.span for e in analysis.examples
    ]
    if analysis.document and analysis.document.frontmatter:
        spans.append(analysis.document.frontmatter)
    ranges = []
    for span in spans:
        start_line, _ = index.position(span.start)
        end_line, end_character = index.position(span.end)
        if end_character == 0 and end_line > start_line:
            end_line -= 1  # a span that ends at a line start does not fold that line
        if end_line > start_line:
            ranges.append(
                types.FoldingRange(start_line, end_line, kind=types.FoldingRangeKind.Region)
            )
    return sorted(ranges, key=lambda r: (r.start_line, r.end_line))


_HISTORY = (
    "sent with every call, so it belongs to the budget: leave room for it in the runtime budget "
    "(`promptweight.budgetTokens`, or `promptweight.budget` in the frontmatter)"
)
_BILLED = "the provider bills it by its own rules, not as text, so no count here includes it"
# What each kind of runtime content is and where its cost goes: none of it is counted as text.
_PLACEHOLDER_HOVERS = {
    "thread": f"**conversation history**, supplied at run time: {_HISTORY}",
    "history": f"**conversation history**, supplied at run time: {_HISTORY}",
    "conversation": "**conversation history**, written out by this loop at run time (its role "
    f"markers are the history's, not system text): {_HISTORY}",
    "image": f"**image**, supplied at run time: {_BILLED} (by its size and detail)",
    "audio": f"**audio**, supplied at run time: {_BILLED} (by its duration)",
    "media": f"**media**, supplied at run time: {_BILLED}",
    "file": f"**file**, supplied at run time: {_BILLED} (as the text or pages it reads)",
}


def _image_estimate(analysis: PromptAnalysis, document: PromptDocument, span: Span) -> str:
    """The provider's estimate for the image input at `span`, when the frontmatter declares its
    size; else how to declare one."""
    names = curly_variables(document.text, span)
    image = declared_images(document.metadata.raw).get(names[0].name) if names else None
    if image is None:
        return (
            "\n\nDeclare the input's `width` and `height` in pixels (and `detail` for OpenAI "
            "models) in the frontmatter for an estimate by the provider's formula."
        )
    entry = analysis.model.entry
    size = f"{image.width:,} x {image.height:,} px" + (
        f", detail {image.detail}" if image.detail else ""
    )
    estimate = image_tokens(entry.id, entry.provider, image)
    if estimate is None:
        return f"\n\nDeclared {size}: no published formula is known here for {entry.id}."
    return (
        f"\n\nDeclared {size}: about {estimate.tokens:,} tokens on {entry.id} "
        f"({estimate.rule}). An estimate by the provider's formula, not an exact count, and not "
        f"in the {INPUT_TOKENS} or the cost."
    )


def _placeholder_hover(
    analysis: PromptAnalysis, index: LineIndex, offset: int
) -> types.Hover | None:
    if analysis.document is None:
        return None
    for placeholder in analysis.document.placeholders:
        span = placeholder.span
        if span.start > offset:
            break
        value = _PLACEHOLDER_HOVERS.get(placeholder.kind)
        if value is not None and offset <= span.end:
            if placeholder.kind == "image" and analysis.document.format == "prompty":
                value += _image_estimate(analysis, analysis.document, span)
            return types.Hover(
                contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=value),
                range=to_range(index, span),
            )
    return None


def hover(analysis: PromptAnalysis, index: LineIndex, offset: int) -> types.Hover | None:
    exact = analysis.exact
    encoding = analysis.model.counter.name
    for weighed in analysis.messages:
        marker = weighed.message.marker
        if marker is not None and marker.start <= offset <= marker.end:
            share = ""
            if analysis.prompt_tokens:
                share = f" · {weighed.tokens / analysis.prompt_tokens:.0%} of the file's content"
            count = f"{'' if exact else '≈'}{weighed.tokens:,} {CONTENT_TOKENS}"
            return types.Hover(
                contents=types.MarkupContent(
                    kind=types.MarkupKind.Markdown,
                    value=f"**{weighed.message.role.value}** message: {count}{share} ({encoding})",
                ),
                range=to_range(index, marker),
            )
    if (found := _placeholder_hover(analysis, index, offset)) is not None:
        return found
    for number, e in enumerate(analysis.examples, start=1):
        if e.example.span.start <= offset <= e.example.span.end:
            return types.Hover(
                contents=types.MarkupContent(
                    kind=types.MarkupKind.Markdown,
                    value=f"**few-shot example {number}** ({e.example.kind}): input "
                    f"{_tokens(e.input_tokens, exact)}, output {_tokens(e.output_tokens, exact)}",
                ),
                range=to_range(index, e.example.span),
            )
    return None


def _compact(count: int) -> str:
    return f"{count / 1000:g}k" if count >= 1000 and count % 1000 == 0 else f"{count:,}"


def _usd(amount: float) -> str:
    if amount >= 100:
        return f"${amount:,.0f}"
    if amount >= 1:
        return f"${amount:,.2f}"
    return f"${amount:.4f}" if amount >= 0.0001 else f"${amount:.2g}"


def summary_line(analysis: PromptAnalysis) -> str | None:
    """`1,234 input tokens · 1.0% of 128k · $0.0002/call · $5.70/month at 1,000 calls/day`"""
    figures = analysis.figures
    if figures is None:
        return None
    approx = "" if analysis.exact else "≈"
    return (
        f"{approx}{figures.input_tokens:,} {INPUT_TOKENS} · {figures.saturation:.1%} of "
        f"{_compact(figures.context_window)} · {_usd(figures.cost_per_call_usd)}/call · "
        f"{_usd(figures.cost_per_month_usd)}/month at {figures.calls_per_day:,} calls/day"
    )


def breakdown_markdown(
    analysis: PromptAnalysis, cache_hit_rate: float = AdvisorSettings.cache_hit_rate
) -> str | None:
    figures = analysis.figures
    if figures is None:
        return None
    parts = token_breakdown(figures)
    exact = analysis.exact
    approx = "" if exact else "≈"
    rows = [
        ("System", parts.system),
        ("Few-shot examples", parts.examples),
        ("Instructions and other messages", parts.instructions),
        (f"**{CONTENT_TOKENS.capitalize()}**", figures.prompt_tokens),
        ("Chat overhead", parts.overhead),
        ("Tools and output schema", parts.tools),
        (f"**{INPUT_TOKENS.capitalize()}** per call", figures.input_tokens),
    ]
    lines = [
        f"**Promptweight** · {analysis.model.entry.id} · {analysis.model.counter.name}"
        + ("" if exact else " (estimate)"),
        "",
        *([f"_{reading_note(analysis.document)}_", ""] if analysis.document else []),
        "| | tokens |",
        "| --- | ---: |",
        *[f"| {label} | {approx}{count:,} |" for label, count in rows],
        "",
        f"{figures.saturation:.1%} of the {figures.context_window:,}-token window "
        f"(with {figures.max_output_tokens:,} output and {figures.budget_tokens:,} budget) · "
        f"{_usd(figures.cost_per_call_usd)} per call · {_usd(figures.cost_per_month_usd)} per "
        f"month at {figures.calls_per_day:,} calls/day",
    ]
    cached = cached_cost(analysis, cache_hit_rate)
    if cached is not None:
        lines += [
            "",
            f"With prompt caching: {_usd(cached.cost_per_call_usd)} per call · "
            f"{_usd(cached.cost_per_month_usd)} per month (the {cached.prefix_tokens:,}-token "
            f"static prefix cached on {cached.hit_rate:.0%} of calls)",
        ]
    if analysis.model.counter.note:
        lines += ["", f"_{analysis.model.counter.note}_"]
    return "\n".join(lines)


def breakdown_hover(
    analysis: PromptAnalysis,
    index: LineIndex,
    offset: int,
    cache_hit_rate: float = AdvisorSettings.cache_hit_rate,
) -> types.Hover | None:
    """On the frontmatter, or the first line of a file without one."""
    document = analysis.document
    if document is None:
        return None
    first_line_end = document.text.find("\n")
    top = document.frontmatter or Span(
        0, len(document.text) if first_line_end < 0 else first_line_end
    )
    if not top.start <= offset <= top.end:
        return None
    value = breakdown_markdown(analysis, cache_hit_rate)
    if value is None:
        return None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=value))


def inlay_hints(analysis: PromptAnalysis, index: LineIndex) -> list[types.InlayHint]:
    """`412 tok` after each role marker and at the end of each example's first line."""
    approx = "" if analysis.exact else "≈"
    hints = []
    for weighed in analysis.messages:
        marker = weighed.message.marker
        if marker is not None and marker.end <= len(index.text):
            line, character = index.position(marker.end)
            hints.append(
                types.InlayHint(
                    position=types.Position(line, character),
                    label=f"{approx}{weighed.tokens:,} tok",
                    padding_left=True,
                )
            )
    for e in analysis.examples:
        if e.example.message_index is None:
            continue  # a chat pair's turns already carry their markers' hints
        start_line, _ = index.position(e.example.span.start)
        line_end = index.text.find("\n", e.example.span.start)
        end = e.example.span.end if line_end == -1 else min(line_end, e.example.span.end)
        line, character = index.position(end)
        if line == start_line:
            hints.append(
                types.InlayHint(
                    position=types.Position(line, character),
                    label=f"{approx}{e.input_tokens + e.output_tokens:,} tok example",
                    padding_left=True,
                )
            )
    return sorted(hints, key=lambda h: (h.position.line, h.position.character))


def code_lenses(analysis: PromptAnalysis, uri: str) -> list[types.CodeLens]:
    title = summary_line(analysis)
    if title is None:
        return []
    return [
        types.CodeLens(
            range=types.Range(types.Position(0, 0), types.Position(0, 0)),
            command=types.Command(
                title=title, command="promptweight.showBreakdown", arguments=[uri]
            ),
        )
    ]
