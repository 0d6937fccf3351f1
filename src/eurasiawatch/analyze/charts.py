"""Charts of indicator series, as PNG and SVG, with alt text, for an email and a web page.

Choices, so that a chart reads at 600 px wide in an email: a 16:9 figure drawn at 200 dpi (1280×720
PNG), 15–19 pt text, the axes labelled with the unit, a source line under the plot, no box, no
background grid except faint horizontal lines, and the Okabe–Ito palette (safe for colour-blind
readers) with a second cue besides colour (solid vs dashed line, direct labels instead of a legend).
Monthly series are drawn year over year (January–December on the x axis, one line per year), which
is how "against the same months a year earlier" is read; other series as one line over time.

matplotlib is imported inside ``chart_series`` on the Agg backend (no display, no pyplot state).
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from typing import Any

from .indicators import Change, IndicatorSeries, parse_period

__all__ = ["Chart", "chart_series"]

# Okabe–Ito: blue, orange, then a neutral grey for older years
_CURRENT, _PREVIOUS, _OLDER = "#0072B2", "#E69F00", "#999999"
_INK, _FAINT = "#222222", "#DDDDDD"
_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True, kw_only=True)
class Chart:
    """A rendered chart: PNG bytes, SVG text and the alt text to put beside it."""

    png: bytes
    svg: str
    alt_text: str
    title: str


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"


def _alt_text(series: IndicatorSeries, change: Change | None, kind: str) -> str:
    values = [v for _, v in series.points]
    low = min(series.points, key=lambda pv: pv[1])
    high = max(series.points, key=lambda pv: pv[1])
    parts = [
        f"{kind} of {series.title()}, {series.frequency}, in {series.unit}, "
        f"{series.points[0][0]} to {series.points[-1][0]} ({len(values)} points).",
        f"Lowest {_number(low[1])} in {low[0]}; highest {_number(high[1])} in {high[0]}; "
        f"latest {_number(values[-1])} in {series.points[-1][0]}.",
    ]
    if change is not None:
        parts.append(change.sentence)
    else:
        parts.append(f"Source: {series.source}.")
    if series.synthetic:
        parts.append("Synthetic data, not real figures.")
    return " ".join(parts)


def chart_series(series: IndicatorSeries, *, change: Change | None = None, years: int = 2) -> Chart:
    """Draw a series as PNG and SVG, with alt text.

    Args:
        series: the series (at least one point).
        change: the change to put in the subtitle and the alt text (``describe_change``), if any.
        years: for monthly series, how many calendar years to draw, latest last (2 or 3 read best).

    Raises:
        ValueError: a series without points.
    """
    if not series.points:
        raise ValueError(f"series {series.label} has no points to chart")
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    style: dict[str, Any] = {
        "font.size": 15,
        "axes.titlesize": 19,
        "axes.labelsize": 15,
        "xtick.labelsize": 14,
        "ytick.labelsize": 14,
        "svg.fonttype": "none",  # text stays text in the SVG: selectable, searchable, smaller
        "svg.hashsalt": "eurasiawatch",  # stable element ids, so the same chart gives the same file
    }
    with matplotlib.rc_context(style):  # type: ignore[arg-type]
        fig = Figure(figsize=(6.4, 3.6), dpi=200, layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        monthly = series.frequency == "monthly"
        if monthly:
            by_year: dict[int, dict[int, float]] = {}
            for period, value in series.points:
                year, month, _ = parse_period(period)
                by_year.setdefault(year, {})[month] = value
            shown = sorted(by_year)[-max(1, years) :]
            for i, year in enumerate(reversed(shown)):
                months = sorted(by_year[year])
                colour = (_CURRENT, _PREVIOUS)[i] if i < 2 else _OLDER
                line = ax.plot(
                    months,
                    [by_year[year][m] for m in months],
                    color=colour,
                    linewidth=3 if i == 0 else 2.2,
                    linestyle="-" if i == 0 else "--",
                    marker="o" if i == 0 else None,
                    markersize=5,
                    zorder=3 - min(i, 2),
                )[0]
                ax.annotate(
                    str(year),
                    xy=(months[-1], by_year[year][months[-1]]),
                    xytext=(8, 0),
                    textcoords="offset points",
                    va="center",
                    color=line.get_color(),
                    fontweight="bold" if i == 0 else "normal",
                    fontsize=15,
                )
            ax.set_xticks(range(1, 13), _MONTH_ABBR)
            ax.set_xlim(0.6, 13.6)
            kind = "Line chart, one line per year,"
        else:
            labels = [p for p, _ in series.points]
            ax.plot(
                range(len(labels)), [v for _, v in series.points], color=_CURRENT, linewidth=3, marker="o"
            )
            step = max(1, len(labels) // 8)
            ax.set_xticks(range(0, len(labels), step), labels[::step])
            kind = "Line chart"
        ax.set_ylim(bottom=0)
        ax.set_ylabel(series.unit)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
        ax.grid(axis="y", color=_FAINT, linewidth=0.8)
        ax.set_axisbelow(True)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.tick_params(axis="y", length=0)
        ax.tick_params(colors=_INK)
        hs = f", HS {series.hs_code}" if series.hs_code else ""
        title = f"{series.measure[:1].upper()}{series.measure[1:]}: {series.reporter} → {series.partner}{hs}"
        ax.set_title("\n".join(textwrap.wrap(title, 52)), loc="left", color=_INK, fontweight="bold", pad=10)
        footer = f"Source: {series.source}"
        if series.synthetic:
            footer = "SYNTHETIC DATA, not real figures. " + footer
        if change is not None and change.percent is not None:
            footer = (
                f"{change.label}: {change.percent:+.0f}% against {change.comparison}. ".replace("-", "−")
                + footer
            )
        footer_lines = textwrap.wrap(footer, 80)
        fig.text(0.01, 0.01, "\n".join(footer_lines), fontsize=10.5, color="#555555", va="bottom")
        bottom = 0.02 + 0.045 * len(
            footer_lines
        )  # room for the footer; rect is (left, bottom, width, height)
        layout: Any = fig.get_layout_engine()
        layout.set(rect=(0, bottom, 1, 0.99 - bottom))
        png = io.BytesIO()
        fig.savefig(png, format="png", metadata={"Software": None})
        svg = io.StringIO()
        fig.savefig(svg, format="svg", metadata={"Date": None})
    return Chart(
        png=png.getvalue(), svg=svg.getvalue(), alt_text=_alt_text(series, change, kind), title=title
    )
