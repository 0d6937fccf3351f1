"""Bounces (RFC 3464 DSNs) and complaints (RFC 5965 ARF) read from a maildir or an IMAP mailbox.

Every message we send has a VERP return path ``bounces+<tag>@…`` whose tag is random per delivery;
the ledger maps the tag back to the subscriber's token, so no bounce ever needs an address. The tag
is looked for where the bounce was delivered (Delivered-To, X-Original-To, Envelope-To, To) and, for
complaints, in the Return-Path of the original message the report quotes.

- a DSN whose recipient ``Action: failed`` with a 5.x.x status → hard bounce (suppressed at once);
- a DSN with ``delayed`` or a 4.x.x status → soft bounce (counted; suppressed at the threshold);
- an ARF report (``report-type=feedback-report``) → complaint (suppressed at once);
- anything else, or a tag we do not know → moved to the ``Quarantine`` folder, never deleted.

Handled messages move to the ``Processed`` folder, so the mailbox is an audit trail. Both paths
share ``parse_bounce`` and the ledger update; only the mail access differs. Over IMAP (``imaplib``,
TLS or STARTTLS only) a handled message is first given the keyword ``$EwCounted`` and then moved
(``UID MOVE``, or COPY and ``\\Deleted`` on a server without MOVE), so a run interrupted between the
two moves it on the next run without counting it again.
"""

from __future__ import annotations

import contextlib
import email
import imaplib
import mailbox
import re
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage, Message
from pathlib import Path

from sqlalchemy import Connection

from ..clock import Clock
from ..config import Settings
from ..errors import ConfigError, DeliveryError
from ..store import Database
from ..store import ledger as sql
from .message import verp_tag
from .options import SendOptions

__all__ = ["Bounce", "BounceReport", "ImapMailbox", "parse_bounce", "process_imap", "process_maildir"]

_WHERE = ("Delivered-To", "X-Original-To", "Envelope-To", "To")
_STATUS = re.compile(r"^\s*([245])\.\d{1,3}\.\d{1,3}")
BounceRecorder = Callable[[Connection, str, str, datetime], object]
COUNTED = "$EwCounted"  # IMAP keyword: this message's bounce is already in the database


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
        kind = _act(data, db, options=options, record_bounce=record_bounce, now=now)
        if kind is not None:
            counts[kind] += 1
            processed.add(data)
        else:
            counts["quarantined"] += 1
            quarantine.add(data)
        box.remove(key)  # only after the copy above is on disk
    return _report(counts)


@dataclass(frozen=True, slots=True, kw_only=True)
class ImapMailbox:
    """Where the VERP bounce address's mail is read over IMAP; build with ``from_settings``."""

    host: str
    port: int = 993
    tls: str = "tls"  # tls (implicit, usually 993) | starttls (usually 143); never in the clear
    user: str = ""
    password: str = field(default="", repr=False)
    folder: str = "INBOX"
    processed_folder: str = "Processed"
    quarantine_folder: str = "Quarantine"
    ca_file: str = ""  # empty: the system's certificate authorities
    timeout: float = 60.0

    @classmethod
    def from_settings(cls, settings: Settings) -> ImapMailbox:
        """The mailbox in ``deliver.imap_*`` (password from ``EURASIAWATCH_DELIVER__IMAP_PASSWORD``).

        Raises:
            ConfigError: no host, user or password, an unknown ``tls`` mode or a non-ASCII folder.
        """
        box = cls(
            host=settings.deliver_imap_host,
            port=settings.deliver_imap_port,
            tls=settings.deliver_imap_tls,
            user=settings.deliver_imap_user,
            password=settings.deliver_imap_password,
            folder=settings.deliver_imap_folder,
            processed_folder=settings.deliver_imap_processed_folder,
            quarantine_folder=settings.deliver_imap_quarantine_folder,
            ca_file=settings.deliver_imap_ca_file,
        )
        box.check()
        return box

    def check(self) -> None:
        """Raise ConfigError when the mailbox cannot be used as configured."""
        if not self.host:
            raise ConfigError("deliver.imap_host is not set", hint="the IMAP server of the bounce address")
        if self.tls not in ("tls", "starttls"):
            raise ConfigError(f"deliver.imap_tls = {self.tls!r}: use tls or starttls (never plain IMAP)")
        if not self.user or not self.password:
            raise ConfigError(
                "deliver.imap_user and EURASIAWATCH_DELIVER__IMAP_PASSWORD are needed to read bounces"
            )
        for name in (self.folder, self.processed_folder, self.quarantine_folder):
            if not name or not name.isascii() or any(c in name for c in "\r\n\0"):
                raise ConfigError(f"IMAP folder {name!r}: use a non-empty ASCII name")


def process_imap(
    box: ImapMailbox,
    db: Database,
    *,
    options: SendOptions,
    record_bounce: BounceRecorder,
    clock: Clock | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> BounceReport:
    """Read every message in the IMAP folder, act on it and move it to Processed or Quarantine.

    Args:
        box: the server, login and folders.
        db: the database with the send ledger.
        options: for the VERP address format.
        record_bounce: ``deliver.subscribers.record_bounce`` (suppresses or counts).
        clock: the time recorded for each bounce.
        ssl_context: verifies the server (default: ``box.ca_file`` or the system CAs).

    Returns:
        Counts of hard and soft bounces, complaints and quarantined messages (a message counted by an
        earlier, interrupted run is moved but not counted again).

    Raises:
        DeliveryError: the server cannot be reached, refuses TLS or the login, or a command fails.
    """
    box.check()
    now = (clock or Clock()).now()
    counts = {"hard": 0, "soft": 0, "complaint": 0, "quarantined": 0}
    conn = _imap_connect(box, ssl_context)
    try:
        for name in (box.processed_folder, box.quarantine_folder):
            _ensure_folder(conn, name)
        _ok(conn.select(_quote(box.folder)), f"select {box.folder}")
        flags = b" ".join(v for v in conn.response("PERMANENTFLAGS")[1] if isinstance(v, bytes))
        keywords = b"\\*" in flags
        moves = "MOVE" in _capabilities(conn)  # asked after login: servers add to the greeting's list
        counted = set(_search(conn, "KEYWORD", COUNTED)) if keywords else set()
        for uid in _search(conn, "UNDELETED"):
            if uid in counted:  # acted on by a run that stopped before moving it
                _move(conn, uid, box.processed_folder, moves)
                continue
            data = _fetch(conn, uid)
            kind = _act(data, db, options=options, record_bounce=record_bounce, now=now)
            if kind is None:
                counts["quarantined"] += 1
                _move(conn, uid, box.quarantine_folder, moves)
                continue
            counts[kind] += 1
            if keywords:
                _ok(conn.uid("STORE", uid, "+FLAGS.SILENT", f"({COUNTED})"), "store flag")
            _move(conn, uid, box.processed_folder, moves)
    except (imaplib.IMAP4.error, OSError) as exc:
        raise DeliveryError(f"IMAP {box.host}:{box.port}: {exc}") from exc
    finally:
        _imap_close(conn)
    return _report(counts)


def _imap_connect(box: ImapMailbox, context: ssl.SSLContext | None) -> imaplib.IMAP4:
    where = f"IMAP {box.host}:{box.port}"
    try:
        context = context or ssl.create_default_context(cafile=box.ca_file or None)
    except OSError as exc:
        raise ConfigError(f"deliver.imap_ca_file {box.ca_file!r}: {exc}") from exc
    conn: imaplib.IMAP4 | None = None
    try:
        if box.tls == "tls":
            conn = imaplib.IMAP4_SSL(box.host, box.port, ssl_context=context, timeout=box.timeout)
        else:
            conn = imaplib.IMAP4(box.host, box.port, timeout=box.timeout)
            conn.starttls(ssl_context=context)  # refuses (abort) when the server does not offer it
        conn.login(box.user, box.password)
    except (imaplib.IMAP4.error, OSError) as exc:  # ssl.SSLError is an OSError
        if conn is not None:
            _imap_close(conn)
        raise DeliveryError(f"{where}: {exc}", hint="check deliver.imap_* and the password") from exc
    return conn


def _imap_close(conn: imaplib.IMAP4) -> None:
    try:
        conn.logout()
    except (imaplib.IMAP4.error, OSError):
        with contextlib.suppress(OSError):  # the socket may be gone (a failed TLS handshake closes it)
            conn.shutdown()


def _ok(answer: tuple[str, Sequence[object]], what: str) -> Sequence[object]:
    typ, data = answer
    if typ != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode(errors="replace")
        raise imaplib.IMAP4.error(f"{what} failed: {typ} {detail}")
    return data


def _capabilities(conn: imaplib.IMAP4) -> set[str]:
    data = _ok(conn.capability(), "capability")
    first = data[0] if data else b""
    return set(first.decode().upper().split()) if isinstance(first, bytes) else set()


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ensure_folder(conn: imaplib.IMAP4, name: str) -> None:
    listed = _ok(conn.list('""', _quote(name)), f"list {name}")
    if not any(isinstance(item, bytes | tuple) for item in listed):
        _ok(conn.create(_quote(name)), f"create {name}")


def _search(conn: imaplib.IMAP4, *criteria: str) -> list[str]:
    data = _ok(conn.uid("SEARCH", *criteria), "search")
    first = data[0] if data else b""
    return first.decode().split() if isinstance(first, bytes) else []


def _fetch(conn: imaplib.IMAP4, uid: str) -> bytes:
    for item in _ok(conn.uid("FETCH", uid, "(BODY.PEEK[])"), f"fetch {uid}"):
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    raise imaplib.IMAP4.error(f"fetch {uid}: the server sent no message body")


def _move(conn: imaplib.IMAP4, uid: str, folder: str, moves: bool) -> None:
    if moves:
        _ok(conn.uid("MOVE", uid, _quote(folder)), f"move {uid} to {folder}")
        return
    # no MOVE: copy, then mark the original deleted (hidden from the next search; not expunged by us)
    _ok(conn.uid("COPY", uid, _quote(folder)), f"copy {uid} to {folder}")
    _ok(conn.uid("STORE", uid, "+FLAGS.SILENT", "(\\Deleted)"), f"flag {uid} deleted")


def _act(
    data: bytes, db: Database, *, options: SendOptions, record_bounce: BounceRecorder, now: datetime
) -> str | None:
    """Parse one message and record it against its delivery; the kind acted on, or None to quarantine."""
    bounce = parse_bounce(data, options)
    if bounce.kind is None or bounce.tag is None:
        return None
    with db.begin() as conn:
        row = sql.find_by_verp(conn, bounce.tag)
        if row is None:
            return None
        record_bounce(conn, row.delivery.subscriber_token, bounce.kind, now)
        if bounce.kind in ("hard", "soft") and row.delivery.state == "sent":
            sql.set_state(conn, row.id, "bounced", now, detail=f"{bounce.kind} bounce: {bounce.detail}")
    return bounce.kind


def _report(counts: dict[str, int]) -> BounceReport:
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
