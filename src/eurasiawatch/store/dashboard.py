"""Aggregates behind the desk's dashboard: China-related articles per country and theme per day.

Everything is counted in the database (``GROUP BY``), starting from the ``articles.published``
index, so a dashboard request costs a few indexed aggregates however many articles are stored.
Windows are half-open ``[start, end)``; days are UTC calendar days (``YYYY-MM-DD``).

``data_version`` is what the dashboard's cache is keyed on besides the window: a tuple of primary
-key maxima (each one index lookup) that grows whenever articles are annotated or re-annotated,
sources are fetched, or editors merge and split stories.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, func, select
from sqlalchemy.sql.elements import ColumnElement

from .tables import annotations_table as annotations_t
from .tables import article_themes, articles, events, fetch_log, mentions, story_decisions

__all__ = ["daily_country_counts", "daily_theme_counts", "data_version", "source_counts"]


def _day(dialect: str) -> ColumnElement[Any]:
    """The UTC day of ``articles.published`` as ``YYYY-MM-DD`` text."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", articles.c.published), "YYYY-MM-DD")
    # SQLite keeps UtcDateTime as naive UTC text "YYYY-MM-DD HH:MM:SS…"
    return func.substr(articles.c.published, 1, 10)


def _daily_country_stmt(dialect: str, start: datetime, end: datetime) -> Select[Any]:
    day = _day(dialect).label("day")
    return (
        select(mentions.c.key.label("key"), day, func.count(func.distinct(mentions.c.article_id)).label("n"))
        .select_from(
            articles.join(annotations_t, annotations_t.c.article_id == articles.c.article_id).join(
                mentions, mentions.c.article_id == articles.c.article_id
            )
        )
        .where(
            articles.c.published >= start,
            articles.c.published < end,
            annotations_t.c.china_related.is_(True),
            mentions.c.kind == "country",
        )
        .group_by(mentions.c.key, day)
    )


def _daily_theme_stmt(dialect: str, start: datetime, end: datetime) -> Select[Any]:
    day = _day(dialect).label("day")
    return (
        select(article_themes.c.theme.label("key"), day, func.count().label("n"))
        .select_from(
            articles.join(annotations_t, annotations_t.c.article_id == articles.c.article_id).join(
                article_themes, article_themes.c.article_id == articles.c.article_id
            )
        )
        .where(
            articles.c.published >= start,
            articles.c.published < end,
            annotations_t.c.china_related.is_(True),
        )
        .group_by(article_themes.c.theme, day)
    )


def _daily_total_stmt(dialect: str, start: datetime, end: datetime) -> Select[Any]:
    day = _day(dialect).label("day")
    return (
        select(day, func.count().label("n"))
        .select_from(articles.join(annotations_t, annotations_t.c.article_id == articles.c.article_id))
        .where(
            articles.c.published >= start,
            articles.c.published < end,
            annotations_t.c.china_related.is_(True),
        )
        .group_by(day)
    )


def _by_key(rows: Any) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for row in rows:
        out.setdefault(row.key, {})[row.day] = int(row.n)
    return out


def daily_country_counts(conn: Connection, start: datetime, end: datetime) -> dict[str, dict[str, int]]:
    """China-related articles published in ``[start, end)`` that mention each country, per day.

    Returns:
        country ISO code -> day (``YYYY-MM-DD``) -> articles; days without any are absent. A day's
        counts are of distinct articles, so summing a country's days gives its window total.
    """
    return _by_key(conn.execute(_daily_country_stmt(conn.dialect.name, start, end)))


def daily_theme_counts(conn: Connection, start: datetime, end: datetime) -> dict[str, dict[str, int]]:
    """China-related articles published in ``[start, end)`` per theme and day (as ``daily_country_counts``).

    The key ``""`` holds every China-related article of the day, whatever its themes.
    """
    out = _by_key(conn.execute(_daily_theme_stmt(conn.dialect.name, start, end)))
    out[""] = {row.day: int(row.n) for row in conn.execute(_daily_total_stmt(conn.dialect.name, start, end))}
    return out


def _source_counts_stmt(dialect: str, start: datetime, end: datetime) -> Select[Any]:
    return (
        select(articles.c.source, func.count().label("n"))
        .where(articles.c.published >= start, articles.c.published < end, articles.c.source.is_not(None))
        .group_by(articles.c.source)
    )


def source_counts(conn: Connection, start: datetime, end: datetime) -> dict[str, int]:
    """Articles published in ``[start, end)`` per source (China-related or not)."""
    return {r.source: int(r.n) for r in conn.execute(_source_counts_stmt(conn.dialect.name, start, end))}


def _data_version_stmt(dialect: str) -> Select[Any]:
    return select(
        select(func.max(mentions.c.id)).scalar_subquery(),
        select(func.max(events.c.id)).scalar_subquery(),
        select(func.max(fetch_log.c.id)).scalar_subquery(),
        select(func.max(story_decisions.c.id)).scalar_subquery(),
        select(func.max(articles.c.published)).scalar_subquery(),
    )


def data_version(conn: Connection) -> tuple[Any, ...]:
    """A cheap fingerprint of the data the dashboard shows (index lookups only).

    It changes when mentions or events are written (annotating), a source is fetched, an editor
    merges or splits a story, or a newer article is stored.
    """
    row = conn.execute(_data_version_stmt(conn.dialect.name)).one()
    return tuple(str(v) for v in row)
