"""``eurasiawatch trends`` and ``eurasiawatch engagement``: what is reported more or less than usual."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from ..analyze.series import compute_engagement
from ..analyze.trends import TESTS, compute_trends, parse_window
from ..store import open_database
from ..store.trends import KINDS
from . import app
from .common import AsOf, Json, console, err_console, runtime


def _usage(message: str) -> typer.Exit:
    err_console.print(f"[red]Error:[/red] {message}", highlight=False)
    return typer.Exit(2)


@app.command("trends")
def trends(
    ctx: typer.Context,
    window: Annotated[str, typer.Option(help="Window ending at the clock: 14d, 2w, 7 (days).")] = "14d",
    kind: Annotated[str, typer.Option(help="What to count: country, entity or theme.")] = "country",
    baseline: Annotated[int, typer.Option(help="How many earlier windows make the baseline.")] = 4,
    test: Annotated[str, typer.Option(help="poisson (default) or z (for bursty counts).")] = "poisson",
    alpha: Annotated[float, typer.Option(help="False-discovery rate (Benjamini-Hochberg).")] = 0.05,
    min_count: Annotated[int, typer.Option(help="Fewest articles now for new or rising.")] = 3,
    china: Annotated[bool, typer.Option("--china", help="Count only China-related articles.")] = False,
    all_: Annotated[bool, typer.Option("--all", help="Show steady keys too.")] = False,
    as_json: Json = False,
    as_of: AsOf = None,
) -> None:
    """Counts per country, entity or theme in the window against earlier windows: rising, falling, new.

    Each verdict comes with its figures: articles now, in each earlier window, their mean (the
    baseline), z, the one-sided p-value of the test and q (adjusted across keys). See docs/trends.md.
    """
    if kind not in KINDS:
        raise _usage(f"--kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if test not in TESTS:
        raise _usage(f"--test must be one of {', '.join(TESTS)}, not {test!r}")
    try:
        length = parse_window(window)
    except ValueError as exc:
        raise _usage(f"--{exc}") from None
    if baseline < 1:
        raise _usage("--baseline must be at least 1")
    rt = runtime(ctx)
    with open_database(rt.settings) as db:
        db.ensure_current()
        with db.begin() as conn:
            report = compute_trends(
                conn,
                rt.clock(as_of),
                kind=kind,
                window=length,
                baseline_windows=baseline,
                test=test,
                alpha=alpha,
                min_count=min_count,
                china_only=china,
            )
    if as_json:
        typer.echo(json.dumps(report.as_dict(include_steady=all_), ensure_ascii=False, indent=2))
        return
    shown = report.trends if all_ else report.changed()
    console.print(
        f"{kind} trends, {report.start:%Y-%m-%d %H:%M} to {report.end:%Y-%m-%d %H:%M} UTC "
        f"against the {baseline} windows before; {test} test, q <= {alpha}; "
        f"{len(report.trends)} keys, {len(report.changed())} changed",
        highlight=False,
    )
    if not shown:
        return
    table = Table(show_edge=False)
    for column in ("status", "key", "name", "now", "earlier (newest first)", "baseline", "z", "p", "q"):
        table.add_column(column, justify="right" if column in ("now", "baseline", "z", "p", "q") else "left")
    for t in shown:
        table.add_row(
            t.status,
            t.key,
            t.name,
            str(t.count),
            " ".join(map(str, t.previous)),
            f"{t.baseline:.1f}",
            "-" if t.z is None else f"{t.z:+.2f}",
            "-" if t.p_value is None else f"{t.p_value:.2g}",
            "-" if t.q_value is None else f"{t.q_value:.2g}",
        )
    console.print(table)


@app.command("engagement")
def engagement(
    ctx: typer.Context,
    weeks: Annotated[
        int, typer.Option(help="How many weeks up to the clock (the current one included).")
    ] = 12,
    country: Annotated[
        list[str] | None, typer.Option(help="Only this country (ISO code); repeatable.", show_default=False)
    ] = None,
    theme: Annotated[
        list[str] | None, typer.Option(help="Only this theme; repeatable.", show_default=False)
    ] = None,
    as_json: Json = False,
    as_of: AsOf = None,
) -> None:
    """The weekly engagement series per country and theme, each point with its evidence (--json).

    Articles: China-related articles mentioning the country that week; events: asserted, past
    events with China and the country among the actors. See docs/trends.md for what it does not measure.
    """
    if weeks < 1:
        raise _usage("--weeks must be at least 1")
    rt = runtime(ctx)
    with open_database(rt.settings) as db:
        db.ensure_current()
        with db.begin() as conn:
            series = compute_engagement(conn, rt.clock(as_of), weeks=weeks, countries=country, themes=theme)
    if as_json:
        typer.echo(json.dumps([s.as_dict() for s in series], ensure_ascii=False, indent=2))
        return
    if not series:
        console.print("no China-related articles in range")
        return
    table = Table(show_edge=False, title=f"weekly articles/events, weeks from {series[0].points[0].week}")
    table.add_column("country")
    table.add_column("theme")
    table.add_column("articles/events per week, oldest first")
    table.add_column("total", justify="right")
    for s in series:
        cells = " ".join(f"{p.articles}/{p.events}" for p in s.points)
        table.add_row(s.country, s.theme, cells, f"{s.total_articles}/{s.total_events}")
    console.print(table)
