"""``eurasiawatch subscribers …``: add, list, data requests (export, erase), CSV, key rotation, clean-up."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..deliver.crypto import Crypto
from ..deliver.pgp import check_public_key
from ..deliver.subscriber_data import (
    cleanup,
    erase_subscriber,
    export_csv,
    export_subscriber,
    import_csv,
    list_subscribers,
    rotate_key,
)
from ..deliver.subscribers import add_subscriber
from ..errors import ConfigError
from ..store import open_database
from ..store.subscribers import status_counts
from . import app
from .common import Json, console, err_console, runtime

subscribers_app = typer.Typer(
    help="Subscribers: add, list, export or erase one address, CSV import/export, key rotation, clean-up.",
    no_args_is_help=True,
)
app.add_typer(subscribers_app, name="subscribers")


@subscribers_app.command("add")
def add(
    ctx: typer.Context,
    address: Annotated[str, typer.Argument(help="The reader's email address.")],
    source: Annotated[str, typer.Option(help="How consent was given (kept as evidence).")] = "cli",
    pgp_key: Annotated[
        Path | None, typer.Option("--pgp-key", help="File with the reader's armored OpenPGP public key.")
    ] = None,
) -> None:
    """Add a subscriber whose consent you already hold (active at once, consent time = now)."""
    rt = runtime(ctx)
    key = pgp_key.read_text(encoding="utf-8") if pgp_key else None
    fingerprint = check_public_key(key) if key else None
    crypto = Crypto.from_settings(rt.settings, create=True)
    now = rt.clock().now()
    with open_database(rt.settings) as db:
        db.ensure_current()
        with db.begin() as conn:
            token, created = add_subscriber(
                conn, crypto, address, source=source, now=now, consent_at=now, pgp_key=key
            )
    console.print(
        f"{'added' if created else 'updated'} subscriber {token}"
        + (f" (OpenPGP {fingerprint})" if fingerprint else ""),
        highlight=False,
    )


@subscribers_app.command("list")
def list_(
    ctx: typer.Context,
    reveal: Annotated[bool, typer.Option("--reveal", help="Show addresses in full (else masked).")] = False,
    as_json: Json = False,
) -> None:
    """List subscribers with status, source and consent time; addresses masked unless --reveal."""
    rt = runtime(ctx)
    crypto = Crypto.from_settings(rt.settings)
    with open_database(rt.settings) as db:
        db.ensure_current()
        with db.begin() as conn:
            rows = list_subscribers(conn, crypto, reveal=reveal)
            counts = status_counts(conn)
    if as_json:
        typer.echo(json.dumps({"counts": counts, "subscribers": rows}, ensure_ascii=False, indent=2))
        return
    table = Table(show_edge=False)
    for column in ("token", "address", "status", "source", "consent_at", "pgp", "suppressed"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            *(
                str(row[c])
                for c in ("token", "address", "status", "source", "consent_at", "pgp", "suppressed")
            )
        )
    console.print(table)
    console.print(
        ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no subscribers", highlight=False
    )


@subscribers_app.command("export")
def export(ctx: typer.Context, address: Annotated[str, typer.Argument(help="The address asking.")]) -> None:
    """Everything we hold about one address, decrypted, as JSON (for a data request)."""
    rt = runtime(ctx)
    crypto = Crypto.from_settings(rt.settings)
    with open_database(rt.settings) as db:
        db.ensure_current()
        with db.begin() as conn:
            data = export_subscriber(conn, crypto, address)
    typer.echo(json.dumps(data or {"address": address, "held": None}, ensure_ascii=False, indent=2))


@subscribers_app.command("erase")
def erase(
    ctx: typer.Context,
    address: Annotated[str, typer.Argument(help="The address to forget.")],
    suppress: Annotated[
        bool, typer.Option("--suppress", help="Keep its keyed hash on the suppression list (never mail it).")
    ] = False,
) -> None:
    """Delete everything held about one address (its suppression hash too, unless --suppress)."""
    rt = runtime(ctx)
    crypto = Crypto.from_settings(rt.settings)
    with open_database(rt.settings) as db:
        db.ensure_current()
        with db.begin() as conn:
            held = erase_subscriber(conn, crypto, address, now=rt.clock().now(), keep_suppression=suppress)
    console.print("erased" if held else "nothing was held about that address", highlight=False)


@subscribers_app.command("import")
def import_(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="CSV with address, status, source, consent_at … columns.")],
) -> None:
    """Import subscribers from CSV, keeping consent time and source; rows without consent are refused."""
    rt = runtime(ctx)
    crypto = Crypto.from_settings(rt.settings, create=True)
    with open_database(rt.settings) as db:
        db.ensure_current()
        with db.begin() as conn, path.open(encoding="utf-8", newline="") as src:
            result = import_csv(conn, crypto, src, now=rt.clock().now(), source=f"import:{path.name}")
    for line, reason in result.errors:
        err_console.print(f"line {line}: {reason}", highlight=False)
    console.print(
        f"{result.added} added, {result.updated} updated, {len(result.errors)} refused", highlight=False
    )
    if result.errors:
        raise typer.Exit(2 if not (result.added or result.updated) else 1)


@subscribers_app.command("export-csv")
def export_csv_(
    ctx: typer.Context,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (mode 0600); else standard output.")
    ] = None,
) -> None:
    """Write every subscriber as CSV with addresses in the clear (treat the file as secret)."""
    rt = runtime(ctx)
    crypto = Crypto.from_settings(rt.settings)
    with open_database(rt.settings) as db:
        db.ensure_current()
        with db.begin() as conn:
            if output is None:
                count = export_csv(conn, crypto, sys.stdout)
            else:
                output.touch(mode=0o600)
                with output.open("w", encoding="utf-8", newline="") as out:
                    count = export_csv(conn, crypto, out)
    err_console.print(f"{count} subscribers exported", highlight=False)


@subscribers_app.command("rotate-key")
def rotate(ctx: typer.Context) -> None:
    """Re-encrypt every stored address under a new key; old rows stay readable until it finishes."""
    rt = runtime(ctx)
    if rt.settings.deliver_key:
        raise ConfigError(
            "rotate-key rewrites the key file, but the key comes from EURASIAWATCH_DELIVER__KEY",
            hint="move the key ring into the key file (deliver.key_file) first",
        )
    crypto = Crypto.from_settings(rt.settings, create=True)
    with open_database(rt.settings) as db:
        db.ensure_current()
        final, count = rotate_key(db.begin, crypto, rt.settings.deliver_key_path)
    console.print(
        f"{count} subscribers re-encrypted; current key {final.key_id(final.encryption_keys[0])}",
        highlight=False,
    )


@subscribers_app.command("cleanup")
def cleanup_(ctx: typer.Context) -> None:
    """Delete stale pending subscriptions and old unsubscribed records (retention settings)."""
    rt = runtime(ctx)
    settings = rt.settings
    with open_database(settings) as db:
        db.ensure_current()
        with db.begin() as conn:
            result = cleanup(
                conn,
                rt.clock().now(),
                pending_days=settings.deliver_pending_retention_days,
                unsubscribed_days=settings.deliver_unsubscribed_retention_days,
            )
    console.print(
        f"deleted {result.pending} stale pending, {result.unsubscribed} unsubscribed, {result.events} events",
        highlight=False,
    )
