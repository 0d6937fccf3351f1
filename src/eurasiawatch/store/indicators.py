"""Queries for indicators: series with their points, and reported figures (kept apart).

Builders follow the ``_*_stmt(dialect, ...)`` convention so a test compiles every statement for
SQLite and PostgreSQL. Importing a series again keeps its id (same dataset, reporter, partner,
measure, HS code and unit) and replaces its points; importing a figures file again replaces that
dataset's figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Delete, Insert, Select, Update, delete, func, insert, select, update

from .tables import indicator_points, indicator_series, reported_figures

__all__ = [
    "delete_figures",
    "figure_rows",
    "insert_figures",
    "list_series",
    "load_series",
    "save_series",
]

_IDENTITY = ("dataset", "reporter", "partner", "measure", "hs_code", "unit")


def _find_series_stmt(dialect: str, identity: dict[str, str]) -> Select[Any]:
    stmt = select(indicator_series.c.id)
    for name in _IDENTITY:
        stmt = stmt.where(indicator_series.c[name] == identity[name])
    return stmt


def _insert_series_stmt(dialect: str) -> Insert:
    return insert(indicator_series)


def _update_series_stmt(dialect: str, series_id: int) -> Update:
    return update(indicator_series).where(indicator_series.c.id == series_id)


def _delete_points_stmt(dialect: str, series_id: int) -> Delete:
    return delete(indicator_points).where(indicator_points.c.series_id == series_id)


def _insert_points_stmt(dialect: str) -> Insert:
    return insert(indicator_points)


def save_series(
    conn: Connection,
    *,
    identity: dict[str, str],
    source: str,
    synthetic: bool,
    points: Sequence[tuple[str, float, str | None]],
    now: datetime,
) -> int:
    """Store a series (creating it or keeping its id) and replace its points.

    Args:
        conn: a connection inside a transaction.
        identity: ``dataset, reporter, partner, measure, hs_code, unit``.
        source: the source line, as given.
        synthetic: whether the numbers are made up (tests, demos).
        points: (period, value, note) triples.
        now: the import time.

    Returns:
        The series id.
    """
    dialect = conn.dialect.name
    series_id = conn.execute(_find_series_stmt(dialect, identity)).scalar_one_or_none()
    values = {"source": source, "synthetic": synthetic, "imported_at": now}
    if series_id is None:
        conn.execute(_insert_series_stmt(dialect), [{**identity, **values}])
        series_id = conn.execute(_find_series_stmt(dialect, identity)).scalar_one()
    else:
        conn.execute(_update_series_stmt(dialect, series_id).values(**values))
        conn.execute(_delete_points_stmt(dialect, series_id))
    if points:
        conn.execute(
            _insert_points_stmt(dialect),
            [{"series_id": series_id, "period": p, "value": v, "note": n} for p, v, n in points],
        )
    return int(series_id)


def _list_series_stmt(dialect: str) -> Select[Any]:
    return (
        select(
            indicator_series,
            func.count(indicator_points.c.period).label("points"),
            func.min(indicator_points.c.period).label("first_period"),
            func.max(indicator_points.c.period).label("last_period"),
        )
        .select_from(
            indicator_series.outerjoin(
                indicator_points, indicator_points.c.series_id == indicator_series.c.id
            )
        )
        .group_by(*indicator_series.c)
        .order_by(indicator_series.c.id)
    )


def list_series(conn: Connection) -> list[dict[str, Any]]:
    """Every stored series with its number of points and first and last period."""
    return [dict(r) for r in conn.execute(_list_series_stmt(conn.dialect.name)).mappings()]


def _series_stmt(dialect: str, series_id: int) -> Select[Any]:
    return select(indicator_series).where(indicator_series.c.id == series_id)


def _points_stmt(dialect: str, series_id: int) -> Select[Any]:
    return (
        select(indicator_points.c.period, indicator_points.c.value, indicator_points.c.note)
        .where(indicator_points.c.series_id == series_id)
        .order_by(indicator_points.c.period)
    )


def load_series(
    conn: Connection, series_id: int
) -> tuple[dict[str, Any], list[tuple[str, float, str | None]]] | None:
    """A series' row and its (period, value, note) points in period order, or None."""
    dialect = conn.dialect.name
    row = conn.execute(_series_stmt(dialect, series_id)).mappings().first()
    if row is None:
        return None
    points = [(r.period, float(r.value), r.note) for r in conn.execute(_points_stmt(dialect, series_id))]
    return dict(row), points


def _delete_figures_stmt(dialect: str, dataset: str) -> Delete:
    return delete(reported_figures).where(reported_figures.c.dataset == dataset)


def _insert_figures_stmt(dialect: str) -> Insert:
    return insert(reported_figures)


def delete_figures(conn: Connection, dataset: str) -> int:
    """Remove a dataset's reported figures; returns how many there were."""
    return int(conn.execute(_delete_figures_stmt(conn.dialect.name, dataset)).rowcount or 0)


def insert_figures(conn: Connection, rows: Iterable[dict[str, Any]], *, now: datetime) -> int:
    """Insert reported figures (``dataset, row, subject, period, measure, value, qualifier, unit, source,
    note``); returns how many."""
    batch = [{**r, "imported_at": now} for r in rows]
    if batch:
        conn.execute(_insert_figures_stmt(conn.dialect.name), batch)
    return len(batch)


def _figures_stmt(dialect: str, dataset: str | None, row: int | None) -> Select[Any]:
    stmt = select(reported_figures)
    if dataset is not None:
        stmt = stmt.where(reported_figures.c.dataset == dataset)
    if row is not None:
        stmt = stmt.where(reported_figures.c.row == row)
    return stmt.order_by(reported_figures.c.dataset, reported_figures.c.row)


def figure_rows(
    conn: Connection, *, dataset: str | None = None, row: int | None = None
) -> list[dict[str, Any]]:
    """Stored reported figures, by dataset and row (optionally one dataset, or one row of it)."""
    return [dict(r) for r in conn.execute(_figures_stmt(conn.dialect.name, dataset, row)).mappings()]
