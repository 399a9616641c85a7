"""Wire models of a fine-tuning dataset check.

`DatasetReport` is the validator's own report, with LSP positions (0-based lines, UTF-16
columns) because the editor turns it into diagnostics. `promptweight validate --format json`
prints a `ValidateReport`: the same report with 1-based lines and columns, as the command's text
output and every other command line tool count them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared_schemas.messages import Severity
from shared_schemas.wire import WireModel

ValueSource = Literal["flag", "setting", "default"]


class DatasetProblem(WireModel):
    """One problem on one line of a `.jsonl` dataset, as an LSP position: 0-based line, columns
    in UTF-16 code units from 0, the end exclusive."""

    severity: Severity
    code: str = Field(description="Stable identifier of the kind of problem.")
    message: str
    line: int = Field(ge=0, description="0-based line of the file.")
    start_character: int = Field(ge=0, description="0-based UTF-16 column of the first character.")
    end_character: int = Field(ge=0, description="0-based UTF-16 column just past the last one.")


class ValidateProblem(WireModel):
    """One problem on one line of a `.jsonl` dataset, counted from 1 as in the text output."""

    severity: Severity
    code: str = Field(description="Stable identifier of the kind of problem.")
    message: str
    line: int = Field(ge=1, description="1-based line of the file.")
    column: int = Field(
        ge=1, description="1-based column of the problem's first character, in UTF-16 code units."
    )
    end_column: int = Field(
        ge=1,
        description="1-based column just past the problem's last character (exclusive), in UTF-16 "
        "code units; equal to column for an empty span, such as the end of a cut-off line.",
    )


class TokenDistribution(WireModel):
    """How token counts spread over the examples; median and p90 interpolate linearly."""

    min: int
    median: float
    p90: float
    max: int


class DatasetSummary(WireModel):
    """What the valid examples add up to, counted with the training model's tokenizer."""

    records: int = Field(description="Non-blank lines.")
    examples: int = Field(description="Records without errors: what a trainer would accept.")
    example_tokens: TokenDistribution | None = Field(
        description="Tokens per example (the OpenAI cookbook estimate); null without examples."
    )
    assistant_tokens_total: int = Field(
        description="Tokens of the assistant messages trained on (weight 0 excluded)."
    )
    assistant_tokens: TokenDistribution | None = Field(
        description="Assistant tokens per example; null without examples."
    )
    missing_system: int = Field(description="Examples without a system (or developer) message.")
    missing_user: int = Field(description="Examples without a user message.")
    too_long: int = Field(description="Examples over maxSequenceTokens, which trainers truncate.")
    max_sequence_tokens: int = Field(description="The maximum example length assumed, in tokens.")
    max_sequence_tokens_source: ValueSource = Field(
        description="Where maxSequenceTokens came from: the CLI's --max-sequence-tokens (flag), "
        "the promptweight.maxSequenceTokens setting (setting), or the default."
    )
    epochs: int = Field(description="The epochs assumed for estimatedTrainingTokens.")
    epochs_source: ValueSource = Field(
        description="Where epochs came from: the CLI's --epochs (flag), a setting, or the default."
    )
    estimated_training_tokens: int = Field(
        description="epochs times the examples' tokens, each counted at most maxSequenceTokens."
    )
    guidance: str = Field(description="Whether the number of examples is enough to fine-tune.")


class DatasetReport(WireModel):
    """The validator's report; positions are LSP's (0-based), as the editor uses them."""

    path: str | None
    problems: list[DatasetProblem] = Field(description="In line order, at most maxProblems.")
    omitted_problems: int = Field(ge=0, description="Problems found beyond maxProblems.")
    error_count: int = Field(ge=0, description="Error-severity problems, omitted ones included.")
    warning_count: int = Field(ge=0, description="Warnings, omitted ones included.")
    summary: DatasetSummary


class ValidateReport(WireModel):
    """The whole output of `promptweight validate --format json`: lines and columns 1-based."""

    path: str | None
    problems: list[ValidateProblem] = Field(description="In line order, at most maxProblems.")
    omitted_problems: int = Field(ge=0, description="Problems found beyond maxProblems.")
    error_count: int = Field(ge=0, description="Error-severity problems, omitted ones included.")
    warning_count: int = Field(ge=0, description="Warnings, omitted ones included.")
    summary: DatasetSummary
