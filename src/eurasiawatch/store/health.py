"""``SourceHealth``: a source as stored, with how its recent runs went."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, Select, Update, func, or_, select, update

from ..records import Source
from .tables import articles, sources

__all__ = [
    "SourceHealth",
    "articles_since",
    "attempted_since",
    "due_sources",
    "last_attempt_at",
    "next_due_at",
    "set_next_due",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceHealth:
    """A registered source and its health record (``queries.list_sources`` returns these)."""

    source: Source
    added_at: datetime
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    last_failure_at: datetime | None = None
    failure_streak: int = 0
    last_reason: str | None = None
    next_due_at: datetime | None = None
    items_total: int = 0

    @property
    def name(self) -> str:
        """The source's name."""
        return self.source.name

    @property
    def healthy(self) -> bool:
        """True unless the latest run failed."""
        return self.failure_streak == 0

    @classmethod
    def from_row(cls, source: Source, row: RowMapping) -> SourceHealth:
        """Build from a ``sources`` row."""
        return cls(
            source=source,
            added_at=row["added_at"],
            last_attempt_at=row["last_attempt_at"],
            last_success_at=row["last_success_at"],
            last_failure_at=row["last_failure_at"],
            failure_streak=row["failure_streak"],
            last_reason=row["last_reason"],
            next_due_at=row["next_due_at"],
            items_total=row["items_total"],
        )


# -- health queries --------------------------------------------------------------------------------
# Builders follow the ``_*_stmt(dialect, ...)`` convention of ``queries`` so a test compiles them for
# both databases (tests/test_sources_health.py).


def _row_source(row: RowMapping) -> Source:
    return Source(
        name=row["name"],
        url=row["url"],
        kind=row["kind"],
        language=row["language"],
        outlet=row["outlet"],
        allow_private=bool(row["allow_private"]),
    )


def _due_sources_stmt(dialect: str, now: datetime) -> Select[Any]:
    due = or_(sources.c.next_due_at.is_(None), sources.c.next_due_at <= now)
    return select(sources).where(due).order_by(sources.c.next_due_at, sources.c.name)


def due_sources(conn: Connection, now: datetime) -> list[Source]:
    """Sources whose ``next_due_at`` is unset or not later than ``now``, most overdue first."""
    return [_row_source(r) for r in conn.execute(_due_sources_stmt(conn.dialect.name, now)).mappings()]


def _next_due_at_stmt(dialect: str) -> Select[Any]:
    return select(func.min(sources.c.next_due_at))


def next_due_at(conn: Connection) -> datetime | None:
    """The earliest ``next_due_at`` of any source (None when none is scheduled)."""
    value = conn.execute(_next_due_at_stmt(conn.dialect.name)).scalar_one_or_none()
    return None if value is None else _as_utc(value)


def _set_next_due_stmt(dialect: str, name: str, when: datetime | None) -> Update:
    return update(sources).where(sources.c.name == name).values(next_due_at=when)


def set_next_due(conn: Connection, name: str, when: datetime | None) -> None:
    """Schedule the next poll of a source (None: due at once)."""
    conn.execute(_set_next_due_stmt(conn.dialect.name, name, when))


def _attempted_since_stmt(dialect: str, since: datetime) -> Select[Any]:
    return select(sources.c.name, sources.c.failure_streak, sources.c.last_attempt_at).where(
        sources.c.last_attempt_at >= since
    )


def attempted_since(conn: Connection, since: datetime) -> dict[str, tuple[int, datetime]]:
    """``{name: (failure_streak, last_attempt_at)}`` of the sources tried at or after ``since``."""
    rows = conn.execute(_attempted_since_stmt(conn.dialect.name, since))
    return {r.name: (int(r.failure_streak), _as_utc(r.last_attempt_at)) for r in rows}


def _last_attempt_stmt(dialect: str) -> Select[Any]:
    return select(func.max(sources.c.last_attempt_at))


def last_attempt_at(conn: Connection) -> datetime | None:
    """The newest fetch attempt of any source (None before the first); one aggregate, no rows read."""
    value = conn.execute(_last_attempt_stmt(conn.dialect.name)).scalar_one_or_none()
    return None if value is None else _as_utc(value)


def _articles_since_stmt(dialect: str, since: datetime) -> Select[Any]:
    return (
        select(articles.c.source, func.count().label("n"))
        .where(articles.c.first_seen_at >= since, articles.c.source.is_not(None))
        .group_by(articles.c.source)
    )


def articles_since(conn: Connection, since: datetime) -> dict[str, int]:
    """``{source: articles first seen at or after since}``, for items-per-day figures."""
    rows = conn.execute(_articles_since_stmt(conn.dialect.name, since))
    return {r.source: int(r.n) for r in rows}


def _as_utc(value: datetime) -> datetime:
    # the UtcDateTime column type makes values aware, but an aggregate (min) bypasses it on SQLite
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
