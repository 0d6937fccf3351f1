"""``eurasiawatch sources add|list|remove|import|export|check``."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer
from rich.table import Table

from ..errors import SourceError
from ..ingest import LOCAL_KINDS, source_location
from ..ingest.fetch import FetchPolicy
from ..ingest.opml import parse_opml, write_opml
from ..ingest.probe import check_sources
from ..ingest.schedule import health_status
from ..ingest.sourcelist import load_default_sources, parse_sources_csv, plan_import, write_sources_csv
from ..records import Source
from ..store import SourceHealth, health, open_database, queries
from . import app
from .common import AsOf, Json, console, err_console, runtime

sources_app = typer.Typer(
    help="Register the feeds and pages to ingest, and see their health.", no_args_is_help=True
)
app.add_typer(sources_app, name="sources")

_RATE_DAYS = 7  # items per day are averaged over this many days


@sources_app.command("add")
def add(
    ctx: typer.Context,
    url: Annotated[
        str,
        typer.Argument(
            help="Feed, sitemap or page URL; for --kind warc or folder, a local path or file:// URL."
        ),
    ],
    name: Annotated[
        str | None, typer.Option(help="Short unique name; default: the URL's host and path.")
    ] = None,
    language: Annotated[
        str | None, typer.Option(help="Language of the source (ISO 639-1), if known.")
    ] = None,
    outlet: Annotated[str | None, typer.Option(help="Outlet name credited on its articles.")] = None,
    kind: Annotated[
        str,
        typer.Option(
            help="Source kind: feed (RSS, Atom, JSON Feed), page (one article), sitemap (news, plain "
            "or index), warc (a WARC/WARC.gz file or a folder of them) or folder (.html, .html.gz, "
            ".txt, .jsonl)."
        ),
    ] = "feed",
    allow_private: Annotated[
        bool,
        typer.Option("--allow-private", help="Allow a loopback/private address (local test servers only)."),
    ] = False,
    as_of: AsOf = None,
) -> None:
    """Register a source, or update it if the name exists."""
    rt = runtime(ctx)
    try:
        url = source_location(url, kind)
    except SourceError as exc:
        err_console.print(
            f"[red]Error:[/red] {exc}" + (f" ({exc.hint})" if exc.hint else ""), highlight=False
        )
        raise typer.Exit(2) from None
    if kind in LOCAL_KINDS:
        name = name or Path(url).name
    else:
        parts = urlsplit(url)
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
def list_(ctx: typer.Context, as_json: Json = False, as_of: AsOf = None) -> None:
    """List sources with their health: status, last success, failure streak, items per day, next due."""
    rt = runtime(ctx)
    now = rt.clock(as_of).now()
    db = open_database(rt.settings)
    db.ensure_current()
    with db.begin() as conn:
        rows = queries.list_sources(conn)
        recent = health.articles_since(conn, now - timedelta(days=_RATE_DAYS))
    if as_json:
        typer.echo(
            json.dumps(
                [_health_dict(r, now, recent.get(r.name, 0)) for r in rows],
                ensure_ascii=False,
                indent=2,
                default=str,
            )
        )
        return
    table = Table(
        "name", "status", "last success", "streak", "items/day", "next due", "last reason", title="sources"
    )
    for r in rows:
        status = _status(r)
        table.add_row(
            r.name,
            f"[bold red]{status}[/bold red]" if status == "FAILING" else status,
            _short(r.last_success_at),
            str(r.failure_streak),
            f"{_per_day(r, now, recent.get(r.name, 0)):.1f}",
            _due(r.next_due_at, now),
            (r.last_reason or "")[:70],
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


def _health_dict(row: SourceHealth, now: datetime | None = None, recent: int = 0) -> dict[str, object]:
    s = row.source
    return {
        "name": s.name,
        "url": s.url,
        "kind": s.kind,
        "language": s.language,
        "outlet": s.outlet,
        "allow_private": s.allow_private,
        "status": _status(row),
        "added_at": row.added_at,
        "last_attempt_at": row.last_attempt_at,
        "last_success_at": row.last_success_at,
        "last_failure_at": row.last_failure_at,
        "failure_streak": row.failure_streak,
        "last_reason": row.last_reason,
        "next_due_at": row.next_due_at,
        "items_total": row.items_total,
        "items_per_day": round(_per_day(row, now, recent), 2) if now else None,
    }


def _status(row: SourceHealth) -> str:
    return health_status(streak=row.failure_streak, last_attempt_at=row.last_attempt_at)


def _per_day(row: SourceHealth, now: datetime | None, recent: int) -> float:
    """Articles first seen per day over the last week (or since the source was added, if later)."""
    if now is None:
        return 0.0
    days = min(float(_RATE_DAYS), max(1.0, (now - row.added_at).total_seconds() / 86_400))
    return recent / days


def _due(when: datetime | None, now: datetime) -> str:
    if when is None or when <= now:
        return "now"
    return _short(when)


def _short(value: object) -> str:
    return str(value)[:16].replace("T", " ") if value else "never"


# -- lists: import, export, check ------------------------------------------------------------------


@sources_app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(help="OPML or CSV file (name,url,kind,language,outlet).", show_default=False),
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Import the shipped list of regional outlets (unverified).")
    ] = False,
    fmt: Annotated[
        str, typer.Option("--format", help="auto (by extension, then content), opml or csv.")
    ] = "auto",
    allow_private: Annotated[
        bool,
        typer.Option(
            "--allow-private",
            help="Mark every imported source local (loopback/private addresses; tests only).",
        ),
    ] = False,
    as_of: AsOf = None,
) -> None:
    """Add or update sources from an OPML or CSV list; bad rows are reported with their line and skipped.

    Exit status: 0 all rows imported, 1 some rows skipped, 2 nothing imported or bad usage.
    """
    rt = runtime(ctx)
    if defaults == (file is not None):
        err_console.print("[red]Error:[/red] give a FILE or --defaults (one of them)")
        raise typer.Exit(2)
    if file is not None:
        try:
            data = file.read_bytes()
        except OSError as exc:
            err_console.print(f"[red]Error:[/red] cannot read {file}: {exc.strerror or exc}")
            raise typer.Exit(2) from None
        kind = _list_format(fmt, file, data)
        if kind == "opml":
            listed = parse_opml(data, allow_private=allow_private)
        else:
            listed = parse_sources_csv(data.decode("utf-8", errors="replace"), allow_private=allow_private)
        label = str(file)
    else:
        listed = load_default_sources()
        label = "the default list"
    db = open_database(rt.settings)
    db.ensure_current()
    counts: Counter[str] = Counter()
    with db.begin() as conn:
        existing = [h.source for h in queries.list_sources(conn)]
        for source, outcome in plan_import(existing, listed.sources):
            if outcome != "unchanged":
                queries.upsert_source(conn, source, now=rt.clock(as_of).now())
            counts[outcome] += 1
    console.print(
        f"imported {len(listed.sources)} sources from {label}: {counts['new']} new, "
        f"{counts['updated']} updated, {counts['unchanged']} unchanged; {len(listed.problems)} skipped",
        highlight=False,
    )
    if defaults:
        console.print(
            "the default addresses are unverified: run `eurasiawatch sources check` (needs internet)"
        )
    for problem in listed.problems:
        err_console.print(f"skipped {label} {problem}", highlight=False, markup=False)
    if listed.problems:
        raise typer.Exit(1 if listed.sources else 2)


@sources_app.command("export")
def export(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="opml or csv.")] = "opml",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Write every source as OPML (folders per outlet) or CSV; `sources import` reads either back."""
    if fmt not in {"opml", "csv"}:
        err_console.print(f"[red]Error:[/red] --format {fmt!r} is not opml or csv")
        raise typer.Exit(2)
    db = open_database(runtime(ctx).settings)
    db.ensure_current()
    with db.begin() as conn:
        listed = [h.source for h in queries.list_sources(conn)]
    text = write_opml(listed) if fmt == "opml" else write_sources_csv(listed)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        err_console.print(f"wrote {len(listed)} sources to {output}", highlight=False)


@sources_app.command("check")
def check(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None, typer.Argument(help="Sources to check (default: all).", show_default=False)
    ] = None,
    as_json: Json = False,
) -> None:
    """Fetch each source once and report status, kind, items and newest date, or why it failed.

    Needs internet access for real outlets. Nothing is stored. Exit status: 0 all ok, 1 some failed,
    2 none worked or bad usage.
    """
    rt = runtime(ctx)
    db = open_database(rt.settings)
    db.ensure_current()
    with db.begin() as conn:
        registered = {h.name: h.source for h in queries.list_sources(conn)}
    unknown = [n for n in names or [] if n not in registered]
    if unknown:
        err_console.print(
            f"[red]Error:[/red] no source named {unknown[0]!r} (see `eurasiawatch sources list`)"
        )
        raise typer.Exit(2)
    chosen = [registered[n] for n in names] if names else list(registered.values())
    if not chosen:
        err_console.print("no sources registered (see `eurasiawatch sources import --defaults`)")
        raise typer.Exit(2)
    results = check_sources(chosen, FetchPolicy.from_settings(rt.settings))
    if as_json:
        typer.echo(json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=2, default=str))
    else:
        table = Table("name", "ok", "status", "kind", "items", "newest item", "reason", title="source check")
        for r in results:
            table.add_row(
                r.name,
                "ok" if r.ok else "[red]FAILED[/red]",
                str(r.status or ""),
                r.kind or "",
                str(r.items) if r.ok else "",
                _short(r.newest) if r.newest else "",
                r.reason or "",
            )
        console.print(table)
    good = sum(1 for r in results if r.ok)
    raise typer.Exit(0 if good == len(results) else 1 if good else 2)


def _list_format(fmt: str, file: Path, data: bytes) -> str:
    if fmt in {"opml", "csv"}:
        return fmt
    if fmt != "auto":
        err_console.print(f"[red]Error:[/red] --format {fmt!r} is not auto, opml or csv")
        raise typer.Exit(2)
    suffix = file.suffix.lower()
    if suffix in {".opml", ".xml"}:
        return "opml"
    if suffix in {".csv", ".txt"}:
        return "csv"
    return "opml" if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<" else "csv"
