"""`promptweight/tokenReport`: the client's token report of an open prompt, per message and per
example with the figures and the cost at several volumes.

The client asks after each `documentStats`, so the answer is as current as those stats: from
the live recount when one covers the text as it stands (no full analysis per keystroke), else
from the shared analysis of the current version.
"""

from __future__ import annotations

from typing import Any

from server.core.prompt_analysis import PromptAnalysis
from server.core.prompt_model import LineIndex, Span
from server.core.token_report import (
    MAX_ITEMS,
    Weights,
    analysed_weights,
    example_label,
    live_weights,
    volume_costs,
)
from server.figures_report import figures_fields
from server.lsp.server import PromptweightServer
from shared_schemas.messages import MessageReport, Position, Range
from shared_schemas.methods import TOKEN_REPORT
from shared_schemas.reports import (
    ExampleTokens,
    TokenReport,
    TokenReportParams,
    TokenReportResult,
    VolumeCost,
)


def _range(index: LineIndex, span: Span) -> Range:
    (start_line, start), (end_line, end) = index.position(span.start), index.position(span.end)
    return Range(
        start=Position(line=start_line, character=start),
        end=Position(line=end_line, character=end),
    )


def build_report(
    uri: str,
    version: int,
    analysis: PromptAnalysis,
    index: LineIndex,
    weights: Weights,
    configured_model: str,
) -> TokenReport:
    """`configured_model`: the folder's `model` setting, named when the file names none (as
    `documentStats` names it)."""
    document = analysis.document
    assert document is not None  # `analysed_weights` gave weights: it is a prompt
    messages = document.messages[:MAX_ITEMS]
    examples = document.examples[:MAX_ITEMS]
    figures = weights.figures
    return TokenReport(
        **dict(figures_fields(analysis.model.entry.id, figures)),
        uri=uri,
        version=version,
        format=analysis.format,
        model=analysis.file_model or configured_model,
        encoding=analysis.model.counter.name,
        exact=analysis.exact,
        note=analysis.model.counter.note or "; ".join(analysis.count_notes) or None,
        prompt_tokens=figures.prompt_tokens,
        messages=[
            MessageReport(
                role=message.role.value,
                name=message.name,
                content_tokens=tokens,
                range=_range(index, message.span),
            )
            for message, tokens in zip(messages, weights.message_tokens, strict=False)
        ],
        omitted_messages=len(document.messages) - len(messages),
        few_shot_examples=[
            ExampleTokens(
                label=example_label(example.input),
                kind=example.kind,
                input_tokens=given,
                output_tokens=answer,
                range=_range(index, example.span),
            )
            for example, (given, answer) in zip(examples, weights.example_tokens, strict=False)
        ],
        omitted_examples=len(document.examples) - len(examples),
        volumes=[
            VolumeCost(
                calls_per_day=v.calls_per_day,
                cost_per_month_usd=v.cost_per_month_usd,
                configured=v.configured,
            )
            for v in volume_costs(figures)
        ],
    )


async def token_report(ls: PromptweightServer, uri: str) -> TokenReportResult:
    state = ls.documents.get(uri)
    if state is None:
        return TokenReportResult(report=None, reason="the document is not open")
    snapshot, live, kept = state.snapshot(), state.live, state.kept
    configured = state.folder.options.model
    if (
        snapshot is not None
        and live is not None
        and kept is not None
        and live.analysis is kept.analysis
        and live.text == snapshot.text
    ):
        # Typing since the kept analysis stayed on its lines (a live edit holds no line break),
        # so its ranges are off by at most the typed characters, on the edited line; the full
        # analysis when typing pauses sends stats again, and the next report has them exact.
        weights = live_weights(live)
        return TokenReportResult(
            report=build_report(
                uri, snapshot.version, kept.analysis, kept.index, weights, configured
            )
        )
    result = await ls.analysed_now(uri)
    if result is None:
        return TokenReportResult(report=None, reason="not a prompt file")
    found = analysed_weights(result.analysis)
    if found is None:
        skipped = result.analysis.skipped
        return TokenReportResult(report=None, reason=skipped.reason if skipped else "not a prompt")
    return TokenReportResult(
        report=build_report(uri, result.version, result.analysis, result.index, found, configured)
    )


def register(server: PromptweightServer) -> None:
    @server.feature(TOKEN_REPORT.name)
    async def on_token_report(ls: PromptweightServer, raw: Any) -> dict[str, object]:
        params = TokenReportParams.model_validate(raw)
        return (await token_report(ls, params.uri)).to_wire()
