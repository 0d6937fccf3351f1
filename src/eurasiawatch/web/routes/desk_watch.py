"""``/desk/watchlists`` and ``/desk/indicators``: saved watchlists with their latest matches, and
indicator series with their charts, latest change and sources.

The watchlists page shows each one's newest matches (``analyze.watchlists.find_matches``, marking
nothing) and holds the form that adds one; ``/desk/watchlists/<name>/edit`` changes one and
``/desk/watchlists/<name>/remove`` asks before removing it. The forms take what ``watchlist add``
takes and go through the same ``watching`` functions (``read_watchlist`` checks them), which write
the audit log. Indicator charts are SVG from ``analyze.charts.chart_series``, served by their own
route and shown as ``<img>`` (no inline style).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ... import watching
from ...analyze.charts import chart_series
from ...analyze.indicators import (
    IndicatorSeries,
    describe_change,
    list_figures,
    list_series,
    load_indicator_series,
)
from ...analyze.watchlists import Watchlist, WatchlistError, find_matches
from ...annotate.themes import THEMES
from ...render.web import safe_svg
from ...store import watchlists as store
from ..auth import Editor
from ..deps import get_clock, get_db, now
from ..templating import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

NO_STORE = {"Cache-Control": "private, no-store"}
SeriesId = Annotated[str, Path(pattern=r"^[Ss]?\d{1,9}$")]


WatchName = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
Text = Annotated[str, Form(max_length=1000)]
Themes = Annotated[list[str], Form(max_length=len(THEMES))]
DONE = {"added": "Watchlist added.", "saved": "Watchlist saved.", "removed": "Watchlist removed."}


def _fields(w: Watchlist | None) -> dict[str, Any]:
    """A watchlist as the form shows it (lists joined by commas)."""
    if w is None:
        return {"name": "", "query": "", "countries": "", "entities": "", "themes": ()}
    return {
        "name": w.name,
        "query": w.query or "",
        "countries": ", ".join(w.countries),
        "entities": ", ".join(w.entities),
        "themes": w.themes,
    }


def _list_page(
    request: Request,
    user: Any,
    *,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    done: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    with get_db(request).read() as conn:
        found = [Watchlist.from_row(r) for r in store.list_watchlists(conn)]
        rows = [(w, find_matches(conn, w, after=None, until=now(request), limit=10)) for w in found]
    context = {
        "title": "Watchlists",
        "user": user,
        "rows": rows,
        "form": form or _fields(None),
        "themes": THEMES,
        "error": error,
        "done": DONE.get(done or ""),
    }
    return render(request, "desk/watchlists.html", context, status=status, headers=NO_STORE)


@router.get("/desk/watchlists", response_class=HTMLResponse)
def watchlists(request: Request, user: Editor, done: str | None = None) -> HTMLResponse:
    """Every watchlist with its ten newest matches, and the form that adds one."""
    return _list_page(request, user, done=done)


def _read(name: str, query: str, countries: str, entities: str, themes: list[str]) -> Watchlist:
    return watching.read_watchlist(
        name, query=query, countries=[countries], entities=[entities], themes=themes
    )


@router.post("/desk/watchlists", response_class=HTMLResponse)
def watchlist_add(
    request: Request,
    user: Editor,
    name: Text = "",
    query: Text = "",
    countries: Text = "",
    entities: Text = "",
    themes: Themes = [],  # noqa: B006  (FastAPI copies form defaults)
) -> Response:
    """Add a watchlist (checked as ``watchlist add`` checks it); on a mistake the form comes back filled."""
    form = {"name": name, "query": query, "countries": countries, "entities": entities, "themes": themes}
    try:
        watch = _read(name, query, countries, entities, themes)
        watching.add_watchlist(get_db(request), watch, now=get_clock(request).now(), user=user)
    except WatchlistError as exc:
        message = str(exc) + (f" ({exc.hint})" if exc.hint else "")
        return _list_page(request, user, form=form, error=f"Not added: {message}.", status=400)
    return RedirectResponse(f"/desk/watchlists?done=added#w-{watch.name}", status_code=303)


def _load(request: Request, name: str) -> Watchlist:
    with get_db(request).read() as conn:
        row = store.get_watchlist(conn, name)
    if row is None:
        raise HTTPException(404, f"No watchlist {name}.")
    return Watchlist.from_row(row)


def _edit_page(
    request: Request, user: Any, watch: Watchlist, form: dict[str, Any], error: str | None, status: int
) -> HTMLResponse:
    context = {
        "title": f"Edit watchlist {watch.name}",
        "user": user,
        "watch": watch,
        "form": form,
        "themes": THEMES,
        "error": error,
    }
    return render(request, "desk/watchlist_edit.html", context, status=status, headers=NO_STORE)


@router.get("/desk/watchlists/{name}/edit", response_class=HTMLResponse)
def watchlist_edit_form(request: Request, user: Editor, name: WatchName) -> HTMLResponse:
    """One watchlist's fields in a form."""
    watch = _load(request, name)
    return _edit_page(request, user, watch, _fields(watch), None, 200)


@router.post("/desk/watchlists/{name}/edit", response_class=HTMLResponse)
def watchlist_edit(
    request: Request,
    user: Editor,
    name: WatchName,
    query: Text = "",
    countries: Text = "",
    entities: Text = "",
    themes: Themes = [],  # noqa: B006  (FastAPI copies form defaults)
) -> Response:
    """Change what the watchlist looks for; its name and delivery watermark stay."""
    watch = _load(request, name)
    form = {"name": name, "query": query, "countries": countries, "entities": entities, "themes": themes}
    try:
        changed = _read(name, query, countries, entities, themes)
        watching.update_watchlist(get_db(request), changed, now=get_clock(request).now(), user=user)
    except WatchlistError as exc:
        message = str(exc) + (f" ({exc.hint})" if exc.hint else "")
        return _edit_page(request, user, watch, form, f"Not saved: {message}.", 400)
    return RedirectResponse(f"/desk/watchlists?done=saved#w-{name}", status_code=303)


@router.get("/desk/watchlists/{name}/remove", response_class=HTMLResponse)
def watchlist_remove_form(request: Request, user: Editor, name: WatchName) -> HTMLResponse:
    """Ask before removing: what the watchlist looks for, and a button."""
    watch = _load(request, name)
    context = {
        "title": f"Remove watchlist {watch.name}",
        "user": user,
        "watch": watch,
        "described": watching.describe_watchlist(watch),
    }
    return render(request, "desk/watchlist_remove.html", context, headers=NO_STORE)


@router.post("/desk/watchlists/{name}/remove", response_class=HTMLResponse)
def watchlist_remove(request: Request, user: Editor, name: WatchName) -> Response:
    """Remove the watchlist (the confirmation page's button)."""
    try:
        watching.remove_watchlist(get_db(request), name, now=get_clock(request).now(), user=user)
    except WatchlistError:
        raise HTTPException(404, f"No watchlist {name}.") from None
    return RedirectResponse("/desk/watchlists?done=removed", status_code=303)


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
