"""The token report's numbers: monthly costs at several volumes, each message's and example's
tokens after live recounts (equal to a full analysis's), and the examples' chart labels."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from server.core.live_counts import LiveCounts
from server.core.prompt_analysis import AnalysisSettings, analyse_prompt
from server.core.token_report import analysed_weights, example_label, live_weights, volume_costs
from tests.test_economics import figures
from tests.test_live_counts import DOCUMENTS, edit

VOLUMES = [
    # configured calls/day, the volumes reported
    (1000, [1_000, 10_000, 100_000]),
    (250, [250, 1_000, 10_000, 100_000]),
    (1_000_000, [1_000, 10_000, 100_000, 1_000_000]),
]


@pytest.mark.parametrize(("configured", "volumes"), VOLUMES)
def test_the_configured_volume_joins_the_standard_ones_in_order(
    configured: int, volumes: list[int]
) -> None:
    costs = volume_costs(figures(calls_per_day=configured))
    assert [c.calls_per_day for c in costs] == volumes
    assert [c.calls_per_day for c in costs if c.configured] == [configured]


@pytest.mark.parametrize("calls", [1_000, 10_000, 100_000])
def test_each_volumes_monthly_cost_is_the_figures_own_at_that_volume(calls: int) -> None:
    base = figures(calls_per_day=7)
    [cost] = [c for c in volume_costs(base) if c.calls_per_day == calls]
    assert cost.cost_per_month_usd == pytest.approx(
        replace(base, calls_per_day=calls).cost_per_month_usd
    )
    assert cost.cost_per_month_usd == pytest.approx(base.cost_per_call_usd * calls * 30)


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
@pytest.mark.parametrize("seed", range(4))
def test_live_weights_equal_a_full_analysis_after_each_plain_edit(name: str, seed: int) -> None:
    rng = random.Random(seed)
    text = DOCUMENTS[name]
    live = LiveCounts.of(analyse_prompt(name, text, AnalysisSettings()), text)
    for _ in range(40):
        text = edit(text, rng)
        full = analyse_prompt(name, text, AnalysisSettings())
        if live is not None and live.apply(text) is not None:
            assert live_weights(live) == analysed_weights(full)
        else:
            live = LiveCounts.of(full, text)


LABELS = [
    ("short input kept whole", "The VPN drops.", "The VPN drops."),
    ("whitespace collapsed onto one line", "Printer\n\n  on   fire", "Printer on fire"),
    (
        "long input cut at a word",
        "Customers report that the nightly export to the billing warehouse fails",
        "Customers report that the nightly export to the…",
    ),
    ("empty input", "", ""),
]


@pytest.mark.parametrize(("text", "label"), [c[1:] for c in LABELS], ids=[c[0] for c in LABELS])
def test_an_examples_label_is_its_input_on_one_short_line(text: str, label: str) -> None:
    assert example_label(text) == label


def test_a_megabyte_input_is_labelled_from_its_start_alone() -> None:
    assert example_label("word " * 200_000) == ("word " * 9).strip() + "…"
