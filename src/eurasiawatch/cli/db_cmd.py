"""``eurasiawatch db upgrade|downgrade|current|backup|restore``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from ..errors import ConfigError, EurasiawatchError
from ..store import Database, open_database
from . import app
from .common import Json, console, err_console, fail_config, runtime

db_app = typer.Typer(help="Migrate, inspect, back up and restore the database.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@contextmanager
def _database(ctx: typer.Context) -> Iterator[Database]:
    """Open the configured database for one command; errors become one line and exit status 2."""
    try:
        settings = runtime(ctx).settings
    except ConfigError as exc:
        fail_config(exc)
        return
    try:
        with open_database(settings) as db:
            yield db
    except EurasiawatchError as exc:
        if runtime(ctx).debug:
            raise
        err_console.print(
            f"[red]Error:[/red] {exc}" + (f" ({exc.hint})" if exc.hint else ""), highlight=False
        )
        raise typer.Exit(2) from None


@db_app.command("upgrade")
def upgrade(
    ctx: typer.Context,
    rev: Annotated[str, typer.Argument(help="Revision to migrate to.")] = "head",
) -> None:
    """Migrate the database schema forward (to the newest revision by default)."""
    with _database(ctx) as db:
        db.upgrade(rev)
        console.print(f"database at revision {db.current()}", highlight=False)


@db_app.command("downgrade")
def downgrade(
    ctx: typer.Context,
    rev: Annotated[
        str, typer.Argument(help="Revision to go back to: an id, -1 for one step, or base.")
    ] = "-1",
) -> None:
    """Migrate the database schema back (one revision by default; `base` drops every table)."""
    with _database(ctx) as db:
        db.downgrade(rev)
        console.print(f"database at revision {db.current() or '(none)'}", highlight=False)


@db_app.command("current")
def current(ctx: typer.Context, as_json: Json = False) -> None:
    """Show the database's migration revision and whether it is up to date."""
    with _database(ctx) as db:
        rev, head = db.current(), db.head()
        if as_json:
            console.print_json(json.dumps({"current": rev, "head": head, "up_to_date": rev == head}))
            return
        state = "up to date" if rev == head else f"behind {head}: run `eurasiawatch db upgrade`"
        console.print(f"{rev or '(none)'} ({state})", highlight=False)


@db_app.command("backup")
def backup(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(
            help="File to write; default a timestamped file in <data_dir>/backups/.", show_default=False
        ),
    ] = None,
) -> None:
    """Write a consistent backup while the database stays in use."""
    with _database(ctx) as db:
        path = db.backup(file)
        console.print(f"backup written to {path}", highlight=False)


@db_app.command("restore")
def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A backup written by `eurasiawatch db backup`.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace the database's contents with a backup."""
    if not yes:
        typer.confirm(f"Replace the current database with {file}?", abort=True)
    with _database(ctx) as db:
        db.restore(file)
        rev = db.current()
        note = "" if rev == db.head() else " (older than this program: run `eurasiawatch db upgrade`)"
        console.print(f"restored {file}; database at revision {rev or '(none)'}{note}", highlight=False)
