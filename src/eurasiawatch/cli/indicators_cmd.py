"""``eurasiawatch indicators import|list|show``: series (computed on) and reported figures (quoted)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..analyze.indicators import (
    describe_change,
    figures_by_id,
    import_indicators,
    list_figures,
    list_series,
    load_indicator_series,
)
from ..errors import StoreError
from ..store import open_database
from . import app
from .common import Json, console, err_console, runtime

indicators_app = typer.Typer(
    help="Indicators: series (changes and charts computed) and reported figures (quoted as published).",
    no_args_is_help=True,
)
app.add_typer(indicators_app, name="indicators")


def _usage(message: str) -> typer.Exit:
    err_console.print(f"[red]Error:[/red] {message}", highlight=False)
    return typer.Exit(2)


@indicators_app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A CSV file (see docs/indicators.md).", show_default=False)],
    kind: Annotated[str, typer.Option(help="series, figures or auto.")] = "auto",
    dataset: Annotated[
        str | None, typer.Option(help="Dataset name (default: the file name).", show_default=False)
    ] = None,
    synthetic: Annotated[
        bool, typer.Option("--synthetic", help="Mark the series as synthetic data.")
    ] = False,
) -> None:
    """Import a CSV of series (period,reporter,partner,measure,value,unit,source) or reported figures."""
    if not file.is_file():
        raise _usage(f"{file} is not a file")
    rt = runtime(ctx)
    with open_database(rt.settings) as db:
        db.ensure_current()
        try:
            with db.begin() as conn:
                what, n = import_indicators(
                    conn, file, kind=kind, dataset=dataset, synthetic=synthetic, now=rt.clock().now()
                )
        except (ValueError, UnicodeDecodeError) as exc:
            raise _usage(f"{file}: {exc}") from None
    console.print(
        f"imported {n} {what if n != 1 or what == 'series' else 'figure'} from {file}", highlight=False
    )


@indicators_app.command("list")
def list_(ctx: typer.Context, as_json: Json = False) -> None:
    """The series in the database, then every reported figure (shipped and imported) with its source."""
    rt = runtime(ctx)
    series: list[dict[str, object]] = []
    conn_figures = None
    with open_database(rt.settings) as db:
        try:
            db.ensure_current()
            with db.begin() as conn:
                series = list_series(conn)
                conn_figures = list_figures(conn)
        except StoreError:
            err_console.print("(database not migrated: showing the shipped figures only)")
    figures = conn_figures if conn_figures is not None else list_figures(None)
    if as_json:
        typer.echo(
            json.dumps(
                {"series": series, "figures": [f.as_dict() for f in figures]}, ensure_ascii=False, indent=2
            )
        )
        return
    if series:
        table = Table(title="series", show_edge=False)
        for column in ("id", "what", "unit", "points", "from", "to", "source"):
            table.add_column(column)
        for s in series:
            table.add_row(
                str(s["id"]),
                str(s["title"]) + (" [SYNTHETIC]" if s["synthetic"] else ""),
                str(s["unit"]),
                str(s["points"]),
                str(s["first"]),
                str(s["last"]),
                str(s["source"]),
            )
        console.print(table)
    # blocks, not a table: sources are long and must be printed whole
    console.print(
        f"reported figures ({len(figures)}), quoted as published, never recomputed:", highlight=False
    )
    for f in figures:
        head = " · ".join(x for x in (f.id, f.subject, f.period) if x)
        console.print(
            f"{head}\n  {f.measure}: {f.quote()}\n  source: {f.source}", highlight=False, markup=False
        )


@indicators_app.command("show")
def show(
    ctx: typer.Context,
    ident: Annotated[str, typer.Argument(metavar="ID", help="A series (S1) or a figure (dataset:row).")],
    chart: Annotated[
        Path | None,
        typer.Option(
            help="Write the series' chart here (.png or .svg; the other format beside it).",
            show_default=False,
        ),
    ] = None,
    as_json: Json = False,
) -> None:
    """One series with its latest change and quotable sentence (and a chart), or one reported figure."""
    rt = runtime(ctx)
    if ":" in ident:
        with open_database(rt.settings) as db:
            try:
                db.ensure_current()
                with db.begin() as conn:
                    figures = list_figures(conn)
            except StoreError:
                figures = list_figures(None)
        figure = figures_by_id(figures).get(ident)
        if figure is None:
            raise _usage(f"no reported figure {ident!r} (see `eurasiawatch indicators list`)")
        if as_json:
            typer.echo(json.dumps(figure.as_dict(), ensure_ascii=False, indent=2))
            return
        for key, value in figure.as_dict().items():
            if value not in (None, ""):
                console.print(f"{key}: {value}", highlight=False, markup=False)
        return
    with open_database(rt.settings) as db:
        db.ensure_current()
        with db.begin() as conn:
            series = load_indicator_series(conn, ident)
    if series is None:
        raise _usage(f"no series {ident!r} (see `eurasiawatch indicators list`)")
    try:
        change = describe_change(series)
    except ValueError:
        change = None
    written: list[str] = []
    alt_text = None
    if chart is not None:
        from ..analyze.charts import chart_series

        drawn = chart_series(series, change=change)
        png, svg = (
            (chart, chart.with_suffix(".svg"))
            if chart.suffix != ".svg"
            else (chart.with_suffix(".png"), chart)
        )
        png.write_bytes(drawn.png)
        svg.write_text(drawn.svg, encoding="utf-8")
        written, alt_text = [str(png), str(svg)], drawn.alt_text
    if as_json:
        out = series.as_dict() | {"change": change.as_dict() if change else None}
        if written:
            out |= {"chart": written, "alt_text": alt_text}
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    console.print(
        f"{series.label}: {series.title()}" + (" [SYNTHETIC DATA]" if series.synthetic else ""),
        highlight=False,
        markup=False,
    )
    console.print(f"unit: {series.unit}; source: {series.source}", highlight=False, markup=False)
    console.print(" ".join(f"{p}={v:g}" for p, v in series.points), highlight=False)
    if change is not None:
        console.print(change.sentence, highlight=False, markup=False)
    if written:
        console.print(f"chart: {', '.join(written)}", highlight=False)
        console.print(f"alt text: {alt_text}", highlight=False, markup=False)
