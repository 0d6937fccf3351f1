"""Queries for watchlists: the saved definitions, their delivery watermark, and candidate articles.

Builders follow the ``_*_stmt(dialect, ...)`` convention of ``queries`` so a test compiles every
statement for SQLite and PostgreSQL. Matching itself is in ``analyze.watchlists``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Delete, Insert, Select, Update, and_, delete, insert, select, update

from .tables import annotations_table, articles, mentions, watchlists

__all__ = [
    "delete_watchlist",
    "entity_mentions",
    "get_watchlist",
    "insert_watchlist",
    "list_watchlists",
    "mark_delivered",
    "new_articles",
    "update_watchlist",
]

WatchlistRow = dict[str, Any]


def _insert_stmt(dialect: str, row: WatchlistRow) -> Insert:
    return insert(watchlists).values(**row)


def insert_watchlist(conn: Connection, row: WatchlistRow) -> None:
    """Store a new watchlist row (name, query, countries, entities, themes, created_at)."""
    conn.execute(_insert_stmt(conn.dialect.name, row))


def _get_stmt(dialect: str, name: str) -> Select[Any]:
    return select(watchlists).where(watchlists.c.name == name)


def get_watchlist(conn: Connection, name: str) -> WatchlistRow | None:
    """One watchlist's row, or None."""
    row = conn.execute(_get_stmt(conn.dialect.name, name)).mappings().first()
    return dict(row) if row else None


def _list_stmt(dialect: str) -> Select[Any]:
    return select(watchlists).order_by(watchlists.c.name)


def list_watchlists(conn: Connection) -> list[WatchlistRow]:
    """Every watchlist's row, by name."""
    return [dict(r) for r in conn.execute(_list_stmt(conn.dialect.name)).mappings()]


def _delete_stmt(dialect: str, name: str) -> Delete:
    return delete(watchlists).where(watchlists.c.name == name)


def delete_watchlist(conn: Connection, name: str) -> bool:
    """Remove a watchlist; False when there was none of that name."""
    return bool(conn.execute(_delete_stmt(conn.dialect.name, name)).rowcount)


def _update_stmt(dialect: str, name: str, values: WatchlistRow) -> Update:
    return update(watchlists).where(watchlists.c.name == name).values(**values)


def update_watchlist(conn: Connection, name: str, values: WatchlistRow) -> bool:
    """Change a watchlist's columns (query, countries, entities, themes); False when there is none."""
    return bool(conn.execute(_update_stmt(conn.dialect.name, name, values)).rowcount)


def _mark_stmt(dialect: str, name: str, until: datetime) -> Update:
    return update(watchlists).where(watchlists.c.name == name).values(delivered_until=until)


def mark_delivered(conn: Connection, names: Sequence[str], until: datetime) -> None:
    """Move the watermark of these watchlists: articles first seen up to ``until`` were delivered."""
    for name in names:
        conn.execute(_mark_stmt(conn.dialect.name, name, until))


_ARTICLE_COLUMNS = (
    articles.c.article_id,
    articles.c.title,
    articles.c.url,
    articles.c.outlet,
    articles.c.language,
    articles.c.published,
    articles.c.first_seen_at,
    annotations_table.c.countries,
    annotations_table.c.themes,
)


def _new_articles_stmt(dialect: str, after: datetime | None, until: datetime, limit: int) -> Select[Any]:
    cond = [articles.c.first_seen_at <= until]
    if after is not None:
        cond.append(articles.c.first_seen_at > after)
    return (
        select(*_ARTICLE_COLUMNS)
        .select_from(articles.outerjoin(annotations_table))
        .where(and_(*cond))
        .order_by(articles.c.first_seen_at.desc(), articles.c.article_id)
        .limit(limit)
    )


def new_articles(
    conn: Connection, *, after: datetime | None, until: datetime, limit: int
) -> list[dict[str, Any]]:
    """Articles first seen in ``(after, until]``, newest first, with their countries and themes.

    Args:
        conn: a connection.
        after: the watermark (exclusive); None for no lower bound.
        until: the upper bound (inclusive), fixed before matching so a digest marks what it saw.
        limit: at most this many articles.

    Returns:
        Rows as dicts; ``countries``/``themes`` are tuples (empty for unannotated articles).
    """
    rows = conn.execute(_new_articles_stmt(conn.dialect.name, after, until, limit)).mappings()
    return [{**r, "countries": tuple(r["countries"] or ()), "themes": tuple(r["themes"] or ())} for r in rows]


def _entity_mentions_stmt(dialect: str, article_ids: Sequence[str]) -> Select[Any]:
    return select(mentions.c.article_id, mentions.c.key, mentions.c.name, mentions.c.wikidata).where(
        and_(mentions.c.kind == "entity", mentions.c.article_id.in_(list(article_ids)))
    )


def entity_mentions(conn: Connection, article_ids: Sequence[str]) -> dict[str, set[str]]:
    """Article id -> the casefolded keys, names and QIDs of the entities it mentions."""
    found: dict[str, set[str]] = {}
    ids = list(article_ids)
    for start in range(0, len(ids), 500):
        for aid, key, name, qid in conn.execute(
            _entity_mentions_stmt(conn.dialect.name, ids[start : start + 500])
        ):
            found.setdefault(aid, set()).update(v.casefold() for v in (key, name, qid) if v)
    return found
