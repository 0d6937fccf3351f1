"""``eurasiawatch reannotate``: annotate stored articles again after the knowledge base or model changed."""

from __future__ import annotations

from typing import Annotated

import typer

from ..annotating import AnnotateReport, annotate_stored
from ..clock import parse_as_of
from ..store import open_database
from . import app
from .common import AsOf, console, err_console, runtime


@app.command("reannotate")
def reannotate(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option(
            help="Only articles published or first seen from this day (YYYY-MM-DD) on.", show_default=False
        ),
    ] = None,
    all_: Annotated[
        bool,
        typer.Option("--all", help="Redo every article, not only those annotated by another KB or model."),
    ] = False,
    as_of: AsOf = None,
) -> None:
    """Annotate stored articles whose annotation is missing or stale (another KB or model version).

    Exit status: 0 all ok, 1 some articles failed, 2 none could be annotated.
    """
    rt = runtime(ctx)
    start = None
    if since:
        try:
            start = parse_as_of(since + "T00:00:00" if len(since) == 10 else since).now()
        except ValueError:
            err_console.print(f"[red]Error:[/red] --since {since!r} is not a date (YYYY-MM-DD)")
            raise typer.Exit(2) from None
    with open_database(rt.settings) as db:  # disposed at the end: no pooled connection outlives the command
        db.ensure_current()
        report = annotate_stored(db, rt.settings, rt.clock(as_of), since=start, force=all_)
    print_annotate_report(report)
    raise typer.Exit(report.exit_code)


def print_annotate_report(report: AnnotateReport) -> None:
    """One summary line, then one line per article that could not be annotated."""
    console.print(
        f"annotated {report.annotated} articles "
        f"(knowledge base {report.kb_version}, themes {report.model_version})"
        + (f", {len(report.failures)} failed" if report.failures else "")
    )
    for article_id, reason in report.failures:
        err_console.print(f"failed [annotate] {article_id}: {reason}", highlight=False, markup=False)
