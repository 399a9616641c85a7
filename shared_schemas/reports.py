"""Wire models of the client's views: a prompt's token report and a training run's history."""

from __future__ import annotations

from pydantic import Field

from shared_schemas.messages import ExampleKind, MessageReport, PromptFigures, PromptFormat, Range
from shared_schemas.training import RunSummary
from shared_schemas.wire import WireModel


class TokenReportParams(WireModel):
    """Request `promptweight/tokenReport`, client to server: the report of an open prompt."""

    uri: str


class ExampleTokens(WireModel):
    """One few-shot example's weight; its texts stay in the file (a label is enough to chart)."""

    label: str = Field(description="The start of its input, on one line, for the chart's axis.")
    kind: ExampleKind
    input_tokens: int
    output_tokens: int
    range: Range


class VolumeCost(WireModel):
    calls_per_day: int
    cost_per_month_usd: float = Field(description="30 days at this volume.")
    configured: bool = Field(description="The volume the settings or the file configure.")


class TokenReport(PromptFigures):
    """Where one prompt's tokens go, as of `version`: per message, per example, and the money."""

    uri: str
    version: int
    format: PromptFormat
    model: str
    encoding: str
    exact: bool = Field(description="False when the tokenizer only approximates the model's.")
    note: str | None = Field(default=None, description="Why counts are approximate, if they are.")
    prompt_tokens: int
    messages: list[MessageReport] = Field(description="In file order; the first 500.")
    omitted_messages: int = Field(default=0, description="Messages after the first 500.")
    few_shot_examples: list[ExampleTokens] = Field(description="In file order; the first 500.")
    omitted_examples: int = Field(default=0, description="Examples after the first 500.")
    volumes: list[VolumeCost] = Field(
        description="Cost per month at 1k, 10k and 100k calls/day and the configured volume."
    )


class TokenReportResult(WireModel):
    report: TokenReport | None = Field(
        description="null when the document is not open, not a prompt, or was not counted."
    )
    reason: str | None = Field(default=None, description="Why there is no report.")


class TrainingHistoryParams(WireModel):
    """Request `promptweight/trainingHistory`, client to server: one run's events so far."""

    config: str = Field(description="The URI of the run's `promptweight.train.yaml`.")
    run_dir: str | None = Field(
        default=None, description="A run folder under the config's outputDir; null: the newest."
    )


class TrainingHistory(WireModel):
    run: RunSummary | None = Field(description="null when the config or the run is not found.")
