"""Core results to LSP types: spans become ranges, problems become diagnostics."""

from __future__ import annotations

from lsprotocol import types

from server.core.prompt_model import LineIndex, Problem, Span

_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


def to_range(index: LineIndex, span: Span) -> types.Range:
    start_line, start_char = index.position(span.start)
    end_line, end_char = index.position(span.end)
    return types.Range(types.Position(start_line, start_char), types.Position(end_line, end_char))


def to_diagnostic(index: LineIndex, problem: Problem) -> types.Diagnostic:
    return types.Diagnostic(
        range=to_range(index, problem.span),
        message=problem.message,
        severity=_SEVERITY[problem.severity],
        code=problem.code,
        source="promptweight",
    )
