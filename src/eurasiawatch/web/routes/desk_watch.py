"""``/desk/watchlists`` and ``/desk/indicators``: saved watchlists with their latest matches, and
indicator series with their charts, latest change and sources.

Watchlists are made with ``eurasiawatch watchlist add``; the page shows each one's newest matches
(``analyze.watchlists.find_matches``, marking nothing). Indicator charts are SVG from
``analyze.charts.chart_series``, served by their own route and shown as ``<img>`` (no inline style).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, Response

from ...analyze.charts import chart_series
from ...analyze.indicators import (
    IndicatorSeries,
    describe_change,
    list_figures,
    list_series,
    load_indicator_series,
)
from ...analyze.watchlists import Watchlist, find_matches
from ...render.web import safe_svg
from ...store import watchlists as store
from ..auth import Editor
from ..deps import get_db, now
from ..templating import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

NO_STORE = {"Cache-Control": "private, no-store"}
SeriesId = Annotated[str, Path(pattern=r"^[Ss]?\d{1,9}$")]


@router.get("/desk/watchlists", response_class=HTMLResponse)
def watchlists(request: Request, user: Editor) -> HTMLResponse:
    """Every watchlist with its ten newest matches."""
    with get_db(request).read() as conn:
        found = [Watchlist.from_row(r) for r in store.list_watchlists(conn)]
        rows = [(w, find_matches(conn, w, after=None, until=now(request), limit=10)) for w in found]
    return render(
        request, "desk/watchlists.html", {"title": "Watchlists", "user": user, "rows": rows}, headers=NO_STORE
    )


@router.get("/desk/indicators", response_class=HTMLResponse)
def indicators(request: Request, user: Editor) -> HTMLResponse:
    """Stored series and reported figures."""
    with get_db(request).read() as conn:
        series = list_series(conn)
        figures = list_figures(conn)
    context = {"title": "Indicators", "user": user, "series": series, "figures": figures}
    return render(request, "desk/indicators.html", context, headers=NO_STORE)


def _series(request: Request, series_id: str) -> IndicatorSeries:
    with get_db(request).read() as conn:
        series = load_indicator_series(conn, series_id)
    if series is None:
        raise HTTPException(404, f"No indicator series {series_id}.")
    return series


def _change(series: IndicatorSeries) -> Any:
    try:
        return describe_change(series)
    except ValueError:
        return None


@router.get("/desk/indicators/{series_id}", response_class=HTMLResponse)
def indicator(request: Request, user: Editor, series_id: SeriesId) -> HTMLResponse:
    """One series: its chart, latest change with a quotable sentence, points and source."""
    series = _series(request, series_id)
    change = _change(series)
    chart = chart_series(series, change=change)
    context = {
        "title": chart.title,
        "user": user,
        "series": series,
        "change": change,
        "alt": chart.alt_text,
        "chart_title": chart.title,
        "chart_src": f"/desk/indicators/{series.label}/chart.svg",
    }
    return render(request, "desk/indicator.html", context, headers=NO_STORE)


@router.get("/desk/indicators/{series_id}/chart.svg")
def indicator_chart(request: Request, user: Editor, series_id: SeriesId) -> Response:
    """The series' chart as SVG (sanitised)."""
    series = _series(request, series_id)
    chart = chart_series(series, change=_change(series))
    return Response(safe_svg(chart.svg), media_type="image/svg+xml", headers=NO_STORE)
