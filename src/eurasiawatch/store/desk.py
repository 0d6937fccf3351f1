"""Queries the desk's explore and correction pages need beyond ``store.browse``.

Languages of the articles naming a country or entity, the events in those articles (with their
evidence sentence), the audit rows about given targets (an article's corrections), and editors'
corrections of an article's countries and entities (``mention_corrections``, migration 0014) and
themes (``theme_corrections``, the table ``eurasiawatch label`` writes). Every
statement is built by a ``_*_stmt(dialect, ...)`` builder, compiled for SQLite and PostgreSQL in
``tests/store/test_desk_queries.py``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Insert, Select, func, select

from .tables import articles, desk_audit, events, mention_corrections, mentions, theme_corrections

__all__ = [
    "add_mention_correction",
    "audit_for_targets",
    "mention_corrections_for",
    "mention_events",
    "mention_languages",
    "theme_corrections_for",
]


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


def _add_mention_correction_stmt(dialect: str, row: dict[str, Any]) -> Insert:
    return mention_corrections.insert().values(**row)


def add_mention_correction(
    conn: Connection,
    article_id: str,
    *,
    kind: str,
    key: str,
    name: str,
    action: str,
    editor: str | None,
    now: datetime,
    country: str | None = None,
    entity_type: str | None = None,
    wikidata: str | None = None,
) -> None:
    """Record that an editor added (``action="add"``) or removed a country or entity of an article."""
    if kind not in ("country", "entity") or action not in ("add", "remove"):
        raise ValueError(f"not a mention correction: {kind} {action}")
    row = {
        "article_id": article_id,
        "kind": kind,
        "key": key,
        "name": name,
        "action": action,
        "country": country,
        "entity_type": entity_type,
        "wikidata": wikidata,
        "editor": editor,
        "created_at": now,
    }
    conn.execute(_add_mention_correction_stmt(conn.dialect.name, row))


def _mention_corrections_for_stmt(dialect: str, article_ids: Sequence[str]) -> Select[Any]:
    return (
        select(mention_corrections)
        .where(mention_corrections.c.article_id.in_(list(article_ids)))
        .order_by(mention_corrections.c.id)
    )


def mention_corrections_for(conn: Connection, article_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Country and entity corrections per article, oldest first."""
    out: dict[str, list[dict[str, Any]]] = {}
    if not article_ids:
        return out
    for r in conn.execute(_mention_corrections_for_stmt(conn.dialect.name, article_ids)).mappings():
        out.setdefault(r["article_id"], []).append(dict(r))
    return out


def _theme_corrections_for_stmt(dialect: str, article_ids: Sequence[str]) -> Select[Any]:
    return (
        select(theme_corrections.c.article_id, theme_corrections.c.added, theme_corrections.c.removed)
        .where(theme_corrections.c.article_id.in_(list(article_ids)))
        .order_by(theme_corrections.c.id)
    )


def theme_corrections_for(
    conn: Connection, article_ids: Sequence[str]
) -> dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]]:
    """Theme corrections per article as ``(added, removed)`` pairs, oldest first."""
    out: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
    if not article_ids:
        return out
    for r in conn.execute(_theme_corrections_for_stmt(conn.dialect.name, article_ids)):
        out.setdefault(r.article_id, []).append((tuple(r.added), tuple(r.removed)))
    return out
