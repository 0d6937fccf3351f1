"""Subscribers: double opt-in, confirm, pause, one-click unsubscribe, re-subscribe, suppression.

The sender reads from here (``active_recipients``, ``record_bounce``, ``unsubscribe_by_token``); the
web form and the CLI write (``subscribe``, ``confirm``, ``add_subscriber``). Addresses only exist in
the clear in memory: the database holds AES-GCM ciphertexts and a keyed HMAC index
(``deliver.crypto``), the suppression list holds hashes only, and nothing here logs an address.

Statuses: ``pending`` (waiting for confirmation) → ``active`` ⇄ ``paused``; any → ``unsubscribed``;
``subscribe`` again starts a fresh double opt-in. Suppression (hard bounce, complaint, too many soft
bounces, manual) is a separate list that wins over every status.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, RowMapping

from ..errors import DeliveryError
from ..store import subscribers as store
from . import abuse
from .crypto import Crypto, normalize_address
from .tokens import random_token

__all__ = [
    "ConfirmationRequest",
    "InvalidAddress",
    "Recipient",
    "SubscribeResult",
    "active_recipients",
    "add_subscriber",
    "check_address",
    "confirm",
    "is_suppressed",
    "pause",
    "record_bounce",
    "resume",
    "set_pgp_key",
    "subscribe",
    "suppress",
    "unsubscribe_by_token",
    "unsuppress",
]

log = logging.getLogger(__name__)

STATUSES = ("pending", "active", "paused", "unsubscribed")
CONFIRM_PURPOSE = "confirm"
RESEND_AFTER = timedelta(days=1)
_ADDRESS = re.compile(r"[^@\s\"<>(),;:\\\[\]]+@[A-Za-z0-9.-]+\.[A-Za-z0-9-]{2,}")


class InvalidAddress(DeliveryError):
    """Not something we can send to."""


@dataclass(frozen=True, slots=True)
class Recipient:
    """One recipient of a send: ``token`` goes into headers and links, never ``address``."""

    token: str
    address: str
    pgp_key: str | None


@dataclass(frozen=True, slots=True)
class ConfirmationRequest:
    """A confirmation mail to send: the signed, expiring ``token`` goes into the confirm link."""

    token: str
    address: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscribeResult:
    """What ``subscribe`` did. Show every visitor the same ``public_message`` (no address probing).

    ``outcome`` is one of: ``confirmation`` (send ``confirmation``), ``throttled`` (a confirmation
    went to this address less than a day ago), ``already_active``, ``suppressed``, ``rate_limited``
    (the global hourly limit is reached; try later).
    """

    outcome: str
    confirmation: ConfirmationRequest | None = None

    @property
    def public_message(self) -> str:
        """The one answer the form shows whatever happened."""
        return "If this address can receive our briefing, a confirmation link is on its way."


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def check_address(address: str) -> str:
    """Normalize an address and check its shape.

    Raises:
        InvalidAddress: empty, too long, or not ``local@domain.tld``.
    """
    value = normalize_address(address)
    if len(value) > 254 or not _ADDRESS.fullmatch(value):
        raise InvalidAddress("that is not an email address we can send to")
    return value


def _confirmation(
    crypto: Crypto, row_token: str, address: str, now: datetime, hours: int
) -> ConfirmationRequest:
    token = crypto.sign_token(CONFIRM_PURPOSE, row_token, now + timedelta(hours=hours))
    return ConfirmationRequest(token=token, address=address)


def subscribe(
    conn: Connection,
    crypto: Crypto,
    address: str,
    *,
    source: str,
    now: datetime,
    per_hour: int = 200,
    confirm_hours: int = 48,
    pgp_key: str | None = None,
) -> SubscribeResult:
    """Start (or restart) a double opt-in.

    Args:
        conn: database connection (inside a transaction).
        crypto: the subscriber keys.
        address: what the reader typed.
        source: how they came (``"web form"``, ``"import:list.csv"``) — kept as consent evidence.
        now: the clock's time.
        per_hour: global limit on confirmation mails (``deliver.confirmations_per_hour``).
        confirm_hours: how long the link stays valid (``deliver.confirm_hours``).
        pgp_key: an armored OpenPGP public key, already checked with ``pgp.check_public_key``.

    Returns:
        The outcome, with the confirmation mail to send if there is one.

    Raises:
        InvalidAddress: the address is malformed.
    """
    address = check_address(address)
    index = crypto.index(address)
    if store.is_suppressed(conn, index):
        return SubscribeResult(outcome="suppressed")
    row = store.find_by_index(conn, index)
    if row is not None and row["status"] in ("active", "paused"):
        return SubscribeResult(outcome="already_active")
    sent = row["confirm_sent_at"] if row is not None else None
    if sent is not None and now - sent < RESEND_AFTER:
        return SubscribeResult(outcome="throttled")
    if not abuse.confirmation_allowed(conn, now, per_hour=per_hour):
        log.warning("subscribe: global confirmation limit of %d an hour reached", per_hour)
        return SubscribeResult(outcome="rate_limited")
    values: dict[str, Any] = {
        "status": "pending",
        "source": source,
        "updated_at": now,
        "confirm_sent_at": now,
        "pgp_key_enc": crypto.encrypt(pgp_key) if pgp_key else None,
    }
    if row is None:
        token = random_token()
        subscriber_id = store.insert_subscriber(
            conn,
            {
                **values,
                "token": token,
                "address_index": index,
                "address_enc": crypto.encrypt(address),
                "created_at": now,
            },
        )
    else:
        token, subscriber_id = row["token"], row["id"]
        store.update_subscriber(conn, subscriber_id, values)
    abuse.record_confirmation(conn, now)
    log.info("subscribe: confirmation requested for subscriber %d", subscriber_id)
    return SubscribeResult(
        outcome="confirmation", confirmation=_confirmation(crypto, token, address, now, confirm_hours)
    )


def confirm(conn: Connection, crypto: Crypto, token: str, *, now: datetime) -> bool:
    """Confirm a subscription from the link in the confirmation mail.

    Returns:
        True when the subscriber is now active (also when it already was), False when the
        subscription is gone (cleaned up, unsubscribed since).

    Raises:
        InvalidToken: forged, damaged or expired link.
    """
    subscriber_token = crypto.verify_token(CONFIRM_PURPOSE, token, now)
    row = store.find_by_token(conn, subscriber_token)
    if row is None:
        return False
    if row["status"] == "active":
        return True
    if row["status"] != "pending":
        return False
    store.update_subscriber(
        conn,
        row["id"],
        {
            "status": "active",
            "consent_at": now,
            "updated_at": now,
            "unsubscribed_at": None,
            "soft_bounces": 0,
        },
    )
    log.info("subscribe: subscriber %d confirmed", row["id"])
    return True


def _change(conn: Connection, token: str, old: tuple[str, ...], values: dict[str, Any]) -> bool:
    row = store.find_by_token(conn, token)
    if row is None:
        return False
    if row["status"] in old:
        store.update_subscriber(conn, row["id"], values)
        log.info("subscriber %d: %s -> %s", row["id"], row["status"], values["status"])
    return True


def pause(conn: Connection, token: str, *, now: datetime | None = None) -> bool:
    """Pause deliveries to an active subscriber; False for an unknown token."""
    return _change(conn, token, ("active",), {"status": "paused", "updated_at": _now(now)})


def resume(conn: Connection, token: str, *, now: datetime | None = None) -> bool:
    """Resume a paused subscriber; False for an unknown token."""
    return _change(conn, token, ("paused",), {"status": "active", "updated_at": _now(now)})


def unsubscribe_by_token(conn: Connection, token: str, *, now: datetime | None = None) -> bool:
    """One-click unsubscribe by opaque token (idempotent).

    Returns:
        True when the token belongs to a subscriber (now unsubscribed), False for an unknown token.
        Callers answer both the same way, so the answer reveals nothing.
    """
    moment = _now(now)
    values = {"status": "unsubscribed", "unsubscribed_at": moment, "updated_at": moment}
    return _change(conn, token.strip().lower(), ("pending", "active", "paused"), values)


def suppress(
    conn: Connection, crypto: Crypto, address: str, reason: str, *, now: datetime | None = None
) -> bool:
    """Put an address on the suppression list (as its keyed hash); False if it already was."""
    return store.suppress(conn, crypto.index(address), reason, _now(now))


def unsuppress(conn: Connection, crypto: Crypto, address: str) -> bool:
    """Take an address off the suppression list; False if it was not on it."""
    return store.remove_suppression(conn, crypto.index(address))


def is_suppressed(conn: Connection, crypto: Crypto, address: str) -> bool:
    """Whether an address is on the suppression list."""
    return store.is_suppressed(conn, crypto.index(address))


def record_bounce(
    conn: Connection,
    token: str,
    kind: Literal["hard", "soft", "complaint"],
    at: datetime,
    *,
    soft_limit: int = 3,
) -> bool:
    """Record a bounce or complaint for the subscriber behind a VERP token.

    A hard bounce or a complaint suppresses the address at once; soft bounces are counted and the
    address is suppressed when ``soft_limit`` (``deliver.soft_bounce_limit``) is reached.

    Returns:
        True when the address is now suppressed.

    Raises:
        ValueError: unknown kind.
    """
    if kind not in ("hard", "soft", "complaint"):
        raise ValueError(f"bounce kind must be hard, soft or complaint, not {kind!r}")
    row = store.find_by_token(conn, token)
    if row is None:
        log.warning("bounce for an unknown token")
        return False
    if kind == "soft":
        count = int(row["soft_bounces"]) + 1
        store.update_subscriber(conn, row["id"], {"soft_bounces": count, "updated_at": at})
        if count < soft_limit:
            return False
    store.suppress(conn, row["address_index"], kind, at)
    log.info("subscriber %d suppressed after a %s bounce", row["id"], kind)
    return True


def reset_soft_bounces(conn: Connection, token: str) -> None:
    """Forget soft bounces after a delivery went through (the limit counts bounces in a row)."""
    row = store.find_by_token(conn, token)
    if row is not None and row["soft_bounces"]:
        store.update_subscriber(conn, row["id"], {"soft_bounces": 0})


def _recipient(crypto: Crypto, row: RowMapping) -> Recipient:
    key = row["pgp_key_enc"]
    return Recipient(
        token=row["token"],
        address=crypto.decrypt(row["address_enc"]),
        pgp_key=crypto.decrypt(key) if key is not None else None,
    )


def active_recipients(conn: Connection, crypto: Crypto) -> list[Recipient]:
    """Everyone a send goes to now: active, not suppressed, in a stable order."""
    return [_recipient(crypto, row) for row in store.list_active(conn)]


def add_subscriber(
    conn: Connection,
    crypto: Crypto,
    address: str,
    *,
    source: str,
    now: datetime,
    consent_at: datetime | None = None,
    status: str = "active",
    pgp_key: str | None = None,
    created_at: datetime | None = None,
    unsubscribed_at: datetime | None = None,
) -> tuple[str, bool]:
    """Add or update a subscriber whose consent the operator already holds (CLI, CSV import).

    Args:
        consent_at: when consent was given; required for active and paused subscribers.

    Returns:
        (token, created): the subscriber's token and whether a new row was made.

    Raises:
        InvalidAddress: malformed address or status.
        DeliveryError: an active or paused subscriber without ``consent_at``.
    """
    address = check_address(address)
    if status not in STATUSES:
        raise InvalidAddress(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    if status in ("active", "paused") and consent_at is None:
        raise DeliveryError("an active subscriber needs a consent time", hint="give consent_at")
    index = crypto.index(address)
    values: dict[str, Any] = {
        "status": status,
        "source": source,
        "consent_at": consent_at,
        "updated_at": now,
        "unsubscribed_at": unsubscribed_at if status == "unsubscribed" else None,
    }
    if pgp_key is not None:
        values["pgp_key_enc"] = crypto.encrypt(pgp_key) if pgp_key else None
    row = store.find_by_index(conn, index)
    if row is not None:
        store.update_subscriber(conn, row["id"], values)
        return row["token"], False
    token = random_token()
    store.insert_subscriber(
        conn,
        {
            **values,
            "token": token,
            "address_index": index,
            "address_enc": crypto.encrypt(address),
            "created_at": created_at or now,
        },
    )
    return token, True


def set_pgp_key(conn: Connection, crypto: Crypto, token: str, pgp_key: str | None, *, now: datetime) -> bool:
    """Set (or with None remove) a subscriber's OpenPGP key; False for an unknown token."""
    row = store.find_by_token(conn, token)
    if row is None:
        return False
    store.update_subscriber(
        conn, row["id"], {"pgp_key_enc": crypto.encrypt(pgp_key) if pgp_key else None, "updated_at": now}
    )
    return True
