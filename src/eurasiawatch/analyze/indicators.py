"""Indicators, two kinds kept apart: *series* we compute on, and *reported figures* we only quote.

- A **series** is numbers per period (``YYYY``, ``YYYY-Qn`` or ``YYYY-MM``) for one reporter,
  partner, measure, HS code and unit, from one source — typically monthly customs data. Changes
  (period on period, year on year, year to date against the same months a year earlier) and charts
  are computed on it, and ``describe_change`` writes the sentence a briefing can quote.
- A **reported figure** is a number as a source published it ("over $600 million", "nearly 40%"),
  with its period, qualifier, unit and source, kept as text and never recomputed or compared.

The figures shipped in ``data/indicators`` are read from the package; a user's own are imported into
the database. See ``docs/indicators.md`` for the CSV formats.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection

from ..store import indicators as store_indicators

__all__ = [
    "FIGURE_COLUMNS",
    "SERIES_COLUMNS",
    "Change",
    "IndicatorSeries",
    "ReportedFigure",
    "describe_change",
    "figures_by_id",
    "find_qualifier",
    "import_indicators",
    "list_figures",
    "list_series",
    "load_indicator_series",
    "parse_figures_csv",
    "parse_period",
    "parse_series_csv",
    "shipped_figures",
]

SERIES_COLUMNS = ("period", "reporter", "partner", "measure", "value", "unit", "source")
FIGURE_COLUMNS = ("subject", "period", "measure", "value", "source")
_OPTIONAL_FIGURE = ("qualifier", "unit", "note")
_PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?$")
# Qualifiers as sources write them, longest first, so "more than" wins over a bare "than".
_QUALIFIERS = (
    ("more than", "more than"),
    ("at least", "at least"),
    ("up to", "up to"),
    ("over", "over"),
    ("nearly", "nearly"),
    ("almost", "almost"),
    ("approximately", "approx."),
    ("approx", "approx."),
    ("about", "about"),
    ("around", "about"),
    ("lower bound", "over"),
)
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_TRUE = {"1", "true", "yes", "y", "synthetic"}


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportedFigure:
    """A number as a source published it: quoted, never recomputed."""

    dataset: str
    row: int  # its line in the file, counting the first data row as 1
    subject: str
    period: str | None
    measure: str
    value: str | None  # as published, e.g. "600", "10,000+", "hundreds of thousands"
    qualifier: str | None  # "over", "nearly", "approx." … when the source said so
    unit: str | None
    source: str
    note: str | None = None
    shipped: bool = False

    @property
    def id(self) -> str:
        """``dataset:row``."""
        return f"{self.dataset}:{self.row}"

    def quote(self) -> str:
        """The figure as published, with its period: ``600 USD million (lower bound: 'over'), 2023-12``."""
        body = " ".join(x for x in (self.value or "", self.unit or "") if x) or "(no number)"
        return f"{body}, {self.period}" if self.period else body

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "id": self.id,
            "kind": "reported figure",
            "dataset": self.dataset,
            "subject": self.subject,
            "period": self.period,
            "measure": self.measure,
            "value": self.value,
            "qualifier": self.qualifier,
            "unit": self.unit,
            "source": self.source,
            "note": self.note,
            "shipped": self.shipped,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class IndicatorSeries:
    """Numbers per period for one reporter, partner, measure, HS code and unit."""

    id: int | None
    dataset: str
    reporter: str
    partner: str
    measure: str
    hs_code: str
    unit: str
    source: str
    synthetic: bool
    points: tuple[tuple[str, float], ...]  # (period, value), period order

    @property
    def label(self) -> str:
        """``S<id>``."""
        return f"S{self.id}"

    @property
    def frequency(self) -> str:
        """``monthly``, ``quarterly`` or ``annual`` (from the first period)."""
        return parse_period(self.points[0][0])[2] if self.points else "annual"

    def title(self) -> str:
        """What the series measures, in words: measure, reporter → partner, HS code."""
        hs = f", HS {self.hs_code}" if self.hs_code else ""
        return f"{self.measure} ({self.reporter} → {self.partner}{hs})"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "id": self.label,
            "kind": "series",
            "dataset": self.dataset,
            "reporter": self.reporter,
            "partner": self.partner,
            "measure": self.measure,
            "hs_code": self.hs_code or None,
            "unit": self.unit,
            "source": self.source,
            "synthetic": self.synthetic,
            "frequency": self.frequency,
            "points": [[p, v] for p, v in self.points],
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """A computed change of a series between two sets of periods, and the sentence that says it."""

    basis: str  # "year_to_date" | "year_on_year" | "period_on_period"
    label: str  # "January–May 2024"
    comparison: str  # "the same months a year earlier"
    current: float
    previous: float
    percent: float | None  # None when the previous value is zero
    sentence: str

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "basis": self.basis,
            "label": self.label,
            "comparison": self.comparison,
            "current": self.current,
            "previous": self.previous,
            "percent": None if self.percent is None else round(self.percent, 2),
            "sentence": self.sentence,
        }


# -- parsing -------------------------------------------------------------------------------------


def parse_period(value: str) -> tuple[int, int, str]:
    """``2024`` → (2024, 0, annual); ``2024-Q2`` → (2024, 2, quarterly); ``2024-05`` → (2024, 5, monthly).

    Raises:
        ValueError: not one of those forms.
    """
    match = _PERIOD.match(value.strip())
    if not match:
        raise ValueError(f"period {value!r} is not YYYY, YYYY-Qn or YYYY-MM")
    year = int(match.group(1))
    if match.group(2):
        return year, int(match.group(2)), "monthly"
    if match.group(3):
        return year, int(match.group(3)), "quarterly"
    return year, 0, "annual"


def find_qualifier(*texts: str | None) -> str | None:
    """The qualifier a source put on a number ("over", "nearly", "approx." …), if any."""
    for text in texts:
        if not text:
            continue
        lowered = text.lower()
        for cue, qualifier in _QUALIFIERS:
            if re.search(rf"(?<![a-z]){re.escape(cue)}(?![a-z])", lowered):
                return qualifier
        if text.strip().endswith("+"):
            return "over"
    return None


def _rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    return [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]


def _header(text: str) -> set[str]:
    first = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))), [])
    return {c.strip() for c in first}


def parse_series_csv(text: str, *, dataset: str, synthetic: bool = False) -> tuple[IndicatorSeries, ...]:
    """Read a series CSV (``period,reporter,partner,measure,value,unit,source`` + optional
    ``hs_code,note,synthetic``) into one series per reporter, partner, measure, HS code and unit.

    Raises:
        ValueError: a missing column, or a row whose period or value is not usable (named with its line).
    """
    missing = [c for c in SERIES_COLUMNS if c not in _header(text)]
    if missing:
        raise ValueError(
            f"a series CSV needs the columns {', '.join(SERIES_COLUMNS)}; missing {', '.join(missing)}"
        )
    groups: dict[tuple[str, ...], dict[str, Any]] = {}
    for line, row in enumerate(_rows(text), start=2):
        try:
            parse_period(row["period"])
            value = float(row["value"].replace(",", "").replace(" ", ""))
        except ValueError as exc:
            raise ValueError(
                f"line {line}: {exc}"
                if "period" in str(exc)
                else f"line {line}: value {row['value']!r} is not a number"
            ) from None
        key = (row["reporter"], row["partner"], row["measure"], row.get("hs_code", ""), row["unit"])
        group = groups.setdefault(key, {"sources": {}, "points": {}, "synthetic": synthetic, "freq": set()})
        if row["period"] in group["points"]:
            raise ValueError(f"line {line}: period {row['period']} appears twice for {key[2]!r}")
        group["points"][row["period"]] = value
        group["sources"][row["source"]] = None
        group["freq"].add(parse_period(row["period"])[2])
        group["synthetic"] = group["synthetic"] or row.get("synthetic", "").lower() in _TRUE
    result = []
    for (reporter, partner, measure, hs_code, unit), group in groups.items():
        if len(group["freq"]) > 1:
            raise ValueError(f"series {measure!r} mixes {' and '.join(sorted(group['freq']))} periods")
        result.append(
            IndicatorSeries(
                id=None,
                dataset=dataset,
                reporter=reporter,
                partner=partner,
                measure=measure,
                hs_code=hs_code,
                unit=unit,
                source="; ".join(s for s in group["sources"] if s),
                synthetic=group["synthetic"],
                points=tuple(sorted(group["points"].items(), key=lambda pv: parse_period(pv[0])[:2])),
            )
        )
    return tuple(result)


def parse_figures_csv(
    text: str, *, dataset: str, fields: Mapping[str, str] | None = None, shipped: bool = False
) -> tuple[ReportedFigure, ...]:
    """Read reported figures: columns ``subject,period,measure,value,source`` (+ ``qualifier,unit,note``),
    or a series-shaped file (``reporter,partner`` make the subject), or any file with ``fields``
    templates (``{"subject": "HS {hs_code}", ...}``) as in ``data/indicators/datasets.yaml``.

    Raises:
        ValueError: a missing column or a row without a source.
    """
    header = _header(text)
    if fields is None:
        if all(c in header for c in FIGURE_COLUMNS):
            fields = {c: "{" + c + "}" for c in FIGURE_COLUMNS + _OPTIONAL_FIGURE if c in header}
        elif all(c in header for c in SERIES_COLUMNS):
            fields = {
                c: "{" + c + "}"
                for c in ("period", "measure", "value", "unit", "source", "note")
                if c in header
            }
            fields["subject"] = "{reporter} → {partner}"
        else:
            raise ValueError(
                f"a figures CSV needs the columns {', '.join(FIGURE_COLUMNS)} (or the series columns)"
            )
    result = []
    for line, row in enumerate(_rows(text), start=1):
        try:
            values = {name: template.format(**row).strip() for name, template in fields.items()}
        except KeyError as exc:
            raise ValueError(f"column {exc.args[0]!r} is missing") from None
        if not values.get("source"):
            raise ValueError(f"row {line}: no source (a reported figure must say where it was published)")
        result.append(
            ReportedFigure(
                dataset=dataset,
                row=line,
                subject=values.get("subject", ""),
                period=values.get("period") or None,
                measure=values.get("measure", ""),
                value=values.get("value") or None,
                qualifier=values.get("qualifier") or find_qualifier(values.get("value"), values.get("unit")),
                unit=values.get("unit") or None,
                source=values["source"],
                note=values.get("note") or None,
                shipped=shipped,
            )
        )
    return tuple(result)


def shipped_figures() -> tuple[ReportedFigure, ...]:
    """The reported figures shipped in ``data/indicators`` (read from the package, not the database)."""
    folder = resources.files("eurasiawatch") / "data" / "indicators"
    manifest = yaml.safe_load((folder / "datasets.yaml").read_text(encoding="utf-8"))
    result: list[ReportedFigure] = []
    for entry in manifest["datasets"]:
        text = (folder / entry["file"]).read_text(encoding="utf-8")
        result.extend(parse_figures_csv(text, dataset=entry["name"], fields=entry["fields"], shipped=True))
    return tuple(result)


# -- changes and the sentence ----------------------------------------------------------------------


def _fmt(value: float, unit: str) -> str:
    number = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}".rstrip("0").rstrip(".")
    return f"{number} {unit}".strip()


def _months_label(first: int, last: int, year: int) -> str:
    if first == last:
        return f"{_MONTHS[first - 1]} {year}"
    if (first, last) == (1, 12):
        return str(year)
    return f"{_MONTHS[first - 1]}–{_MONTHS[last - 1]} {year}"


def _period_label(period: str) -> str:
    year, sub, freq = parse_period(period)
    if freq == "monthly":
        return f"{_MONTHS[sub - 1]} {year}"
    return f"Q{sub} {year}" if freq == "quarterly" else str(year)


def _sentence(
    series: IndicatorSeries, label: str, comparison: str, current: float, previous: float
) -> tuple[float | None, str]:
    percent = None if previous == 0 else (current - previous) / abs(previous) * 100
    if percent is None:
        move = "up from nothing"
    elif round(percent) == 0:
        move = "about unchanged"
    else:
        move = f"{'up' if percent > 0 else 'down'} {abs(percent):.0f}%"
    synthetic = " [SYNTHETIC DATA]" if series.synthetic else ""
    title = series.title()
    sentence = (
        f"{title[:1].upper()}{title[1:]} was {move} in {label} against {comparison}: "
        f"{_fmt(current, series.unit)} against {_fmt(previous, series.unit)} "
        f"(source: {series.source}){synthetic}."
    )
    return percent, sentence


def describe_change(series: IndicatorSeries, *, basis: str = "auto") -> Change:
    """The latest change of a series, with a sentence a briefing can quote.

    ``auto`` picks, for monthly data, the year to date against the same months a year earlier when
    every one of those months is present in both years; else the latest period against the same
    period a year earlier; else against the period before.

    Args:
        series: the series (at least two points).
        basis: ``auto``, ``year_to_date``, ``year_on_year`` or ``period_on_period``.

    Raises:
        ValueError: too few points for the basis asked for.
    """
    if len(series.points) < 2:
        raise ValueError(f"series {series.label} needs at least two points for a change")
    values = {parse_period(p)[:2]: v for p, v in series.points}
    last_period, last_value = series.points[-1]
    year, sub, freq = parse_period(last_period)
    per_year = {"monthly": 12, "quarterly": 4, "annual": 1}[freq]
    tried = ("year_to_date", "year_on_year", "period_on_period") if basis == "auto" else (basis,)
    for option in tried:
        if option == "year_to_date" and freq == "monthly":
            months = range(1, sub + 1)
            if all((year, m) in values and (year - 1, m) in values for m in months):
                current = sum(values[(year, m)] for m in months)
                previous = sum(values[(year - 1, m)] for m in months)
                label, comparison = _months_label(1, sub, year), "the same months a year earlier"
                if sub == 12:
                    comparison = str(year - 1)
                elif sub == 1:
                    comparison = f"{_MONTHS[0]} {year - 1}"
                percent, sentence = _sentence(series, label, comparison, current, previous)
                return Change(
                    basis=option,
                    label=label,
                    comparison=comparison,
                    current=current,
                    previous=previous,
                    percent=percent,
                    sentence=sentence,
                )
        elif option == "year_on_year" and freq != "annual":
            if (year - 1, sub) in values:
                previous = values[(year - 1, sub)]
                label = _period_label(last_period)
                comparison = f"{_period_label(last_period).rsplit(' ', 1)[0]} {year - 1}"
                percent, sentence = _sentence(series, label, comparison, last_value, previous)
                return Change(
                    basis=option,
                    label=label,
                    comparison=comparison,
                    current=last_value,
                    previous=previous,
                    percent=percent,
                    sentence=sentence,
                )
        elif option == "period_on_period":
            prev_key = (year - 1, per_year) if sub <= 1 else (year, sub - 1)
            if freq == "annual":
                prev_key = (year - 1, 0)
            if prev_key in values:
                previous = values[prev_key]
                prev_period = next(p for p, _ in series.points if parse_period(p)[:2] == prev_key)
                label, comparison = _period_label(last_period), _period_label(prev_period)
                percent, sentence = _sentence(series, label, comparison, last_value, previous)
                return Change(
                    basis=option,
                    label=label,
                    comparison=comparison,
                    current=last_value,
                    previous=previous,
                    percent=percent,
                    sentence=sentence,
                )
        elif option not in ("year_to_date", "year_on_year"):
            raise ValueError(
                f"basis must be auto, year_to_date, year_on_year or period_on_period, not {option!r}"
            )
    raise ValueError(f"series {series.label} lacks the periods for a {basis.replace('_', ' ')} change")


# -- drivers over the store ------------------------------------------------------------------------


def import_indicators(
    conn: Connection,
    path: Path,
    *,
    kind: str = "auto",
    dataset: str | None = None,
    synthetic: bool = False,
    now: datetime,
) -> tuple[str, int]:
    """Import a CSV file as series or as reported figures.

    Args:
        conn: a connection inside a transaction.
        path: the CSV file.
        kind: ``series``, ``figures`` or ``auto`` (series when every row has a YYYY/YYYY-Qn/YYYY-MM
            period and a plain number; a file that fails that must say ``figures``).
        dataset: the dataset name (default the file name without suffix).
        synthetic: mark imported series as synthetic.
        now: the import time.

    Returns:
        (kind imported, number of series or figures).

    Raises:
        ValueError: an unreadable file, a bad row, or a dataset name taken by the shipped figures.
    """
    text = path.read_text(encoding="utf-8")
    name = dataset or path.stem.replace("_", "-")
    if kind not in ("auto", "series", "figures"):
        raise ValueError(f"kind must be series, figures or auto, not {kind!r}")
    if kind in ("auto", "series") and all(c in _header(text) for c in SERIES_COLUMNS):
        try:
            parsed = parse_series_csv(text, dataset=name, synthetic=synthetic)
        except ValueError as exc:
            if kind == "series":
                raise
            raise ValueError(
                f"{path.name} is not a clean series ({exc}); import it with --kind figures"
            ) from None
        for s in parsed:
            store_indicators.save_series(
                conn,
                identity={
                    "dataset": s.dataset,
                    "reporter": s.reporter,
                    "partner": s.partner,
                    "measure": s.measure,
                    "hs_code": s.hs_code,
                    "unit": s.unit,
                },
                source=s.source,
                synthetic=s.synthetic,
                points=[(p, v, None) for p, v in s.points],
                now=now,
            )
        return "series", len(parsed)
    if kind == "series":
        raise ValueError(f"a series CSV needs the columns {', '.join(SERIES_COLUMNS)}")
    if name in {f.dataset for f in shipped_figures()}:
        raise ValueError(f"dataset {name!r} is shipped with eurasiawatch; pass another --dataset name")
    figures = parse_figures_csv(text, dataset=name)
    store_indicators.delete_figures(conn, name)
    rows = [
        {k: v for k, v in f.as_dict().items() if k not in ("id", "kind", "shipped")} | {"row": f.row}
        for f in figures
    ]
    return "figures", store_indicators.insert_figures(conn, rows, now=now)


def _figure(row: Mapping[str, Any]) -> ReportedFigure:
    return ReportedFigure(
        **{
            k: row[k]
            for k in (
                "dataset",
                "row",
                "subject",
                "period",
                "measure",
                "value",
                "qualifier",
                "unit",
                "source",
                "note",
            )
        }
    )


def list_figures(conn: Connection | None) -> tuple[ReportedFigure, ...]:
    """The shipped reported figures, then the database's (none without a connection)."""
    stored = tuple(_figure(r) for r in store_indicators.figure_rows(conn)) if conn is not None else ()
    return shipped_figures() + stored


def _series(row: Mapping[str, Any], points: Iterable[tuple[str, float, str | None]]) -> IndicatorSeries:
    return IndicatorSeries(
        id=row["id"],
        dataset=row["dataset"],
        reporter=row["reporter"],
        partner=row["partner"],
        measure=row["measure"],
        hs_code=row["hs_code"],
        unit=row["unit"],
        source=row["source"],
        synthetic=bool(row["synthetic"]),
        points=tuple(sorted(((p, v) for p, v, _ in points), key=lambda pv: parse_period(pv[0])[:2])),
    )


def list_series(conn: Connection) -> list[dict[str, Any]]:
    """Every stored series: id ``S<n>``, what it measures, points, first and last period, source."""
    return [
        {
            "id": f"S{r['id']}",
            "dataset": r["dataset"],
            "title": _series(r, ()).title(),
            "unit": r["unit"],
            "points": int(r["points"]),
            "first": r["first_period"],
            "last": r["last_period"],
            "source": r["source"],
            "synthetic": bool(r["synthetic"]),
        }
        for r in store_indicators.list_series(conn)
    ]


def load_indicator_series(conn: Connection, label: str) -> IndicatorSeries | None:
    """The stored series ``S<n>`` (or ``<n>``), or None."""
    digits = label[1:] if label[:1] in ("S", "s") else label
    if not digits.isdigit():
        return None
    found = store_indicators.load_series(conn, int(digits))
    return None if found is None else _series(*found)


def figures_by_id(figures: Sequence[ReportedFigure]) -> dict[str, ReportedFigure]:
    """Index figures by ``dataset:row``."""
    return {f.id: f for f in figures}
