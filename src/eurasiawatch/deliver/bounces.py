"""Bounces (RFC 3464 DSNs) and complaints (RFC 5965 ARF) read from a maildir.

Every message we send has a VERP return path ``bounces+<tag>@…`` whose tag is random per delivery;
the ledger maps the tag back to the subscriber's token, so no bounce ever needs an address. The tag
is looked for where the bounce was delivered (Delivered-To, X-Original-To, Envelope-To, To) and, for
complaints, in the Return-Path of the original message the report quotes.

- a DSN whose recipient ``Action: failed`` with a 5.x.x status → hard bounce (suppressed at once);
- a DSN with ``delayed`` or a 4.x.x status → soft bounce (counted; suppressed at the threshold);
- an ARF report (``report-type=feedback-report``) → complaint (suppressed at once);
- anything else, or a tag we do not know → moved to the ``Quarantine`` folder, never deleted.

Handled messages move to the ``Processed`` folder, so the maildir is an audit trail.
"""

from __future__ import annotations

import email
import mailbox
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage, Message
from pathlib import Path

from sqlalchemy import Connection

from ..clock import Clock
from ..errors import DeliveryError
from ..store import Database
from ..store import ledger as sql
from .message import verp_tag
from .options import SendOptions

__all__ = ["Bounce", "BounceReport", "parse_bounce", "process_maildir"]

_WHERE = ("Delivered-To", "X-Original-To", "Envelope-To", "To")
_STATUS = re.compile(r"^\s*([245])\.\d{1,3}\.\d{1,3}")
BounceRecorder = Callable[[Connection, str, str, datetime], object]


@dataclass(frozen=True, slots=True, kw_only=True)
class Bounce:
    """What a bounce or complaint says: ``kind`` is hard, soft, complaint or None (unparseable)."""

    kind: str | None
    tag: str | None
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class BounceReport:
    """What ``process_maildir`` did."""

    hard: int = 0
    soft: int = 0
    complaints: int = 0
    quarantined: int = 0


def parse_bounce(data: bytes, options: SendOptions) -> Bounce:
    """Classify one message from the bounce mailbox and find its VERP tag."""
    msg = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    tag = _tag_of(msg, options)
    if msg.get_content_type() != "multipart/report":
        return Bounce(kind=None, tag=tag, detail="not a delivery or feedback report")
    report_type = str(msg.get_param("report-type") or "").lower()
    if report_type == "feedback-report":
        if tag is None:
            for part in msg.walk():
                if part.get_content_type() in ("message/rfc822", "text/rfc822-headers"):
                    tag = _tag_in_original(part, options)
                    if tag:
                        break
        return Bounce(kind="complaint", tag=tag, detail="feedback report (complaint)")
    if report_type != "delivery-status":
        return Bounce(kind=None, tag=tag, detail=f"report-type {report_type!r}")
    for part in msg.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        for block in _status_blocks(part):
            action = block.get("action", "").lower()
            status = block.get("status", "")
            match = _STATUS.match(status)
            detail = f"{action} {status} {block.get('diagnostic-code', '')}".strip()
            if action == "failed" and match and match.group(1) == "5":
                return Bounce(kind="hard", tag=tag, detail=detail)
            if action in ("failed", "delayed") and (match is None or match.group(1) == "4"):
                return Bounce(kind="soft", tag=tag, detail=detail)
        return Bounce(kind=None, tag=tag, detail="delivery status without a failed or delayed recipient")
    return Bounce(kind=None, tag=tag, detail="delivery report without a message/delivery-status part")


def process_maildir(
    path: str | Path,
    db: Database,
    *,
    options: SendOptions,
    record_bounce: BounceRecorder,
    clock: Clock | None = None,
) -> BounceReport:
    """Read every message in a maildir's ``new`` and ``cur``, act on it and file it away.

    Args:
        path: the maildir the VERP addresses deliver to.
        db: the database with the send ledger.
        options: for the VERP address format.
        record_bounce: ``deliver.subscribers.record_bounce`` (suppresses or counts).
        clock: the time recorded for each bounce.

    Returns:
        Counts of hard and soft bounces, complaints and quarantined messages.

    Raises:
        DeliveryError: the path is not a maildir.
    """
    root = Path(path)
    if not (root / "cur").is_dir() or not (root / "new").is_dir():
        raise DeliveryError(f"{root} is not a maildir (no cur/ and new/)")
    now = (clock or Clock()).now()
    box = mailbox.Maildir(root, factory=None, create=False)
    quarantine = _folder(box, "Quarantine")
    processed = _folder(box, "Processed")
    counts = {"hard": 0, "soft": 0, "complaint": 0, "quarantined": 0}
    for key in list(box.iterkeys()):
        data = box.get_bytes(key)
        bounce = parse_bounce(data, options)
        handled = False
        if bounce.kind is not None and bounce.tag is not None:
            with db.begin() as conn:
                row = sql.find_by_verp(conn, bounce.tag)
                if row is not None:
                    record_bounce(conn, row.delivery.subscriber_token, bounce.kind, now)
                    if bounce.kind in ("hard", "soft") and row.delivery.state == "sent":
                        sql.set_state(
                            conn, row.id, "bounced", now, detail=f"{bounce.kind} bounce: {bounce.detail}"
                        )
                    handled = True
        if handled:
            counts[bounce.kind or ""] += 1
            processed.add(data)
        else:
            counts["quarantined"] += 1
            quarantine.add(data)
        box.remove(key)  # only after the copy above is on disk
    return BounceReport(
        hard=counts["hard"],
        soft=counts["soft"],
        complaints=counts["complaint"],
        quarantined=counts["quarantined"],
    )


def _folder(box: mailbox.Maildir, name: str) -> mailbox.Maildir:
    return box.get_folder(name) if name in box.list_folders() else box.add_folder(name)


def _tag_of(msg: Message, options: SendOptions) -> str | None:
    for name in _WHERE:
        for value in msg.get_all(name) or ():
            for address in re.findall(r"[^\s<>,\"]+@[^\s<>,\"]+", str(value)):
                tag = verp_tag(address, options)
                if tag:
                    return tag
    return None


def _tag_in_original(part: Message, options: SendOptions) -> str | None:
    payload = part.get_payload()
    first = payload[0] if isinstance(payload, list) and payload else None
    inner: Message | None = first if isinstance(first, Message) else None
    if inner is None:
        raw = part.get_payload(decode=True)
        inner = email.message_from_bytes(raw if isinstance(raw, bytes) else b"", policy=policy.default)
    for name in ("Return-Path", "Sender", "Errors-To"):
        value = inner.get(name)
        if value:
            tag = verp_tag(str(value), options)
            if tag:
                return tag
    return None


def _status_blocks(part: Message) -> list[dict[str, str]]:
    """Per-recipient field blocks of a message/delivery-status part (the first is per-message)."""
    payload = part.get_payload()
    blocks: list[dict[str, str]] = []
    if isinstance(payload, list):  # the email package parses it into header blocks
        for sub in payload:
            if isinstance(sub, Message):
                blocks.append({k.lower(): str(v) for k, v in sub.items()})
    else:
        text = payload if isinstance(payload, str) else ""
        for chunk in re.split(r"\r?\n\r?\n", text):
            fields = dict(re.findall(r"(?m)^([A-Za-z-]+):\s*(.*)$", chunk))
            blocks.append({k.lower(): v for k, v in fields.items()})
    return blocks
