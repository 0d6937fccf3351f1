"""``/api/v1/entities`` and ``/api/v1/countries``: who and where the stored articles name (token required)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from starlette.requests import Request

from ...annotating import load_user_kb
from ...store import browse
from ..deps import get_db, get_settings
from .common import ERRORS, ApiRoute, Day, PagingQuery, Token, day_window, not_found, page, responses
from .corpus import CountryCode
from .models import (
    CoMention,
    CountryDetail,
    CountrySummary,
    EntityDetail,
    EntitySummary,
    Page,
    PeriodCount,
    ThemeCount,
)

__all__ = ["router"]

router = APIRouter(route_class=ApiRoute)

Since = Annotated[Day | None, Query(description="Count articles published from this day on (UTC).")]
Until = Annotated[Day | None, Query(description="Count articles published up to this day (UTC, inclusive).")]
Interval = Annotated[Literal["day", "month"], Query(description="Timeline buckets.")]
Top = Annotated[int, Query(ge=1, le=100, description="How many co-occurring actors to list.")]
EntityKey = Annotated[str, Path(min_length=1, max_length=128, description="The knowledge-base id.")]


def _entity_href(key: str) -> str:
    return f"/api/v1/entities/{key}"


def _country_href(code: str) -> str:
    return f"/api/v1/countries/{code}"


def _co(rows: list[dict[str, Any]]) -> list[CoMention]:
    return [
        CoMention(key=r["key"], name=r["name"], type=r["entity_type"], articles=r["articles"]) for r in rows
    ]


def _entity(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": row["key"],
        "name": row["name"],
        "type": row["entity_type"],
        "country": row["country"],
        "wikidata": row["wikidata"],
        "articles": int(row["articles"]),
        "china_related": int(row["china_related"]),
        "href": _entity_href(row["key"]),
    }


@router.get(
    "/entities",
    response_model=Page[EntitySummary],
    responses=responses(401),
    tags=["entities"],
    summary="Actors named in the articles, most named first",
)
def list_entities(
    request: Request,
    _user: Token,
    paging: PagingQuery,
    q: Annotated[
        str | None,
        Query(
            min_length=1, max_length=200, description="Name or id contains this, or Wikidata id equals it."
        ),
    ] = None,
    country: Annotated[CountryCode | None, Query(description="The actor's home country.")] = None,
    type: Annotated[
        str | None, Query(min_length=1, max_length=32, description="person, company, organisation …")
    ] = None,
    since: Since = None,
    until: Until = None,
) -> dict[str, Any]:
    """People, companies, organisations, projects … with how many articles name them (and how many of
    those are China-related), most named first; ``q`` searches names and ids."""
    start, end = day_window(since, until)
    filters: dict[str, Any] = {"q": q, "country": country, "entity_type": type, "since": start, "until": end}
    with get_db(request).read() as conn:
        total = browse.count_mention_keys(conn, "entity", **filters)
        rows = browse.mention_key_rows(conn, "entity", limit=paging.limit, offset=paging.offset, **filters)
    return page(request, (EntitySummary(**_entity(r)) for r in rows), total=total, paging=paging)


@router.get(
    "/entities/{key}",
    response_model=EntityDetail,
    responses=ERRORS,
    tags=["entities"],
    summary="One actor: co-occurring actors, timeline, themes",
)
def get_entity(
    request: Request,
    _user: Token,
    key: EntityKey,
    since: Since = None,
    until: Until = None,
    interval: Interval = "day",
    top: Top = 20,
) -> EntityDetail:
    """The actor's knowledge-base names, how many articles name it (in the window), the actors and
    countries named beside it, articles per day or month, and its articles' themes."""
    start, end = day_window(since, until)
    window: dict[str, Any] = {"since": start, "until": end}
    with get_db(request).read() as conn:
        row = browse.mention_summary(conn, "entity", key, **window)
        if row is None:
            raise not_found(f"entity {key!r} in the stored articles")
        actors = browse.co_mentions(conn, "entity", key, limit=top, **window)
        countries = browse.co_mentions(conn, "entity", key, other_kind="country", limit=top, **window)
        timeline = browse.mention_timeline(conn, "entity", key, interval=interval, **window)
        themes = browse.themes_for(conn, "entity", key, **window)
    actor = load_user_kb(get_settings(request)).actors.get(key)
    return EntityDetail(
        **_entity(row),
        aliases=[n for n in actor.all_names() if n != actor.name] if actor is not None else [],
        first_published=row["first_published"],
        last_published=row["last_published"],
        co_occurring=_co(actors),
        countries_named=_co(countries),
        timeline=[PeriodCount(period=p, articles=n) for p, n in timeline],
        themes=[ThemeCount(theme=t, articles=n) for t, n in themes],
        articles_href=f"/api/v1/articles?entity={key}",
    )


def _country(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": row["key"],
        "name": row["name"],
        "articles": int(row["articles"]),
        "china_related": int(row["china_related"]),
        "href": _country_href(row["key"]),
    }


@router.get(
    "/countries",
    response_model=Page[CountrySummary],
    responses=responses(401),
    tags=["countries"],
    summary="Countries named in the articles, with counts",
)
def list_countries(
    request: Request, _user: Token, paging: PagingQuery, since: Since = None, until: Until = None
) -> dict[str, Any]:
    """Every country the articles name, with how many articles (and China-related articles) name it,
    most first."""
    start, end = day_window(since, until)
    with get_db(request).read() as conn:
        total = browse.count_mention_keys(conn, "country", since=start, until=end)
        rows = browse.mention_key_rows(
            conn, "country", since=start, until=end, limit=paging.limit, offset=paging.offset
        )
    return page(request, (CountrySummary(**_country(r)) for r in rows), total=total, paging=paging)


@router.get(
    "/countries/{code}",
    response_model=CountryDetail,
    responses=ERRORS,
    tags=["countries"],
    summary="One country: actors, timeline, themes",
)
def get_country(
    request: Request,
    _user: Token,
    code: Annotated[CountryCode, Path(description="ISO 3166-1 alpha-2 (XK for Kosovo).")],
    since: Since = None,
    until: Until = None,
    interval: Interval = "day",
    top: Top = 20,
) -> CountryDetail:
    """How many articles name the country (in the window), the actors named with it, articles per day
    or month, and the themes of those articles."""
    start, end = day_window(since, until)
    window: dict[str, Any] = {"since": start, "until": end}
    with get_db(request).read() as conn:
        row = browse.mention_summary(conn, "country", code, **window)
        if row is None:
            raise not_found(f"country {code!r} in the stored articles")
        actors = browse.co_mentions(conn, "country", code, limit=top, **window)
        timeline = browse.mention_timeline(conn, "country", code, interval=interval, **window)
        themes = browse.themes_for(conn, "country", code, **window)
    known = load_user_kb(get_settings(request)).countries.get(code)
    return CountryDetail(
        **_country(row),
        capital=(known.capital or None) if known is not None else None,
        first_published=row["first_published"],
        last_published=row["last_published"],
        actors=_co(actors),
        timeline=[PeriodCount(period=p, articles=n) for p, n in timeline],
        themes=[ThemeCount(theme=t, articles=n) for t, n in themes],
        articles_href=f"/api/v1/articles?country={code}",
    )
