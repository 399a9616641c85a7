"""Outline, folding and hover: views of one analysed document, with no state of their own."""

from __future__ import annotations

from lsprotocol import types

from server.core.prompt_analysis import PromptAnalysis
from server.core.prompt_model import LineIndex, Span
from server.lsp.conversions import to_range


def _tokens(count: int, exact: bool) -> str:
    return f"{'' if exact else '≈'}{count:,} tokens"


def document_symbols(analysis: PromptAnalysis, index: LineIndex) -> list[types.DocumentSymbol]:
    exact = analysis.tokenizer.exact
    symbols = []
    for position, weighed in enumerate(analysis.messages):
        message = weighed.message
        children = [
            types.DocumentSymbol(
                name=f"example {number}",
                detail=_tokens(e.input_tokens + e.output_tokens, exact),
                kind=types.SymbolKind.Field,
                range=to_range(index, e.example.span),
                selection_range=to_range(index, e.example.span),
            )
            for number, e in enumerate(analysis.examples, start=1)
            if e.example.message_index == position
        ]
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


def hover(analysis: PromptAnalysis, index: LineIndex, offset: int) -> types.Hover | None:
    exact = analysis.tokenizer.exact
    encoding = analysis.tokenizer.encoding
    for weighed in analysis.messages:
        marker = weighed.message.marker
        if marker is not None and marker.start <= offset <= marker.end:
            share = ""
            if analysis.prompt_tokens:
                share = f" · {weighed.tokens / analysis.prompt_tokens:.0%} of the prompt"
            return types.Hover(
                contents=types.MarkupContent(
                    kind=types.MarkupKind.Markdown,
                    value=f"**{weighed.message.role.value}** message: "
                    f"{_tokens(weighed.tokens, exact)}{share} ({encoding})",
                ),
                range=to_range(index, marker),
            )
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
