"""Queries of the open data exports: articles, mentions, events and stories, streamed in a stable order.

Each kind has one ``_*_stmt(dialect, filters)`` builder; ``stream`` runs it with a server-side cursor
on PostgreSQL (``stream_results`` + ``yield_per``; SQLite's cursor is lazy anyway), so an export of
any size holds one batch of rows in memory. Filters are shared: ``since``/``until`` on the article's
day (publication, else first seen; an event's own date when it has one; a story's first and last
day), ``country`` (an ISO code the article mentions) and ``theme``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, RowMapping, Select, and_, exists, func, or_, select

from .tables import annotations_table as annotations_t
from .tables import article_themes, articles, events, mentions, stories, story_articles

__all__ = ["EXPORT_KINDS", "ExportFilters", "entity_wikidata", "stream"]

EXPORT_KINDS = ("articles", "mentions", "events", "stories")


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportFilters:
    """What to export: a day range (inclusive) and an optional country and theme."""

    since: date | None = None
    until: date | None = None
    country: str | None = None
    theme: str | None = None


def _article_filters(f: ExportFilters, *, dated: bool = True) -> list[Any]:
    """WHERE clauses on ``articles`` for the filters (the day range only when ``dated``)."""
    clauses: list[Any] = []
    day = func.coalesce(articles.c.published, articles.c.first_seen_at)
    if dated and f.since is not None:
        clauses.append(day >= datetime.combine(f.since, time.min))
    if dated and f.until is not None:
        clauses.append(day < datetime.combine(f.until + timedelta(days=1), time.min))
    if f.country:
        # aliased: the mentions export has ``mentions`` in its own FROM, which would swallow the EXISTS
        named = mentions.alias("country_filter")
        clauses.append(
            exists().where(
                named.c.article_id == articles.c.article_id,
                named.c.kind == "country",
                named.c.key == f.country.upper(),
            )
        )
    if f.theme:
        themed = article_themes.alias("theme_filter")
        clauses.append(
            exists().where(themed.c.article_id == articles.c.article_id, themed.c.theme == f.theme)
        )
    return clauses


def _articles_stmt(dialect: str, f: ExportFilters) -> Select[Any]:
    return (
        select(
            articles.c.article_id,
            articles.c.url,
            articles.c.canonical_url,
            articles.c.title,
            articles.c.published,
            articles.c.first_seen_at,
            articles.c.language,
            articles.c.language_score,
            articles.c.outlet,
            articles.c.source,
            articles.c.authors,
            articles.c.description,
            articles.c.text,
            articles.c.content_hash,
            annotations_t.c.china_related,
            annotations_t.c.countries,
            annotations_t.c.themes,
        )
        .select_from(articles.outerjoin(annotations_t, annotations_t.c.article_id == articles.c.article_id))
        .where(*_article_filters(f))
        .order_by(articles.c.article_id)
    )


def _mentions_stmt(dialect: str, f: ExportFilters) -> Select[Any]:
    return (
        select(
            mentions.c.article_id,
            mentions.c.kind,
            mentions.c.key,
            mentions.c.name,
            mentions.c.wikidata,
            mentions.c.country,
            mentions.c.entity_type,
            mentions.c.start_offset,
            mentions.c.end_offset,
            articles.c.published,
            articles.c.language,
            articles.c.outlet,
            articles.c.url,
        )
        .select_from(mentions.join(articles, articles.c.article_id == mentions.c.article_id))
        .where(*_article_filters(f))
        .order_by(mentions.c.article_id, mentions.c.id)
    )


def _events_stmt(dialect: str, f: ExportFilters) -> Select[Any]:
    clauses = _article_filters(f, dated=False)
    day = func.coalesce(articles.c.published, articles.c.first_seen_at)
    # an event's own date (ISO text, which sorts) decides; without one, the article's day does
    if f.since is not None:
        start = datetime.combine(f.since, time.min)
        clauses.append(or_(events.c.date >= f.since.isoformat(), and_(events.c.date.is_(None), day >= start)))
    if f.until is not None:
        end = datetime.combine(f.until + timedelta(days=1), time.min)
        clauses.append(or_(events.c.date <= f.until.isoformat(), and_(events.c.date.is_(None), day < end)))
    return (
        select(
            events.c.id,
            events.c.article_id,
            events.c.type,
            events.c.mode,
            events.c.date,
            events.c.end_date,
            events.c.upcoming,
            events.c.actors,
            events.c.location,
            events.c.evidence,
            articles.c.url,
            articles.c.outlet,
            articles.c.language,
            articles.c.published,
        )
        .select_from(events.join(articles, articles.c.article_id == events.c.article_id))
        .where(*clauses)
        .order_by(events.c.article_id, events.c.id)
    )


def _stories_stmt(dialect: str, f: ExportFilters) -> Select[Any]:
    clauses = [
        stories.c.hidden.is_(False),
        stories.c.merged_into.is_(None),
        *_article_filters(f, dated=False),
    ]
    if f.since is not None:
        clauses.append(stories.c.last_day >= f.since)
    if f.until is not None:
        clauses.append(stories.c.first_day <= f.until)
    return (
        select(
            stories.c.story_id,
            stories.c.title.label("story_title"),
            stories.c.first_day,
            stories.c.last_day,
            stories.c.articles.label("story_articles"),
            stories.c.pinned,
            story_articles.c.article_id,
            story_articles.c.by_editor,
            articles.c.url,
            articles.c.title,
            articles.c.outlet,
            articles.c.language,
            articles.c.published,
        )
        .select_from(
            stories.join(story_articles, story_articles.c.story_id == stories.c.story_id).join(
                articles, articles.c.article_id == story_articles.c.article_id
            )
        )
        .where(*clauses)
        .order_by(stories.c.story_id, articles.c.published, articles.c.article_id)
    )


_BUILDERS = {
    "articles": _articles_stmt,
    "mentions": _mentions_stmt,
    "events": _events_stmt,
    "stories": _stories_stmt,
}


def stream(conn: Connection, kind: str, filters: ExportFilters, *, batch: int = 2000) -> Iterator[RowMapping]:
    """The rows of one export kind, fetched ``batch`` at a time through a server-side cursor.

    Args:
        conn: a connection (inside a transaction, so PostgreSQL keeps the cursor).
        kind: one of ``EXPORT_KINDS``.
        filters: day range, country, theme.
        batch: rows per fetch.
    """
    stmt = _BUILDERS[kind](conn.dialect.name, filters)
    result = conn.execution_options(stream_results=True, yield_per=batch).execute(stmt)
    yield from result.mappings()


def _entity_wikidata_stmt(dialect: str, article_ids: list[str]) -> Select[Any]:
    return (
        select(mentions.c.article_id, mentions.c.kind, mentions.c.key, mentions.c.name, mentions.c.wikidata)
        .where(mentions.c.article_id.in_(article_ids), mentions.c.wikidata.is_not(None))
        .order_by(mentions.c.article_id, mentions.c.id)
    )


def entity_wikidata(conn: Connection, article_ids: Sequence[str]) -> dict[str, dict[str, str]]:
    """Wikidata ids of what these articles mention: ``{article_id: {name or country code: QID}}``."""
    found: dict[str, dict[str, str]] = {}
    ids = list(dict.fromkeys(article_ids))
    for start in range(0, len(ids), 400):
        for row in conn.execute(_entity_wikidata_stmt(conn.dialect.name, ids[start : start + 400])):
            names = found.setdefault(row.article_id, {})
            names.setdefault(row.key if row.kind == "country" else row.name, row.wikidata)
            names.setdefault(row.key, row.wikidata)
    return found
