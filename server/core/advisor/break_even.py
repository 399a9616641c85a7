"""Volume and break-even: at how many calls a day a fine-tune pays its training back.

Definitions, per call unless said otherwise; prices are the catalog's, per million tokens:
- sent tokens = the figures' input tokens (messages, chat framing, tools and output schema)
  plus the runtime budget: what every call sends, prompting or fine-tuned alike (the runtime
  input does not go away with a fine-tune).
- output tokens = the figures' max output tokens.
- tokens saved = the few-shot examples' tokens (inputs and outputs as written, without their
  labels or chat framing) plus the declared output schema's tokens (its compact JSON, counted
  on its own, as `economics.tool_tokens` counts it; tool definitions are not saved). Format
  instructions written as prose are not told apart from other instructions, so they are not
  counted: the saving is a floor.
- prompting = sent * input price + output * output price (`Figures.cost_per_call_usd`).
- prompting (cached) = the same with the static prefix at the cached price on
  `cache_hit_rate` of the calls (`caching.py`); only when the model has a cached price and the
  prefix reaches its cache minimum. The verdict then uses it instead of prompting.
- local QLoRA runs on GPUs kept for the task: each serves serving_tokens_per_second * 86,400
  tokens a day, so N calls a day need gpus(N) = max(1, ceil(N * (sent - saved + output) /
  that)) GPUs, costing gpus(N) * 24 * gpu_hour_usd a day, and a call costs that / N. (Pricing
  only the GPU-seconds a call uses would assume someone else pays for the idle hours: at low
  volume a fine-tune would always look cheaper than it is.)
  Its training = training tokens / training_tokens_per_second / 3600 * gpu_hour_usd.
- training tokens = the given datasets' training tokens, epochs included (as the dataset
  summary's `estimatedTrainingTokens`), when known; else estimated as the mean few-shot example
  (input + output tokens) * max(examples, min_examples) * epochs, or, with no example to take a
  mean of, one call's sent - saved + output tokens in its place; a note says it is estimated.
- API fine-tune (when the catalog has the model's fine-tuned prices) = (sent - saved) *
  fine-tuned input price + output * fine-tuned output price. Its training is priced at 0: the
  LiteLLM table the catalog comes from has no training prices, and a note says so.
- saving = the prompting figure the verdict uses - the cheaper fine-tuned option per call, at
  the file's volume.
- break-even calls/day = the least volume N at which some fine-tuned option pays its training
  back within payback_days: N * prompting - its daily cost at N >= training / payback_days.
  For the API fine-tune that is ceil(training / payback_days / saving); for the local model,
  with c the prompting figure, D a GPU's daily cost, C the calls one GPU serves a day and
  A = training / payback_days, the least number of GPUs g with g * (c * C - D) >= A, then
  N = ceil((g * D + A) / c); none when c * C <= D (even a busy GPU costs more per call).
  Payback days = training / (daily saving) at the file's volume; none when nothing is saved.
- caching saving per month = (prompting - prompting cached) * calls/day * 30.
- month = 30 days (`economics.DAYS_PER_MONTH`).
"""

from __future__ import annotations

import math
from dataclasses import replace

from server.core.advisor.advisor_settings import AdvisorSettings
from server.core.advisor.caching import cached_cost
from server.core.economics import DAYS_PER_MONTH, Figures, tool_tokens
from server.core.prompt_analysis import PromptAnalysis
from shared_schemas.advice import BreakEven, Condition, CostOption, CurvePoint, Evidence

PROMPTING = "prompting"
PROMPTING_CACHED = "prompting (cached)"
LOCAL_QLORA = "local QLoRA"
API_FINE_TUNE = "API fine-tune"
SECONDS_PER_HOUR = 3600
HOURS_PER_DAY = 24
# OpenAI's deprecations page (2026-05-07): no new fine-tuning jobs for anyone after this day.
OPENAI_FINE_TUNING_ENDS = "2027-01-06"


def _per_million(tokens: int, price: float) -> float:
    return tokens * price / 1_000_000


def _option(
    name: str, sent: int, per_call: float, calls_per_day: int, training: float = 0.0
) -> CostOption:
    return CostOption(
        name=name,
        input_tokens=sent,
        cost_per_call_usd=per_call,
        cost_per_month_usd=per_call * calls_per_day * DAYS_PER_MONTH,
        training_cost_usd=training,
    )


def tokens_saved(analysis: PromptAnalysis) -> int:
    """Few-shot example tokens plus the declared output schema's, per call."""
    figures, document = analysis.figures, analysis.document
    if figures is None or document is None:
        return 0
    schema = 0
    if document.metadata.output_schema is not None:
        schema = tool_tokens(replace(document.metadata, tools=[]), analysis.model.counter)
    return figures.few_shot_tokens + schema


def _training_tokens(analysis: PromptAnalysis, settings: AdvisorSettings, per_call: int) -> int:
    """The estimate for a prompt without datasets (see the module's definitions)."""
    examples = analysis.example_tokens
    mean = sum(given + answer for given, answer in examples) / len(examples) if examples else 0
    per_example = mean if examples else per_call
    return math.ceil(per_example * max(len(examples), settings.min_examples) * settings.epochs)


class LocalServing:
    """GPUs kept for the task, each serving `serving_tokens_per_second` all day."""

    def __init__(self, tokens_per_call: int, settings: AdvisorSettings) -> None:
        self.gpu_day_usd = HOURS_PER_DAY * settings.gpu_hour_usd
        per_gpu = settings.serving_tokens_per_second * SECONDS_PER_HOUR * HOURS_PER_DAY
        self.calls_per_gpu = per_gpu / max(tokens_per_call, 1)

    def gpus(self, calls: int) -> int:
        return max(1, math.ceil(round(calls / self.calls_per_gpu, 9)))

    def daily_cost(self, calls: int) -> float:
        return self.gpus(calls) * self.gpu_day_usd

    def break_even(self, price: float, training_per_day: float) -> int | None:
        """The least calls a day at which `price` per call pays the GPUs and the training."""
        margin = price * self.calls_per_gpu - self.gpu_day_usd  # what a busy GPU earns a day
        if margin <= 0:
            return None
        gpus = max(1, math.ceil(round(training_per_day / margin, 9)))
        return max(1, math.ceil(round((gpus * self.gpu_day_usd + training_per_day) / price, 6)))


def _api_break_even(saving: float, training_per_day: float) -> int | None:
    if saving <= 0:
        return None
    # Rounded first, so that float noise (12,400.000000001) does not add a call.
    return max(1, math.ceil(round(training_per_day / saving, 6)))


def _gpu_cost(tokens: float, tokens_per_second: float, gpu_hour_usd: float) -> float:
    return tokens / tokens_per_second / SECONDS_PER_HOUR * gpu_hour_usd


def _priced(figures: Figures) -> bool:
    # A user-added model may give both prices as 0 (one served for free, or not known): then
    # prompting costs nothing to compare with, and the comparison says nothing.
    return figures.input_price_per_million > 0 or figures.output_price_per_million > 0


def break_even(
    analysis: PromptAnalysis, settings: AdvisorSettings, training_tokens: int | None
) -> BreakEven | None:
    """The costs of prompting and of the fine-tuned options, and the volume at which the
    cheaper fine-tune pays its training back; None when the analysis has no figures or its
    model no prices. `training_tokens`: the datasets' training tokens, epochs included, or
    None to estimate them from the prompt's examples."""
    figures = analysis.figures
    if figures is None or not _priced(figures):
        return None
    entry = analysis.model.entry
    calls = figures.calls_per_day
    sent = figures.input_tokens + figures.budget_tokens
    output = figures.max_output_tokens
    saved = min(tokens_saved(analysis), sent)
    notes: list[str] = []

    prompting = _option(PROMPTING, sent, figures.cost_per_call_usd, calls)
    caching = cached_cost(analysis, settings.cache_hit_rate)
    prompting_cached = (
        _option(PROMPTING_CACHED, sent, caching.cost_per_call_usd, calls) if caching else None
    )
    compared = prompting_cached or prompting

    if training_tokens is None:
        training_tokens = _training_tokens(analysis, settings, sent - saved + output)
        notes.append(
            f"training tokens estimated: {training_tokens:,} (the prompt's examples at "
            f"{settings.epochs} epochs, at least {settings.min_examples:,} examples); "
            "no exported dataset was found"
        )
    served = LocalServing(sent - saved + output, settings)
    local = _option(
        LOCAL_QLORA,
        sent - saved,
        served.daily_cost(calls) / max(calls, 1),
        calls,
        _gpu_cost(training_tokens, settings.training_tokens_per_second, settings.gpu_hour_usd),
    )
    fine_tuned = [local]
    notes.append(
        f"{LOCAL_QLORA} keeps {served.gpus(calls)} GPU(s) for this prompt at {calls:,} calls/day "
        f"(${served.daily_cost(calls):,.2f} a day; one serves {served.calls_per_gpu:,.0f} calls "
        "a day)"
    )
    tuned_input = entry.fine_tuned_input_usd_per_million
    tuned_output = entry.fine_tuned_output_usd_per_million
    if tuned_input is not None and tuned_output is not None:
        per_call = _per_million(sent - saved, tuned_input) + _per_million(output, tuned_output)
        fine_tuned.append(_option(API_FINE_TUNE, sent - saved, per_call, calls))
        notes.append(
            f"{API_FINE_TUNE}: training price unknown (the catalog has none), counted as $0"
        )
        if entry.provider == "openai":
            notes.append(f"OpenAI takes no new fine-tuning jobs after {OPENAI_FINE_TUNING_ENDS}")

    # The first listed wins a tie: the local model is what this product trains.
    cheapest = min(fine_tuned, key=lambda option: option.cost_per_call_usd)
    saving = compared.cost_per_call_usd - cheapest.cost_per_call_usd
    price = compared.cost_per_call_usd
    volumes = [served.break_even(price, local.training_cost_usd / settings.payback_days)]
    volumes += [
        _api_break_even(price - o.cost_per_call_usd, o.training_cost_usd / settings.payback_days)
        for o in fine_tuned[1:]
    ]
    reachable = [v for v in volumes if v is not None]
    break_even_calls = min(reachable) if reachable else None
    payback: float | None = None
    if saving > 0 and calls > 0:
        payback = cheapest.training_cost_usd / (saving * calls)
    caching_saving = (
        (prompting.cost_per_call_usd - prompting_cached.cost_per_call_usd) * calls * DAYS_PER_MONTH
        if prompting_cached
        else None
    )
    return BreakEven(
        calls_per_day=calls,
        tokens_saved_per_call=saved,
        prompting=prompting,
        prompting_cached=prompting_cached,
        fine_tuned=fine_tuned,
        cheapest_fine_tuned=cheapest.name,
        saving_per_call_usd=saving,
        break_even_calls_per_day=break_even_calls,
        payback_days=payback,
        caching_saving_per_month_usd=caching_saving,
        notes=notes,
    )


def _usd(amount: float) -> str:
    return f"${amount:,.2f}" if abs(amount) >= 1 else f"${amount:.6f}".rstrip("0").rstrip(".")


def _cheapest(break_even: BreakEven) -> CostOption | None:
    """The option `cheapest_fine_tuned` names; a BreakEven built elsewhere may name none, and
    then the cheapest per call is."""
    named = [o for o in break_even.fine_tuned if o.name == break_even.cheapest_fine_tuned]
    return min(named or break_even.fine_tuned, key=lambda o: o.cost_per_call_usd, default=None)


def volume(break_even: BreakEven | None, settings: AdvisorSettings) -> Condition:
    """Whether the file's calls a day reach the break-even volume."""
    label = "Volume pays a fine-tune back"
    if break_even is None:
        return Condition(
            id="volume",
            label=label,
            value="not measured",
            measured=None,
            threshold="≥ the break-even calls/day",
            passed=None,
            note="no prices: the prompt was not counted, or its model has no prices",
        )
    calls = break_even.calls_per_day
    compared = break_even.prompting_cached or break_even.prompting
    cheapest = _cheapest(break_even)
    evidence = []
    if cheapest is not None:
        evidence.append(
            Evidence(
                text=f"{compared.name} {_usd(compared.cost_per_call_usd)}/call against "
                f"{cheapest.name} {_usd(cheapest.cost_per_call_usd)}/call "
                f"({break_even.tokens_saved_per_call:,} tokens saved per call), training "
                f"{_usd(cheapest.training_cost_usd)}, to pay back within "
                f"{settings.payback_days} days"
            )
        )
    needed = break_even.break_even_calls_per_day
    if needed is None:
        tuned = cheapest.name if cheapest else "no fine-tuned model"
        return Condition(
            id="volume",
            label=label,
            value=f"{calls:,} calls/day",
            measured=float(calls),
            threshold="a fine-tune cheaper per call than prompting",
            passed=False,
            evidence=evidence,
            note="; ".join(
                [
                    f"{tuned} costs no less per call than {compared.name}, so no volume pays "
                    "its training back",
                    *break_even.notes,
                ]
            ),
        )
    return Condition(
        id="volume",
        label=label,
        value=f"{calls:,} calls/day",
        measured=float(calls),
        threshold=f"≥ {needed:,} calls/day (break-even)",
        passed=calls >= needed,
        evidence=evidence,
        note="; ".join(break_even.notes) or None,
    )


def curve_volumes(calls_per_day: int, break_even_calls: int | None, points: int) -> list[int]:
    """Volumes evenly spaced on a log scale from 10 to ten times the larger of the file's
    volume and the break-even (at least 1,000), with both of them in."""
    high = max(10 * max(calls_per_day, break_even_calls or 0), 1000)
    step = (math.log10(high) - 1) / (points - 1)
    volumes = {max(1, round(10 ** (1 + i * step))) for i in range(points)}
    volumes |= {v for v in (calls_per_day, break_even_calls) if v}
    return sorted(volumes)


def cost_curve(
    analysis: PromptAnalysis,
    settings: AdvisorSettings,
    training_tokens: int | None,
    volumes: list[int],
) -> list[CurvePoint]:
    """Each volume's monthly costs, by the same arithmetic as `break_even` at that volume."""
    figures = analysis.figures
    if figures is None:
        return []
    found = []
    for calls in volumes:
        at = break_even(
            replace(analysis, figures=replace(figures, calls_per_day=calls)),
            settings,
            training_tokens,
        )
        if at is None:
            return []
        compared = at.prompting_cached or at.prompting
        found.append(
            CurvePoint(
                calls_per_day=calls,
                prompting_usd_per_month=compared.cost_per_month_usd,
                fine_tuned_usd_per_month={
                    o.name: o.cost_per_month_usd
                    + o.training_cost_usd / settings.payback_days * DAYS_PER_MONTH
                    for o in at.fine_tuned
                },
            )
        )
    return found
