"""The export driver: stream one kind of stored data through a writer to a file or stdout."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

from ..errors import ConfigError
from ..store import Database
from ..store.export import EXPORT_KINDS, ExportFilters, entity_wikidata, stream
from .rows import COLUMNS, event_row, plain_row
from .writers import FORMATS, open_writer

__all__ = ["export_data"]

_WIKIDATA_BATCH = 500  # events whose articles' Wikidata ids are looked up together


def export_data(
    db: Database,
    kind: str,
    fmt: str,
    filters: ExportFilters,
    *,
    out: str | None = None,
    stdout: IO[str] | None = None,
) -> int:
    """Export every matching row of ``kind`` in ``fmt``, streaming (no row cap, flat memory).

    Args:
        db: an upgraded database.
        kind: articles, mentions, events or stories.
        fmt: parquet, csv or jsonl.
        filters: day range, country, theme.
        out: the file to write (written as ``<out>.part`` and renamed when complete); None is stdout.
        stdout: the text stream used without ``out`` (default ``sys.stdout``).

    Returns:
        The number of rows written.

    Raises:
        ConfigError: unknown kind or format, or Parquet to stdout.
    """
    if kind not in EXPORT_KINDS:
        raise ConfigError(f"cannot export {kind!r}: choose one of {', '.join(EXPORT_KINDS)}")
    if fmt not in FORMATS:
        raise ConfigError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
    if fmt == "parquet" and not out:
        raise ConfigError("Parquet needs a file", hint="add --out FILE.parquet")
    with ExitStack() as stack:
        partial = None
        if out:
            target = Path(out)
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.part")
            handle: IO[Any] = stack.enter_context(
                partial.open("wb") if fmt == "parquet" else partial.open("w", encoding="utf-8", newline="")
            )
        else:
            handle = stdout or sys.stdout
        writer = open_writer(fmt, handle, COLUMNS[kind])
        conn = stack.enter_context(db.begin())
        for row in _rows(conn, kind, filters):
            writer.write(row)
        writer.close()
    if partial is not None and out:
        partial.replace(out)
    return writer.rows


def _rows(conn: Any, kind: str, filters: ExportFilters) -> Iterator[dict[str, Any]]:
    if kind != "events":
        for row in stream(conn, kind, filters):
            yield plain_row(kind, row)
        return
    # events come in article order; Wikidata ids are looked up for a batch of articles at a time
    pending: list[Any] = []
    for row in stream(conn, kind, filters):
        pending.append(row)
        if len(pending) >= _WIKIDATA_BATCH and row["article_id"] != pending[0]["article_id"]:
            keep = [r for r in pending if r["article_id"] == row["article_id"]]
            yield from _event_rows(conn, pending[: len(pending) - len(keep)])
            pending = keep
    yield from _event_rows(conn, pending)


def _event_rows(conn: Any, rows: list[Any]) -> Iterator[dict[str, Any]]:
    wikidata = entity_wikidata(conn, [r["article_id"] for r in rows])
    ordinal, current = 0, None
    for row in rows:
        ordinal = ordinal + 1 if row["article_id"] == current else 0
        current = row["article_id"]
        yield event_row(row, ordinal, wikidata.get(current, {}))
