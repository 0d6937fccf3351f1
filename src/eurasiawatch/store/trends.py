"""Queries behind trends, the engagement series and the calendar: counts per window, evidence rows.

Every statement is built by a ``_*_stmt(dialect, ...)`` builder so a test compiles each one for
SQLite and PostgreSQL. Windows are half-open ``[start, end)`` on ``articles.published``; articles
without a publication date take no part in any count.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, case, func, literal, select

from .tables import annotations_table as annotations_t
from .tables import article_themes, articles, events, mentions

__all__ = [
    "KINDS",
    "EngagementRows",
    "UpcomingRow",
    "engagement_rows",
    "upcoming_events",
    "window_counts",
]

KINDS = ("country", "entity", "theme")


def _bucket(edges: Sequence[datetime]) -> Any:
    """Window index of an article: 0 for ``[edges[1], edges[0])``, 1 for the one before, and so on."""
    whens = [(articles.c.published >= edge, i) for i, edge in enumerate(edges[1:-1])]
    return case(*whens, else_=len(edges) - 2) if whens else literal(0)


def _window_counts_stmt(dialect: str, kind: str, edges: Sequence[datetime], china_only: bool) -> Select[Any]:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    bucket = _bucket(edges).label("bucket")
    span = and_(articles.c.published >= edges[-1], articles.c.published < edges[0])
    if kind == "theme":
        source = article_themes.join(articles, articles.c.article_id == article_themes.c.article_id)
        key, name, article_id = article_themes.c.theme, article_themes.c.theme, article_themes.c.article_id
        n = func.count().label("n")  # (article_id, theme) is the primary key: no duplicates
    else:
        source = mentions.join(articles, articles.c.article_id == mentions.c.article_id)
        key, name, article_id = mentions.c.key, mentions.c.name, mentions.c.article_id
        n = func.count(func.distinct(mentions.c.article_id)).label("n")
    if china_only:
        source = source.join(annotations_t, annotations_t.c.article_id == article_id)
    stmt = select(key.label("key"), func.min(name).label("name"), bucket, n).select_from(source).where(span)
    if kind != "theme":
        stmt = stmt.where(mentions.c.kind == kind)
    if china_only:
        stmt = stmt.where(annotations_t.c.china_related.is_(True))
    return stmt.group_by(key, bucket)


def window_counts(
    conn: Connection, kind: str, edges: Sequence[datetime], *, china_only: bool = False
) -> dict[str, tuple[str, tuple[int, ...]]]:
    """Articles per key in consecutive windows, newest first.

    Args:
        conn: a connection.
        kind: ``country``, ``entity`` or ``theme``.
        edges: window boundaries, newest first: ``edges[0]`` ends the current window, ``edges[-1]``
            starts the oldest. ``n`` edges make ``n - 1`` windows.
        china_only: count only articles annotated as China-related.

    Returns:
        key -> (display name, counts per window with index 0 the current window).
    """
    windows = len(edges) - 1
    names: dict[str, str] = {}
    counts: dict[str, list[int]] = {}
    for row in conn.execute(_window_counts_stmt(conn.dialect.name, kind, edges, china_only)):
        counts.setdefault(row.key, [0] * windows)[int(row.bucket)] = int(row.n)
        if row.key not in names or row.name < names[row.key]:
            names[row.key] = row.name
    return {key: (names[key], tuple(n)) for key, n in counts.items()}


# -- engagement series -------------------------------------------------------------------------


def _engagement_articles_stmt(dialect: str, start: datetime, end: datetime) -> Select[Any]:
    return (
        select(
            articles.c.article_id,
            articles.c.published,
            articles.c.title,
            articles.c.url,
            articles.c.outlet,
            mentions.c.key.label("country"),
        )
        .select_from(
            annotations_t.join(articles, articles.c.article_id == annotations_t.c.article_id).join(
                mentions, mentions.c.article_id == annotations_t.c.article_id
            )
        )
        .where(
            annotations_t.c.china_related.is_(True),
            mentions.c.kind == "country",
            articles.c.published >= start,
            articles.c.published < end,
        )
        .distinct()
        .order_by(articles.c.published, articles.c.article_id, mentions.c.key)
    )


def _engagement_themes_stmt(dialect: str, start: datetime, end: datetime) -> Select[Any]:
    return (
        select(article_themes.c.article_id, article_themes.c.theme)
        .select_from(
            article_themes.join(
                annotations_t, annotations_t.c.article_id == article_themes.c.article_id
            ).join(articles, articles.c.article_id == article_themes.c.article_id)
        )
        .where(
            annotations_t.c.china_related.is_(True),
            articles.c.published >= start,
            articles.c.published < end,
        )
        .order_by(article_themes.c.article_id, article_themes.c.theme)
    )


def _engagement_events_stmt(dialect: str, start: datetime, end: datetime) -> Select[Any]:
    return (
        select(
            events.c.id,
            events.c.article_id,
            events.c.type,
            events.c.mode,
            events.c.date,
            events.c.upcoming,
            events.c.actors,
            events.c.evidence,
        )
        .select_from(
            events.join(annotations_t, annotations_t.c.article_id == events.c.article_id).join(
                articles, articles.c.article_id == events.c.article_id
            )
        )
        .where(
            annotations_t.c.china_related.is_(True),
            articles.c.published >= start,
            articles.c.published < end,
        )
        .order_by(events.c.article_id, events.c.id)
    )


EngagementRows = tuple[list[dict[str, Any]], list[tuple[str, str]], list[dict[str, Any]]]


def engagement_rows(conn: Connection, start: datetime, end: datetime) -> EngagementRows:
    """The raw material of the engagement series for China-related articles published in ``[start, end)``.

    Returns:
        (article rows, one per article and country mentioned: ``article_id, published, title, url,
        outlet, country``; (article_id, theme) pairs; event rows with ``actors`` decoded to a list of
        ``[country, entity]`` pairs).
    """
    dialect = conn.dialect.name
    article_rows = [dict(r) for r in conn.execute(_engagement_articles_stmt(dialect, start, end)).mappings()]
    themes = [(r.article_id, r.theme) for r in conn.execute(_engagement_themes_stmt(dialect, start, end))]
    event_rows = []
    for r in conn.execute(_engagement_events_stmt(dialect, start, end)).mappings():
        row = dict(r)
        row["actors"] = json.loads(row["actors"] or "[]")
        row["upcoming"] = bool(row["upcoming"])
        event_rows.append(row)
    return article_rows, themes, event_rows


# -- calendar ------------------------------------------------------------------------------------

UpcomingRow = dict[str, Any]


def _upcoming_events_stmt(dialect: str, after_day: str, until_day: str) -> Select[Any]:
    return (
        select(
            events.c.id,
            events.c.article_id,
            events.c.type,
            events.c.mode,
            events.c.date,
            events.c.end_date,
            events.c.actors,
            events.c.location,
            events.c.evidence,
            articles.c.title,
            articles.c.url,
            articles.c.outlet,
            articles.c.language,
            articles.c.published,
        )
        .select_from(events.join(articles, articles.c.article_id == events.c.article_id))
        .where(
            events.c.upcoming.is_(True),
            events.c.date.is_not(None),
            events.c.date > after_day,
            events.c.date <= until_day,
        )
        .order_by(events.c.date, events.c.type, articles.c.published, events.c.id)
    )


def upcoming_events(conn: Connection, after_day: str, until_day: str) -> list[UpcomingRow]:
    """Events marked upcoming whose ISO date lies after ``after_day`` and on or before ``until_day``.

    Each row carries the event's fields (``actors`` decoded) and its article's title, URL, outlet,
    language and publication time, ordered by date.
    """
    rows = []
    for r in conn.execute(_upcoming_events_stmt(conn.dialect.name, after_day, until_day)).mappings():
        row = dict(r)
        row["actors"] = json.loads(row["actors"] or "[]")
        rows.append(row)
    return rows
