"""Wiring for watchlists: gather every watchlist's new matches into one digest, mail it, mark it sent.

The digest is marked delivered only after every message was accepted (by the SMTP server, or written
to the outbox of a dry run), so running it twice sends nothing new the second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .analyze.search import search_index_pending
from .analyze.watchlists import Digest, Watchlist, build_digest, find_matches
from .deliver.dkim import DkimKey
from .deliver.message import check_address
from .deliver.notices import mail_notice
from .deliver.options import SendOptions
from .deliver.smtp import Mailer
from .errors import DeliveryError
from .store import Database
from .store import watchlists as store

__all__ = ["PreparedDigest", "prepare_digest", "send_digest"]


@dataclass(frozen=True, slots=True)
class PreparedDigest:
    """The digest built at ``now`` and the watchlists it covers."""

    digest: Digest
    watchlists: tuple[Watchlist, ...]
    now: datetime


def prepare_digest(db: Database, now: datetime) -> PreparedDigest:
    """Every watchlist's matches first seen after its last delivery and up to ``now``."""
    with db.begin() as conn:
        search_index_pending(conn, now=now)
        watches = tuple(Watchlist.from_row(r) for r in store.list_watchlists(conn))
        sections = [(w, find_matches(conn, w, after=w.delivered_until, until=now)) for w in watches]
    return PreparedDigest(build_digest(sections, now=now), watches, now)


def send_digest(
    db: Database,
    prepared: PreparedDigest,
    *,
    recipients: list[str],
    mailer: Mailer,
    options: SendOptions,
    keys: tuple[DkimKey, ...] = (),
) -> int:
    """Mail the digest to each recipient, then mark its matches delivered.

    Each copy is built and DKIM-signed like an edition (Date, Message-ID, ``keys``), without list
    headers: the recipients are editors, not subscribers.

    Returns:
        How many messages went out (0 when there was nothing new: nothing is sent or marked).

    Raises:
        DeliveryError: no recipients, or an address that is not one.
    """
    checked = [check_address(a) for a in recipients]
    if not checked:
        raise DeliveryError("no recipients: set deliver.editors or pass --to")
    if not prepared.digest.count:
        return 0
    sent = mail_notice(
        prepared.digest.subject,
        prepared.digest.text,
        html=prepared.digest.html,
        recipients=checked,
        mailer=mailer,
        options=options,
        keys=keys,
        now=prepared.now,
    )
    with db.begin() as conn:
        store.mark_delivered(conn, [w.name for w in prepared.watchlists], prepared.now)
    return len(sent)
