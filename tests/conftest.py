"""Fixtures shared by the whole suite.

- ``db_settings``: Settings for an empty, un-migrated database, once on SQLite (a temp data dir) and
  once on PostgreSQL (a fresh schema ``ew_test_<run>_<n>`` in ``EURASIAWATCH_TEST_PG_URL``, dropped
  afterwards). PostgreSQL cases carry the ``postgres`` marker; they skip when the server is
  unreachable, except under ``CI=true`` where they fail.
- ``fresh_db``: a migrated ``Database`` on the same two backends.
- ``cli``: a Typer ``CliRunner``.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from eurasiawatch.config import Settings
from eurasiawatch.store import Database, open_database

from .services import missing

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
_RUN_ID = secrets.token_hex(4)
_schema_numbers = itertools.count(1)


def pg_url() -> str:
    """The PostgreSQL test database URL."""
    return os.environ.get("EURASIAWATCH_TEST_PG_URL") or DEFAULT_PG_URL


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine]:
    """An engine on the PostgreSQL test database; skips (fails under CI=true) if it is unreachable."""
    engine = create_engine(pg_url(), pool_pre_ping=True)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        engine.dispose()
        message = f"PostgreSQL is not reachable at {pg_url()}: {type(exc).__name__}: {exc}"
        missing(message)
    yield engine
    # sweep anything a crashed test left behind from this run
    with engine.begin() as conn:
        leftovers = conn.execute(
            text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :pattern"),
            {"pattern": f"ew_test_{_RUN_ID}_%"},
        ).scalars()
        for name in list(leftovers):
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings naming an empty database that no one else uses."""
    data_dir = tmp_path / "data"
    if request.param == "sqlite":
        yield Settings(data_dir=str(data_dir))
        return
    admin: Engine = request.getfixturevalue("pg_admin")
    schema = f"ew_test_{_RUN_ID}_{next(_schema_numbers)}"
    try:
        yield Settings(data_dir=str(data_dir), database_url=pg_url(), database_schema=schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


@pytest.fixture
def fresh_db(db_settings: Settings) -> Iterator[Database]:
    """A database migrated to the newest revision, on SQLite and on PostgreSQL."""
    db = open_database(db_settings)
    try:
        db.upgrade()
        yield db
    finally:
        db.dispose()


@pytest.fixture
def cli() -> CliRunner:
    """A runner for the ``eurasiawatch`` Typer app."""
    return CliRunner()
