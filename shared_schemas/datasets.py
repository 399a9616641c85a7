"""Wire models of a fine-tuning dataset check: `promptweight validate --format json`."""

from __future__ import annotations

from pydantic import Field

from shared_schemas.messages import Severity
from shared_schemas.wire import WireModel


class DatasetProblem(WireModel):
    """One problem on one line of a `.jsonl` dataset; columns are UTF-16 code units."""

    severity: Severity
    code: str = Field(description="Stable identifier of the kind of problem.")
    message: str
    line: int = Field(ge=0, description="0-based line of the file.")
    start_character: int = Field(ge=0)
    end_character: int = Field(ge=0)


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
    max_sequence_tokens: int
    epochs: int
    estimated_training_tokens: int = Field(
        description="epochs times the examples' tokens, each counted at most maxSequenceTokens."
    )
    guidance: str = Field(description="Whether the number of examples is enough to fine-tune.")


class DatasetReport(WireModel):
    """The whole output of `promptweight validate --format json`."""

    path: str | None
    problems: list[DatasetProblem] = Field(description="In line order, at most maxProblems.")
    omitted_problems: int = Field(ge=0, description="Problems found beyond maxProblems.")
    error_count: int = Field(ge=0, description="Error-severity problems, omitted ones included.")
    warning_count: int = Field(ge=0, description="Warnings, omitted ones included.")
    summary: DatasetSummary
