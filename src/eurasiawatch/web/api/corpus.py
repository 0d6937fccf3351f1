"""``/api/v1/articles``, ``/api/v1/events`` and ``/api/v1/search``: the stored corpus (token required)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import StringConstraints
from starlette.requests import Request

from ...analyze.search import SearchFilters, parse_query, search
from ...records import Annotation
from ...store import browse, queries
from ...store.annotations import load_annotation
from ..deps import get_db, get_search_cache
from .common import ERRORS, ApiRoute, Day, PagingQuery, Token, day_window, not_found, page, responses
from .models import (
    ActorRef,
    AnnotationOut,
    ArticleDetail,
    ArticleSummary,
    EventOut,
    EventSummary,
    EventType,
    FacetValue,
    MentionOut,
    Page,
    SearchHitOut,
    SearchPage,
    Theme,
)

__all__ = ["CountryCode", "Language", "article_href", "router"]

router = APIRouter(route_class=ApiRoute)

CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,8})?$")]
_Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
ArticleId = Annotated[str, Path(min_length=1, max_length=128, description="The article's id.")]
Since = Annotated[Day | None, Query(description="From this day on (UTC, inclusive).")]
Until = Annotated[Day | None, Query(description="Up to this day (UTC, inclusive).")]
Countries = Annotated[
    list[CountryCode], Query(description="ISO 3166-1 alpha-2 code; repeat for any of several.")
]
Themes = Annotated[list[Theme], Query(description="Theme; repeat for any of several.")]
Languages = Annotated[list[Language], Query(description="Language code (``sr`` also finds ``sr-Latn``).")]
Outlets = Annotated[list[_Name], Query(description="Outlet name; repeat for any of several.")]
Entities = Annotated[
    list[_Name], Query(description="Knowledge-base id of an actor; repeat for any of several.")
]
Words = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=500,
        description='Full-text query: words, "a phrase", a OR b, -word, word* (see docs/search.md).',
    ),
]


def article_href(article_id: str) -> str:
    """The API path of an article."""
    return f"/api/v1/articles/{article_id}"


def _summary(row: dict[str, Any]) -> ArticleSummary:
    return ArticleSummary(
        article_id=row["article_id"],
        url=row["url"],
        title=row["title"],
        description=row["description"],
        published=row["published"],
        language=row["language"],
        outlet=row["outlet"],
        source=row["source"],
        authors=list(row["authors"] or ()),
        china_related=None if row["china_related"] is None else bool(row["china_related"]),
        countries=list(row["countries"] or ()),
        themes=list(row["themes"] or ()),
        href=article_href(row["article_id"]),
    )


@router.get(
    "/articles",
    response_model=Page[ArticleSummary],
    responses=responses(400, 401),
    tags=["articles"],
    summary="Articles, newest first, with filters",
)
def list_articles(
    request: Request,
    _user: Token,
    paging: PagingQuery,
    since: Since = None,
    until: Until = None,
    country: Countries = [],  # noqa: B006 - FastAPI copies query defaults
    theme: Themes = [],  # noqa: B006
    language: Languages = [],  # noqa: B006
    source: Annotated[list[_Name], Query(description="Source (registry name); repeat for several.")] = [],  # noqa: B006
    outlet: Outlets = [],  # noqa: B006
    entity: Entities = [],  # noqa: B006
    china_related: Annotated[
        bool | None, Query(description="Only China-related (or only other) ones.")
    ] = None,
    q: Words = None,
) -> dict[str, Any]:
    """Stored articles newest first (by publication date, else first seen). Filters of one kind are
    ORed (``country=KZ&country=UZ``), kinds are ANDed; ``q`` keeps the order and only narrows."""
    start, end = day_window(since, until)
    f = browse.ArticleFilter(
        since=start,
        until=end,
        countries=tuple(country),
        themes=tuple(theme),
        languages=tuple(language),
        sources=tuple(source),
        outlets=tuple(outlet),
        entities=tuple(entity),
        china_related=china_related,
        text=parse_query(q) if q is not None else None,
    )
    with get_db(request).read() as conn:
        total = browse.count_article_rows(conn, f)
        rows = browse.article_rows(conn, f, limit=paging.limit, offset=paging.offset) if total else []
    return page(request, (_summary(r) for r in rows), total=total, paging=paging)


def _annotation(a: Annotation) -> AnnotationOut:
    return AnnotationOut(
        language=a.language,
        china_related=a.china_related,
        countries=list(a.countries),
        themes=list(a.themes),
        mentions=[
            MentionOut(
                kind="country" if m.kind == "country" else "entity",
                key=m.key,
                name=m.name,
                start=m.start,
                end=m.end,
                wikidata=m.wikidata,
                country=m.country,
                entity_type=m.entity_type,
            )
            for m in a.mentions
        ],
        events=[
            EventOut(
                type=e.type,
                mode=e.mode,
                date=e.date,
                end_date=e.end_date,
                upcoming=e.upcoming,
                actors=[ActorRef(country=c, entity=x) for c, x in e.actors],
                location=e.location,
                evidence=e.evidence,
            )
            for e in a.events
        ],
        kb_version=a.kb_version,
        model_version=a.model_version,
    )


@router.get(
    "/articles/{article_id}",
    response_model=ArticleDetail,
    responses=ERRORS,
    tags=["articles"],
    summary="One article with its annotation",
)
def get_article(request: Request, _user: Token, article_id: ArticleId) -> ArticleDetail:
    """The article's text and metadata, what the annotator found in it (countries, entities with their
    offsets, themes, events with their evidence sentence), its story and the article it repeats."""
    with get_db(request).read() as conn:
        article = queries.get_article(conn, article_id)
        if article is None:
            raise not_found(f"article {article_id!r}")
        annotation = load_annotation(conn, article_id)
        context = browse.article_context(conn, article_id)
    return ArticleDetail(
        article_id=article.article_id,
        url=article.url,
        canonical_url=article.canonical_url,
        title=article.title,
        description=article.description,
        text=article.text,
        published=article.published,
        language=article.language,
        outlet=article.outlet,
        source=article.source,
        authors=list(article.authors),
        lead_image=article.lead_image,
        sample=article.sample,
        story_id=context["story_id"],
        duplicate_of=context["duplicate_of"],
        annotation=_annotation(annotation) if annotation is not None else None,
    )


def _event(row: dict[str, Any]) -> EventSummary:
    return EventSummary(
        id=row["id"],
        article_id=row["article_id"],
        type=row["type"],
        mode=row["mode"],
        date=row["date"],
        end_date=row["end_date"],
        upcoming=row["upcoming"],
        actors=[ActorRef(country=a[0], entity=a[1]) for a in row["actors"]],
        location=row["location"],
        evidence=row["evidence"],
        article_title=row["title"],
        article_url=row["url"],
        outlet=row["outlet"],
        language=row["language"],
        published=row["published"],
    )


@router.get(
    "/events",
    response_model=Page[EventSummary],
    responses=responses(401),
    tags=["events"],
    summary="PLOVER events with their evidence sentences",
)
def list_events(
    request: Request,
    _user: Token,
    paging: PagingQuery,
    type: Annotated[list[EventType], Query(description="PLOVER type; repeat for several.")] = [],  # noqa: B006
    country: Annotated[CountryCode | None, Query(description="An actor's country.")] = None,
    since: Annotated[Day | None, Query(description="Events dated from this day on.")] = None,
    until: Annotated[Day | None, Query(description="Events dated up to this day.")] = None,
    upcoming: Annotated[
        bool | None,
        Query(description="true: only scheduled events (soonest first); false: only reported ones."),
    ] = None,
) -> dict[str, Any]:
    """Events found in stored articles: newest date first (soonest first with ``upcoming=true``),
    undated ones last; each with the sentence that reports it and its article."""
    f = browse.EventFilter(
        types=tuple(type),
        country=country,
        since=since.isoformat() if since else None,
        until=until.isoformat() if until else None,
        upcoming=upcoming,
    )
    with get_db(request).read() as conn:
        total = browse.count_event_rows(conn, f)
        rows = browse.event_rows(conn, f, limit=paging.limit, offset=paging.offset) if total else []
    return page(request, (_event(r) for r in rows), total=total, paging=paging)


@router.get(
    "/search",
    response_model=SearchPage,
    responses=responses(400, 401),
    tags=["search"],
    summary="Full-text search with facets",
)
def search_articles(
    request: Request,
    _user: Token,
    paging: PagingQuery,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=500,
            description='Words, "a phrase", a OR b, -word, word* (see docs/search.md).',
        ),
    ],
    country: Countries = [],  # noqa: B006
    theme: Themes = [],  # noqa: B006
    entity: Entities = [],  # noqa: B006
    language: Languages = [],  # noqa: B006
    outlet: Outlets = [],  # noqa: B006
    since: Since = None,
    until: Until = None,
) -> SearchPage:
    """Ranked matches (BM25 on SQLite, cover density on PostgreSQL; the same articles match on
    both) with a highlighted passage each, the exact total, and counts per country, theme, entity,
    language and outlet over the best 1,000 hits (``approximate`` when there are more)."""
    filters = SearchFilters(
        countries=tuple(country),
        entities=tuple(entity),
        themes=tuple(theme),
        languages=tuple(language),
        outlets=tuple(outlet),
        since=since,
        until=until,
    )
    with get_db(request).read() as conn:
        result = search(
            conn,
            q,
            filters=filters,
            limit=paging.limit,
            offset=paging.offset,
            cache=get_search_cache(request),
        )
    hits = [
        SearchHitOut(
            article_id=h.article_id,
            title=h.title,
            url=h.url,
            outlet=h.outlet,
            language=h.language,
            published=h.published,
            score=h.score,
            snippet=h.snippet,
            highlights=list(h.highlights),
            title_highlights=list(h.title_highlights),
            href=article_href(h.article_id),
        )
        for h in result.hits
    ]
    return SearchPage(
        **page(request, hits, total=result.total, paging=paging),
        query=result.query,
        approximate=result.approximate,
        facet_basis=result.facet_basis,
        facets={k: [FacetValue(value=v, count=n) for v, n in items] for k, items in result.facets.items()},
        engine=result.engine,
    )
