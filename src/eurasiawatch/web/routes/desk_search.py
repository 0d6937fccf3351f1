"""``/desk/search``: full-text search over the stored articles with facets, filters and pages.

The query string mirrors ``eurasiawatch search``: ``q`` (words, ``"a phrase"``, ``a OR b``,
``-word``, ``prefix*``), then filters ``country``, ``theme``, ``entity``, ``language``, ``source``
(the outlet), ``since`` and ``until`` (YYYY-MM-DD), each repeatable, and ``page``. The search itself
is ``analyze.search.search``; this module parses the query, turns hits into marked-up snippets and
facet values into links that add or drop a filter. Filters without words list the matching
articles newest first (``store.browse.article_rows``), without facets.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape

from ...analyze.search import SearchFilters, SearchQueryError, search
from ...annotating import load_user_kb
from ...render.choropleth import country_names
from ...store import browse
from ..auth import Editor
from ..deps import get_db, get_search_cache, get_settings
from ..templating import render

__all__ = ["PAGE_SIZE", "marked", "router"]

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20
# query parameter -> (facet kind in SearchResult.facets, label)
FILTERS: tuple[tuple[str, str, str], ...] = (
    ("country", "country", "Country"),
    ("theme", "theme", "Theme"),
    ("entity", "entity", "Actor"),
    ("language", "language", "Language"),
    ("source", "outlet", "Outlet"),
)
Values = Annotated[list[str] | None, Query()]


def marked(text: str, spans: Sequence[tuple[int, int]]) -> Markup:
    """``text`` escaped, with each ``(start, end)`` span wrapped in ``<mark>``."""
    out: list[str] = []
    at = 0
    for start, end in sorted(spans):
        if start < at:
            continue
        out.append(str(escape(text[at:start])))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        at = end
    out.append(str(escape(text[at:])))
    return Markup("".join(out))


def _day(value: str | None, name: str, errors: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(f"{name} {value!r} is not a date (YYYY-MM-DD).")
        return None


def _clean(values: list[str] | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in values or () if v and v.strip()))


_ACTOR_NAMES_TTL = 10.0  # seconds an edit of the user's knowledge base may take to show in facet labels


def _actor_names(request: Request) -> Mapping[str, str]:
    """Actor names by id, from the knowledge base at most ``_ACTOR_NAMES_TTL`` seconds old.

    ``load_user_kb`` checks the modification time of every knowledge-base file (about 40 ``stat``
    calls) to notice an edit: a few milliseconds a request under load, for labels that rarely change.
    """
    held = getattr(request.app.state, "actor_names", None)
    if held is not None and time.monotonic() - held[0] < _ACTOR_NAMES_TTL:
        return held[1]  # type: ignore[no-any-return]
    names = {key: actor.name for key, actor in load_user_kb(get_settings(request)).actors.items()}
    request.app.state.actor_names = (time.monotonic(), names)
    return names


def _labeller(request: Request) -> Callable[[str, str], str]:
    """Facet values as people read them: country and actor names instead of codes and ids."""
    countries = country_names()
    actors = _actor_names(request)

    def label(kind: str, value: str) -> str:
        if kind == "country":
            return countries.get(value.upper(), value)
        if kind == "entity":
            return actors.get(value, value)
        return value

    return label


def _href(params: list[tuple[str, str]]) -> str:
    return "/desk/search?" + urlencode(params)


@router.get("/desk/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    user: Editor,
    q: str = "",
    country: Values = None,
    theme: Values = None,
    entity: Values = None,
    language: Values = None,
    source: Values = None,
    since: str | None = None,
    until: str | None = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    """The search form, the page of hits with highlighted passages, and facet counts as filter links."""
    chosen = {
        "country": tuple(c.upper() for c in _clean(country)),
        "theme": _clean(theme),
        "entity": _clean(entity),
        "language": _clean(language),
        "source": _clean(source),
    }
    errors: list[str] = []
    start, end = _day(since, "From", errors), _day(until, "To", errors)
    params: list[tuple[str, str]] = [("q", q)] if q else []
    for name, values in chosen.items():
        params.extend((name, v) for v in values)
    params.extend((k, v) for k, v in (("since", since or ""), ("until", until or "")) if v)
    result = None
    listing: dict[str, Any] | None = None
    status = 200
    if q.strip() and not errors:
        filters = SearchFilters(
            countries=chosen["country"],
            themes=chosen["theme"],
            entities=chosen["entity"],
            languages=chosen["language"],
            outlets=chosen["source"],
            since=start,
            until=end,
        )
        try:
            with get_db(request).read() as conn:
                result = search(
                    conn,
                    q,
                    filters=filters,
                    limit=PAGE_SIZE,
                    offset=(page - 1) * PAGE_SIZE,
                    cache=get_search_cache(request),
                )
        except SearchQueryError as exc:
            errors.append(str(exc) + (f" ({exc.hint})" if exc.hint else "") + ".")
            status = 400
    elif errors:
        status = 400
    elif any(chosen.values()) or start or end:
        listing = _listing(request, chosen, start, end, page)
    facets: list[dict[str, Any]] = []
    labels = _labeller(request) if result is not None else None
    active: list[dict[str, str]] = []
    for name, kind, label in FILTERS:
        for value in chosen[name]:
            rest = [p for p in params if p != (name, value)]
            active.append({"label": label, "value": value, "remove": _href(rest)})
        if result is None:
            continue
        items = []
        for value, count in result.facets.get(kind, ()):
            on = value in chosen[name] or (name == "country" and value.upper() in chosen[name])
            items.append(
                {
                    "value": value,
                    "label": labels(kind, value) if labels is not None else value,
                    "count": count,
                    "on": on,
                    "href": _href([p for p in params if p != (name, value)])
                    if on
                    else _href([*params, (name, value)]),
                }
            )
        facets.append({"label": label, "items": items})
    pages: dict[str, str | None] = {"prev": None, "next": None}
    total = result.total if result is not None else listing["total"] if listing is not None else 0
    if result is not None or listing is not None:
        base = [p for p in params]
        if page > 1:
            pages["prev"] = _href([*base, ("page", str(page - 1))])
        if page * PAGE_SIZE < total:
            pages["next"] = _href([*base, ("page", str(page + 1))])
    hits = [
        {
            "article_id": h.article_id,
            "title": marked(h.title or "(untitled)", h.title_highlights),
            "snippet": marked(h.snippet, h.highlights),
            "outlet": h.outlet,
            "language": h.language,
            "published": h.published,
        }
        for h in (result.hits if result is not None else ())
    ]
    if listing is not None:
        hits = listing["hits"]
    context = {
        "title": f"Search: {q}" if q else "Search",
        "user": user,
        "q": q,
        "since": since or "",
        "until": until or "",
        "chosen": chosen,
        "result": result,
        "summary": None
        if result is None and listing is None
        else {"total": total, "offset": (page - 1) * PAGE_SIZE, "words": result is not None},
        "hits": hits,
        "facets": facets,
        "active": active,
        "errors": errors,
        "page": page,
        "page_size": PAGE_SIZE,
        "pages": pages,
    }
    return render(
        request, "desk/search.html", context, status=status, headers={"Cache-Control": "private, no-store"}
    )


def _listing(
    request: Request, chosen: dict[str, tuple[str, ...]], start: date | None, end: date | None, page: int
) -> dict[str, Any]:
    """Articles matching the filters alone, newest first (no words: no ranking, no facets)."""
    f = browse.ArticleFilter(
        countries=chosen["country"],
        themes=chosen["theme"],
        entities=chosen["entity"],
        languages=chosen["language"],
        outlets=chosen["source"],
        since=datetime(start.year, start.month, start.day, tzinfo=UTC) if start else None,
        until=datetime(end.year, end.month, end.day, tzinfo=UTC) + timedelta(days=1) if end else None,
    )
    with get_db(request).read() as conn:
        total = browse.count_article_rows(conn, f)
        rows = browse.article_rows(conn, f, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    hits = [
        {
            "article_id": r["article_id"],
            "title": marked(r["title"] or "(untitled)", ()),
            "snippet": marked(r["description"] or "", ()),
            "outlet": r["outlet"],
            "language": r["language"],
            "published": r["published"],
        }
        for r in rows
    ]
    return {"total": total, "hits": hits}
