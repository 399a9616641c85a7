"""The advisor's answer for a prompt file: keep prompting, fine-tune, or combine both, with each
condition measured against its threshold, the break-even volume, and what would flip the
verdict. `promptweight advise --format json` prints an `AdviceReport`; the editor's lens, hover
and report show the same `FileAdvice`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared_schemas.wire import WireModel

Verdict = Literal["keep-prompting", "fine-tune", "combine"]
ConditionId = Literal[
    "format-stability",
    "requirements-settled",
    "labelled-examples",
    "volume",
    "ceilings",
    "knowledge-in-context",
    "task-diversity",
]


class Evidence(WireModel):
    """Where a measurement comes from: a range of lines in the prompt, or another file."""

    text: str
    path: str | None = Field(default=None, description="Another file; null: the prompt itself.")
    start_line: int | None = Field(default=None, ge=1, description="1-based, like the CLI's.")
    end_line: int | None = Field(default=None, ge=1)


class Condition(WireModel):
    id: ConditionId
    label: str = Field(description="What is asked, e.g. `Output format is stable`.")
    value: str = Field(description="The measured value as shown, e.g. `6 of 6 (100%)`.")
    measured: float | None = Field(description="The number behind `value`; null: not measured.")
    threshold: str = Field(description="What passes, e.g. `≥ 90%`; each is a setting.")
    passed: bool | None = Field(
        alias="pass",
        description="Whether it favours fine-tuning; null when it could not be measured.",
    )
    evidence: list[Evidence] = Field(default_factory=list)
    note: str | None = Field(default=None, description="Why not measured, or what it means.")


class CostOption(WireModel):
    """One way to serve the task, per call and per month at the file's call volume."""

    name: str = Field(description="e.g. `prompting (cached)`, `local QLoRA`, `API fine-tune`.")
    input_tokens: int = Field(description="Prompt tokens sent per call.")
    cost_per_call_usd: float
    cost_per_month_usd: float
    training_cost_usd: float = Field(default=0.0, description="One-off, before the first call.")


class CurvePoint(WireModel):
    """Monthly costs at one volume: prompting (the figure the verdict uses) and each fine-tuned
    option, its training paid back over `advisor.paybackDays`."""

    calls_per_day: int
    prompting_usd_per_month: float
    fine_tuned_usd_per_month: dict[str, float] = Field(description="By option name.")


class BreakEven(WireModel):
    calls_per_day: int = Field(description="The volume the verdict was made at.")
    tokens_saved_per_call: int = Field(
        description="Few-shot examples and declared output format a fine-tune removes, measured."
    )
    prompting: CostOption = Field(description="The prompt as it is, without caching.")
    prompting_cached: CostOption | None = Field(
        description="With the static prefix cached at `advisor.cacheHitRate`; null when the "
        "model has no cached price or the prefix is below its cache minimum."
    )
    fine_tuned: list[CostOption] = Field(description="Local QLoRA first, then an API fine-tune.")
    cheapest_fine_tuned: str | None = Field(description="The `name` of the cheaper option.")
    saving_per_call_usd: float | None = Field(
        description="Against the prompting figure the verdict uses; negative: it costs more."
    )
    break_even_calls_per_day: int | None = Field(
        description="The volume at which the training cost pays back within "
        "`advisor.paybackDays`; null when a fine-tune never saves money per call."
    )
    payback_days: float | None = Field(description="At the file's volume; null: never.")
    caching_saving_per_month_usd: float | None = Field(
        default=None, description="What caching alone saves, at the file's volume."
    )
    notes: list[str] = Field(
        default_factory=list,
        description="What the figures assume or lack: estimated training tokens, an unknown "
        "training price, a provider's end of fine-tuning.",
    )
    curve: list[CurvePoint] = Field(
        default_factory=list,
        description="Costs from 10 calls/day to ten times the larger of the file's volume and "
        "the break-even, for a chart.",
    )


class Flip(WireModel):
    condition: ConditionId
    text: str = Field(description="e.g. `at 12,400 calls/day or more`.")


class Proof(WireModel):
    """The newest fine-tune of this prompt, compared with the prompt (`promptweight eval`)."""

    run_dir: str
    device: str
    examples: int = Field(description="Held-out examples both were asked.")
    valid_rate_full: float | None = Field(description="The base model with the full prompt.")
    valid_rate_short: float | None = Field(description="The adapter with the short prompt.")
    match_rate_full: float
    match_rate_short: float
    prompt_tokens_full: float
    prompt_tokens_short: float
    seconds_per_call_short: float
    serving_tokens_per_second: float | None = Field(
        description="Measured on a GPU and used for the local model's costs; null on a CPU."
    )
    saving_per_month_usd: float | None


class FileAdvice(WireModel):
    path: str
    verdict: Verdict
    summary: str = Field(description="One line: `Fine-tune · 4 of 6 conditions · break-even …`.")
    reasons: list[str] = Field(description="Why this verdict, in order.")
    conditions: list[Condition]
    break_even: BreakEven | None = Field(description="Null when the prompt has no prices.")
    flips: list[Flip] = Field(description="What would change the verdict.")
    not_measured: list[str] = Field(
        default_factory=list, description="What could not be measured, and why."
    )
    proof: Proof | None = Field(default=None, description="After a fine-tune and its eval.")


class AdviceReport(WireModel):
    """`promptweight advise --format json`."""

    files: list[FileAdvice]


class AdviceParams(WireModel):
    """Request `promptweight/advice`: the advice of an open prompt."""

    uri: str


class AdviceResult(WireModel):
    advice: FileAdvice | None = Field(description="Null when the document is no prompt.")
