"""The crash-safe send ledger: one row per (edition, subscriber), every state change committed.

States::

    queued ──▶ sending ──▶ sent
      ▲           │ ├────▶ deferred ──(retry due)──▶ sending …
      │           │ └────▶ bounced      (5xx, invalid address, too many 4xx)
      │           └──(sender died)──▶ unknown       (found ``sending`` at resume)
      └── snapshot when the send starts          dropped (unsubscribed or suppressed since the snapshot)

``sending`` is committed once the server accepted the recipient and *before* DATA; ``sent`` after
the server's 250 to the end of DATA. The sender group-commits the changes of the messages in flight
(``Ledger.apply``: one transaction for all of them), so ``sent`` lands with the next group. A sender
killed between the two commits leaves the row ``sending``; at resume it becomes ``unknown`` and is
not sent again (a duplicate to a reader at risk is worse than a miss; ``send --resend-unknown``
sends them anyway). That window — the server accepted the message, our commit did not happen — is
the one that cannot be closed without the server's help; it lasts one DATA round trip plus at most
two group commits, per message in flight.

Only one sender runs at a time: ``Ledger.lease`` takes a lease row in ``send_locks`` that the holder
renews while it works; a sender that dies lets it expire (``deliver.lease_seconds``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..clock import Clock
from ..errors import DeliveryError
from ..records import Delivery
from ..store import Database
from ..store import ledger as sql
from ..store.ledger import LedgerRow, SendEdition

__all__ = ["STATES", "Ledger", "SendStatus", "SenderBusy", "Transition"]

STATES = ("queued", "sending", "sent", "deferred", "bounced", "unknown", "dropped")
LOCK_NAME = "sender"


@dataclass(frozen=True, slots=True)
class Transition:
    """One row's state change, for ``Ledger.apply``."""

    row_id: int
    state: str
    from_states: tuple[str, ...] | None = None
    values: dict[str, object] = field(default_factory=dict)


class SenderBusy(DeliveryError):
    """Another sender holds the lease."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SendStatus:
    """Counts per state and the rows that did not (yet) get the edition."""

    edition_id: str
    counts: dict[str, int]
    missing: tuple[Delivery, ...]
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def total(self) -> int:
        """Rows in the snapshot."""
        return sum(self.counts.values())


class Ledger:
    """The ledger of one database; every method commits its own transaction (``apply``: one for many)."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    # -- the lease -------------------------------------------------------------------------------

    def try_lock(self, holder: str, lease: float) -> tuple[bool, str, datetime | None]:
        """Take or renew the sender lease for ``lease`` seconds; (taken, holder, expiry)."""
        now = self.clock.now()
        with self.db.begin() as conn:
            return sql.acquire_lock(conn, LOCK_NAME, holder, now, now + timedelta(seconds=lease))

    @contextmanager
    def lease(self, holder: str, lease: float, *, wait: float = 0.0) -> Iterator[None]:
        """Hold the sender lease for the block, waiting up to ``wait`` seconds for it.

        Raises:
            SenderBusy: another sender still holds it after ``wait`` seconds.
        """
        deadline = time.monotonic() + wait
        while True:
            taken, who, until = self.try_lock(holder, lease)
            if taken:
                break
            if time.monotonic() >= deadline:
                raise SenderBusy(
                    f"another sender ({who}) is running; its lease ends at {until:%Y-%m-%d %H:%M:%S} UTC"
                    if until
                    else "another sender is running",
                    hint="wait for it to finish, or use --wait SECONDS",
                )
            time.sleep(min(1.0, max(0.05, deadline - time.monotonic())))
        try:
            yield
        finally:
            with self.db.begin() as conn:
                sql.release_lock(conn, LOCK_NAME, holder, self.clock.now())

    # -- editions --------------------------------------------------------------------------------

    def edition(self, edition_id: str) -> SendEdition | None:
        """The stored edition."""
        with self.db.begin() as conn:
            return sql.load_edition(conn, edition_id)

    def start(self, edition_id: str, snapshot: Sequence[tuple[str, str]]) -> bool:
        """Snapshot the recipients (token, VERP tag) unless the send had started; True if it did now."""
        now = self.clock.now()
        with self.db.begin() as conn:
            if not sql.mark_started(conn, edition_id, now):
                return False
            sql.insert_rows(conn, edition_id, snapshot, now)
            return True

    def resume(self, edition_id: str) -> int:
        """Mark rows left ``sending`` by a dead sender ``unknown``; returns how many."""
        with self.db.begin() as conn:
            return sql.sending_to_unknown(conn, edition_id, self.clock.now())

    def finish(self, edition_id: str) -> None:
        """Record that nothing is left to send."""
        with self.db.begin() as conn:
            sql.mark_finished(conn, edition_id, self.clock.now())

    # -- rows ------------------------------------------------------------------------------------

    def due(
        self, edition_id: str, *, states: Sequence[str] = ("queued", "deferred"), limit: int = 500
    ) -> list[LedgerRow]:
        """Rows to send now."""
        with self.db.begin() as conn:
            return sql.due_rows(conn, edition_id, self.clock.now(), states=states, limit=limit)

    def pending(self, edition_id: str) -> list[LedgerRow]:
        """Rows still to be sent some time (queued or deferred), due or not."""
        with self.db.begin() as conn:
            return sql.ledger_rows(conn, edition_id, ("queued", "deferred"))

    def transition(
        self, row_id: int, state: str, *, from_states: Sequence[str] | None = None, **values: object
    ) -> bool:
        """Commit one row's new state; False if it was not in ``from_states``."""
        with self.db.begin() as conn:
            return sql.set_state(conn, row_id, state, self.clock.now(), from_states=from_states, **values)

    def apply(self, changes: Sequence[Transition]) -> list[bool]:
        """Commit many rows' new states in ONE transaction (the sender's group commit).

        Returns, for each change in order, False if its row was not in its ``from_states``.
        """
        if not changes:
            return []
        now = self.clock.now()
        with self.db.begin() as conn:
            return [
                sql.set_state(conn, c.row_id, c.state, now, from_states=c.from_states, **c.values)
                for c in changes
            ]

    def status(self, edition_id: str) -> SendStatus:
        """Counts per state and every row not ``sent``, with the reason."""
        with self.db.begin() as conn:
            edition = sql.load_edition(conn, edition_id)
            counts = sql.state_counts(conn, edition_id)
            missing = sql.ledger_rows(conn, edition_id, [s for s in STATES if s != "sent"])
        return SendStatus(
            edition_id=edition_id,
            counts={s: counts.get(s, 0) for s in STATES},
            missing=tuple(r.delivery for r in missing),
            started_at=edition.started_at if edition else None,
            finished_at=edition.finished_at if edition else None,
        )
