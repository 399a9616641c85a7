"""The proof after a fine-tune: `promptweight eval RUN_DIR` compares, on the run's held-out
examples, the base model with the prompt's full few-shot prompt against the base model with the
adapter and the short prompt it was trained on. The trainer process (`python -m
server.training eval`) prints an `EvalResult`; the CLI adds the projected saving, which needs
the prompt's model and prices, and prints the `EvalReport` with `--json`."""

from __future__ import annotations

from pydantic import Field

from shared_schemas.wire import WireModel

# `promptweight eval` keeps its report in the run folder under this name.
EVAL_FILE = "eval.json"


class EvalExample(WireModel):
    """One held-out example, answered both ways."""

    input: str = Field(description="The held-out user turn, the same in both prompts.")
    expected: str
    answer_full: str = Field(description="The base model's answer to the full few-shot prompt.")
    answer_short: str = Field(description="The adapter's answer to the short prompt.")
    valid_full: bool | None = Field(
        description="Whether the answer has the expected outputs' format; null: they share none."
    )
    valid_short: bool | None
    match_full: bool = Field(description="The answer equals the expected output (JSON: its value).")
    match_short: bool
    prompt_tokens_full: int = Field(
        description="The base model's tokenizer, with its chat template and generation prompt."
    )
    prompt_tokens_short: int
    held_out: bool = Field(description="False when the run held nothing out (a training example).")
    example_left_out: bool = Field(
        description="The example was one of the prompt's own and was left out of its full "
        "prompt, so that the base model cannot copy the answer."
    )


class EvalTotals(WireModel):
    """One side of the comparison over every example."""

    valid: int | None = Field(description="Answers with the expected format; null: not checked.")
    valid_rate: float | None
    matches: int
    match_rate: float
    prompt_tokens_per_call: float = Field(description="Mean, with the base model's tokenizer.")
    answer_tokens_per_call: float
    seconds_per_call: float = Field(
        description="Generation time over the number of examples, in batches of `batchSize`."
    )


class ProjectedSaving(WireModel):
    """What the short prompt saves at the prompt's call volume, counted with the prompt
    model's own tokenizer (the tokens it is billed for), at its catalog input price."""

    model: str = Field(description="The prompt's model, whose counter and price these are.")
    exact_counts: bool = Field(description="False when that counter is an estimate.")
    prompt_tokens_full: float = Field(
        description="Mean tokens per call: the messages' contents plus the chat framing."
    )
    prompt_tokens_short: float
    tokens_saved_per_call: float
    calls_per_day: int
    input_price_per_million: float
    saving_per_month_usd: float = Field(
        description="Tokens saved per call, times calls per day, 30 days and the input price."
    )


class EvalReport(WireModel):
    run_dir: str
    base_model: str
    prompt_path: str = Field(description="The prompt whose few-shot examples the run learned.")
    format_rule: str = Field(
        description="What a valid format is, from the expected outputs; empty: not checked."
    )
    device: str = Field(default="cpu", description="Where it generated: `cuda` or `cpu`.")
    batch_size: int
    max_new_tokens: int
    examples: list[EvalExample]
    full: EvalTotals = Field(description="The base model with the full few-shot prompt.")
    short: EvalTotals = Field(description="The base model with the adapter, the short prompt.")
    saving: ProjectedSaving | None = Field(
        default=None, description="Added by the CLI; null from the trainer process."
    )


class EvalResult(WireModel):
    """The trainer process's one line: a report, or why there is none."""

    report: EvalReport | None
    error: str | None = None


class CompareAdapterParams(WireModel):
    """Command `promptweight.server.compareAdapter`: the newest fine-tune of this prompt
    against the prompt itself, on the run's held-out examples."""

    prompt: str = Field(description="The prompt's URI.")
    max_new_tokens: int = Field(default=128, ge=1, le=4096)
    batch_size: int = Field(default=8, ge=1, le=512)
