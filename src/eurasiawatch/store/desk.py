"""Queries the desk's explore and correction pages need beyond ``store.browse``.

Languages of the articles naming a country or entity, the events in those articles (with their
evidence sentence), and the audit rows about given targets (an article's corrections). Every
statement is built by a ``_*_stmt(dialect, ...)`` builder, compiled for SQLite and PostgreSQL in
``tests/store/test_desk_queries.py``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Select, func, select

from .tables import articles, desk_audit, events, mentions

__all__ = ["audit_for_targets", "mention_events", "mention_languages"]


def _mention_languages_stmt(dialect: str, kind: str, key: str) -> Select[Any]:
    n = func.count(func.distinct(mentions.c.article_id)).label("articles")
    return (
        select(articles.c.language, n)
        .select_from(mentions.join(articles, articles.c.article_id == mentions.c.article_id))
        .where(mentions.c.kind == kind, mentions.c.key == key)
        .group_by(articles.c.language)
        .order_by(n.desc(), articles.c.language)
    )


def mention_languages(conn: Connection, kind: str, key: str) -> list[tuple[str | None, int]]:
    """Articles per language among those naming a country or entity, most first (None: unknown)."""
    stmt = _mention_languages_stmt(conn.dialect.name, kind, key)
    return [(r.language, int(r.articles)) for r in conn.execute(stmt)]


def _mention_events_stmt(dialect: str, kind: str, key: str, limit: int) -> Select[Any]:
    named = select(mentions.c.article_id).where(mentions.c.kind == kind, mentions.c.key == key)
    return (
        select(
            events.c.id,
            events.c.article_id,
            events.c.type,
            events.c.mode,
            events.c.date,
            events.c.upcoming,
            events.c.actors,
            events.c.location,
            events.c.evidence,
            articles.c.title,
            articles.c.outlet,
            articles.c.published,
        )
        .select_from(events.join(articles, articles.c.article_id == events.c.article_id))
        .where(events.c.article_id.in_(named))
        .order_by(events.c.date.is_(None), events.c.date.desc(), events.c.id.desc())
        .limit(limit)
    )


def mention_events(conn: Connection, kind: str, key: str, *, limit: int = 50) -> list[dict[str, Any]]:
    """Events in the articles naming a country or entity, newest event date first (undated last),
    with the evidence sentence and the article's title, outlet and publication time; ``actors``
    decoded to ``[country, entity or None]`` pairs."""
    out = []
    for r in conn.execute(_mention_events_stmt(conn.dialect.name, kind, key, limit)).mappings():
        row = dict(r)
        row["actors"] = json.loads(row["actors"] or "[]")
        row["upcoming"] = bool(row["upcoming"])
        out.append(row)
    return out


def _audit_for_targets_stmt(dialect: str, targets: Sequence[str], limit: int) -> Select[Any]:
    return (
        select(desk_audit)
        .where(desk_audit.c.target.in_(list(targets)))
        .order_by(desk_audit.c.id.desc())
        .limit(limit)
    )


def audit_for_targets(conn: Connection, targets: Sequence[str], *, limit: int = 100) -> list[dict[str, Any]]:
    """The audit rows about any of ``targets`` (e.g. ``article:<id>``), newest first."""
    if not targets:
        return []
    stmt = _audit_for_targets_stmt(conn.dialect.name, targets, limit)
    return [dict(r) for r in conn.execute(stmt).mappings()]
