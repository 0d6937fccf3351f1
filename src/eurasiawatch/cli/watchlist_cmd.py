"""``eurasiawatch watchlist``: saved searches and country/entity/theme sets, their feed and digest.

``digest`` prints the daily digest; with ``--send`` it mails it to ``deliver.editors`` (or ``--to``)
through SMTP, or writes it to ``--outbox`` (a dry run), and only then marks the matches delivered, so
running it twice sends nothing new the second time. Exit status 2 on bad usage.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ..analyze.search import search_index_pending
from ..analyze.watchlists import Watchlist, WatchlistError, find_matches, render_feed
from ..deliver.notices import signing_keys
from ..deliver.options import SendOptions
from ..deliver.smtp import FileMailer, Mailer, SmtpMailer
from ..errors import DeliveryError
from ..store import Database, open_database
from ..store import watchlists as store
from ..watching import (
    add_watchlist,
    describe_watchlist,
    prepare_digest,
    read_watchlist,
    remove_watchlist,
    send_digest,
)
from . import app
from .common import AsOf, Json, console, err_console, runtime

_CLI = "(cli)"  # the audit log's actor for changes made on the command line

watchlist_app = typer.Typer(
    help="Watchlists: saved searches and country/entity/theme sets.", no_args_is_help=True
)
app.add_typer(watchlist_app, name="watchlist")


def _split(values: list[str] | None) -> tuple[str, ...]:
    return tuple(v.strip() for value in values or () for v in value.split(",") if v.strip())


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[red]Error:[/red] {message}", highlight=False)
    return typer.Exit(2)


def _db(ctx: typer.Context) -> Database:
    db = open_database(runtime(ctx).settings)
    ctx.call_on_close(db.dispose)  # the pool's connections close when the command ends
    db.ensure_current()
    return db


def _load(db: Database, name: str) -> Watchlist:
    with db.begin() as conn:
        row = store.get_watchlist(conn, name)
    if row is None:
        raise _fail(f"no watchlist named {name!r}")
    return Watchlist.from_row(row)


@watchlist_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A short name (letters, digits, . _ -).")],
    query: Annotated[
        str | None, typer.Option(help="Full-text query, as for `search`.", show_default=False)
    ] = None,
    country: Annotated[list[str] | None, typer.Option("--country", help="ISO code (repeatable).")] = None,
    entity: Annotated[
        list[str] | None, typer.Option("--entity", help="Entity name, key or QID (repeatable).")
    ] = None,
    theme: Annotated[list[str] | None, typer.Option("--theme", help="Theme (repeatable).")] = None,
    as_of: AsOf = None,
) -> None:
    """Save a watchlist: a query and/or countries, entities, themes (kinds ANDed, values ORed)."""
    try:
        watch = read_watchlist(
            name, query=query, countries=country or (), entities=entity or (), themes=theme or ()
        )
        add_watchlist(_db(ctx), watch, now=runtime(ctx).clock(as_of).now(), user=_CLI)
    except WatchlistError as exc:
        raise _fail(str(exc) + (f" ({exc.hint})" if exc.hint else "")) from None
    console.print(f"watchlist {name} saved", highlight=False)


@watchlist_app.command("list")
def list_command(ctx: typer.Context, json_: Json = False) -> None:
    """List the watchlists with what they look for and when they were last delivered."""
    with _db(ctx).begin() as conn:
        found = [Watchlist.from_row(r) for r in store.list_watchlists(conn)]
    if json_:
        console.print_json(json.dumps([_as_dict(w) for w in found], ensure_ascii=False))
        return
    for w in found:
        last = w.delivered_until.isoformat() if w.delivered_until else "never"
        console.print(f"{w.name}: {describe_watchlist(w)} (delivered until {last})", highlight=False)
    if not found:
        console.print("no watchlists")


def _as_dict(w: Watchlist) -> dict[str, object]:
    return {
        "name": w.name,
        "query": w.query,
        "countries": list(w.countries),
        "entities": list(w.entities),
        "themes": list(w.themes),
        "delivered_until": w.delivered_until.isoformat() if w.delivered_until else None,
    }


@watchlist_app.command("remove")
def remove(ctx: typer.Context, name: Annotated[str, typer.Argument(help="The watchlist.")]) -> None:
    """Remove a watchlist."""
    try:
        remove_watchlist(_db(ctx), name, now=runtime(ctx).clock().now(), user=_CLI)
    except WatchlistError as exc:
        raise _fail(str(exc)) from None
    console.print(f"watchlist {name} removed", highlight=False)


@watchlist_app.command("show")
def show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The watchlist.")],
    limit: Annotated[int, typer.Option(min=1, help="Matches shown.")] = 20,
    json_: Json = False,
    as_of: AsOf = None,
) -> None:
    """Show a watchlist and its latest matches (marking nothing)."""
    db = _db(ctx)
    watch = _load(db, name)
    now = runtime(ctx).clock(as_of).now()
    with db.begin() as conn:
        search_index_pending(conn, now=now)
        found = find_matches(conn, watch, after=None, until=now, limit=limit)
    if json_:
        data = _as_dict(watch) | {
            "matches": [
                {"article_id": m.article_id, "title": m.title, "url": m.url, "outlet": m.outlet}
                for m in found
            ]
        }
        console.print_json(json.dumps(data, ensure_ascii=False))
        return
    console.print(f"{watch.name}: {describe_watchlist(watch)}", highlight=False)
    for m in found:
        new = watch.delivered_until is None or m.first_seen_at > watch.delivered_until
        console.print(
            f"{'*' if new else ' '} {m.title or '(untitled)'} — {m.outlet or '?'}  {m.url}", highlight=False
        )


@watchlist_app.command("feed")
def feed(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The watchlist.")],
    out: Annotated[
        Path | None, typer.Option(help="Write the feed here instead of stdout.", show_default=False)
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="Entries in the feed.")] = 50,
    as_of: AsOf = None,
) -> None:
    """Write an Atom feed of a watchlist's latest matches."""
    db = _db(ctx)
    watch = _load(db, name)
    now = runtime(ctx).clock(as_of).now()
    with db.begin() as conn:
        search_index_pending(conn, now=now)
        found = find_matches(conn, watch, after=None, until=now, limit=limit)
    xml = render_feed(watch, found, now=now)
    if out is None:
        typer.echo(xml, nl=False)
    else:
        out.write_text(xml, encoding="utf-8")
        err_console.print(f"{len(found)} entries written to {out}", highlight=False)


@watchlist_app.command("digest")
def digest(
    ctx: typer.Context,
    send: Annotated[
        bool, typer.Option("--send", help="Mail it (deliver.editors or --to) and mark it delivered.")
    ] = False,
    to: Annotated[
        list[str] | None, typer.Option("--to", help="Recipient instead of deliver.editors (repeatable).")
    ] = None,
    outbox: Annotated[
        str | None,
        typer.Option(
            help="With --send: write to this directory instead of SMTP (dry run).", show_default=False
        ),
    ] = None,
    as_of: AsOf = None,
) -> None:
    """Build the daily digest of every watchlist's new matches; print it, or send it with --send."""
    rt = runtime(ctx)
    db = _db(ctx)
    prepared = prepare_digest(db, rt.clock(as_of).now())
    if not send:
        typer.echo(prepared.digest.text, nl=False)
        return
    options = SendOptions.from_settings(rt.settings)
    mailer: Mailer = (
        FileMailer(outbox) if outbox else SmtpMailer(options.relays, domain_rate=options.domain_rate)
    )
    try:
        sent = send_digest(
            db,
            prepared,
            recipients=list(_split(to) or options.editors),
            mailer=mailer,
            options=options,
            keys=signing_keys(options),
        )
    except DeliveryError as exc:  # no recipients, or a malformed --to
        raise _fail(f"{exc}") from None
    if not sent:
        console.print("nothing new: no digest sent")
        return
    console.print(
        f"digest of {prepared.digest.count} new matches sent to {sent} recipient(s)", highlight=False
    )
