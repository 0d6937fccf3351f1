"""Queries over ``subscribers``, ``suppressions`` and ``subscribe_events``.

Only ciphertexts and keyed hashes pass through here; encryption and the rules (double opt-in, limits,
retention) live in ``deliver.subscribers``. Every statement comes from a ``_*_stmt(dialect, ...)``
builder so a test compiles them all for SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Delete, Insert, RowMapping, Select, Update, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from .tables import subscribe_events, subscribers, suppressions

__all__ = [
    "add_event",
    "count_events",
    "delete_stale",
    "delete_subscriber",
    "find_by_index",
    "find_by_token",
    "insert_subscriber",
    "is_suppressed",
    "list_active",
    "page_subscribers",
    "prune_events",
    "remove_suppression",
    "status_counts",
    "suppress",
    "suppression",
    "update_subscriber",
]


def _insert_subscriber_stmt(dialect: str, row: dict[str, Any]) -> Insert:
    return subscribers.insert().values(**row)


def insert_subscriber(conn: Connection, row: dict[str, Any]) -> int:
    """Insert a subscriber row and return its id."""
    result = conn.execute(_insert_subscriber_stmt(conn.dialect.name, row))
    key = result.inserted_primary_key
    if key is None:  # pragma: no cover - both databases return the new id
        raise RuntimeError("the database returned no id for the new subscriber")
    return int(key[0])


def _find_by_index_stmt(dialect: str, index: str) -> Select[Any]:
    return select(subscribers).where(subscribers.c.address_index == index)


def find_by_index(conn: Connection, index: str) -> RowMapping | None:
    """The subscriber whose address has this HMAC index."""
    return conn.execute(_find_by_index_stmt(conn.dialect.name, index)).mappings().first()


def _find_by_token_stmt(dialect: str, token: str) -> Select[Any]:
    return select(subscribers).where(subscribers.c.token == token)


def find_by_token(conn: Connection, token: str) -> RowMapping | None:
    """The subscriber with this opaque token."""
    return conn.execute(_find_by_token_stmt(conn.dialect.name, token)).mappings().first()


def _update_subscriber_stmt(dialect: str, subscriber_id: int, values: dict[str, Any]) -> Update:
    return update(subscribers).where(subscribers.c.id == subscriber_id).values(**values)


def update_subscriber(conn: Connection, subscriber_id: int, values: dict[str, Any]) -> None:
    """Change columns of one subscriber."""
    conn.execute(_update_subscriber_stmt(conn.dialect.name, subscriber_id, values))


def _delete_subscriber_stmt(dialect: str, subscriber_id: int) -> Delete:
    return delete(subscribers).where(subscribers.c.id == subscriber_id)


def delete_subscriber(conn: Connection, subscriber_id: int) -> None:
    """Delete one subscriber row."""
    conn.execute(_delete_subscriber_stmt(conn.dialect.name, subscriber_id))


def _not_suppressed() -> Any:
    return (
        ~select(suppressions.c.address_index)
        .where(suppressions.c.address_index == subscribers.c.address_index)
        .exists()
    )


def _list_active_stmt(dialect: str) -> Select[Any]:
    return (
        select(subscribers)
        .where(subscribers.c.status == "active", _not_suppressed())
        .order_by(subscribers.c.id)
    )


def list_active(conn: Connection) -> list[RowMapping]:
    """Active, unsuppressed subscribers in id order."""
    return list(conn.execute(_list_active_stmt(conn.dialect.name)).mappings())


def _page_subscribers_stmt(dialect: str, after_id: int, limit: int) -> Select[Any]:
    return select(subscribers).where(subscribers.c.id > after_id).order_by(subscribers.c.id).limit(limit)


def page_subscribers(conn: Connection, after_id: int = 0, limit: int = 500) -> list[RowMapping]:
    """All subscribers after ``after_id``, a page at a time (key rotation, export, listing)."""
    return list(conn.execute(_page_subscribers_stmt(conn.dialect.name, after_id, limit)).mappings())


def _status_counts_stmt(dialect: str) -> Select[Any]:
    return select(subscribers.c.status, func.count()).group_by(subscribers.c.status)


def status_counts(conn: Connection) -> dict[str, int]:
    """Number of subscribers per status."""
    return {row[0]: int(row[1]) for row in conn.execute(_status_counts_stmt(conn.dialect.name))}


def _suppression_stmt(dialect: str, index: str) -> Select[Any]:
    return select(suppressions).where(suppressions.c.address_index == index)


def suppression(conn: Connection, index: str) -> RowMapping | None:
    """The suppression entry for this hash, if any."""
    return conn.execute(_suppression_stmt(conn.dialect.name, index)).mappings().first()


def is_suppressed(conn: Connection, index: str) -> bool:
    """Whether this hash is on the suppression list."""
    return suppression(conn, index) is not None


def _insert_ignore(dialect: str, table: Any, values: dict[str, Any]) -> Insert:
    """INSERT that does nothing when a unique key already exists (both databases)."""
    module = postgresql if dialect == "postgresql" else sqlite
    # RETURNING tells whether a row went in (rowcount is -1 for PostgreSQL's ON CONFLICT inserts)
    key = next(iter(table.primary_key.columns))
    return module.insert(table).values(**values).on_conflict_do_nothing().returning(key)


def _suppress_stmt(dialect: str, index: str, reason: str, at: datetime) -> Insert:
    return _insert_ignore(dialect, suppressions, {"address_index": index, "reason": reason, "created_at": at})


def suppress(conn: Connection, index: str, reason: str, at: datetime) -> bool:
    """Add a hash to the suppression list; False if it was already there."""
    return conn.execute(_suppress_stmt(conn.dialect.name, index, reason, at)).first() is not None


def _remove_suppression_stmt(dialect: str, index: str) -> Delete:
    return delete(suppressions).where(suppressions.c.address_index == index)


def remove_suppression(conn: Connection, index: str) -> bool:
    """Take a hash off the suppression list; False if it was not there."""
    return conn.execute(_remove_suppression_stmt(conn.dialect.name, index)).rowcount == 1


def _add_event_stmt(dialect: str, kind: str, digest: str | None, at: datetime) -> Insert:
    return _insert_ignore(dialect, subscribe_events, {"kind": kind, "digest": digest, "at": at})


def add_event(conn: Connection, kind: str, digest: str | None, at: datetime) -> bool:
    """Record a subscribe event; False when (kind, digest) was already recorded (a replay)."""
    return conn.execute(_add_event_stmt(conn.dialect.name, kind, digest, at)).first() is not None


def _count_events_stmt(dialect: str, kind: str, since: datetime) -> Select[Any]:
    return select(func.count()).where(subscribe_events.c.kind == kind, subscribe_events.c.at >= since)


def count_events(conn: Connection, kind: str, since: datetime) -> int:
    """Events of one kind at or after ``since``."""
    return int(conn.execute(_count_events_stmt(conn.dialect.name, kind, since)).scalar_one())


def _prune_events_stmt(dialect: str, before: datetime) -> Delete:
    return delete(subscribe_events).where(subscribe_events.c.at < before)


def prune_events(conn: Connection, before: datetime) -> int:
    """Delete subscribe events older than ``before``; returns how many."""
    return int(conn.execute(_prune_events_stmt(conn.dialect.name, before)).rowcount)


def _delete_stale_stmt(dialect: str, status: str, column: str, before: datetime) -> Delete:
    return delete(subscribers).where(subscribers.c.status == status, subscribers.c[column] < before)


def delete_stale(conn: Connection, status: str, column: str, before: datetime) -> int:
    """Delete subscribers in ``status`` whose ``column`` is older than ``before``; returns how many."""
    return int(conn.execute(_delete_stale_stmt(conn.dialect.name, status, column, before)).rowcount)
