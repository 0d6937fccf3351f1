"""A choropleth map of Europe and Asia as accessible SVG, with a data table beside it.

The shapes are package data (``data/geo/eurasia.json``, made by ``scripts/make_geo.py`` from
public-domain Natural Earth 1:10m countries): already projected (Equal Earth centred on 70°E) and
simplified, keyed by ISO 3166-1 alpha-2 (XK is Kosovo), so drawing is string formatting only.

Choices, so that the map reads for everyone:

- the sequential scale is ColorBrewer "Blues" (one hue getting darker: safe for every kind of
  colour blindness and in greyscale), up to five classes split at quantiles of the positive values;
- zero and "no data" are different things and look different: zero is a flat light grey, no data is
  grey with diagonal hatching (a second cue besides colour); countries missing from ``values`` are
  "no data";
- the legend's text is #222 on white (well past WCAG AA) and each swatch has a dark outline, so
  that even the lightest class is visible against the page (non-text contrast);
- the SVG has ``role="img"`` with a ``<title>`` and a ``<desc>`` summarising the highest values,
  each country carries its own ``<title>`` (name and value: a tooltip on hover), and
  ``choropleth_table`` renders the same numbers as an HTML table for screen readers and for
  anyone who wants exact figures;
- microstates (Vatican, Malta, Singapore, ...) are too small to see, so they also get a dot marker;
- no ``style`` attributes or ``<style>`` element, only presentation attributes (``fill=``), so the
  markup passes a strict Content-Security-Policy.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from html import escape
from importlib import resources

__all__ = [
    "NO_DATA_FILL",
    "RAMP",
    "REGION",
    "SUBJECT_FILL",
    "ZERO_FILL",
    "CountryShape",
    "GeoShapes",
    "choropleth_figure",
    "choropleth_svg",
    "choropleth_table",
    "class_breaks",
    "country_names",
    "load_shapes",
]

# ColorBrewer Blues without its palest step, so that the lowest class stands apart from zero's grey
RAMP = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
# which ramp colours a scale of k classes uses, so that few classes still spread light to dark
_RAMP_PICKS = ((), (3,), (1, 4), (0, 2, 4), (0, 1, 3, 4), (0, 1, 2, 3, 4))  # by number of classes
ZERO_FILL = "#f7f7f7"
SUBJECT_FILL = "#525252"
NO_DATA_FILL = "#e0e0e0"
_BORDER = "#8c8c8c"
_INK = "#222222"
_LEGEND_HEIGHT = 46.0

# the countries the desk covers: the map must draw every one of them (a test checks)
REGION = (
    # Europe
    "AD", "AL", "AT", "BA", "BE", "BG", "BY", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR",
    "GB", "GR", "HR", "HU", "IE", "IS", "IT", "LI", "LT", "LU", "LV", "MC", "MD", "ME", "MK", "MT",
    "NL", "NO", "PL", "PT", "RO", "RS", "RU", "SE", "SI", "SK", "SM", "UA", "VA", "XK",
    # the Caucasus and Central Asia
    "AM", "AZ", "GE", "KG", "KZ", "TJ", "TM", "UZ",
    # the rest of Asia the desk reports on
    "AF", "CN", "IN", "IR", "JP", "KP", "KR", "MN", "PK", "TR", "TW",
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class CountryShape:
    """One country's outline in viewBox units, and a marker point when it is too small to see."""

    code: str
    name: str
    path: str
    tiny: bool = False
    x: float = 0.0
    y: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class GeoShapes:
    """The shipped country shapes: viewBox size, provenance and the countries by ISO code."""

    width: float
    height: float
    source: str
    licence: str
    projection: str
    countries: Mapping[str, CountryShape]


@cache
def load_shapes() -> GeoShapes:
    """The packaged Eurasia shapes (read once per process).

    Returns:
        The shapes keyed by ISO 3166-1 alpha-2 code.
    """
    raw = (resources.files("eurasiawatch") / "data" / "geo" / "eurasia.json").read_text(encoding="utf-8")
    doc = json.loads(raw)
    countries = {
        code: CountryShape(
            code=code,
            name=entry["name"],
            path=entry.get("d", ""),
            tiny=bool(entry.get("tiny", False)),
            x=float(entry.get("x", 0.0)),
            y=float(entry.get("y", 0.0)),
        )
        for code, entry in doc["countries"].items()
    }
    return GeoShapes(
        width=float(doc["width"]),
        height=float(doc["height"]),
        source=doc["source"],
        licence=doc["licence"],
        projection=doc["projection"],
        countries=countries,
    )


def country_names() -> dict[str, str]:
    """English country names by ISO code: the knowledge base's, else Natural Earth's."""
    from ..annotate.kb import load_kb  # imported here: the KB loads YAML, only needed for names

    names = {code: shape.name for code, shape in load_shapes().countries.items()}
    names.update({code: country.name for code, country in load_kb().countries.items()})
    return names


def class_breaks(values: Mapping[str, float], *, classes: int = 5) -> tuple[float, ...]:
    """Upper bounds of the classes of the positive values (quantiles, no repeats).

    Args:
        values: the numbers by country; zeros and negatives take no part.
        classes: at most this many classes (1–5).

    Returns:
        Increasing upper bounds, the last being the largest value; empty when nothing is positive.
    """
    if not 1 <= classes <= len(RAMP):
        raise ValueError(f"classes must be 1..{len(RAMP)}, not {classes}")
    positive = sorted(v for v in values.values() if v > 0)
    distinct = sorted(set(positive))
    if len(distinct) <= classes:
        return tuple(distinct)
    bounds: list[float] = []
    for i in range(1, classes + 1):
        # the value at quantile i/classes (nearest rank), so each class holds about as many countries
        rank = max(0, math.ceil(i / classes * len(positive)) - 1)
        bound = positive[rank]
        if not bounds or bound > bounds[-1]:
            bounds.append(bound)
    return tuple(bounds)


def _fmt(value: float) -> str:
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.3g}"


def _class_labels(bounds: tuple[float, ...], integers: bool) -> list[str]:
    labels: list[str] = []
    previous: float | None = None
    for bound in bounds:
        if integers:
            low = 1.0 if previous is None else previous + 1
            labels.append(_fmt(bound) if low == bound else f"{_fmt(low)}–{_fmt(bound)}")
        else:
            labels.append(f"up to {_fmt(bound)}" if previous is None else f"{_fmt(previous)}–{_fmt(bound)}")
        previous = bound
    return labels


def _bin(value: float, bounds: tuple[float, ...]) -> int:
    for i, bound in enumerate(bounds):
        if value <= bound:
            return i
    return len(bounds) - 1


def _safe_id(prefix: str) -> str:
    return re.sub(r"[^a-z0-9-]", "-", prefix.lower()) or "map"


def _check(values: Mapping[str, float]) -> None:
    for code, value in values.items():
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"choropleth values must be finite and >= 0: {code}={value!r}")


def choropleth_svg(
    values: Mapping[str, float],
    *,
    title: str,
    unit: str = "articles",
    description: str = "",
    names: Mapping[str, str] | None = None,
    id_prefix: str = "map",
    shapes: GeoShapes | None = None,
    subject: str | None = None,
) -> str:
    """Draw the values on the map of Europe and Asia.

    Args:
        values: a number ≥ 0 per ISO 3166-1 alpha-2 code; a country not in it is "no data",
            a country with 0 is drawn as zero (the two look different).
        title: the map's title (the SVG ``<title>``; the page supplies any visible heading).
        unit: what the numbers count, for tooltips and the description ("articles").
        description: a sentence put before the generated summary in the ``<desc>``.
        names: country names by code; the knowledge base's English names by default.
        id_prefix: prefix of the element ids, so that several maps fit on one page.
        shapes: the shapes to draw; the packaged ones by default.
        subject: the country the map is about (China), drawn in dark grey outside the scale and
            named in the legend; its value, if any, is ignored.

    Returns:
        An ``<svg>`` element as text (no XML declaration), scaling to its container's width.

    Raises:
        ValueError: a value is negative, infinite or NaN.
    """
    _check(values)
    geo = shapes or load_shapes()
    names = names if names is not None else country_names()
    if subject is not None:
        values = {c: v for c, v in values.items() if c != subject}
    pid = _safe_id(id_prefix)
    bounds = class_breaks(values)
    picks = _RAMP_PICKS[len(bounds)]
    integers = all(float(v).is_integer() for v in values.values())
    height = geo.height + _LEGEND_HEIGHT

    def label(code: str) -> str:
        return names.get(code) or (geo.countries[code].name if code in geo.countries else code)

    def paint(code: str) -> tuple[str, str, str]:
        """(class, fill, tooltip) of a country."""
        if code == subject:
            return "ch-subject", SUBJECT_FILL, f"{label(code)}: the subject of the map, not counted"
        if code not in values:
            return "ch-nd", f"url(#{pid}-nd)", f"{label(code)}: no data"
        value = values[code]
        tip = f"{label(code)}: {_fmt(value)} {unit}"
        if value <= 0:
            return "ch-0", ZERO_FILL, tip
        index = _bin(value, bounds)
        return f"ch-{index + 1}", RAMP[picks[index]], tip

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {geo.width:g} {height:g}" '
        f'role="img" aria-labelledby="{pid}-title {pid}-desc" class="choropleth" '
        f'preserveAspectRatio="xMidYMid meet">',
        f'<title id="{pid}-title">{escape(title)}</title>',
        f'<desc id="{pid}-desc">{escape(_summary(values, label, unit, description))}</desc>',
        f'<defs><pattern id="{pid}-nd" patternUnits="userSpaceOnUse" width="5" height="5">'
        f'<rect width="5" height="5" fill="{NO_DATA_FILL}"/>'
        f'<path d="M0 5L5 0M-1 1L1 -1M4 6L6 4" stroke="#a0a0a0" stroke-width="0.9"/></pattern></defs>',
        f'<rect width="{geo.width:g}" height="{height:g}" fill="#ffffff"/>',
        f'<g stroke="{_BORDER}" stroke-width="0.35" stroke-linejoin="round">',
    ]
    markers: list[str] = []
    for code in sorted(geo.countries):
        shape = geo.countries[code]
        css, fill, tip = paint(code)
        if shape.path:
            out.append(
                f'<path class="{css}" data-code="{escape(code)}" fill="{fill}" d="{shape.path}">'
                f"<title>{escape(tip)}</title></path>"
            )
        if shape.tiny:
            markers.append(
                f'<circle class="{css}" data-code="{escape(code)}" cx="{shape.x:g}" cy="{shape.y:g}" '
                f'r="3.2" fill="{fill}" stroke="{_INK}" stroke-width="0.8">'
                f"<title>{escape(tip)}</title></circle>"
            )
    out.append("</g>")
    out.extend(markers)
    subject_label = f"{label(subject)} (not counted)" if subject else None
    out.append(_legend(bounds, picks, integers, pid, geo.height, unit, subject_label))
    out.append("</svg>")
    return "".join(out)


def _summary(values: Mapping[str, float], name: Callable[[str], str], unit: str, description: str) -> str:
    ranked = sorted(((v, c) for c, v in values.items() if v > 0), key=lambda vc: (-vc[0], name(vc[1])))
    parts = [description.strip()] if description.strip() else []
    if ranked:
        top = ", ".join(f"{name(c)} {_fmt(v)}" for v, c in ranked[:5])
        parts.append(f"Highest: {top}.")
        parts.append(
            f"{len(ranked)} countries with {unit}; {sum(1 for v in values.values() if v <= 0)} with none."
        )
    else:
        parts.append(f"No {unit} in any country.")
    parts.append("Countries not listed have no data. The same figures are in the table beside the map.")
    return " ".join(parts)


def _legend(
    bounds: tuple[float, ...],
    picks: tuple[int, ...],
    integers: bool,
    pid: str,
    top: float,
    unit: str,
    subject_label: str | None = None,
) -> str:
    items: list[tuple[str, str]] = [(f"url(#{pid}-nd)", "No data"), (ZERO_FILL, "0")]
    items += [(RAMP[p], text) for p, text in zip(picks, _class_labels(bounds, integers), strict=True)]
    if subject_label:
        items.append((SUBJECT_FILL, subject_label))
    x = 8.0
    y = top + 14
    parts = [
        f'<g class="legend" font-family="system-ui, sans-serif" font-size="14" fill="{_INK}">',
        f'<text x="{x:g}" y="{y + 13:g}">{escape(unit.capitalize())}:</text>',
    ]
    x += 9 * len(unit) + 22
    for fill, text in items:
        parts.append(
            f'<rect x="{x:g}" y="{y:g}" width="22" height="16" fill="{fill}" '
            f'stroke="{_INK}" stroke-width="0.8"/>'
        )
        parts.append(f'<text x="{x + 28:g}" y="{y + 13:g}">{escape(text)}</text>')
        x += 28 + 8.5 * len(text) + 18
    parts.append("</g>")
    return "".join(parts)


def choropleth_table(
    values: Mapping[str, float],
    *,
    caption: str,
    unit: str = "articles",
    names: Mapping[str, str] | None = None,
) -> str:
    """The map's numbers as an HTML table, largest first (ties by name), the zeros in one last row.

    Args:
        values: the same mapping as given to ``choropleth_svg``.
        caption: the table's caption.
        unit: the column heading for the numbers.
        names: country names by code; the knowledge base's English names by default.

    Returns:
        A ``<table>`` element as text; an empty mapping gives a table with one "no data" row.
    """
    _check(values)
    names = names if names is not None else country_names()
    drawn = load_shapes().countries
    rows = sorted(
        ((c, v) for c, v in values.items() if v > 0), key=lambda cv: (-cv[1], names.get(cv[0], cv[0]))
    )
    zeros = sorted((names.get(c, c) for c, v in values.items() if v <= 0), key=str.casefold)
    body = "".join(
        f'<tr><th scope="row">{escape(names.get(code, code))}'
        + ("" if code in drawn else ' <span class="off-map">(not on the map)</span>')
        + f'</th><td class="num" data-code="{escape(code)}">{_fmt(value)}</td></tr>'
        for code, value in rows
    )
    if zeros:
        # one row for all the zeros, so that a quiet window's table is not a long list of 0s
        label = zeros[0] if len(zeros) == 1 else f"{len(zeros)} other countries"
        body += (
            f'<tr class="zeros"><th scope="row" title="{escape(", ".join(zeros))}">{escape(label)}</th>'
            f'<td class="num">0</td></tr>'
        )
    body = body or '<tr><td colspan="2">No data for this window.</td></tr>'
    return (
        f'<table class="choropleth-table"><caption>{escape(caption)}</caption>'
        f'<thead><tr><th scope="col">Country</th><th scope="col" class="num">{escape(unit.capitalize())}</th>'
        f"</tr></thead><tbody>{body}</tbody></table>"
    )


def choropleth_figure(
    values: Mapping[str, float],
    *,
    title: str,
    unit: str = "articles",
    description: str = "",
    names: Mapping[str, str] | None = None,
    id_prefix: str = "map",
    subject: str | None = None,
) -> str:
    """The map and its data table side by side in a ``<figure>``, with the shapes' source credited.

    Args:
        values: a number ≥ 0 per ISO code (missing countries are "no data").
        title: the map's title, also the figure caption and the table caption.
        unit: what the numbers count.
        description: a sentence put before the map's generated summary.
        names: country names by code; the knowledge base's English names by default.
        id_prefix: prefix of the SVG's element ids.
        subject: the country the map is about (see ``choropleth_svg``); left out of the table too.

    Returns:
        A ``<figure class="choropleth-figure">`` element as text.
    """
    names = names if names is not None else country_names()
    if subject is not None:
        values = {c: v for c, v in values.items() if c != subject}
    svg = choropleth_svg(
        values,
        title=title,
        unit=unit,
        description=description,
        names=names,
        id_prefix=id_prefix,
        subject=subject,
    )
    table = choropleth_table(values, caption=title, unit=unit, names=names)
    return (
        f'<figure class="choropleth-figure"><div class="choropleth-map">{svg}</div>'
        f'<div class="choropleth-data" tabindex="0" role="region" aria-label="{escape(title)}: table">'
        f"{table}</div>"
        f"<figcaption>{escape(title)}. Map: Natural Earth (public domain), Equal Earth projection."
        f"</figcaption></figure>"
    )
