"""Queries of the knowledge-base review queue (``kb_suggestions``, ``kb_alias_removals``; migration 0015).

A suggestion proposes one change to the user knowledge-base file: add an alias to an actor, create an
actor, or drop an alias; it keeps the articles that show why (``article_ids``) and who proposed and
decided it. ``kb_alias_removals`` keeps which alias of an actor had matched in each article an editor
removed that actor from, so repeated removals of one alias can become a drop suggestion. Every
statement is built by a ``_*_stmt(dialect, ...)`` builder, compiled for SQLite and PostgreSQL in
``tests/store/test_kb_suggestions_queries.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Insert, Select, Update, func, or_, select

from .tables import articles, kb_alias_removals, kb_suggestions

__all__ = [
    "KINDS",
    "STATUSES",
    "add_alias_removal",
    "add_suggestion",
    "alias_removal_articles",
    "articles_like",
    "decide_suggestion",
    "get_suggestion",
    "list_suggestions",
    "suggestions_for",
    "update_evidence",
]

KINDS = ("add_alias", "new_actor", "drop_alias")
STATUSES = ("pending", "accepted", "rejected")


def _add_suggestion_stmt(dialect: str, row: dict[str, Any]) -> Insert:
    return kb_suggestions.insert().values(**row)


def add_suggestion(
    conn: Connection,
    *,
    kind: str,
    actor_id: str,
    alias: str,
    language: str,
    article_ids: Sequence[str],
    proposed_by: str | None,
    now: datetime,
    name: str | None = None,
    entity_type: str | None = None,
    country: str | None = None,
) -> int:
    """Store a pending suggestion and return its id."""
    if kind not in KINDS:
        raise ValueError(f"not a suggestion kind: {kind!r}")
    row = {
        "kind": kind,
        "actor_id": actor_id,
        "alias": alias,
        "language": language,
        "name": name,
        "entity_type": entity_type,
        "country": country,
        "article_ids": tuple(dict.fromkeys(article_ids)),
        "proposed_by": proposed_by,
        "status": "pending",
        "created_at": now,
        "updated_at": now,
    }
    result = conn.execute(_add_suggestion_stmt(conn.dialect.name, row))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def _suggestions_for_stmt(dialect: str, kind: str, actor_id: str) -> Select[Any]:
    return (
        select(kb_suggestions)
        .where(kb_suggestions.c.kind == kind, kb_suggestions.c.actor_id == actor_id)
        .order_by(kb_suggestions.c.id)
    )


def suggestions_for(conn: Connection, kind: str, actor_id: str) -> list[dict[str, Any]]:
    """Every suggestion of one kind about one actor (any status), oldest first."""
    return [
        dict(r) for r in conn.execute(_suggestions_for_stmt(conn.dialect.name, kind, actor_id)).mappings()
    ]


def _update_evidence_stmt(
    dialect: str, suggestion_id: int, article_ids: tuple[str, ...], now: datetime
) -> Update:
    return (
        kb_suggestions.update()
        .where(kb_suggestions.c.id == suggestion_id)
        .values(article_ids=article_ids, updated_at=now)
    )


def update_evidence(
    conn: Connection, suggestion_id: int, article_ids: Sequence[str], *, now: datetime
) -> None:
    """Replace a suggestion's evidence articles."""
    stmt = _update_evidence_stmt(conn.dialect.name, suggestion_id, tuple(dict.fromkeys(article_ids)), now)
    conn.execute(stmt)


def _get_suggestion_stmt(dialect: str, suggestion_id: int) -> Select[Any]:
    return select(kb_suggestions).where(kb_suggestions.c.id == suggestion_id)


def get_suggestion(conn: Connection, suggestion_id: int) -> dict[str, Any] | None:
    """One suggestion by id, or None."""
    row = conn.execute(_get_suggestion_stmt(conn.dialect.name, suggestion_id)).mappings().first()
    return dict(row) if row is not None else None


def _list_suggestions_stmt(dialect: str, status: str | None, limit: int) -> Select[Any]:
    stmt = select(kb_suggestions)
    if status is not None:
        stmt = stmt.where(kb_suggestions.c.status == status)
    return stmt.order_by(kb_suggestions.c.id.desc()).limit(limit)


def list_suggestions(
    conn: Connection, *, status: str | None = "pending", limit: int = 200
) -> list[dict[str, Any]]:
    """Suggestions with a status (None: any), newest first."""
    if status is not None and status not in STATUSES:
        raise ValueError(f"not a suggestion status: {status!r}")
    return [
        dict(r) for r in conn.execute(_list_suggestions_stmt(conn.dialect.name, status, limit)).mappings()
    ]


def _decide_suggestion_stmt(
    dialect: str, suggestion_id: int, status: str, decided_by: str | None, now: datetime
) -> Update:
    return (
        kb_suggestions.update()
        .where(kb_suggestions.c.id == suggestion_id, kb_suggestions.c.status == "pending")
        .values(status=status, decided_by=decided_by, decided_at=now, updated_at=now)
    )


def decide_suggestion(
    conn: Connection, suggestion_id: int, status: str, *, decided_by: str | None, now: datetime
) -> bool:
    """Mark a pending suggestion accepted or rejected; False when it was no longer pending."""
    if status not in ("accepted", "rejected"):
        raise ValueError(f"not a decision: {status!r}")
    result = conn.execute(_decide_suggestion_stmt(conn.dialect.name, suggestion_id, status, decided_by, now))
    return result.rowcount == 1


def _add_alias_removal_stmt(dialect: str, row: dict[str, Any]) -> Insert:
    return kb_alias_removals.insert().values(**row)


def add_alias_removal(
    conn: Connection, actor_id: str, alias: str, article_id: str, *, editor: str | None, now: datetime
) -> None:
    """Record that an editor removed ``actor_id`` from an article where ``alias`` had matched."""
    row = {
        "actor_id": actor_id,
        "alias": alias,
        "article_id": article_id,
        "editor": editor,
        "created_at": now,
    }
    conn.execute(_add_alias_removal_stmt(conn.dialect.name, row))


def _alias_removal_articles_stmt(dialect: str, actor_id: str, alias: str) -> Select[Any]:
    first = func.min(kb_alias_removals.c.id).label("first")
    return (
        select(kb_alias_removals.c.article_id, first)
        .where(kb_alias_removals.c.actor_id == actor_id, kb_alias_removals.c.alias == alias)
        .group_by(kb_alias_removals.c.article_id)
        .order_by(first)
    )


def alias_removal_articles(conn: Connection, actor_id: str, alias: str) -> list[str]:
    """The distinct articles an actor was removed from where this alias had matched, first removal first."""
    stmt = _alias_removal_articles_stmt(conn.dialect.name, actor_id, alias)
    return [r.article_id for r in conn.execute(stmt)]


def _articles_like_stmt(dialect: str, patterns: Sequence[str], limit: int) -> Select[Any]:
    tests = []
    for pattern in patterns:
        tests.append(articles.c.title.ilike(pattern, escape="\\"))
        tests.append(articles.c.text.ilike(pattern, escape="\\"))
    return select(articles.c.article_id).where(or_(*tests)).order_by(articles.c.article_id).limit(limit)


def articles_like(conn: Connection, patterns: Sequence[str], *, limit: int) -> list[str]:
    """Ids of stored articles whose title or text matches a LIKE pattern (any case), at most ``limit``.

    Patterns use ``\\`` to escape ``%`` and ``_``.
    """
    if not patterns:
        return []
    return [r.article_id for r in conn.execute(_articles_like_stmt(conn.dialect.name, patterns, limit))]
