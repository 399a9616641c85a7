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


PromptFormat = Literal["prompty", "dotprompt", "prompt-md", "chat-json", "chat-yaml", "markdown"]


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
    format: PromptFormat | None = Field(
        description="null when the document is JSON or YAML that is not a prompt."
    )
    model: str
    encoding: str
    exact: bool = Field(description="False when the tokenizer only approximates the model's.")
    prompt_tokens: int | None = Field(
        description="Tokens of all message contents; null when not counted (see skippedReason)."
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
ExampleKind = Literal["chat-pair", "example-block", "input-output", "q-a"]


class ReportDiagnostic(WireModel):
    severity: Severity
    code: str = Field(description="Stable identifier of the kind of problem.")
    message: str
    range: Range


class MessageReport(WireModel):
    role: Literal["system", "user", "assistant", "tool"]
    name: str | None = None
    content_tokens: int = Field(description="Tokens of the message's content (its text, stripped).")
    range: Range = Field(description="The message's source: its role marker to the next one.")


class ExampleReport(WireModel):
    input: str
    output: str
    input_tokens: int
    output_tokens: int
    kind: ExampleKind
    range: Range


class VariableReport(WireModel):
    name: str
    range: Range


class FileReport(WireModel):
    """One prompt file in `promptweight check --format json`."""

    path: str
    format: PromptFormat
    model: str | None = Field(description="The model the file names, or null.")
    encoding: str = Field(description="The tokenizer that counted.")
    exact: bool = Field(description="False when the tokenizer only approximates the model's.")
    messages: list[MessageReport]
    few_shot_examples: list[ExampleReport]
    variables: list[VariableReport]
    prompt_tokens: int | None = Field(
        description="Tokens of all message contents; null when the file was not counted."
    )
    diagnostics: list[ReportDiagnostic]


class SkippedFile(WireModel):
    path: str
    reason: str


class CheckReport(WireModel):
    """The whole output of `promptweight check --format json`."""

    files: list[FileReport]
    skipped: list[SkippedFile] = Field(
        default_factory=list, description="Files given that are not prompts (other JSON or YAML)."
    )
