"""Queries for editions: the edition row and every version of each of its blocks.

A block is stored as JSON (``payload``); saving an edition writes a new version only for blocks whose
content changed, so ``edition_blocks`` is each block's history (who changed it, when). The edition
row keeps the current reading order (``block_order``) and the approval (slot, by whom). Builders
follow the ``_*_stmt(dialect, ...)`` convention of ``queries`` so a test compiles every statement
for SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Insert, Select, Update, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..records import Block, Chart, Citation, Edition
from .tables import edition_blocks, editions

__all__ = [
    "block_from_json",
    "block_history",
    "block_to_json",
    "list_editions",
    "load_edition",
    "published_editions",
    "save_edition",
    "set_edition_status",
]


def block_to_json(block: Block) -> str:
    """A block as JSON (chart images base64)."""
    chart = block.chart
    return json.dumps(
        {
            "block_id": block.block_id,
            "section": block.section,
            "kind": block.kind,
            "title": block.title,
            "text": block.text,
            "flags": list(block.flags),
            "edited": block.edited,
            "citations": [
                {
                    "article_id": c.article_id,
                    "url": c.url,
                    "outlet": c.outlet,
                    "title": c.title,
                    "language": c.language,
                    "authors": list(c.authors),
                    "published": c.published.isoformat() if c.published else None,
                }
                for c in block.citations
            ],
            "chart": None
            if chart is None
            else {
                "chart_id": chart.chart_id,
                "alt": chart.alt,
                "png": base64.b64encode(chart.png).decode("ascii"),
                "svg": chart.svg,
                "source": chart.source,
            },
        },
        ensure_ascii=False,
        sort_keys=True,
    )


def block_from_json(text: str) -> Block:
    """The block a :func:`block_to_json` string holds."""
    raw = json.loads(text)
    chart = raw.get("chart")
    return Block(
        block_id=raw["block_id"],
        section=raw["section"],
        kind=raw["kind"],
        title=raw.get("title"),
        text=raw.get("text", ""),
        flags=tuple(raw.get("flags", ())),
        edited=bool(raw.get("edited")),
        citations=tuple(
            Citation(
                article_id=c["article_id"],
                url=c["url"],
                outlet=c.get("outlet"),
                title=c.get("title"),
                language=c.get("language"),
                authors=tuple(c.get("authors", ())),
                published=datetime.fromisoformat(c["published"]) if c.get("published") else None,
            )
            for c in raw.get("citations", ())
        ),
        chart=None
        if not chart
        else Chart(
            chart_id=chart["chart_id"],
            alt=chart["alt"],
            png=base64.b64decode(chart["png"]),
            svg=chart.get("svg", ""),
            source=chart.get("source", ""),
        ),
    )


def _latest_blocks_stmt(dialect: str, edition_id: str) -> Select[Any]:
    newest = (
        select(edition_blocks.c.block_id, func.max(edition_blocks.c.version).label("version"))
        .where(edition_blocks.c.edition_id == edition_id)
        .group_by(edition_blocks.c.block_id)
        .subquery()
    )
    return (
        select(edition_blocks.c.block_id, edition_blocks.c.version, edition_blocks.c.payload)
        .join(
            newest,
            (edition_blocks.c.block_id == newest.c.block_id) & (edition_blocks.c.version == newest.c.version),
        )
        .where(edition_blocks.c.edition_id == edition_id)
    )


def _insert_block_stmt(dialect: str) -> Insert:
    return insert(edition_blocks)


def _upsert_edition_stmt(dialect: str, row: dict[str, Any]) -> Insert:
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(editions).values(**row)
    keep = ("slot", "approved_by")  # approval is changed by set_edition_status only
    return stmt.on_conflict_do_update(
        index_elements=["edition_id"],
        set_={k: stmt.excluded[k] for k in row if k != "edition_id" and k not in keep},
    )


def save_edition(conn: Connection, edition: Edition, *, now: datetime, author: str | None = None) -> int:
    """Store an edition: its row, and a new version of every block whose content changed.

    Args:
        conn: a connection inside a transaction.
        edition: the edition as it should now read.
        now: the time of the change.
        author: who changed it (None: the drafter).

    Returns:
        How many block versions were written.
    """
    dialect = conn.dialect.name
    conn.execute(
        _upsert_edition_stmt(
            dialect,
            {
                "edition_id": edition.edition_id,
                "send_date": edition.send_date,
                "window_start": edition.window_start,
                "window_end": edition.window_end,
                "headline": edition.headline,
                "dek": edition.dek,
                "language": edition.language,
                "number": edition.number,
                "slug": edition.slug,
                "status": edition.status,
                "block_order": tuple(b.block_id for b in edition.blocks),
                "updated_at": now,
            },
        )
    )
    current = {
        r.block_id: (r.version, r.payload)
        for r in conn.execute(_latest_blocks_stmt(dialect, edition.edition_id))
    }
    rows = []
    for b in edition.blocks:
        payload = block_to_json(b)
        version, old = current.get(b.block_id, (0, None))
        if old == payload:
            continue
        rows.append(
            {
                "edition_id": edition.edition_id,
                "block_id": b.block_id,
                "version": version + 1,
                "payload": payload,
                "edited": b.edited,
                "author": author,
                "created_at": now,
            }
        )
    if rows:
        conn.execute(_insert_block_stmt(dialect), rows)
    return len(rows)


def _get_edition_stmt(dialect: str, edition_id: str) -> Select[Any]:
    return select(editions).where(editions.c.edition_id == edition_id)


def load_edition(conn: Connection, edition_id: str) -> Edition | None:
    """The edition with its current blocks in reading order, or None."""
    dialect = conn.dialect.name
    row = conn.execute(_get_edition_stmt(dialect, edition_id)).mappings().first()
    if row is None:
        return None
    blocks = {
        r.block_id: block_from_json(r.payload) for r in conn.execute(_latest_blocks_stmt(dialect, edition_id))
    }
    return Edition(
        edition_id=row["edition_id"],
        send_date=row["send_date"],
        window_start=row["window_start"],
        window_end=row["window_end"],
        headline=row["headline"],
        dek=row["dek"],
        language=row["language"],
        number=row["number"],
        slug=row["slug"],
        status=row["status"],
        blocks=tuple(blocks[b] for b in row["block_order"] if b in blocks),
    )


def _list_editions_stmt(dialect: str) -> Select[Any]:
    return select(
        editions.c.edition_id,
        editions.c.send_date,
        editions.c.window_start,
        editions.c.window_end,
        editions.c.headline,
        editions.c.status,
        editions.c.slot,
        editions.c.approved_by,
        editions.c.updated_at,
    ).order_by(editions.c.send_date.desc(), editions.c.edition_id)


def list_editions(conn: Connection) -> list[dict[str, Any]]:
    """Every edition, newest send date first."""
    return [dict(r) for r in conn.execute(_list_editions_stmt(conn.dialect.name)).mappings()]


PUBLIC_STATUSES = ("approved", "sent")


def _published_editions_stmt(dialect: str, until: date, limit: int | None) -> Select[Any]:
    stmt = (
        select(
            editions.c.edition_id,
            editions.c.send_date,
            editions.c.headline,
            editions.c.dek,
            editions.c.language,
            editions.c.number,
            editions.c.slug,
        )
        .where(editions.c.status.in_(PUBLIC_STATUSES), editions.c.send_date <= until)
        .order_by(editions.c.send_date.desc(), editions.c.edition_id.desc())
    )
    return stmt.limit(limit) if limit is not None else stmt


def published_editions(conn: Connection, *, until: date, limit: int | None = None) -> list[dict[str, Any]]:
    """Editions readers may see: approved or sent, with a send date up to ``until``; newest first.

    Rows have edition_id, send_date, headline, dek, language, number and slug (no blocks: use
    ``load_edition`` for one edition's content).
    """
    stmt = _published_editions_stmt(conn.dialect.name, until, limit)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def _history_stmt(dialect: str, edition_id: str, block_id: str) -> Select[Any]:
    return (
        select(
            edition_blocks.c.version,
            edition_blocks.c.edited,
            edition_blocks.c.author,
            edition_blocks.c.created_at,
            edition_blocks.c.payload,
        )
        .where(edition_blocks.c.edition_id == edition_id, edition_blocks.c.block_id == block_id)
        .order_by(edition_blocks.c.version)
    )


def block_history(conn: Connection, edition_id: str, block_id: str) -> list[dict[str, Any]]:
    """Every version of one block, oldest first: version, edited, author, created_at, block."""
    out = []
    for r in conn.execute(_history_stmt(conn.dialect.name, edition_id, block_id)).mappings():
        item = dict(r)
        item["block"] = block_from_json(item.pop("payload"))
        out.append(item)
    return out


def _set_status_stmt(dialect: str, edition_id: str, values: dict[str, Any]) -> Update:
    return update(editions).where(editions.c.edition_id == edition_id).values(**values)


def set_edition_status(
    conn: Connection,
    edition_id: str,
    status: str,
    *,
    now: datetime,
    slot: datetime | None = None,
    approved_by: str | None = None,
) -> bool:
    """Set an edition's status (draft | approved | sent), with the approved slot; False when unknown."""
    values: dict[str, Any] = {"status": status, "updated_at": now}
    if status == "approved":
        values.update(slot=slot, approved_by=approved_by)
    elif status == "draft":
        values.update(slot=None, approved_by=None)
    result = conn.execute(_set_status_stmt(conn.dialect.name, edition_id, values))
    return bool(result.rowcount)
