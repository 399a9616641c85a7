"""The break-even arithmetic against figures worked out by hand, and the volume condition.

The prompt of `prompty()` at gpt-4o-mini ($0.15 input, $0.075 cached, $0.60 output; fine-tuned
$0.30 / $1.20 per million), with its hand-worked figures:
- messages 1,507 + 3 tokens, framing 9: 1,519 tokens sent; 100 out; 1,000 calls/day.
- saved: the example's 500 + 1 tokens = 501.
- prompting: 1,519 * 0.15e-6 + 100 * 0.6e-6 = 0.00028785 per call, $8.6355 a month.
- cached: the 1,513-token prefix at half price on half the calls:
  0.00028785 - 0.5 * 1,513 * 0.075e-6 = 0.0002311125 per call, $6.933375 a month; caching
  alone saves 0.0000567375 * 30,000 = $1.702125 a month.
- local QLoRA at $0.36 a GPU-hour and 1,000 tokens/s: one GPU kept for the task costs 24 *
  0.36 = $8.64 a day and serves 86.4M / (1,519 - 501 + 100) = 77,280.86 calls a day; at 1,000
  calls that is 0.00864 per call, $259.20 a month; training 36M tokens at 1,000 tokens/s:
  36e6 / 1,000 / 3,600 * 0.36 = $3.60.
- API fine-tune: 1,018 * 0.30e-6 + 100 * 1.20e-6 = 0.0004254 per call, $12.762 a month: the
  cheaper at 1,000 calls/day, yet dearer than cached prompting: saving 0.0002311125 - 0.0004254
  = -0.0001942875, no payback.
- break-even: the API fine-tune never saves; the local model's GPU earns 0.0002311125 *
  77,280.86 - 8.64 = $9.22 a day when busy, more than 3.60 / 90 = $0.04, so one GPU does:
  ceil((8.64 + 0.04) / 0.0002311125) = ceil(37,557.7) = 37,558 calls/day.
"""

from __future__ import annotations

import pytest

from server.core.advisor.advisor_settings import AdvisorSettings
from server.core.advisor.break_even import break_even, tokens_saved, volume
from server.core.encodings import get_encoding
from shared_schemas.model_catalog import ModelOverride
from tests.advisor.priced_prompts import analysed, prompty

SETTINGS = AdvisorSettings(
    gpu_hour_usd=0.36,
    serving_tokens_per_second=1000,
    training_tokens_per_second=1000,
    cache_hit_rate=0.5,
    payback_days=90,
)
TRAINING_TOKENS = 36_000_000


def test_hand_worked_figures() -> None:
    analysis = analysed(prompty())
    assert (analysis.message_tokens, analysis.example_tokens) == ((1507, 3), ((500, 1),))
    result = break_even(analysis, SETTINGS, TRAINING_TOKENS)
    assert result is not None
    assert (result.calls_per_day, result.tokens_saved_per_call) == (1000, 501)
    assert result.prompting_cached is not None
    options = [result.prompting, result.prompting_cached, *result.fine_tuned]
    assert [(o.name, o.input_tokens) for o in options] == [
        ("prompting", 1519),
        ("prompting (cached)", 1519),
        ("local QLoRA", 1018),
        ("API fine-tune", 1018),
    ]
    per_call = [0.00028785, 0.0002311125, 0.00864, 0.0004254]
    assert [o.cost_per_call_usd for o in options] == pytest.approx(per_call)
    per_month = [8.6355, 6.933375, 259.2, 12.762]
    assert [o.cost_per_month_usd for o in options] == pytest.approx(per_month)
    assert [o.training_cost_usd for o in options] == pytest.approx([0, 0, 3.6, 0])
    assert result.cheapest_fine_tuned == "API fine-tune"
    assert result.saving_per_call_usd == pytest.approx(-0.0001942875)
    assert result.break_even_calls_per_day == 37_558
    assert result.payback_days is None
    assert result.caching_saving_per_month_usd == pytest.approx(1.702125)


def test_the_verdict_compares_with_the_uncached_figure_when_the_prefix_is_too_short() -> None:
    # 3 + 157 + 3 = 163 prefix tokens, below 1,024: no cached figure. Sent 169 (160 + 9), saved
    # 51. Prompting: 169 * 0.15e-6 + 100 * 0.6e-6 = 0.00008535; the API fine-tune, cheaper than
    # a GPU's $8.64 a day over 1,000 calls: 118 * 0.3e-6 + 100 * 1.2e-6 = 0.0001554.
    result = break_even(analysed(prompty(system_words=100, example_words=50)), SETTINGS, None)
    assert result is not None
    assert (result.prompting_cached, result.caching_saving_per_month_usd) == (None, None)
    assert result.saving_per_call_usd == pytest.approx(0.00008535 - 0.0001554)


CHEAPEST = [
    # GPU-hour price, cheapest option, saving per call, break-even calls/day
    # At half a cent an hour a GPU costs $0.12 a day, 0.00012 per call at 1,000 calls: saving
    # 0.0002311125 - 0.00012; training 36e6 / 3.6e6 * 0.005 = $0.05, so the break-even is
    # ceil((0.12 + 0.05 / 90) / 0.0002311125) = ceil(521.63) = 522 calls/day.
    (0.005, "local QLoRA", 0.0001111125, 522),
    # At $10 an hour a GPU costs $240 a day, more than a busy one saves (0.0002311125 *
    # 77,280.86 = $17.86); the API fine-tune's 0.0004254 is dearer than cached prompting:
    # 0.0002311125 - 0.0004254 = -0.0001942875, so no volume pays back.
    (10.0, "API fine-tune", -0.0001942875, None),
]


@pytest.mark.parametrize(("gpu_hour_usd", "cheapest", "saving", "needed"), CHEAPEST)
def test_the_cheaper_fine_tune_sets_the_saving(
    gpu_hour_usd: float, cheapest: str, saving: float, needed: int | None
) -> None:
    settings = AdvisorSettings(
        gpu_hour_usd=gpu_hour_usd,
        serving_tokens_per_second=1000,
        training_tokens_per_second=1000,
    )
    result = break_even(analysed(prompty()), settings, TRAINING_TOKENS)
    assert result is not None
    assert result.cheapest_fine_tuned == cheapest
    assert result.saving_per_call_usd == pytest.approx(saving)
    assert result.break_even_calls_per_day == needed


def test_a_negative_saving_has_no_break_even_and_fails_the_volume() -> None:
    # At $1 a GPU-hour a GPU costs $24 a day, more than a busy one saves ($17.86, above); the
    # API fine-tune's 0.0004254 per call is dearer than cached prompting's 0.0002311125.
    settings = AdvisorSettings(gpu_hour_usd=1.0, serving_tokens_per_second=1000)
    result = break_even(analysed(prompty()), settings, TRAINING_TOKENS)
    assert result is not None
    assert result.saving_per_call_usd == pytest.approx(0.0002311125 - 0.0004254)
    assert (result.break_even_calls_per_day, result.payback_days) == (None, None)
    condition = volume(result, settings)
    assert (condition.passed, condition.threshold) == (
        False,
        "a fine-tune cheaper per call than prompting",
    )


VOLUMES = [
    # calls/day in the file, passes; the break-even stays 37,558 (it does not depend on volume)
    (40_000, True),
    (37_558, True),
    (37_557, False),
]


@pytest.mark.parametrize(("calls", "passes"), VOLUMES)
def test_volume_passes_at_the_break_even_or_more(calls: int, passes: bool) -> None:
    result = break_even(analysed(prompty(calls_per_day=calls)), SETTINGS, TRAINING_TOKENS)
    condition = volume(result, SETTINGS)
    assert (condition.id, condition.value, condition.measured) == (
        "volume",
        f"{calls:,} calls/day",
        float(calls),
    )
    assert condition.threshold == "≥ 37,558 calls/day (break-even)"
    assert condition.passed is passes


MISSING_PRICES = [
    pytest.param('{"not": "a prompt"}', "triage.json", None, id="not-a-prompt"),
    pytest.param(
        prompty(model="house"),
        "triage.prompty",
        {
            "house": ModelOverride(
                context_window=8000, input_usd_per_million=0, output_usd_per_million=0
            )
        },
        id="model-priced-at-zero",
    ),
]


@pytest.mark.parametrize(("text", "file_name", "overrides"), MISSING_PRICES)
def test_without_prices_the_volume_is_not_measured(
    text: str, file_name: str, overrides: dict[str, ModelOverride] | None
) -> None:
    result = break_even(analysed(text, file_name, overrides), SETTINGS, TRAINING_TOKENS)
    assert result is None
    condition = volume(result, SETTINGS)
    assert (condition.value, condition.measured, condition.passed) == ("not measured", None, None)


def test_training_tokens_are_estimated_from_the_examples_without_a_dataset() -> None:
    # One example of 501 tokens, taken as min_examples = 100 of them, 3 epochs: 150,300 tokens;
    # 150,300 / 1,000 / 3,600 * 0.36 = $0.01503.
    result = break_even(analysed(prompty()), SETTINGS, None)
    assert result is not None
    assert result.fine_tuned[0].training_cost_usd == pytest.approx(0.01503)
    assert any("estimated: 150,300" in note for note in result.notes)


def test_a_declared_output_schema_is_saved_with_the_examples() -> None:
    schema = "outputs:\n  label:\n    type: string\n"
    analysis = analysed(prompty(frontmatter=schema))
    compact = len(get_encoding("o200k_base").encode_ordinary('[{"label":{"type":"string"}}]'))
    assert tokens_saved(analysis) == 501 + compact


FINE_TUNES = [
    # model, fine-tuned options: only OpenAI's models have fine-tuned prices in the catalog
    ("gpt-4o-mini", ["local QLoRA", "API fine-tune"]),
    ("claude-sonnet-4-5", ["local QLoRA"]),
]


@pytest.mark.parametrize(("model", "names"), FINE_TUNES)
def test_an_api_fine_tune_is_offered_where_the_catalog_prices_one(
    model: str, names: list[str]
) -> None:
    result = break_even(analysed(prompty(model=model)), SETTINGS, TRAINING_TOKENS)
    assert result is not None
    assert [option.name for option in result.fine_tuned] == names


def test_notes_say_what_the_figures_assume() -> None:
    result = break_even(analysed(prompty()), SETTINGS, TRAINING_TOKENS)
    assert result is not None
    assert result.notes == [
        # 24 h * $0.36 = $8.64; 86.4M tokens / 1,118 = 77,281 calls
        "local QLoRA keeps 1 GPU(s) for this prompt at 1,000 calls/day ($8.64 a day; one "
        "serves 77,281 calls a day)",
        "API fine-tune: training price unknown (the catalog has none), counted as $0",
        "OpenAI takes no new fine-tuning jobs after 2027-01-06",
    ]


def test_the_cost_curve_crosses_at_the_break_even() -> None:
    from server.core.advisor.break_even import cost_curve, curve_volumes

    analysis = analysed(prompty())
    result = break_even(analysis, SETTINGS, TRAINING_TOKENS)
    assert result is not None and result.break_even_calls_per_day == 37_558
    volumes = curve_volumes(1000, 37_558, points=9)
    assert {10, 1000, 37_558, 375_580} <= set(volumes)
    at = {p.calls_per_day: p for p in cost_curve(analysis, SETTINGS, TRAINING_TOKENS, volumes)}
    before = cost_curve(analysis, SETTINGS, TRAINING_TOKENS, [37_557])[0]

    def cheapest(point: object) -> float:
        return min(point.fine_tuned_usd_per_month.values())  # type: ignore[attr-defined]

    assert at[37_558].prompting_usd_per_month >= cheapest(at[37_558])
    assert before.prompting_usd_per_month < cheapest(before)
    # The file's own volume: the report's monthly figures, training paid back over 90 days.
    assert at[1000].prompting_usd_per_month == pytest.approx(6.933375)
    assert at[1000].fine_tuned_usd_per_month["local QLoRA"] == pytest.approx(259.2 + 3.6 / 3)
