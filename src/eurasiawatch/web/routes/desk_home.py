"""``/desk/``: the dashboard for a window (sign-in required).

``?window=14d`` (also ``2w``, ``30``) or ``?since=YYYY-MM-DD&until=YYYY-MM-DD``; default: the 14
days before the clock's now. The panels come from ``eurasiawatch.dashboard`` (cached per window
and data version in ``app.state.dashboard_cache``); this module only parses the query, asks for
them, and turns them into the page (the map and the sparklines are drawn by ``render``).

The panels' HTML (``desk/dashboard_panels.html``, about 150 KB with the map) is rendered once per
build and kept beside it (``app.state.dashboard_panels``): a request renders only the page around
it — the window form, the user's name and their CSRF token, which stay out of the shared part.
A new build (new data, or the five-minute refresh) is a new object and so renders afresh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup

from ...dashboard import CHINA, Dashboard, DashboardCache, parse_window_query
from ...render.choropleth import REGION, choropleth_figure, country_names
from ...render.sparkline import sparkline_svg
from ..auth import Editor
from ..deps import get_clock, get_db, get_settings, now
from ..templating import environment, render

__all__ = ["PanelsCache", "render_panels", "router"]

router = APIRouter(include_in_schema=False)

PRESETS = (("7d", "7 days"), ("14d", "14 days"), ("30d", "30 days"), ("90d", "90 days"))


def _cache(request: Request) -> DashboardCache:
    cache = getattr(request.app.state, "dashboard_cache", None)
    if cache is None:
        cache = request.app.state.dashboard_cache = DashboardCache()
    return cache


class PanelsCache:
    """Rendered panels per dashboard build, the most recent ``size`` builds (thread-safe).

    Keyed on the build object itself (held, so its id cannot be reused): ``DashboardCache`` hands
    out the same object until the data change, so this needs no invalidation of its own.
    """

    def __init__(self, size: int = 32) -> None:  # as many as DashboardCache keeps (150 KB each)
        self._size = size
        self._items: OrderedDict[int, tuple[Dashboard, Markup]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, board: Dashboard) -> Markup:
        """The panels of ``board`` as HTML, rendered on the first request for this build."""
        with self._lock:
            found = self._items.get(id(board))
            if found is not None and found[0] is board:
                self._items.move_to_end(id(board))
                return found[1]
        html = render_panels(board)  # outside the lock: two first requests may both render, harmlessly
        with self._lock:
            self._items[id(board)] = (board, html)
            self._items.move_to_end(id(board))
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return html


def render_panels(board: Dashboard) -> Markup:
    """Map, engagement, top stories, rising actors, upcoming events and source health as HTML."""
    template = environment().get_template("desk/dashboard_panels.html")
    return Markup(template.render(board=board, **_view(board)))


def _panels(request: Request) -> PanelsCache:
    panels = getattr(request.app.state, "dashboard_panels", None)
    if panels is None:
        panels = request.app.state.dashboard_panels = PanelsCache()
    return panels


def _series_rows(board: Dashboard, series: Any, label: Any, what: str) -> list[dict[str, Any]]:
    rows = []
    for s in series:
        name = label(s.key)
        peak = max(range(len(s.points)), key=lambda i: (s.points[i], -i))
        rows.append(
            {
                "name": name,
                "total": s.total,
                "peak": s.points[peak],
                "peak_at": board.buckets[peak],
                "chart": Markup(
                    sparkline_svg(
                        s.points,
                        title=f"{name}: China-related articles per {board.bucket}{what}",
                        labels=board.buckets,
                    )
                ),
            }
        )
    return rows


def _view(board: Dashboard) -> dict[str, Any]:
    names = country_names()
    values: dict[str, float] = {code: 0 for code in REGION if code != CHINA}
    values.update(board.countries)
    title = f"China-related articles by country, {board.window.label()}"
    figure = choropleth_figure(
        values,
        title=title,
        names=names,
        id_prefix="activity",
        subject=CHINA,
        description=(
            "Each country is coloured by the China-related articles that mention it; "
            "countries the desk covers with no such article are 0."
        ),
    )
    return {
        "map": Markup(figure),
        "map_has_data": bool(board.countries),
        "country_rows": _series_rows(board, board.country_series, lambda c: names.get(c, c), ""),
        "theme_rows": _series_rows(board, board.theme_series, lambda t: t.capitalize(), " on this theme"),
        "names": names,
    }


@router.get("/desk", response_class=HTMLResponse)
def desk_bare(user: Editor) -> RedirectResponse:
    """``/desk`` without the slash goes to ``/desk/``."""
    return RedirectResponse("/desk/", status_code=308)


@router.get("/desk/", response_class=HTMLResponse)
def desk_home(
    request: Request,
    user: Editor,
    window: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> HTMLResponse:
    """The dashboard: map, engagement series, top stories, rising actors, upcoming events, sources."""
    try:
        win = parse_window_query(
            now(request), window=window or None, since=since or None, until=until or None
        )
    except ValueError as exc:
        raise HTTPException(400, f"Cannot show that window: {exc}.") from None
    query = ("window", window or "", "since", since or "", "until", until or "")
    board = _cache(request).get(
        get_db(request), get_settings(request), win, today=get_clock(request).today(), query=query
    )
    context = {
        "title": "Desk",
        "user": user,
        "board": board,
        "presets": PRESETS,
        "window_arg": window or "",
        "since": board.window.start.date().isoformat(),
        "until": board.window.last_day.isoformat(),
        "panels": _panels(request).get(board),
    }
    return render(request, "desk_home.html", context, headers={"Cache-Control": "private, no-store"})
