"""``eurasiawatch search "…"``: ranked full-text search over stored articles, with filters and facets."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from ..analyze.search import SearchFilters, SearchResult, search, search_index_pending
from ..store import open_database
from . import app
from .common import AsOf, Json, console, err_console, runtime


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        err_console.print(f"[red]Error:[/red] {option} {value!r} is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from None


def _split(values: list[str] | None) -> tuple[str, ...]:
    return tuple(v.strip() for value in values or () for v in value.split(",") if v.strip())


@app.command("search")
def search_command(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help='Words, "a phrase", a OR b, -excluded, prefix*.')],
    country: Annotated[
        list[str] | None, typer.Option("--country", help="ISO code (repeat or comma-separate).")
    ] = None,
    entity: Annotated[list[str] | None, typer.Option("--entity", help="Knowledge-base entity id.")] = None,
    theme: Annotated[list[str] | None, typer.Option("--theme", help="Theme (energy, trade …).")] = None,
    language: Annotated[
        list[str] | None, typer.Option("--language", help="Language code (ru, en …).")
    ] = None,
    outlet: Annotated[list[str] | None, typer.Option("--outlet", help="Outlet name.")] = None,
    since: Annotated[
        str | None, typer.Option(help="Published on or after this day (YYYY-MM-DD).", show_default=False)
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Published on or before this day (YYYY-MM-DD).", show_default=False)
    ] = None,
    limit: Annotated[int, typer.Option(min=0, help="Results on this page.")] = 20,
    offset: Annotated[int, typer.Option(min=0, help="Results skipped before this page.")] = 0,
    update_index: Annotated[
        bool,
        typer.Option(
            "--update-index/--no-update-index", help="Index new and changed articles before searching."
        ),
    ] = True,
    json_: Json = False,
    as_of: AsOf = None,
) -> None:
    """Search stored articles (ranked, with highlighted passages, facet counts and filters).

    Exit status: 0 (also when nothing matched), 2 on a malformed query or option.
    """
    rt = runtime(ctx)
    filters = SearchFilters(
        countries=tuple(c.upper() for c in _split(country)),
        entities=_split(entity),
        themes=_split(theme),
        languages=_split(language),
        outlets=_split(outlet),
        since=_day(since, "--since"),
        until=_day(until, "--until"),
    )
    db = open_database(rt.settings)
    db.ensure_current()
    if update_index:
        with db.begin() as conn:
            search_index_pending(conn, now=rt.clock(as_of).now())
    with db.begin() as conn:
        result = search(conn, query, filters=filters, limit=limit, offset=offset)
    if json_:
        console.print_json(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    _print(result)


def _marked(text: str, spans: tuple[tuple[int, int], ...]) -> Text:
    out = Text(text)
    for start, end in spans:
        out.stylize("bold yellow", start, end)
    return out


def _print(result: SearchResult) -> None:
    shown = f"{result.offset + 1}–{result.offset + len(result.hits)}" if result.hits else "none"
    console.print(f"{result.total} articles match {result.query!r} (showing {shown})", highlight=False)
    for hit in result.hits:
        day = hit.published.date().isoformat() if hit.published else "undated"
        head = _marked(hit.title or "(untitled)", hit.title_highlights)
        head.append(f"  {hit.outlet or '?'} · {hit.language or '?'} · {day} · {hit.article_id}", style="dim")
        console.print(head)
        console.print(_marked(hit.snippet, hit.highlights))
        console.print()
    facets = Table(
        title="facets" + (f" (approximate: best {result.facet_basis})" if result.approximate else "")
    )
    facets.add_column("facet")
    facets.add_column("counts")
    for kind, items in result.facets.items():
        if items:
            facets.add_row(kind, ", ".join(f"{value} {n}" for value, n in items))
    if result.total:
        console.print(facets)
