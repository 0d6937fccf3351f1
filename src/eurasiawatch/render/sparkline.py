"""Small line charts ("sparklines") as accessible SVG, for the desk's tables of series.

A sparkline sits in a table row next to the figures it draws (total, peak), so it carries no axes:
its ``<title>`` names the series and its ``<desc>`` states the range, total and peak in words. The
line is the dark end of the map's blue scale (#08519c, 8.6:1 on white), the baseline a grey
hairline, and the highest point a dot (a second cue besides the line's height). Only presentation
attributes, so that it passes a strict Content-Security-Policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

__all__ = ["sparkline_svg"]

_LINE = "#08519c"
_BASE = "#8c8c8c"


def sparkline_svg(
    points: Sequence[int | float],
    *,
    title: str,
    labels: Sequence[str],
    unit: str = "articles",
    width: int = 160,
    height: int = 32,
) -> str:
    """Draw a series as a small line chart.

    Args:
        points: the values, oldest first (at least one).
        title: what the series is (the SVG ``<title>``).
        labels: one label per point (e.g. its day), used in the description.
        unit: what the values count.
        width: viewBox width.
        height: viewBox height.

    Returns:
        An ``<svg role="img">`` element as text.

    Raises:
        ValueError: no points, or labels and points differ in length.
    """
    if not points:
        raise ValueError("a sparkline needs at least one point")
    if len(labels) != len(points):
        raise ValueError("one label per point")
    top = max(points)
    pad = 3.0
    step = (width - 2 * pad) / max(len(points) - 1, 1)
    scale = (height - 2 * pad) / top if top > 0 else 0.0

    def xy(i: int, v: float) -> tuple[float, float]:
        return round(pad + i * step, 1), round(height - pad - v * scale, 1)

    coords = [xy(i, v) for i, v in enumerate(points)]
    peak = max(range(len(points)), key=lambda i: (points[i], -i))
    total = sum(points)
    desc = f"{_num(total)} {unit} from {labels[0]} to {labels[-1]}; " + (
        f"highest {_num(points[peak])} on {labels[peak]}." if top > 0 else "none on any day."
    )
    line = " ".join(f"{x:g},{y:g}" for x, y in coords)
    px, py = coords[peak]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img"><title>{escape(title)}</title>'
        f"<desc>{escape(desc)}</desc>"
        f'<line x1="{pad:g}" y1="{height - pad:g}" x2="{width - pad:g}" y2="{height - pad:g}" '
        f'stroke="{_BASE}" stroke-width="0.6"/>'
        f'<polyline points="{line}" fill="none" stroke="{_LINE}" stroke-width="1.6" '
        f'stroke-linejoin="round" stroke-linecap="round"/>'
        + (f'<circle cx="{px:g}" cy="{py:g}" r="2.4" fill="{_LINE}"/>' if top > 0 else "")
        + "</svg>"
    )


def _num(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2g}"
