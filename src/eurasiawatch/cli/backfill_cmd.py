"""``eurasiawatch backfill``: archives (WARC, JSON Lines) through extract, language and annotate, at scale."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..backfill import BackfillReport, run_backfill
from ..store import open_database
from . import app
from .common import AsOf, console, err_console, runtime


@app.command("backfill")
def backfill_command(
    ctx: typer.Context,
    path: Annotated[
        str, typer.Argument(help="A .warc/.warc.gz/.jsonl(.gz) file, a folder of them, or a glob.")
    ],
    engine: Annotated[
        str, typer.Option(help="local: this process, one file after another; dask: a Dask cluster.")
    ] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Dask scheduler address (tcp://host:8786); default: a LocalCluster.", show_default=False
        ),
    ] = None,
    workers: Annotated[int, typer.Option(help="Worker processes of the LocalCluster.")] = 2,
    memory_limit: Annotated[str, typer.Option(help="Memory limit per LocalCluster worker.")] = "1GiB",
    parquet: Annotated[
        str | None,
        typer.Option(help="Also write Parquet here, partitioned by date and language.", show_default=False),
    ] = None,
    batch: Annotated[int, typer.Option(help="Records per committed batch.")] = 200,
    source: Annotated[str, typer.Option(help="Source name stamped on the articles.")] = "backfill",
    redo: Annotated[bool, typer.Option("--redo", help="Process finished files again.")] = False,
    as_of: AsOf = None,
) -> None:
    """Backfill archives into the database: extract, detect language, annotate, store; resumable per file.

    Exit status: 0 all ok, 1 some items or files failed, 2 nothing stored or bad usage.
    """
    rt = runtime(ctx)
    db = open_database(rt.settings)
    db.ensure_current()

    def dashboard(link: str) -> None:
        console.print(f"Dask dashboard: {link}", highlight=False)

    def go(progress: Callable[[str, int], None] | None = None) -> BackfillReport:
        return run_backfill(
            db, rt.settings, path, engine=engine, clock=rt.clock(as_of), scheduler=scheduler,
            workers=workers, memory_limit=memory_limit, source=source, batch=batch, parquet_dir=parquet,
            redo=redo, progress=progress, on_dashboard=dashboard,
        )  # fmt: skip

    if not sys.stderr.isatty():
        report = go()
    else:
        columns = (
            TextColumn("backfill"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=err_console, transient=True) as bar:
            task = bar.add_task("backfill", total=0)

            def step(event: str, amount: int) -> None:
                if event == "total":
                    bar.update(task, total=amount)
                else:
                    bar.advance(task, amount)

            report = go(step)
    print_backfill_report(report)
    raise typer.Exit(report.exit_code)


def print_backfill_report(report: BackfillReport) -> None:
    """One summary line, then one line per file that failed as a whole."""
    console.print(
        f"{report.files} files ({report.skipped} already done): {report.total('records')} records, "
        f"{report.total('new')} new, {report.total('updated')} updated, "
        f"{report.total('unchanged')} unchanged, "
        f"{report.total('failed')} failed items (see the backfill_failures table)",
        highlight=False,
    )
    for result in report.failed_files:
        err_console.print(f"failed [file] {result.path}: {result.error}", highlight=False, markup=False)
