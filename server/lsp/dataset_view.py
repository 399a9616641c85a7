"""`.jsonl` fine-tuning datasets in the editor: diagnostics per line and a summary hover."""

from __future__ import annotations

from lsprotocol import types

from server.core.datasets.validation import ValidationOptions, validate_dataset
from server.core.prompt_model import LineIndex, PositionEncoding
from shared_schemas.datasets import DatasetReport, ValueSource

_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


_EPOCHS_SOURCE: dict[ValueSource, str] = {
    "flag": "given",
    "setting": "from settings",
    "default": "the default",
}


def is_dataset(uri: str) -> bool:
    return uri.lower().endswith(".jsonl")


def validate_text(text: str, options: ValidationOptions) -> DatasetReport:
    # The editor holds text; undecodable bytes reach it as lone surrogates, which encode back
    # to invalid UTF-8 here, so the validator reports that line as it would on disk.
    lines = (line.encode("utf-8", "surrogatepass") for line in text.split("\n"))
    return validate_dataset(lines, options)


def dataset_diagnostics(
    report: DatasetReport, text: str, encoding: PositionEncoding
) -> list[types.Diagnostic]:
    """The report's problems as diagnostics; the validator's UTF-16 columns are converted to
    the client's position encoding."""
    if encoding == "utf-16":

        def position(line: int, column: int) -> types.Position:
            return types.Position(line, column)
    else:
        utf16, wanted = LineIndex(text, "utf-16"), LineIndex(text, encoding)

        def position(line: int, column: int) -> types.Position:
            return types.Position(*wanted.position(utf16.offset(line, column)))

    found = [
        types.Diagnostic(
            range=types.Range(
                position(p.line, p.start_character), position(p.line, p.end_character)
            ),
            message=p.message,
            severity=_SEVERITY[p.severity],
            code=p.code,
            source="promptweight",
        )
        for p in report.problems
    ]
    if report.omitted_problems:
        found.append(
            types.Diagnostic(
                range=types.Range(types.Position(0, 0), types.Position(0, 0)),
                message=f"{report.omitted_problems:,} more problems not shown: run "
                "`promptweight validate` on this file for all of them",
                severity=types.DiagnosticSeverity.Information,
                code="more-problems",
                source="promptweight",
            )
        )
    return found


def summary_markdown(report: DatasetReport) -> str:
    s = report.summary
    lines = [f"**Dataset** · {s.examples:,} examples ({s.records:,} records) · {s.guidance}"]
    if s.example_tokens is not None:
        t = s.example_tokens
        lines.append(
            f"Tokens per example: min {t.min:,} · median {t.median:,.0f} · p90 {t.p90:,.0f} · "
            f"max {t.max:,}"
        )
    if s.assistant_tokens is not None:
        lines.append(f"Assistant tokens: {s.assistant_tokens_total:,} in all")
    epochs = f"{s.epochs:,} epoch{'' if s.epochs == 1 else 's'}"
    lines += [
        f"Missing a system message: {s.missing_system:,} · missing a user message: "
        f"{s.missing_user:,} · over {s.max_sequence_tokens:,} tokens: {s.too_long:,}",
        # The editor always takes the length from the setting, whose own default applies.
        f"Assumed: {epochs} ({_EPOCHS_SOURCE[s.epochs_source]}) · maximum length "
        f"{s.max_sequence_tokens:,} tokens (`promptweight.maxSequenceTokens`)",
        f"Estimated training tokens: {s.estimated_training_tokens:,} ({epochs})",
        f"Problems: {report.error_count:,} errors, {report.warning_count:,} warnings",
    ]
    return "\n\n".join(lines)
