"""``eurasiawatch sources add|list|remove``."""

from __future__ import annotations

import json
from typing import Annotated
from urllib.parse import urlsplit

import typer
from rich.table import Table

from ..records import Source
from ..store import SourceHealth, open_database, queries
from . import app
from .common import AsOf, Json, console, err_console, runtime

sources_app = typer.Typer(
    help="Register the feeds and pages to ingest, and see their health.", no_args_is_help=True
)
app.add_typer(sources_app, name="sources")


@sources_app.command("add")
def add(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="Feed URL (RSS or Atom).")],
    name: Annotated[
        str | None, typer.Option(help="Short unique name; default: the URL's host and path.")
    ] = None,
    language: Annotated[
        str | None, typer.Option(help="Language of the source (ISO 639-1), if known.")
    ] = None,
    outlet: Annotated[str | None, typer.Option(help="Outlet name credited on its articles.")] = None,
    kind: Annotated[str, typer.Option(help="Source kind.")] = "feed",
    allow_private: Annotated[
        bool,
        typer.Option("--allow-private", help="Allow a loopback/private address (local test servers only)."),
    ] = False,
    as_of: AsOf = None,
) -> None:
    """Register a source, or update it if the name exists."""
    rt = runtime(ctx)
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        err_console.print(f"[red]Error:[/red] {url!r} is not an http(s) URL")
        raise typer.Exit(2)
    name = name or (parts.netloc + parts.path).rstrip("/")
    db = open_database(rt.settings)
    db.ensure_current()
    source = Source(
        name=name, url=url, kind=kind, language=language, outlet=outlet, allow_private=allow_private
    )
    with db.begin() as conn:
        queries.upsert_source(conn, source, now=rt.clock(as_of).now())
    console.print(f"added source [bold]{name}[/bold] → {url}")


@sources_app.command("list")
def list_(ctx: typer.Context, as_json: Json = False) -> None:
    """List sources with their health: last success, failure streak and reason, next due time."""
    db = open_database(runtime(ctx).settings)
    db.ensure_current()
    with db.begin() as conn:
        rows = queries.list_sources(conn)
    if as_json:
        typer.echo(json.dumps([_health_dict(r) for r in rows], ensure_ascii=False, indent=2, default=str))
        return
    table = Table("name", "url", "lang", "last success", "streak", "last reason", "items")
    for r in rows:
        table.add_row(
            r.name,
            r.source.url,
            r.source.language or "",
            _short(r.last_success_at),
            str(r.failure_streak),
            (r.last_reason or "")[:60],
            str(r.items_total),
        )
    console.print(table)


@sources_app.command("remove")
def remove(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Name of the source.")]) -> None:
    """Remove a source (its stored articles stay)."""
    db = open_database(runtime(ctx).settings)
    db.ensure_current()
    with db.begin() as conn:
        removed = queries.remove_source(conn, name)
    if not removed:
        err_console.print(f"[red]Error:[/red] no source named {name!r} (see `eurasiawatch sources list`)")
        raise typer.Exit(2)
    console.print(f"removed source {name}")


def _health_dict(row: SourceHealth) -> dict[str, object]:
    s = row.source
    return {
        "name": s.name,
        "url": s.url,
        "kind": s.kind,
        "language": s.language,
        "outlet": s.outlet,
        "allow_private": s.allow_private,
        "added_at": row.added_at,
        "last_attempt_at": row.last_attempt_at,
        "last_success_at": row.last_success_at,
        "last_failure_at": row.last_failure_at,
        "failure_streak": row.failure_streak,
        "last_reason": row.last_reason,
        "next_due_at": row.next_due_at,
        "items_total": row.items_total,
    }


def _short(value: object) -> str:
    return str(value)[:16].replace("T", " ") if value else "never"
