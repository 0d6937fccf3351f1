"""Wiring for sends on schedule: what ``send --due`` (cron) and the scheduler inside ``serve`` both call.

``run_due`` finds the slot due now (``deliver.schedule``), sends the edition an editor approved for
it through ``deliver.sender.send_due`` (which holds the one-sender lease, so cron and ``serve``
never send at the same time) and, when a slot is due with no approved edition, tells the editors:

- a log line at ERROR;
- a row in the desk's audit log (``desk_audit``: action ``send.nothing_approved``, target the slot,
  no user), shown at ``/desk/audit``;
- a short signed mail to ``deliver.editors``.

Once per slot: a later run in the same send window (cron every few minutes, a restarted ``serve``)
finds the audit row and neither logs a new row nor mails again. A failed mail is noted in the row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .clock import Clock
from .config import Settings
from .deliver.notices import mail_notice, signing_keys
from .deliver.options import SendOptions
from .deliver.schedule import due_slot
from .deliver.sender import NothingApproved, SendReport, send_due
from .deliver.smtp import FileMailer, Mailer, SmtpMailer
from .errors import DeliveryError
from .store import Database
from .store import accounts as audit_log

__all__ = ["NOTHING_APPROVED", "DueResult", "make_mailer", "run_due", "subscriber_side"]

log = logging.getLogger(__name__)
NOTHING_APPROVED = "send.nothing_approved"  # the audit action of the notice


@dataclass(frozen=True, slots=True, kw_only=True)
class DueResult:
    """What one look at the schedule did: nothing due, a send's report, or a notice to editors."""

    slot: datetime | None
    report: SendReport | None = None
    nothing_approved: str | None = None  # the notice, when a slot was due with no approved edition
    editors_mailed: int = 0
    already_noted: bool = False  # the notice for this slot was recorded by an earlier run

    @property
    def summary(self) -> str:
        """One line for logs and ``/healthz``."""
        if self.slot is None:
            return "no slot due"
        if self.nothing_approved is not None:
            return f"nothing approved for {self.slot.isoformat()}: nothing sent" + (
                " (already noted)" if self.already_noted else f" ({self.editors_mailed} editor(s) mailed)"
            )
        assert self.report is not None
        counts = ", ".join(f"{k} {v}" for k, v in self.report.status.counts.items() if v)
        report = self.report
        return f"{report.edition_id} for {self.slot.isoformat()}: {report.attempted} attempted; {counts}"


def make_mailer(options: SendOptions, outbox: str | None = None) -> Mailer:
    """SMTP through ``deliver.relays``, or files in ``outbox`` (a dry run)."""
    return FileMailer(outbox) if outbox else SmtpMailer(options.relays, domain_rate=options.domain_rate)


def subscriber_side(settings: Settings) -> dict[str, Any]:
    """The real subscriber store, crypto and PGP, as ``send_edition``'s keyword arguments."""
    from .deliver import subscribers
    from .deliver.crypto import Crypto
    from .deliver.pgp import encrypt_message

    crypto = Crypto.from_settings(settings)
    limit = settings.deliver_soft_bounce_limit

    def record(conn: Any, token: str, kind: str, at: datetime) -> object:
        return subscribers.record_bounce(conn, token, kind, at, soft_limit=limit)  # type: ignore[arg-type]

    return {
        "recipients": lambda conn: subscribers.active_recipients(conn, crypto),
        "record_bounce": record,
        "encrypt": encrypt_message,
    }


def run_due(
    db: Database,
    settings: Settings,
    clock: Clock,
    *,
    mailer: Callable[[], Mailer] | None = None,
    holder: str | None = None,
    wait_lock: float = 0.0,
    wait_retries: bool = False,
    resend_unknown: bool = False,
) -> DueResult:
    """Send the edition approved for the slot due at ``clock.now()``, or tell the editors there is none.

    Args:
        db: the database (migrated).
        settings: schedule, sending and subscriber settings.
        clock: the time to judge "due" by (and to stamp the ledger with).
        mailer: makes a fresh mailer (each send closes its own); default SMTP via ``deliver.relays``.
        holder: the sender's name in the lease (default host:pid).
        wait_lock: seconds to wait for another sender's lease.
        wait_retries: stay until deferred recipients are retried.
        resend_unknown: send again to rows a killed sender left unknown.

    Returns:
        The slot and the send's report, or the notice when nothing was approved.

    Raises:
        SenderBusy: another sender (cron, or another ``serve``) holds the lease.
        DeliveryError: the edition cannot be sent (the send's own errors).
    """
    options = SendOptions.from_settings(settings)
    new_mailer = mailer or (lambda: make_mailer(options))
    now = clock.now()
    slot = due_slot(now, settings)
    if slot is None:
        return DueResult(slot=None)
    keys = signing_keys(options)
    try:
        report = send_due(
            db,
            slot,
            mailer=new_mailer(),
            options=options,
            keys=keys,
            clock=clock,
            holder=holder,
            wait_lock=wait_lock,
            wait_retries=wait_retries,
            resend_unknown=resend_unknown,
            **subscriber_side(settings),
        )
    except NothingApproved as exc:
        notice = str(exc)
        target = slot.isoformat()
        with db.begin() as conn:
            rows = audit_log.list_audit(conn, action=NOTHING_APPROVED)
        if any(row["target"] == target for row in rows):
            log.info("still nothing approved for %s (editors already told)", target)
            return DueResult(slot=slot, nothing_approved=notice, already_noted=True)
        log.error("%s", notice)
        mailed, detail = 0, notice
        if options.editors:
            try:
                mailed = len(
                    mail_notice(
                        "eurasiawatch: nothing was sent",
                        notice + "\n\nApprove an edition for this slot on the desk; the next "
                        "`send --due` or the scheduler in `serve` sends it while the slot is due.\n",
                        recipients=options.editors,
                        mailer=new_mailer(),
                        options=options,
                        keys=keys,
                        now=now,
                    )
                )
            except DeliveryError as mail_error:
                log.error("could not mail the editors about it: %s", mail_error)
                detail += f" (mailing the editors failed: {mail_error})"
        with db.begin() as conn:
            audit_log.audit(conn, None, NOTHING_APPROVED, target, detail, at=now)
        return DueResult(slot=slot, nothing_approved=notice, editors_mailed=mailed)
    assert report is not None  # send_due returns None only when no slot is given
    return DueResult(slot=slot, report=report)
