"""Queries of the backfill: checkpoints per input file, item failures, and batch writes.

A backfill writes a batch of articles and their annotations in one transaction. Both go in bulk:
one multi-row ``INSERT … ON CONFLICT`` for the articles and one for the annotations (the same
upserts as ``queries.upsert_article`` and ``annotations.save_annotation``, so a batch written twice
leaves the same rows), and the annotations' mentions, themes and events replaced wholesale — on
PostgreSQL with ``COPY … FROM STDIN``, elsewhere with an executemany ``INSERT``.

Builders follow the ``_*_stmt(dialect, ...)`` convention of ``queries`` so a test compiles every
statement for SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Delete, Insert, Select, TextClause, delete, func, select, text

from ..records import Annotation, Article, Event, Mention
from .queries import _ARTICLE_FIELDS, _insert
from .tables import annotations_table as annotations_t
from .tables import article_themes, articles, backfill_failures, backfill_files, events, mentions

__all__ = [
    "Checkpoint",
    "backfill_status",
    "file_checkpoints",
    "finish_file",
    "list_backfill_failures",
    "record_item_failures",
    "save_annotations",
    "start_file",
    "upsert_articles",
]

_CHUNK = 400  # ids per IN (...) list, far below SQLite's bound-parameter limit
_CHILDREN = (mentions, article_themes, events)
_MENTION_COLUMNS = (
    "article_id", "kind", "key", "name", "start_offset", "end_offset", "wikidata", "country", "entity_type",
)  # fmt: skip
_EVENT_COLUMNS = (
    "article_id", "type", "mode", "date", "end_date", "upcoming", "actors", "location", "evidence",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """What the store knows of one input file."""

    path: str
    size: int
    mtime_ns: int
    status: str  # running | done | failed
    attempts: int
    records: int
    stored: int
    failed: int
    worker: str | None
    reason: str | None


# -- checkpoints -----------------------------------------------------------------------------------


def _file_checkpoints_stmt(dialect: str, paths: list[str]) -> Select[Any]:
    return select(backfill_files).where(backfill_files.c.path.in_(paths))


def file_checkpoints(conn: Connection, paths: Iterable[str]) -> dict[str, Checkpoint]:
    """The checkpoints of these input files (absolute paths), by path; unknown files are left out."""
    wanted = list(dict.fromkeys(paths))
    found: dict[str, Checkpoint] = {}
    for start in range(0, len(wanted), _CHUNK):
        stmt = _file_checkpoints_stmt(conn.dialect.name, wanted[start : start + _CHUNK])
        for row in conn.execute(stmt).mappings():
            found[row["path"]] = Checkpoint(
                path=row["path"],
                size=int(row["size"]),
                mtime_ns=int(row["mtime_ns"]),
                status=row["status"],
                attempts=int(row["attempts"]),
                records=int(row["records"]),
                stored=int(row["stored"]),
                failed=int(row["failed"]),
                worker=row["worker"],
                reason=row["reason"],
            )
    return found


def _start_file_stmt(
    dialect: str, path: str, size: int, mtime_ns: int, worker: str | None, now: datetime
) -> Insert:
    stmt = _insert(dialect, backfill_files).values(
        path=path, size=size, mtime_ns=mtime_ns, status="running", attempts=1, records=0, stored=0,
        failed=0, worker=worker, reason=None, started_at=now, finished_at=None,
    )  # fmt: skip
    return stmt.on_conflict_do_update(
        index_elements=[backfill_files.c.path],
        set_={
            "size": stmt.excluded.size,
            "mtime_ns": stmt.excluded.mtime_ns,
            "status": "running",
            "attempts": backfill_files.c.attempts + 1,
            "worker": stmt.excluded.worker,
            "reason": None,
            "started_at": stmt.excluded.started_at,
            "finished_at": None,
        },
    )


def start_file(
    conn: Connection, path: str, *, size: int, mtime_ns: int, worker: str | None, now: datetime
) -> None:
    """Mark an input file as being processed (one more attempt), by this worker."""
    conn.execute(_start_file_stmt(conn.dialect.name, path, size, mtime_ns, worker, now))


def _finish_file_stmt(dialect: str, path: str, values: dict[str, Any]) -> Any:
    return backfill_files.update().where(backfill_files.c.path == path).values(**values)


def finish_file(
    conn: Connection,
    path: str,
    *,
    status: str,
    records: int,
    stored: int,
    failed: int,
    reason: str | None,
    now: datetime,
) -> None:
    """Close an input file's checkpoint: ``done`` (skipped from now on) or ``failed`` (with the reason)."""
    values = {
        "status": status, "records": records, "stored": stored, "failed": failed, "reason": reason,
        "finished_at": now,
    }  # fmt: skip
    conn.execute(_finish_file_stmt(conn.dialect.name, path, values))


def _backfill_status_stmt(dialect: str) -> Select[Any]:
    return (
        select(
            backfill_files.c.status,
            func.count().label("files"),
            func.coalesce(func.sum(backfill_files.c.stored), 0).label("stored"),
        )
        .group_by(backfill_files.c.status)
        .order_by(backfill_files.c.status)
    )


def backfill_status(conn: Connection) -> dict[str, tuple[int, int]]:
    """Input files and stored articles per checkpoint status: ``{status: (files, stored)}``."""
    rows = conn.execute(_backfill_status_stmt(conn.dialect.name))
    return {r.status: (int(r.files), int(r.stored)) for r in rows}


# -- failures --------------------------------------------------------------------------------------


def _record_item_failures_stmt(dialect: str) -> Insert:
    stmt = _insert(dialect, backfill_failures)
    return stmt.on_conflict_do_update(
        index_elements=["path", "item", "stage"],
        set_={"reason": stmt.excluded.reason, "at": stmt.excluded.at},
    )


def record_item_failures(
    conn: Connection, path: str, failures: Sequence[tuple[str, str, str]], *, now: datetime
) -> None:
    """Keep what could not be used in an input file: ``(item, stage, reason)``; a redo overwrites."""
    if not failures:
        return
    rows = [
        {"path": path, "item": item, "stage": stage, "reason": reason, "at": now}
        for item, stage, reason in dict.fromkeys(failures)
    ]
    conn.execute(_record_item_failures_stmt(conn.dialect.name), rows)


def _list_failures_stmt(dialect: str, limit: int) -> Select[Any]:
    return select(backfill_failures).order_by(backfill_failures.c.path, backfill_failures.c.id).limit(limit)


def list_backfill_failures(conn: Connection, *, limit: int = 1000) -> list[tuple[str, str, str, str]]:
    """Recorded failures as ``(path, item, stage, reason)``, by file."""
    rows = conn.execute(_list_failures_stmt(conn.dialect.name, limit))
    return [(r.path, r.item, r.stage, r.reason) for r in rows]


# -- batch writes ----------------------------------------------------------------------------------


def _existing_hashes_stmt(dialect: str, ids: list[str]) -> Select[Any]:
    return select(articles.c.article_id, articles.c.content_hash).where(articles.c.article_id.in_(ids))


def _upsert_articles_stmt(dialect: str) -> Insert:
    stmt = _insert(dialect, articles)
    changed: dict[str, Any] = {f: stmt.excluded[f] for f in (*_ARTICLE_FIELDS, "updated_at")}
    changed["page_id"] = func.coalesce(stmt.excluded.page_id, articles.c.page_id)
    # as queries.upsert_article: only rewrite the row when the content changed
    return stmt.on_conflict_do_update(
        index_elements=[articles.c.article_id],
        set_=changed,
        where=articles.c.content_hash != stmt.excluded.content_hash,
    )


def upsert_articles(conn: Connection, batch: Sequence[Article], *, now: datetime) -> dict[str, str]:
    """Store a batch of articles in one statement; an article stored before with the same content is
    left alone.

    Args:
        conn: a connection inside a transaction.
        batch: articles with distinct ``article_id``.
        now: ``first_seen_at`` of new articles and ``updated_at`` of changed ones.

    Returns:
        ``{article_id: "new" | "updated" | "unchanged"}``.
    """
    if not batch:
        return {}
    dialect = conn.dialect.name
    ids = [a.article_id for a in batch]
    before: dict[str, str] = {}
    for start in range(0, len(ids), _CHUNK):
        for row in conn.execute(_existing_hashes_stmt(dialect, ids[start : start + _CHUNK])):
            before[row.article_id] = row.content_hash
    rows = [
        {
            "article_id": a.article_id, "page_id": None, "first_seen_at": now, "updated_at": now,
            **{f: getattr(a, f) for f in _ARTICLE_FIELDS},
        }
        for a in batch
    ]  # fmt: skip
    conn.execute(_upsert_articles_stmt(dialect), rows)
    outcome = {}
    for a in batch:
        old = before.get(a.article_id)
        outcome[a.article_id] = "new" if old is None else "unchanged" if old == a.content_hash else "updated"
    return outcome


def _delete_children_stmt(dialect: str, table_name: str, ids: list[str]) -> Delete:
    table = next(t for t in _CHILDREN if t.name == table_name)
    return delete(table).where(table.c.article_id.in_(ids))


def _upsert_annotations_stmt(dialect: str) -> Insert:
    stmt = _insert(dialect, annotations_t)
    columns = ("language", "china_related", "countries", "themes", "kb_version", "model_version")
    update = {k: stmt.excluded[k] for k in (*columns, "annotated_at")}
    return stmt.on_conflict_do_update(index_elements=["article_id"], set_=update)


def _insert_children_stmt(dialect: str, table_name: str) -> Insert:
    return next(t for t in _CHILDREN if t.name == table_name).insert()


def _copy_children_stmt(dialect: str, table_name: str) -> TextClause:
    columns = {
        "mentions": _MENTION_COLUMNS,
        "article_themes": ("article_id", "theme"),
        "events": _EVENT_COLUMNS,
    }
    return text(f"COPY {table_name} ({', '.join(columns[table_name])}) FROM STDIN")


def _mention_row(m: Mention, article_id: str) -> dict[str, Any]:
    """A mention as a ``mentions`` row (the layout ``annotations.save_annotation`` writes)."""
    return {
        "article_id": article_id, "kind": m.kind, "key": m.key, "name": m.name, "start_offset": m.start,
        "end_offset": m.end, "wikidata": m.wikidata, "country": m.country, "entity_type": m.entity_type,
    }  # fmt: skip


def _event_row(e: Event, article_id: str) -> dict[str, Any]:
    """An event as an ``events`` row; actors as a JSON list of [country, entity] pairs."""
    return {
        "article_id": article_id, "type": e.type, "mode": e.mode, "date": e.date, "end_date": e.end_date,
        "upcoming": e.upcoming, "actors": json.dumps([list(a) for a in e.actors], ensure_ascii=False),
        "location": e.location, "evidence": e.evidence,
    }  # fmt: skip


def save_annotations(conn: Connection, batch: Sequence[Annotation], *, now: datetime) -> None:
    """Store a batch of annotations, replacing what earlier runs stored for those articles.

    Args:
        conn: a connection inside a transaction.
        batch: annotations of stored articles, distinct ``article_id``.
        now: ``annotated_at``.
    """
    if not batch:
        return
    dialect = conn.dialect.name
    ids = [a.article_id for a in batch]
    for table in _CHILDREN:
        for start in range(0, len(ids), _CHUNK):
            conn.execute(_delete_children_stmt(dialect, table.name, ids[start : start + _CHUNK]))
    conn.execute(
        _upsert_annotations_stmt(dialect),
        [
            {
                "article_id": a.article_id, "language": a.language, "china_related": a.china_related,
                "countries": a.countries, "themes": a.themes, "kb_version": a.kb_version,
                "model_version": a.model_version, "annotated_at": now,
            }
            for a in batch
        ],
    )  # fmt: skip
    children = {
        "mentions": [_mention_row(m, a.article_id) for a in batch for m in a.mentions],
        "article_themes": [
            {"article_id": a.article_id, "theme": t} for a in batch for t in dict.fromkeys(a.themes)
        ],
        "events": [_event_row(e, a.article_id) for a in batch for e in a.events],
    }
    for name, rows in children.items():
        if not rows:
            continue
        if dialect == "postgresql":
            _copy_rows(conn, name, rows)
        else:
            conn.execute(_insert_children_stmt(dialect, name), rows)


def _copy_rows(conn: Connection, table_name: str, rows: list[dict[str, Any]]) -> None:
    """Stream rows into a PostgreSQL table with COPY, inside the connection's transaction."""
    sql = _copy_children_stmt("postgresql", table_name).text
    columns = [c.split()[0] for c in sql.split("(", 1)[1].split(")", 1)[0].split(",")]
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(tuple(row[c] for c in columns))
    finally:
        cursor.close()
