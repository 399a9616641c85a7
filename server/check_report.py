"""What `promptweight check` says of one file: its report, as a `FileReport` or streamed.

A file at the size limit can hold 500,000 messages. As pydantic models (a `MessageReport`, a
`Range` and two `Position`s each) its report took 1.4 GB and most of 17 s; so the JSON output is
written item by item from the analysis, each item a small JSON object, and the table needs no
per-message report at all. `report()` builds the whole `FileReport` for small files (the
corpus snapshots), and a test checks that both give the same JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from server.core.model_choice import ModelChoice
from server.core.prompt_analysis import PromptAnalysis, analysis_problems
from server.core.prompt_model import LineIndex, Problem, Span
from server.figures_report import CONTENT_TOKENS, INPUT_TOKENS, prompt_figures
from shared_schemas import (
    ExampleReport,
    FileReport,
    MessageReport,
    PromptFigures,
    ReportDiagnostic,
    VariableReport,
)
from shared_schemas.messages import PromptFormat

_LISTS = ("messages", "fewShotExamples", "variables", "diagnostics")


@dataclass(frozen=True)
class Unread:
    """A file that was not read: why, as a diagnostic, and what would have counted it."""

    code: str
    message: str
    format: PromptFormat
    model: ModelChoice


@dataclass
class CheckedFile:
    path: Path
    text: str
    analysis: PromptAnalysis | Unread
    extra: list[Problem] = field(default_factory=list)  # found while reading (invalid UTF-8)

    @cached_property
    def _index(self) -> LineIndex:
        return LineIndex(self.text)

    @cached_property
    def problems(self) -> list[Problem]:
        if isinstance(self.analysis, Unread):
            return [Problem("error", self.analysis.code, self.analysis.message, Span(0, 0))]
        return sorted(self.extra + analysis_problems(self.analysis), key=lambda p: p.span.start)

    @property
    def has_error(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def _range(self, span: Span) -> dict[str, dict[str, int]]:
        (start_line, start), (end_line, end) = (
            self._index.position(span.start),
            self._index.position(span.end),
        )
        return {
            "start": {"line": start_line, "character": start},
            "end": {"line": end_line, "character": end},
        }

    def _head(self) -> FileReport:
        """The report without its lists."""
        analysis = self.analysis
        if isinstance(analysis, Unread):
            figures = PromptFigures(model_id=analysis.model.entry.id)
            return FileReport(
                **dict(figures),
                path=str(self.path),
                format=analysis.format,
                model=None,
                encoding=analysis.model.counter.name,
                exact=analysis.model.exact,
                messages=[],
                few_shot_examples=[],
                variables=[],
                prompt_tokens=None,
                diagnostics=[],
            )
        return FileReport(
            **dict(prompt_figures(analysis)),
            path=str(self.path),
            format=analysis.format,
            model=analysis.file_model,
            encoding=analysis.model.counter.name,
            exact=analysis.exact,
            messages=[],
            few_shot_examples=[],
            variables=[],
            prompt_tokens=analysis.prompt_tokens,
            diagnostics=[],
        )

    def _items(self, name: str) -> Iterator[dict[str, object]]:
        """The wire form of list `name`'s items, one at a time."""
        analysis = self.analysis
        if name == "diagnostics":
            for p in self.problems:
                yield {
                    "severity": p.severity,
                    "code": p.code,
                    "message": p.message,
                    "range": self._range(p.span),
                }
            return
        if isinstance(analysis, Unread):
            return
        if name == "messages":
            for m in analysis.messages:
                yield {
                    "role": m.message.role.value,
                    "name": m.message.name,
                    "contentTokens": m.tokens,
                    "range": self._range(m.message.span),
                }
        elif name == "fewShotExamples":
            for e in analysis.examples:
                yield {
                    "input": e.example.input,
                    "output": e.example.output,
                    "inputTokens": e.input_tokens,
                    "outputTokens": e.output_tokens,
                    "kind": e.example.kind,
                    "range": self._range(e.example.span),
                }
        elif analysis.document is not None:
            for v in analysis.document.variables:
                yield {"name": v.name, "range": self._range(v.span)}

    def json_chunks(self) -> Iterator[str]:
        """`report()` as JSON text, in pieces of about one item each."""
        head = self._head().to_wire()
        for name in _LISTS:
            del head[name]
        yield json.dumps(head, ensure_ascii=False)[:-1]
        for name in _LISTS:
            yield f', "{name}": ['
            for number, item in enumerate(self._items(name)):
                yield ("," if number else "") + json.dumps(item, ensure_ascii=False)
            yield "]"
        yield "}"

    def report(self) -> FileReport:
        """The whole report as one model: for small files and tests."""
        return self._head().model_copy(
            update={
                "messages": [MessageReport.model_validate(i) for i in self._items("messages")],
                "few_shot_examples": [
                    ExampleReport.model_validate(i) for i in self._items("fewShotExamples")
                ],
                "variables": [VariableReport.model_validate(i) for i in self._items("variables")],
                "diagnostics": [
                    ReportDiagnostic.model_validate(i) for i in self._items("diagnostics")
                ],
            }
        )

    def text_lines(self) -> list[str]:
        """The table's lines for this file: its input and content tokens, then one line a
        problem."""
        analysis = self.analysis
        if isinstance(analysis, Unread):
            exact, total, content, messages, examples = analysis.model.exact, None, None, 0, 0
        else:
            exact, content = analysis.exact, analysis.prompt_tokens
            total = None if analysis.figures is None else analysis.figures.input_tokens
            messages, examples = len(analysis.messages), len(analysis.examples)

        def shown(tokens: int | None) -> str:
            return "-" if tokens is None else f"{'' if exact else '≈'}{tokens:,}"

        lines = [
            f"{shown(total):>10} {INPUT_TOKENS} {shown(content):>10} {CONTENT_TOKENS}  "
            f"{analysis.model.counter.name:<12} {messages:>3} messages {examples:>3} examples  "
            f"{self.path}"
        ]
        for p in self.problems:
            line, character = self._index.position(p.span.start)
            at = f"{line + 1}:{character + 1}"
            lines.append(f"{'':11}{self.path}:{at}: {p.severity}[{p.code}]: {p.message}")
        return lines
