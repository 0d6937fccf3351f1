"""``eurasiawatch send`` and ``eurasiawatch bounces process``: drivers over ``deliver.sender``.

Exit codes of ``send``: 0 everything went out (or no slot is due), 1 some recipients are deferred,
bounced or unknown (``send status`` says who and why), 2 nothing could be done: bad usage, another
sender running, or — for ``--due`` — a slot is due and no edition is approved for it (``sending.run_due``
logs it, writes it to the desk's audit log and mails ``deliver.editors``, once per slot; the reason is
printed either way).
"""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any

import typer
from rich.table import Table

from ..clock import Clock
from ..config import Settings
from ..deliver.bounces import ImapMailbox, process_imap, process_maildir
from ..deliver.dkim import DkimKey
from ..deliver.ledger import Ledger
from ..deliver.notices import signing_keys
from ..deliver.options import SendOptions
from ..deliver.sender import send_edition, send_test
from ..deliver.smtp import Mailer
from ..errors import DeliveryError
from ..sending import make_mailer, run_due, subscriber_side
from ..store import open_database
from . import app
from .common import AsOf, Json, console, err_console, runtime

log = logging.getLogger(__name__)
bounces_app = typer.Typer(help="Bounces and complaints.", no_args_is_help=True)
app.add_typer(bounces_app, name="bounces")


def _keys(options: SendOptions) -> tuple[DkimKey, ...]:
    return signing_keys(options)


def _mailer(options: SendOptions, outbox: str | None) -> Mailer:
    return make_mailer(options, outbox)


def _subscriber_side(settings: Settings) -> dict[str, Any]:
    return subscriber_side(settings)


@app.command("send")
def send(
    ctx: typer.Context,
    target: Annotated[
        list[str] | None,
        typer.Argument(
            help="EDITION_ID to send, or `status EDITION_ID` to show its ledger.", show_default=False
        ),
    ] = None,
    due: Annotated[
        bool, typer.Option("--due", help="Send the edition approved for the slot due now.")
    ] = False,
    test: Annotated[
        list[str] | None, typer.Option("--test", help="Send a test copy to this address only (repeatable).")
    ] = None,
    wait_lock: Annotated[float, typer.Option(help="Seconds to wait for another sender to finish.")] = 0.0,
    wait_retries: Annotated[bool, typer.Option(help="Stay until deferred recipients are retried.")] = False,
    resend_unknown: Annotated[
        bool, typer.Option(help="Send again to recipients left unknown by a killed sender (may duplicate).")
    ] = False,
    outbox: Annotated[
        str | None, typer.Option(help="Write messages to this directory instead of SMTP (dry run).")
    ] = None,
    show_addresses: Annotated[
        bool, typer.Option("--show-addresses", help="With status: show addresses, not only tokens.")
    ] = False,
    as_json: Json = False,
    as_of: AsOf = None,
) -> None:
    """Send an approved edition (resuming where a stopped send left off), or show a send's status.

    `send EDITION_ID`, `send --due` (for cron), `send EDITION_ID --test ADDRESS`, `send status EDITION_ID`.
    """
    rt = runtime(ctx)
    words = list(target or [])
    settings = rt.settings
    options = SendOptions.from_settings(settings)
    clock = rt.clock(as_of)
    if words[:1] == ["status"]:
        if len(words) != 2:
            raise _usage("usage: eurasiawatch send status EDITION_ID")
        _status(settings, words[1], show_addresses, as_json)
        return
    if due == bool(words) or len(words) > 1:
        raise _usage("give one EDITION_ID or --due")
    with open_database(settings) as db:
        db.ensure_current()
        if test:
            edition = Ledger(db, clock).edition(words[0]) if words else None
            if edition is None:
                raise _usage("--test needs the EDITION_ID of a stored edition")
            relays = send_test(
                edition.rendered,
                test,
                mailer=_mailer(options, outbox),
                options=options,
                keys=_keys(options),
                clock=clock,
            )
            console.print(f"test copy sent to {len(relays)} address(es)", highlight=False)
            return
        if due:
            result = run_due(
                db,
                settings,
                clock,
                mailer=lambda: _mailer(options, outbox),
                wait_lock=wait_lock,
                wait_retries=wait_retries,
                resend_unknown=resend_unknown,
            )
            if result.slot is None:
                console.print("no send is due now", highlight=False)
                return
            if result.nothing_approved is not None:
                told = (
                    "editors were told earlier in this send window"
                    if result.already_noted
                    else f"noted in the desk's audit log; {result.editors_mailed} editor(s) mailed"
                    if result.editors_mailed
                    else "noted in the desk's audit log; set deliver.editors to mail the editors"
                )
                err_console.print(
                    f"[red]Nothing sent:[/red] {result.nothing_approved} ({told})", highlight=False
                )
                raise typer.Exit(2)
            assert result.report is not None
            report = result.report
        else:
            report = send_edition(
                db,
                words[0],
                mailer=_mailer(options, outbox),
                options=options,
                keys=_keys(options),
                clock=clock,
                wait_lock=wait_lock,
                wait_retries=wait_retries,
                resend_unknown=resend_unknown,
                **_subscriber_side(settings),
            )
    counts = report.status.counts
    console.print(
        f"{report.edition_id}: {report.attempted} attempted this run; "
        + ", ".join(f"{k} {v}" for k, v in counts.items() if v),
        highlight=False,
    )
    if report.unknown_at_resume:
        console.print(
            f"{report.unknown_at_resume} delivery(ies) were in flight when the last sender stopped: unknown "
            "(see `send status`)",
            highlight=False,
        )
    if any(counts.get(s) for s in ("deferred", "bounced", "unknown", "queued")):
        raise typer.Exit(1)


def _status(settings: Settings, edition_id: str, show_addresses: bool, as_json: bool) -> None:
    with open_database(settings) as db:
        db.ensure_current()
        status = Ledger(db, Clock()).status(edition_id)
        addresses: dict[str, str] = {}
        if show_addresses and status.missing:
            side = _subscriber_side(settings)
            with db.begin() as conn:
                addresses = {r.token: r.address for r in side["recipients"](conn)}  # type: ignore[operator]
    if status.total == 0:
        raise DeliveryError(f"edition {edition_id!r} has no send ledger", hint="has its send started?")
    rows = [
        {
            "token": d.subscriber_token,
            **(
                {"address": addresses.get(d.subscriber_token, "(no longer subscribed)")}
                if show_addresses
                else {}
            ),
            "state": d.state,
            "attempts": d.attempts,
            "why": d.detail or "",
        }
        for d in status.missing
    ]
    if as_json:
        typer.echo(
            json.dumps({"edition_id": edition_id, "counts": status.counts, "not_sent": rows}, indent=2)
        )
        return
    console.print(
        f"{edition_id}: " + ", ".join(f"{k} {v}" for k, v in status.counts.items()) + f" (of {status.total})",
        highlight=False,
    )
    if rows:
        table = Table(show_edge=False)
        for column in rows[0]:
            table.add_column(column)
        for row in rows:
            table.add_row(*(str(v) for v in row.values()))
        console.print(table)


@bounces_app.command("process")
def bounces_process(
    ctx: typer.Context,
    maildir: Annotated[
        str | None,
        typer.Argument(help="The maildir the VERP bounce addresses deliver to.", show_default=False),
    ] = None,
    imap: Annotated[
        bool, typer.Option("--imap", help="Read the IMAP mailbox in deliver.imap_* instead of a maildir.")
    ] = False,
    as_of: AsOf = None,
) -> None:
    """Read DSNs and complaints: suppress hard bounces and complainers, count soft bounces.

    `bounces process MAILDIR` or `bounces process --imap`. Unparseable messages go to the Quarantine
    folder and handled ones to Processed; nothing is deleted.
    """
    if imap == (maildir is not None):
        raise _usage("give a MAILDIR or --imap")
    rt = runtime(ctx)
    options = SendOptions.from_settings(rt.settings)
    side = _subscriber_side(rt.settings)
    box = ImapMailbox.from_settings(rt.settings) if imap else None
    with open_database(rt.settings) as db:
        db.ensure_current()
        run = {
            "options": options,
            "record_bounce": side["record_bounce"],
            "clock": rt.clock(as_of),
        }
        if box is not None:
            report = process_imap(box, db, **run)  # type: ignore[arg-type]  # built by _subscriber_side
        else:
            report = process_maildir(maildir or "", db, **run)  # type: ignore[arg-type]
    console.print(
        f"hard {report.hard}, soft {report.soft}, complaints {report.complaints}, "
        f"quarantined {report.quarantined}",
        highlight=False,
    )


def _usage(message: str) -> typer.Exit:
    err_console.print(f"[red]Error:[/red] {message}", highlight=False)
    return typer.Exit(2)
