"""Wire models. Field names are snake_case in Python and camelCase on the wire."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared_schemas.model_catalog import ModelOverride
from shared_schemas.wire import WireModel

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
        default="gpt-4o-mini",
        min_length=1,
        description="Model for files that do not name their own.",
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
    max_output_tokens: int = Field(
        default=1024,
        ge=1,
        le=10_000_000,
        description="Expected output per call, for files that declare none.",
    )
    budget_tokens: int = Field(
        default=0,
        ge=0,
        le=100_000_000,
        description="Room for runtime content (retrieved documents, history) per call.",
    )
    calls_per_day: int = Field(default=1000, ge=0, le=1_000_000_000)
    saturation_warning: float = Field(
        default=0.8, gt=0, le=1, description="Share of the context window that draws a warning."
    )
    few_shot_share_info: float = Field(
        default=0.3,
        ge=0,
        le=1,
        description="Share of the prompt in few-shot examples that suggests fine-tuning.",
    )
    models: dict[str, ModelOverride] = Field(
        default_factory=dict, description="Models to add, or catalog facts to override, by name."
    )
    dataset_folder: str = Field(
        default="",
        description="Folder for exported datasets, relative to the workspace; empty: beside "
        "the prompt.",
    )
    export_format: Literal["openai", "prompt-completion", "alpaca", "sharegpt"] = "openai"
    export_system: Literal["strip", "keep", "omit"] = Field(
        default="strip",
        description="The system message of exported records: the prompt's system text without "
        "its examples, as written, or none.",
    )
    training_model: str = Field(
        default="gpt-4o-mini",
        min_length=1,
        description="Model whose tokenizer measures dataset examples against the sequence limit.",
    )
    max_sequence_tokens: int = Field(
        default=16_384,
        ge=1,
        le=10_000_000,
        description="Dataset examples longer than this (in the training model's tokens) warn.",
    )


class TokenBreakdown(WireModel):
    """Where a prompt's input tokens go; the parts add up to `inputTokens`."""

    system: int
    examples: int
    instructions: int = Field(description="Every other message token.")
    overhead: int
    tools: int


class PromptFigures(WireModel):
    """What one call of the prompt costs; null where the document was not counted."""

    model_id: str | None = Field(default=None, description="The catalog entry that prices it.")
    overhead_tokens: int | None = Field(
        default=None, description="Chat framing: 3 per message, 1 per name, 3 reply priming."
    )
    tool_tokens: int | None = Field(
        default=None, description="Tool definitions and output schema, as compact JSON."
    )
    input_tokens: int | None = Field(
        default=None, description="promptTokens + overheadTokens + toolTokens."
    )
    few_shot_tokens: int | None = None
    context_window: int | None = None
    max_output_tokens: int | None = None
    budget_tokens: int | None = None
    saturation: float | None = Field(
        default=None,
        description="(inputTokens + maxOutputTokens + budgetTokens) / contextWindow.",
    )
    cost_per_call_usd: float | None = Field(
        default=None, description="(inputTokens + budgetTokens) at input price + maxOutputTokens."
    )
    calls_per_day: int | None = None
    cost_per_month_usd: float | None = Field(default=None, description="30 days of calls.")
    breakdown: TokenBreakdown | None = None


class DocumentStats(PromptFigures):
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


class ExportDatasetParams(WireModel):
    """Command `promptweight.exportDataset`, client to server."""

    uris: list[str] = Field(min_length=1, max_length=1000, description="Prompt files to export.")
    target: str | None = Field(
        default=None, description="Dataset file URI; null: `<stem>.train.jsonl` of the first."
    )


class ExportDatasetResult(WireModel):
    applied: bool
    message: str
    written: int = 0


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


class FileReport(PromptFigures):
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
