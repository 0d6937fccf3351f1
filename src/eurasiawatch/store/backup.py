"""Backup and restore: SQLite's online backup API, PostgreSQL's ``pg_dump``/``pg_restore``.

Called through ``Database.backup`` and ``Database.restore``; these helpers only move bytes.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import URL, Engine

from ..errors import StoreError

__all__ = ["default_path", "pg_dump", "pg_restore", "sqlite_backup", "sqlite_restore"]

_PG_TIMEOUT_S = 3600


def default_path(data_dir: Path, dialect: str) -> Path:
    """A new timestamped file in ``<data_dir>/backups/`` (``.db`` for SQLite, ``.dump`` for PostgreSQL)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = ".db" if dialect == "sqlite" else ".dump"
    folder = data_dir / "backups"
    path = folder / f"eurasiawatch-{stamp}{suffix}"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"eurasiawatch-{stamp}-{n}{suffix}"
    return path


def _sqlite_copy(source: sqlite3.Connection, target: sqlite3.Connection, what: str) -> None:
    try:
        source.backup(target)
    except sqlite3.Error as exc:
        raise StoreError(f"{what} failed: {exc}") from exc


def sqlite_backup(engine: Engine, target: Path) -> None:
    """Copy the live database into ``target`` page by page, while others keep using it."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    with engine.connect() as conn:
        live = conn.connection.driver_connection
        assert isinstance(live, sqlite3.Connection)
        out = sqlite3.connect(partial)
        try:
            _sqlite_copy(live, out, "backup")
            # a backup is one self-contained file, whatever the live database's journal mode
            out.execute("PRAGMA journal_mode = DELETE")
        finally:
            out.close()
    partial.replace(target)


def sqlite_restore(engine: Engine, source: Path) -> None:
    """Check that ``source`` is a sound eurasiawatch SQLite backup, then copy it over the live database."""
    try:
        backup = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open backup {source}: {exc}") from exc
    try:
        try:
            check = backup.execute("PRAGMA quick_check").fetchone()
            has_version = backup.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{source} is not a SQLite database ({exc})") from exc
        if not check or check[0] != "ok":
            raise StoreError(f"backup {source} is damaged: {check[0] if check else 'no answer'}")
        if not has_version:
            raise StoreError(f"{source} is not a eurasiawatch backup (it has no migration version)")
        with engine.connect() as conn:
            live = conn.connection.driver_connection
            assert isinstance(live, sqlite3.Connection)
            # the backup API writes all pages under one lock, so readers see the old or the new database
            _sqlite_copy(backup, live, "restore")
    finally:
        backup.close()


def _pg_command(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        raise StoreError(f"{tool} was not found on PATH", hint="install the PostgreSQL client tools")
    return found


def _pg_target(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and an environment carrying it."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(
            args, env=env, capture_output=True, text=True, timeout=_PG_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise StoreError(f"{what} failed: {exc}") from exc
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise StoreError(f"{what} failed: {message[-1] if message else f'exit status {done.returncode}'}")


def pg_dump(url: URL, schema: str | None, target: Path) -> None:
    """Dump the database (or one schema) to ``target`` in ``pg_dump``'s custom format."""
    dsn, env = _pg_target(url)
    partial = target.with_name(target.name + ".partial")
    args = [_pg_command("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}"]
    if schema:
        args.append(f"--schema={schema}")
    try:
        _run([*args, f"--dbname={dsn}"], env, "pg_dump")
    except StoreError:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)


def pg_restore(url: URL, schema: str | None, source: Path) -> None:
    """Restore a custom-format dump, dropping the objects it holds first, in one transaction.

    If anything fails the transaction is rolled back and the database is left as it was.
    """
    dsn, env = _pg_target(url)
    listing = subprocess.run(
        [_pg_command("pg_restore"), "--list", str(source)], capture_output=True, text=True, check=False
    )
    if listing.returncode != 0:
        raise StoreError(f"{source} is not a pg_dump custom-format backup")
    if schema and f" SCHEMA - {schema} " not in listing.stdout:
        raise StoreError(f"{source} does not hold the schema {schema!r}")
    args = [
        _pg_command("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={dsn}",
        str(source),
    ]
    _run(args, env, "pg_restore")
