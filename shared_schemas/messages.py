"""Wire models. Field names are snake_case in Python and camelCase on the wire."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared_schemas.wire import WireModel

PromptFormat = Literal["prompty", "dotprompt", "prompt-md", "chat-json", "chat-yaml", "markdown"]


class Position(WireModel):
    """An LSP position: 0-based line, UTF-16 code-unit column."""

    line: int = Field(ge=0)
    character: int = Field(ge=0)


class Range(WireModel):
    start: Position
    end: Position


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


class OriginalPrompt(WireModel):
    """The prompt a short prompt (`<name>.tuned.<ext>`) was written from, beside it."""

    uri: str
    input_tokens: int = Field(description="Its input tokens per call, as on disk.")


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
    original: OriginalPrompt | None = Field(
        default=None,
        description="For a short prompt (`<name>.tuned.<ext>`): the original beside it.",
    )


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


class ExportActionData(WireModel):
    """The `data` of the export code action: what `codeAction/resolve` needs to build its edit
    (the client keeps it opaque and sends it back)."""

    uri: str = Field(description="The prompt the action was offered on.")
    version: int = Field(description="The document version the action was offered for.")
    quick_fix: bool = Field(default=False, description="Offered as a fine-tuning quick fix.")


class ServerStatusParams(WireModel):
    """Request `promptweight/serverStatus`, client to server: no parameters."""


class DocumentStatus(WireModel):
    uri: str
    version: int = Field(description="The newest version the server holds.")
    folder: str | None = Field(description="The workspace folder it belongs to, if any.")
    analysed_version: int | None = Field(description="The version of the kept analysis.")
    analysing_version: int | None = Field(description="The version being analysed now.")
    analyses: int = Field(description="Analyses started for this document since it opened.")


class ServerStatus(WireModel):
    """What the server holds: one entry per open document, for logs and tests."""

    position_encoding: str
    folders: list[str]
    documents: list[DocumentStatus]
