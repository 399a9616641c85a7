"""Wire models. Field names are snake_case in Python and camelCase on the wire."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class WireModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )

    def to_wire(self) -> dict[str, object]:
        return self.model_dump(mode="json", by_alias=True)


class Position(WireModel):
    """An LSP position: 0-based line, UTF-16 code-unit column."""

    line: int = Field(ge=0)
    character: int = Field(ge=0)


class Range(WireModel):
    start: Position
    end: Position


class InitializationOptions(WireModel):
    """Sent by the client in `initialize`; the client restarts the server when these change."""

    model: str = Field(
        default="gpt-4o-mini", min_length=1, description="Model whose tokenizer counts."
    )
    debounce_ms: int = Field(
        default=100,
        ge=0,
        le=10_000,
        description="Delay after the last edit before a document is recounted.",
    )
    max_document_characters: int = Field(
        default=4_000_000, ge=1, description="Larger documents are not counted."
    )


class DocumentStats(WireModel):
    """Notification `promptweight/documentStats`, server to client, after each debounced change."""

    uri: str
    version: int
    model: str
    encoding: str
    exact: bool = Field(description="False when the tokenizer only approximates the model's.")
    prompt_tokens: int | None = Field(
        description="Tokens of the whole document text; null when not counted (see skippedReason)."
    )
    skipped_reason: str | None = None
    note: str | None = Field(default=None, description="Why a count is approximate, if it is.")


class CountSelectionParams(WireModel):
    """Request `promptweight/countSelection`, client to server."""

    uri: str
    ranges: list[Range] = Field(max_length=1000)


class CountSelectionResult(WireModel):
    tokens: int | None = Field(description="null when the document is not open or not counted.")
    encoding: str
    exact: bool


Severity = Literal["error", "warning", "information", "hint"]


class ReportDiagnostic(WireModel):
    severity: Severity
    code: str
    message: str
    range: Range


class FileReport(WireModel):
    """One file in `promptweight check --format json`."""

    path: str
    model: str
    encoding: str
    exact: bool
    prompt_tokens: int | None
    diagnostics: list[ReportDiagnostic]


class CheckReport(WireModel):
    """The whole output of `promptweight check --format json`."""

    files: list[FileReport]
