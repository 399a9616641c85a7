"""`promptweight advise FILE --chart OUT`: monthly cost against calls per day, prompting against
each fine-tuned option (its training paid back over `advisor.paybackDays`), with the break-even
and the file's own volume marked. PNG or SVG by the file's suffix, drawn with matplotlib (the
`[chart]` extra), which loads only here.

Every point is the advisor's own arithmetic (`cost_curve`, `break_even` at that volume), so the
chart and the report cannot disagree: the local model's steps are where one more GPU is
needed."""

from __future__ import annotations

from pathlib import Path

from server.core.advisor.advisor_settings import AdvisorSettings
from server.core.advisor.break_even import break_even, cost_curve, curve_volumes
from server.core.prompt_analysis import PromptAnalysis

POINTS = 120
FORMATS = {".png", ".svg"}


class ChartError(ValueError):
    """The chart cannot be drawn; the message says why."""


def write_chart(
    analysis: PromptAnalysis,
    settings: AdvisorSettings,
    training_tokens: int | None,
    out: Path,
) -> None:
    if out.suffix.lower() not in FORMATS:
        raise ChartError(f"{out.name}: the chart is written as .png or .svg")
    figures = analysis.figures
    here = break_even(analysis, settings, training_tokens)
    if figures is None or here is None:
        raise ChartError("no prices for this prompt's model: nothing to chart")
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display: files only
        from matplotlib import pyplot
    except ImportError as error:
        raise ChartError(
            f"{error}: install the chart extra (pip install 'promptweight[chart]')"
        ) from error

    volumes = curve_volumes(figures.calls_per_day, here.break_even_calls_per_day, POINTS)
    curve = cost_curve(analysis, settings, training_tokens, volumes)
    series: dict[str, list[float]] = {(here.prompting_cached or here.prompting).name: []}
    for point in curve:
        next(iter(series.values())).append(point.prompting_usd_per_month)
        for name, cost in point.fine_tuned_usd_per_month.items():
            series.setdefault(name, []).append(cost)
    volumes = [point.calls_per_day for point in curve]

    figure, axes = pyplot.subplots(figsize=(8, 4.5), layout="constrained")
    for name, costs in series.items():
        axes.plot(volumes, costs, label=name, linewidth=2)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("calls per day")
    axes.set_ylabel("US dollars per month")
    axes.set_title(f"{analysis.model.entry.id}: prompting or fine-tuning")
    axes.axvline(figures.calls_per_day, color="grey", linestyle=":", label="this prompt's volume")
    if here.break_even_calls_per_day:
        axes.axvline(
            here.break_even_calls_per_day,
            color="black",
            linestyle="--",
            label=f"break-even: {here.break_even_calls_per_day:,} calls/day",
        )
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.savefig(out, format=out.suffix.lower().lstrip("."))
    pyplot.close(figure)
