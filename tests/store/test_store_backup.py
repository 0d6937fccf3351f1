"""Backup and restore round trips on SQLite (online backup API) and PostgreSQL (pg_dump/pg_restore)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from eurasiawatch.errors import StoreError
from eurasiawatch.records import Article, Page, Source
from eurasiawatch.store import Database, queries

T0 = datetime(2025, 5, 6, 7, 8, 9, 10, tzinfo=UTC)


def _fill(db: Database, n: int) -> None:
    with db.begin() as conn:
        queries.upsert_source(conn, Source(name="s", url="https://s.example/feed"), now=T0)
        page_id = queries.save_page(
            conn,
            Page(
                url="https://s.example/1", final_url="https://s.example/1", html="<p>один</p>", fetched_at=T0
            ),
        )
        for i in range(n):
            art = Article(
                article_id=f"a{i}",
                url=f"https://s.example/{i}",
                canonical_url=f"https://s.example/{i}",
                title="t",
                text="x",
                published=T0,
                content_hash=str(i),
            )
            queries.upsert_article(conn, art, page_id=page_id, now=T0)


def test_round_trip(fresh_db: Database, tmp_path: Path) -> None:
    _fill(fresh_db, 3)
    with fresh_db.begin() as conn:
        before = queries.list_articles(conn)
    backup = fresh_db.backup()
    assert backup.parent == Path(fresh_db.settings.data_dir) / "backups"
    assert backup.is_file() and backup.stat().st_size > 0
    assert not list(backup.parent.glob("*.partial"))

    # change and drop things after the backup
    with fresh_db.begin() as conn:
        conn.exec_driver_sql("DELETE FROM articles WHERE article_id = 'a0'")
        conn.exec_driver_sql("UPDATE articles SET title = 'changed'")
        queries.remove_source(conn, "s")
        queries.upsert_source(conn, Source(name="new", url="https://n.example/"), now=T0)
    fresh_db.restore(backup)

    with fresh_db.begin() as conn:
        assert queries.list_articles(conn) == before
        assert [h.name for h in queries.list_sources(conn)] == ["s"]
        assert queries.load_page_html(conn, 1) == "<p>один</p>"
    assert fresh_db.current() == fresh_db.head()
    fresh_db.ensure_current()


def test_round_trip_after_dropping_tables(fresh_db: Database, tmp_path: Path) -> None:
    _fill(fresh_db, 2)
    backup = fresh_db.backup(tmp_path / "explicit" / "copy.bak")
    assert backup == tmp_path / "explicit" / "copy.bak"
    fresh_db.downgrade("base")
    fresh_db.restore(backup)
    fresh_db.ensure_current()
    with fresh_db.begin() as conn:
        assert queries.count_articles(conn) == 2


def test_default_backup_names_do_not_collide(fresh_db: Database) -> None:
    first, second = fresh_db.backup(), fresh_db.backup()
    assert first != second and first.is_file() and second.is_file()


def test_restore_rejects_missing_and_foreign_files(fresh_db: Database, tmp_path: Path) -> None:
    _fill(fresh_db, 1)
    with pytest.raises(StoreError, match="does not exist"):
        fresh_db.restore(tmp_path / "nope.db")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError):
        fresh_db.restore(junk)
    with fresh_db.begin() as conn:  # nothing was overwritten
        assert queries.count_articles(conn) == 1


def test_sqlite_restore_rejects_other_sqlite_files(tmp_path: Path, fresh_db: Database) -> None:
    if fresh_db.dialect != "sqlite":
        pytest.skip("SQLite only")
    import sqlite3

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(StoreError, match="not a eurasiawatch backup"):
        fresh_db.restore(other)
