"""Migrations go up and down cleanly and create exactly the tables in ``store.tables``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from eurasiawatch.config import Settings
from eurasiawatch.errors import StoreError
from eurasiawatch.records import Source
from eurasiawatch.store import UPGRADE_HINT, Database, open_database, queries
from eurasiawatch.store.tables import metadata

TABLES = {"sources", "fetch_log", "pages", "articles", "failures"}


def _tables(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def test_up_down_up(db_settings: Settings) -> None:
    with open_database(db_settings) as db:
        assert db.current() is None
        db.upgrade()
        assert db.current() == db.head()
        assert _tables(db) >= TABLES
        db.downgrade("base")
        assert db.current() is None
        assert not (TABLES & _tables(db))
        db.upgrade("head")
        assert db.current() == db.head()
        with db.begin() as conn:
            queries.upsert_source(
                conn, Source(name="s", url="https://example.org/feed"), now=datetime.now(UTC)
            )
            assert queries.get_source(conn, "s") is not None


def test_migrations_match_tables(fresh_db: Database) -> None:
    with fresh_db.engine.connect() as conn:
        opts = {"version_table_schema": fresh_db.schema, "compare_type": True}
        diff = compare_metadata(MigrationContext.configure(conn, opts=opts), metadata)
    # Alembic skips its own table only when it sits outside the default schema
    diff = [d for d in diff if not (d[0] == "remove_table" and d[1].name == "alembic_version")]
    assert diff == []


def test_version_table_lives_in_schema(fresh_db: Database) -> None:
    if fresh_db.schema is None:
        pytest.skip("SQLite has no schemas")
    with fresh_db.engine.connect() as conn:
        assert "alembic_version" in inspect(conn).get_table_names(schema=fresh_db.schema)
        assert set(inspect(conn).get_table_names(schema=fresh_db.schema)) >= TABLES


def test_unmigrated_database_says_run_upgrade(db_settings: Settings) -> None:
    with open_database(db_settings) as db:
        with pytest.raises(StoreError) as info:
            db.ensure_current()
        assert info.value.hint == UPGRADE_HINT
        assert "not migrated" in str(info.value)
        with pytest.raises(StoreError) as info, db.begin() as conn:
            queries.count_articles(conn)
        assert info.value.hint == UPGRADE_HINT


def test_ensure_current_after_upgrade_and_behind(fresh_db: Database) -> None:
    fresh_db.ensure_current()
    fresh_db.downgrade("base")
    with pytest.raises(StoreError, match="not migrated"):
        fresh_db.ensure_current()


def test_unknown_revision(fresh_db: Database) -> None:
    with pytest.raises(StoreError, match="cannot upgrade to '9999'"):
        fresh_db.upgrade("9999")


def test_sqlite_connection_settings(tmp_path) -> None:
    with open_database(Settings(data_dir=str(tmp_path / "d"))) as db:
        assert (tmp_path / "d").is_dir()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


@pytest.mark.parametrize(
    ("url", "schema", "message"),
    [
        ("mysql://u@h/db", "", "unsupported database"),
        ("not a url", "", "not a valid SQLAlchemy URL"),
        ("postgresql+psycopg://u@h/db", "bad-name; drop", "not a plain identifier"),
    ],
)
def test_bad_database_settings(tmp_path, url: str, schema: str, message: str) -> None:
    settings = Settings(data_dir=str(tmp_path), database_url=url, database_schema=schema)
    with pytest.raises(StoreError, match=message):
        open_database(settings)
