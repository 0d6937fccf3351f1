"""``eurasiawatch export``: stored articles, mentions, events or stories as open data files."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from ..export import EXPORT_KINDS, FORMATS, ExportFilters, export_data
from ..store import open_database
from . import app
from .common import err_console, runtime


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option) from None


@app.command("export")
def export_command(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help=f"What to export: {' | '.join(EXPORT_KINDS)}.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"{' | '.join(FORMATS)}.")] = "jsonl",
    since: Annotated[
        str | None, typer.Option(help="From this day (YYYY-MM-DD), inclusive.", show_default=False)
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Up to this day (YYYY-MM-DD), inclusive.", show_default=False)
    ] = None,
    country: Annotated[
        str | None,
        typer.Option(help="Only articles mentioning this country (ISO 3166-1 alpha-2).", show_default=False),
    ] = None,
    theme: Annotated[
        str | None, typer.Option(help="Only articles with this theme (e.g. energy).", show_default=False)
    ] = None,
    out: Annotated[
        str | None,
        typer.Option(
            "--out", "-o", help="File to write (default: stdout; Parquet needs a file).", show_default=False
        ),
    ] = None,
) -> None:
    """Export stored data for researchers, streaming with no row cap (layouts: docs/data-formats.md).

    Exit status: 0 on success, 2 on bad usage.
    """
    if kind not in EXPORT_KINDS:
        raise typer.BadParameter(f"{kind!r} is not one of {', '.join(EXPORT_KINDS)}", param_hint="KIND")
    if fmt not in FORMATS:
        raise typer.BadParameter(f"{fmt!r} is not one of {', '.join(FORMATS)}", param_hint="--format")
    filters = ExportFilters(
        since=_day(since, "--since"), until=_day(until, "--until"), country=country, theme=theme
    )
    rt = runtime(ctx)
    db = open_database(rt.settings)
    db.ensure_current()
    rows = export_data(db, kind, fmt, filters, out=out)
    if out:
        err_console.print(f"exported {rows} {kind} rows to {out}", highlight=False)
