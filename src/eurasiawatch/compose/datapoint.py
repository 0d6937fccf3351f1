"""The data point: an indicator that changed notably, else a reported figure that fits the edition.

:func:`choose_data_point` is pure. It prefers an indicator series whose latest change (measured up
to the window's end, with the sentence :func:`~eurasiawatch.analyze.indicators.describe_change`
writes) is at least ``NOTABLE_CHANGE`` per cent, favouring series about the edition's countries.
With none, it picks the reported figure whose subject names the edition's countries (the lead's
weighing most) and whose measure matches the stories' themes; figures dated after the window, and
rows without a number, are left out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

from ..analyze.indicators import IndicatorSeries, ReportedFigure, describe_change, parse_period
from .edition import DataPoint

__all__ = ["NOTABLE_CHANGE", "THEME_WORDS", "choose_data_point"]

NOTABLE_CHANGE = 20.0  # per cent, either way
# Words of a figure's measure that tie it to a theme of the edition's stories.
THEME_WORDS = {
    "trade": r"export|import|trade|turnover|shipp|goods",
    "technology": r"semiconductor|microelectronic|integrated circuit|camera|surveillance|chip",
    "security": r"military|dual-use|defen[cs]e|battlefield|police|security",
    "investment": r"invest|loan|deal|project",
    "energy": r"\boil\b|\bgas\b|energy|power|pipeline",
}
_YEAR = re.compile(r"\b(19|20)\d\d\b")


def _until(series: IndicatorSeries, end: date) -> IndicatorSeries:
    """The series without the periods that end after ``end`` (a draft replays its own day)."""

    def ends_by(period: str) -> bool:
        year, sub, freq = parse_period(period)
        last_month = {"monthly": sub, "quarterly": 3 * sub, "annual": 12}[freq]
        return (year, last_month) <= (end.year, end.month)

    return replace(series, points=tuple((p, v) for p, v in series.points if ends_by(p)))


def _relevance(text: str, countries: Mapping[str, float]) -> float:
    return sum(w for name, w in countries.items() if name and name in text)


def _series_point(
    series: Sequence[IndicatorSeries], countries: Mapping[str, float], end: date
) -> DataPoint | None:
    best: tuple[float, float, DataPoint] | None = None
    for s in series:
        trimmed = _until(s, end)
        if len(trimmed.points) < 2:
            continue
        try:
            change = describe_change(trimmed)
        except ValueError:
            continue
        notable = change.percent is None and change.current > 0
        if change.percent is not None and abs(change.percent) >= NOTABLE_CHANGE:
            notable = True
        if not notable:
            continue
        size = abs(change.percent) if change.percent is not None else 100.0
        score = _relevance(f"{s.reporter} {s.partner}", countries)
        point = DataPoint(title=s.title()[:1].upper() + s.title()[1:], text=change.sentence, source=s.source)
        if best is None or (score, size) > best[:2]:
            best = (score, size, point)
    return best[2] if best else None


_SOURCE_DAY = re.compile(
    r"\b(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* (\d{4})\b"
    r"|\b(\d{4})-(\d{2})-(\d{2})\b"
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _source_day(f: ReportedFigure) -> date | None:
    """The day the figure's source was published, when the source line says ("Kazinform, 20 Nov 2024")."""
    m = _SOURCE_DAY.search(f.source)
    if m is None:
        return None
    try:
        if m.group(1):
            return date(int(m.group(3)), _MONTHS.index(m.group(2)) + 1, int(m.group(1)))
        return date(int(m.group(4)), int(m.group(5)), int(m.group(6)))
    except ValueError:
        return None


def _figure_year(f: ReportedFigure) -> int | None:
    m = _YEAR.search(f.period or "")
    return int(m.group(0)) if m else None


def _figure_text(f: ReportedFigure) -> str:
    qualifier = f"{f.qualifier} " if f.qualifier else ""
    value = f"{qualifier}{f.value or ''} {f.unit or ''}".strip()
    period = f" ({f.period})" if f.period else ""
    return f"{f.measure[:1].upper()}{f.measure[1:]}, {f.subject}{period}: {value}."


def _figure_point(
    figures: Sequence[ReportedFigure], countries: Mapping[str, float], themes: Sequence[str], end: date
) -> DataPoint | None:
    patterns = [re.compile(THEME_WORDS[t], re.IGNORECASE) for t in themes if t in THEME_WORDS]
    best: tuple[float, int, int, ReportedFigure] | None = None
    for i, f in enumerate(figures):
        year = _figure_year(f)
        if not f.value or not any(ch.isdigit() for ch in f.value) or year is None or year > end.year:
            continue
        if f.subject.startswith("HS "):  # a list of goods, not a figure
            continue
        published = _source_day(f)
        if published is not None and published > end:  # reported after the window: not known yet
            continue
        score = _relevance(f.subject, countries)
        if score <= 0:
            continue
        score += sum(1.0 for p in patterns if p.search(f.measure))
        key = (score, year, -i)
        if best is None or key > best[:3]:
            best = (score, year, -i, f)
    if best is None:
        return None
    f = best[3]
    return DataPoint(title=f"{f.subject}: {f.measure}", text=_figure_text(f), source=_full_source(f, figures))


def _full_source(f: ReportedFigure, figures: Sequence[ReportedFigure]) -> str:
    """A source that stands on its own: "same … report" rows point at the row above that names it."""
    if not f.source.lower().startswith("same"):
        return f.source
    earlier = [
        g
        for g in figures
        if g.dataset == f.dataset and g.row < f.row and not g.source.lower().startswith("same")
    ]
    return max(earlier, key=lambda g: g.row).source if earlier else f.source


def choose_data_point(
    *,
    series: Sequence[IndicatorSeries] = (),
    figures: Sequence[ReportedFigure] = (),
    countries: Mapping[str, float],
    themes: Sequence[str] = (),
    window_end: date,
) -> DataPoint | None:
    """The edition's data point.

    Args:
        series: stored indicator series.
        figures: reported figures (shipped and stored).
        countries: country names the edition is about, with weights (the lead's highest).
        themes: the edition's story themes, most important first.
        window_end: last day of the window; nothing dated later is used.

    Returns:
        A notable indicator change, else the best-matching reported figure, else None.
    """
    return _series_point(series, countries, window_end) or _figure_point(
        figures, countries, themes, window_end
    )
