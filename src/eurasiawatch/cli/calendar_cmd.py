"""``eurasiawatch calendar``: upcoming events for One Thing To Watch, by date, with sources."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from ..analyze.calendar import upcoming_calendar
from ..store import open_database
from . import app
from .common import AsOf, Json, console, err_console, runtime


@app.command("calendar")
def calendar(
    ctx: typer.Context,
    days: Annotated[int, typer.Option(help="How many days ahead of the clock.")] = 30,
    as_json: Json = False,
    as_of: AsOf = None,
) -> None:
    """Upcoming events (dated after the article that announced them and after the clock), by date.

    The same event from several articles is one entry listing every source.
    """
    if days < 1:
        err_console.print("[red]Error:[/red] --days must be at least 1")
        raise typer.Exit(2)
    rt = runtime(ctx)
    with open_database(rt.settings) as db:
        db.ensure_current()
        with db.begin() as conn:
            found = upcoming_calendar(conn, rt.clock(as_of), days=days)
    if as_json:
        typer.echo(json.dumps([d.as_dict() for d in found], ensure_ascii=False, indent=2))
        return
    if not found:
        console.print(f"no upcoming events in the next {days} days")
        return
    for day in found:
        console.print(f"[bold]{day.date}[/bold]")
        for entry in day.entries:
            actors = ", ".join(e or c for c, e in entry.actors) or "actors not named"
            where = f" in {entry.location}" if entry.location else ""
            console.print(f"  {entry.type} ({entry.mode}): {actors}{where}", highlight=False, markup=False)
            for s in entry.sources:
                console.print(
                    f"    {s.outlet or '?'} {s.published:%Y-%m-%d}: {s.title or s.url} <{s.url}>"
                    if s.published
                    else f"    {s.outlet or '?'}: {s.title or s.url} <{s.url}>",
                    highlight=False,
                    markup=False,
                )
                console.print(f"      “{s.evidence}”", highlight=False, markup=False)
