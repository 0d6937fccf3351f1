"""The database handle: engine, transactions, Alembic migrations, backup and restore.

``open_database(settings)`` builds a ``Database`` without touching the schema; ``Database.upgrade``
runs the Alembic migrations packaged in ``store/migrations`` (no ``alembic.ini``: the Alembic
``Config`` is built here). SQLite files get WAL journaling, foreign keys and a busy timeout on every
connection; PostgreSQL connections get ``search_path`` set to ``settings.database_schema`` when one
is configured, and the Alembic version table lives in that schema too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import SQLAlchemyError

from ..config import Settings
from ..errors import StoreError
from . import backup as _backup

__all__ = ["UPGRADE_HINT", "Database", "open_database"]

UPGRADE_HINT = "run `eurasiawatch db upgrade`"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_MS = 10_000
_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
# Messages from SQLite and PostgreSQL that mean "the tables are not there": the schema is not migrated.
_MISSING_TABLE = re.compile(r"no such table|relation .* does not exist|UndefinedTable", re.IGNORECASE)


class Database:
    """An open database: use ``begin()`` for work and the migration/backup methods for upkeep.

    Build it with ``open_database``. It is also a context manager that disposes the engine on exit.
    """

    def __init__(self, settings: Settings, engine: Engine, schema: str | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.schema = schema

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.dispose()

    def __repr__(self) -> str:
        return f"Database({self.engine.url.render_as_string(hide_password=True)!r}, schema={self.schema!r})"

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """Open a connection inside a transaction, committed on success and rolled back on error.

        Yields:
            A SQLAlchemy ``Connection`` to pass to the functions in ``store.queries``.

        Raises:
            StoreError: the database refused a statement (missing tables come with an upgrade hint).
        """
        try:
            with self.engine.connect() as conn:
                if self.dialect == "sqlite":
                    # Take the write lock up front: a deferred transaction that later writes can fail
                    # at once with "database is locked" instead of waiting for busy_timeout.
                    conn = conn.execution_options(ew_sqlite_begin="BEGIN IMMEDIATE")
                with conn.begin():
                    yield conn
        except SQLAlchemyError as exc:
            raise _store_error(exc) from exc

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """Like ``begin``, for work that only reads: on SQLite a deferred transaction.

        ``begin`` takes SQLite's one write lock up front, so every transaction waits for every
        other; a long read (a search, a dashboard build) would make the rest of the app wait and,
        past the busy timeout, fail with "database is locked". In WAL mode readers need no lock:
        use this for pages and reports that only read. A statement that writes inside it may fail
        with "database is locked" at once instead of waiting.

        Raises:
            StoreError: the database refused a statement.
        """
        try:
            with self.engine.connect() as conn, conn.begin():
                yield conn
        except SQLAlchemyError as exc:
            raise _store_error(exc) from exc

    # -- migrations ------------------------------------------------------------------------------

    def _alembic_config(self, conn: Connection | None = None) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.attributes["connection"] = conn
        cfg.attributes["schema"] = self.schema
        return cfg

    def head(self) -> str:
        """The newest migration revision this program ships."""
        head = ScriptDirectory.from_config(self._alembic_config()).get_current_head()
        if head is None:  # pragma: no cover - the package always ships migrations
            raise StoreError("no migrations found in the package")
        return head

    def upgrade(self, rev: str = "head") -> None:
        """Migrate the schema forward to ``rev`` (creating the PostgreSQL schema if missing).

        Raises:
            StoreError: the migration failed; nothing of it is kept.
        """
        with self.begin() as conn:
            if self.schema and self.dialect == "postgresql":
                conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            try:
                command.upgrade(self._alembic_config(conn), rev)
            except CommandError as exc:
                raise StoreError(f"cannot upgrade to {rev!r}: {exc}") from exc

    def downgrade(self, rev: str) -> None:
        """Migrate the schema back to ``rev`` (``"base"`` drops every table, ``"-1"`` one step).

        Raises:
            StoreError: the migration failed; nothing of it is kept.
        """
        with self.begin() as conn:
            try:
                command.downgrade(self._alembic_config(conn), rev)
            except CommandError as exc:
                raise StoreError(f"cannot downgrade to {rev!r}: {exc}") from exc

    def current(self) -> str | None:
        """The revision the database is at, or None when it was never migrated.

        Raises:
            StoreError: the database cannot be reached.
        """
        try:
            with self.engine.connect() as conn:
                opts = {"version_table_schema": self.schema} if self.schema else {}
                return MigrationContext.configure(conn, opts=opts).get_current_revision()
        except SQLAlchemyError as exc:
            raise _store_error(exc) from exc

    def ensure_current(self) -> None:
        """Check the database is migrated to the newest revision.

        Raises:
            StoreError: it is not (with the hint to run ``eurasiawatch db upgrade``) or is unreachable.
        """
        current, head = self.current(), self.head()
        if current == head:
            return
        if current is None:
            raise StoreError(f"the database {self._where()} is not migrated", hint=UPGRADE_HINT)
        raise StoreError(
            f"the database {self._where()} is at revision {current}, this program needs {head}",
            hint=UPGRADE_HINT,
        )

    def _where(self) -> str:
        url = self.engine.url
        if url.get_backend_name() == "sqlite":
            return url.database or ":memory:"
        shown = url.render_as_string(hide_password=True)
        return f"{shown} (schema {self.schema})" if self.schema else shown

    # -- backup ----------------------------------------------------------------------------------

    def backup(self, path: str | Path | None = None) -> Path:
        """Write a consistent copy of the database while it stays in use.

        SQLite uses the online backup API; PostgreSQL runs ``pg_dump`` in custom format (only the
        configured schema when there is one).

        Args:
            path: the file to write; by default a timestamped file in ``<data_dir>/backups/``.

        Returns:
            The file written.

        Raises:
            StoreError: the copy failed or ``pg_dump`` is missing.
        """
        target = (
            Path(path) if path is not None else _backup.default_path(self.settings.data_path, self.dialect)
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        if self.dialect == "sqlite":
            _backup.sqlite_backup(self.engine, target)
        else:
            _backup.pg_dump(self.engine.url, self.schema, target)
        return target

    def restore(self, path: str | Path) -> None:
        """Replace the database's contents with a backup made by ``backup``.

        The backup is checked before anything is overwritten; afterwards the database is at the
        backup's migration revision (run ``upgrade`` if that is older than this program).

        Raises:
            StoreError: the file is missing or not a backup, or the restore failed.
        """
        source = Path(path)
        if not source.is_file():
            raise StoreError(f"backup file {source} does not exist")
        self.dispose()  # no pooled connection may hold the old database open
        if self.dialect == "sqlite":
            _backup.sqlite_restore(self.engine, source)
        else:
            _backup.pg_restore(self.engine.url, self.schema, source)
        self.dispose()


def open_database(settings: Settings) -> Database:
    """Connect to the database the settings name; the schema is not migrated here.

    Makes ``data_dir`` if needed. An empty ``database_url`` means ``<data_dir>/eurasiawatch.db``.

    Args:
        settings: the effective settings.

    Returns:
        The database handle.

    Raises:
        StoreError: the URL is malformed, its driver is missing, or the schema name is invalid.
    """
    try:
        settings.data_path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create data directory {settings.data_path}: {exc}") from exc
    raw_url = settings.resolved_database_url
    try:
        url = make_url(raw_url)
    except SQLAlchemyError as exc:
        raise StoreError(f"database_url is not a valid SQLAlchemy URL: {exc}") from exc
    backend = url.get_backend_name()
    schema = settings.database_schema or None
    kwargs: dict[str, Any] = {}
    if backend == "postgresql":
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        if schema is not None:
            if not _SCHEMA_NAME.match(schema):
                raise StoreError(
                    f"database_schema = {schema!r} is not a plain identifier (letters, digits, _)"
                )
            kwargs["connect_args"] = {"options": f"-csearch_path={schema}"}
    elif backend == "sqlite":
        schema = None
    else:
        raise StoreError(f"unsupported database {backend!r}", hint="use SQLite or postgresql+psycopg://")
    try:
        engine = create_engine(url, pool_pre_ping=backend == "postgresql", **kwargs)
    except (SQLAlchemyError, ImportError) as exc:
        hint = "install the `postgres` extra (psycopg)" if backend == "postgresql" else None
        raise StoreError(f"cannot open database: {exc}", hint=hint) from exc
    if backend == "sqlite":
        _configure_sqlite(engine)
    return Database(settings, engine, schema)


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys and busy timeout on every connection; let SQLAlchemy own BEGIN."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # The sqlite3 module's own transaction handling skips BEGIN before DDL; turning it off and
        # emitting BEGIN ourselves (below) makes migrations transactional.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql(conn.get_execution_options().get("ew_sqlite_begin", "BEGIN"))


def _store_error(exc: SQLAlchemyError) -> StoreError:
    """Turn a SQLAlchemy error into a StoreError with a readable message and, if useful, a hint."""
    orig = getattr(exc, "orig", None)
    detail = str(orig) if orig is not None else str(exc).splitlines()[0]
    if _MISSING_TABLE.search(f"{detail} {type(orig).__name__}"):
        return StoreError(f"the database is not migrated ({detail.splitlines()[0]})", hint=UPGRADE_HINT)
    if "database is locked" in detail:
        return StoreError("the SQLite database is locked by another process", hint="try again shortly")
    return StoreError(f"database error: {detail.strip().splitlines()[0]}")
