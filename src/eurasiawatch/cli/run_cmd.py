"""``eurasiawatch run``: keep ingesting each source when it is due, until stopped.

Each pass ingests the sources whose ``next_due_at`` has come (``pipeline.ingest``, the same path as
``eurasiawatch ingest``), then schedules each source it tried: ``interval`` after a success,
exponentially later after failures (``ingest.schedule.next_due``). Between passes it sleeps until
the earliest due time.

SIGTERM or SIGINT stops it cleanly. Between passes that is immediate. During a pass every task of
the ingest is cancelled at its next ``await``; since an article's page and row are written in one
synchronous transaction with no ``await`` inside it, an item is either stored whole or not at all,
and a source cut short keeps its old due time, so the next run picks up what was left.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from types import FrameType
from typing import Annotated

import typer

from ..clock import Clock
from ..config import Settings
from ..ingest.schedule import DEFAULT_CAP, next_due
from ..pipeline import IngestReport, ingest
from ..store import Database, health, open_database, queries
from . import app
from .common import console, err_console, runtime

_NAP = 0.5  # seconds between checks for a stop request while waiting for the next due source


@dataclass
class _Stop:
    """Set by SIGTERM/SIGINT; cancels an ingest pass in flight."""

    signal_name: str | None = None

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if self.signal_name is not None:
            return  # a second signal while shutting down changes nothing
        self.signal_name = signal.Signals(signum).name
        try:
            loop = asyncio.get_running_loop()  # set while a pass's event loop runs in this thread
        except RuntimeError:
            return
        loop.call_soon_threadsafe(_cancel_all, loop)

    def check(self, event: str, amount: int) -> None:
        """Progress hook: a stop requested just before the pass's loop started still cancels it."""
        if self.signal_name is not None:
            _cancel_all(asyncio.get_running_loop())


def _cancel_all(loop: asyncio.AbstractEventLoop) -> None:
    for task in asyncio.all_tasks(loop):
        task.cancel()


@dataclass
class _Totals:
    passes: int = 0
    interrupted: bool = False
    counts: Counter[str] = field(default_factory=Counter)
    sources: set[str] = field(default_factory=set)
    failures: int = 0
    articles_before: int = 0
    articles_after: int = 0

    def add(self, report: IngestReport) -> None:
        self.counts.update(report.counts)
        self.sources.update(report.per_source)
        self.failures += len(report.failures)


@app.command("run")
def run(
    ctx: typer.Context,
    interval: Annotated[
        float | None,
        typer.Option(
            help="Seconds between polls of a healthy source (failures back off up to 24 h); "
            "default: the ingest.interval setting.",
            show_default=False,
        ),
    ] = None,
    once: Annotated[bool, typer.Option("--once", help="One pass over the due sources, then exit.")] = False,
) -> None:
    """Keep ingesting each source when it is due, until SIGTERM or Ctrl-C; then print a summary.

    Exit status: 0 after a clean stop; with --once, 0 all ok, 1 some items failed, 2 nothing worked.
    """
    rt = runtime(ctx)
    if interval is None:
        interval = float(rt.settings.ingest_interval)
    if interval <= 0:
        err_console.print(f"[red]Error:[/red] --interval must be > 0 seconds, not {interval:g}")
        raise typer.Exit(2)
    clock = rt.clock()
    if clock.fixed and not once:
        err_console.print("[red]Error:[/red] --as-of replays one day: use it with `run --once`")
        raise typer.Exit(2)
    db = open_database(rt.settings)
    db.ensure_current()
    stop = _Stop()
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    totals = _Totals()
    with db.begin() as conn:
        totals.articles_before = queries.count_articles(conn)
    last: IngestReport | None = None
    try:
        while stop.signal_name is None:
            last = _pass(db, rt.settings, clock, interval, stop, totals)
            if once or stop.signal_name is not None:
                break
            _sleep_until_due(db, clock, interval, stop)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    with db.begin() as conn:
        totals.articles_after = queries.count_articles(conn)
    _print_summary(totals, stop)
    if once and not stop.signal_name and last is not None:
        raise typer.Exit(last.exit_code)
    raise typer.Exit(0)


def _pass(
    db: Database, settings: Settings, clock: Clock, interval: float, stop: _Stop, totals: _Totals
) -> IngestReport | None:
    """Ingest the due sources once and schedule them; None when nothing was due."""
    started = clock.now()
    with db.begin() as conn:
        due = health.due_sources(conn, started)
    if not due:
        return None
    totals.passes += 1
    report: IngestReport | None = None
    try:
        report = ingest(db, settings, clock, sources=due, progress=stop.check)
    except asyncio.CancelledError:
        totals.interrupted = True
    finally:
        _schedule_attempted(db, clock, started, interval)
    if report is not None:
        totals.add(report)
        c = report.counts
        console.print(
            f"{clock.now():%Y-%m-%d %H:%M:%S} pass {totals.passes}: {len(due)} sources, {c['new']} new, "
            f"{c['updated']} updated, {c['unchanged']} unchanged, {len(report.failures)} failed",
            highlight=False,
        )
    return report


def _schedule_attempted(db: Database, clock: Clock, since: datetime, interval: float) -> None:
    """Give every source tried since ``since`` its next due time from its failure streak."""
    with db.begin() as conn:
        for name, (streak, attempted) in health.attempted_since(conn, since).items():
            health.set_next_due(conn, name, next_due(attempted, interval, streak, cap=DEFAULT_CAP))


def _sleep_until_due(db: Database, clock: Clock, interval: float, stop: _Stop) -> None:
    with db.begin() as conn:
        wake = health.next_due_at(conn)
    seconds = interval if wake is None else (wake - clock.now()).total_seconds()
    deadline = time.monotonic() + max(0.0, min(seconds, interval))
    while stop.signal_name is None and time.monotonic() < deadline:
        time.sleep(min(_NAP, max(0.0, deadline - time.monotonic())))


def _print_summary(totals: _Totals, stop: _Stop) -> None:
    c = totals.counts
    passes = f"{totals.passes} pass{'' if totals.passes == 1 else 'es'}"
    added = totals.articles_after - totals.articles_before
    how = f"stopped by {stop.signal_name}" if stop.signal_name else "done"
    if totals.interrupted:
        how += " (the pass in flight was cut short; the next run picks up the rest)"
    console.print(
        f"run {how}: {passes}; {added} articles added in all; completed passes: {c['new']} new, "
        f"{c['updated']} updated, {c['unchanged']} unchanged, {totals.failures} failed",
        highlight=False,
    )
