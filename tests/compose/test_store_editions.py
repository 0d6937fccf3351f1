"""Stored editions on SQLite and PostgreSQL: block versions, reading order, approval."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from eurasiawatch.records import Block, Chart, Citation, Edition
from eurasiawatch.store import Database
from eurasiawatch.store import editions as store

NOW = datetime(2024, 7, 9, 12, tzinfo=UTC)


def _edition() -> Edition:
    cite = Citation(
        article_id="a1", url="https://e.invalid/a1", outlet="O", language="ru", authors=("R",), published=NOW
    )
    return Edition(
        edition_id="ed-2024-07-10",
        send_date=date(2024, 7, 10),
        window_start=date(2024, 6, 26),
        window_end=date(2024, 7, 9),
        headline="H",
        blocks=(
            Block(
                block_id="lead",
                section="lead",
                kind="lead",
                title="T",
                text="> quote [1]",
                citations=(cite,),
                flags=("verbatim",),
            ),
            Block(
                block_id="data",
                section="data",
                kind="data_point",
                text="x",
                chart=Chart(chart_id="c", alt="a", png=b"\x89PNG"),
            ),
        ),
    )


def test_blocks_keep_their_history_and_approval(fresh_db: Database) -> None:
    edition = _edition()
    with fresh_db.begin() as conn:
        assert store.save_edition(conn, edition, now=NOW) == 2
        assert store.save_edition(conn, edition, now=NOW) == 0  # nothing changed, nothing written
        changed = replace(edition.blocks[0], text="Rewritten [1].", flags=(), edited=True)
        assert (
            store.save_edition(
                conn, replace(edition, blocks=(changed, edition.blocks[1])), now=NOW, author="ed"
            )
            == 1
        )
        loaded = store.load_edition(conn, edition.edition_id)
        history = store.block_history(conn, edition.edition_id, "lead")
        assert store.set_edition_status(
            conn, edition.edition_id, "approved", now=NOW, slot=NOW, approved_by="ed"
        )
        rows = store.list_editions(conn)
    assert loaded is not None and loaded.blocks[0] == changed and loaded.blocks[1] == edition.blocks[1]
    assert [(h["version"], h["author"]) for h in history] == [(1, None), (2, "ed")]
    assert history[0]["block"] == edition.blocks[0]
    assert rows[0]["status"] == "approved" and rows[0]["approved_by"] == "ed"
