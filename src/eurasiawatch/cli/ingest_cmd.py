"""``eurasiawatch ingest``: fetch the registered sources and store their articles."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..analyze.search import search_index_pending
from ..analyzing import cluster_stored
from ..annotating import annotate_stored
from ..pipeline import IngestReport, ingest
from ..records import Source
from ..store import Database, open_database, queries
from . import app
from .common import AsOf, Runtime, console, err_console, runtime
from .reannotate_cmd import print_annotate_report
from .stories_cmd import print_cluster_report


@app.command("ingest")
def ingest_command(
    ctx: typer.Context,
    source: Annotated[
        list[str] | None,
        typer.Option("--source", "-s", help="Only this source (repeatable).", show_default=False),
    ] = None,
    annotate: Annotated[
        bool, typer.Option("--annotate/--no-annotate", help="Annotate new articles after fetching them.")
    ] = True,
    as_of: AsOf = None,
) -> None:
    """Fetch feeds and their articles, extract them, store what is new, and annotate it.

    Exit status: 0 all ok, 1 some items failed, 2 nothing worked or bad usage.
    """
    rt = runtime(ctx)
    db = open_database(rt.settings)
    db.ensure_current()
    chosen: list[Source] | None = None
    if source:
        with db.begin() as conn:
            chosen = []
            for name in source:
                found = queries.get_source(conn, name)
                if found is None:
                    err_console.print(
                        f"[red]Error:[/red] no source named {name!r} (see `eurasiawatch sources list`)"
                    )
                    raise typer.Exit(2)
                chosen.append(found)
    report = run_ingest(db, rt, chosen, as_of)
    print_report(report)
    code = report.exit_code
    if annotate:
        annotated = annotate_stored(db, rt.settings, rt.clock(as_of))
        with db.begin() as conn:  # keep the full-text index current for `eurasiawatch search` and the desk
            search_index_pending(conn, now=rt.clock(as_of).now())
        print_annotate_report(annotated)
        print_cluster_report(cluster_stored(db, rt.settings, rt.clock(as_of)))
        code = max(code, min(annotated.exit_code, 1))
    raise typer.Exit(code)


def run_ingest(db: Database, rt: Runtime, sources: list[Source] | None, as_of: str | None) -> IngestReport:
    """Run the ingest with a progress bar on a terminal and plain logs otherwise."""
    settings = rt.settings
    clock = rt.clock(as_of)
    if not sys.stderr.isatty():
        return ingest(db, settings, clock, sources=sources)
    columns = (TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("ingest", total=0)

        def step(event: str, amount: int) -> None:
            if event == "total":
                bar.update(task, total=(bar.tasks[0].total or 0) + amount)
            else:
                bar.advance(task, amount)

        return ingest(db, settings, clock, sources=sources, progress=step)


def print_report(report: IngestReport) -> None:
    """The summary table and one line per failure."""
    table = Table("source", "fetched", "new", "updated", "unchanged", "failed", title="ingest summary")
    for name, c in sorted(report.per_source.items()):
        table.add_row(name, *(str(c[k]) for k in ("fetched", "new", "updated", "unchanged", "failed")))
    c = report.counts
    table.add_row(
        "[bold]total", *(f"[bold]{c[k]}" for k in ("fetched", "new", "updated", "unchanged", "failed"))
    )
    console.print(table)
    for f in report.failures:
        err_console.print(
            f"failed [{f.stage}] {f.source}: {f.url} — {f.reason}", highlight=False, markup=False
        )
