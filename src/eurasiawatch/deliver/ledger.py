"""The crash-safe send ledger: one row per (edition, subscriber), every state change committed.

States::

    queued ──▶ sending ──▶ sent
      ▲           │ ├────▶ deferred ──(retry due)──▶ sending …
      │           │ └────▶ bounced      (5xx, invalid address, too many 4xx)
      │           └──(sender died)──▶ unknown       (found ``sending`` at resume)
      └── snapshot when the send starts          dropped (unsubscribed or suppressed since the snapshot)

``sending`` is committed after the server took the recipient and answered 354 to DATA, right
before the end of the message goes out; ``sent`` after the server's 250. The sender group-commits
the changes of the messages in flight (``Ledger.apply``: one transaction for all of them). Next to
the database, a ``SendJournal`` file notes ``end`` right before each message's final ``.`` and
``ok`` right after its 250 — plain writes, so they cost microseconds and survive the process being
killed. A row found ``sending`` at resume is settled by that journal when it can be believed (same
boot, same run): ``ok`` → ``sent``; no ``end`` → ``queued`` again (the server never had a complete
message); ``end`` without ``ok`` → ``unknown``. Without a journal to believe, every such row is
``unknown``. Unknown rows are not sent again (a duplicate to a reader at risk is worse than a miss;
``send --resend-unknown`` sends them anyway). The window left — the final ``.`` is out, the reply
is not yet noted — is the one that cannot be closed without the server's help: one round trip of
the end of DATA, per message in flight.

Only one sender runs at a time: ``Ledger.lease`` takes a lease row in ``send_locks`` that the holder
renews while it works; a sender that dies lets it expire (``deliver.lease_seconds``).
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from ..clock import Clock
from ..errors import DeliveryError
from ..records import Delivery
from ..store import Database
from ..store import ledger as sql
from ..store.ledger import LedgerRow, SendEdition

__all__ = ["STATES", "JournalEvidence", "Ledger", "SendJournal", "SendStatus", "SenderBusy", "Transition"]

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


@dataclass(frozen=True, slots=True)
class JournalEvidence:
    """What a killed sender's journal proves about the rows it left ``sending``.

    ``tag`` is the ``detail`` its claims carried; ``ended``: rows whose message end was about to be
    written; ``accepted``: rows the server answered 250 for.
    """

    tag: str
    ended: frozenset[int]
    accepted: frozenset[int]


_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")
_HEADER = re.compile(r"eurasiawatch send journal 1 boot=(\S+) tag=(.+)")


def _boot_id() -> str | None:
    try:
        return _BOOT_ID.read_text(encoding="ascii").strip() or None
    except OSError:
        return None


class SendJournal:
    """A local append-only file that closes most of the window the database cannot close in time.

    Two lines per message: ``end ROW`` written right before the message's final ``.`` goes to the
    server, ``ok ROW`` right after its 250. Plain ``write`` calls, no fsync: a killed process loses
    nothing it wrote (the kernel keeps it), only a crash of the machine can. So the journal is
    believed only when it was written since the machine last booted (Linux boot id) and by the run
    whose tag the ``sending`` rows carry; otherwise (another boot, another host, no boot id) every
    row found ``sending`` is ``unknown`` as before. Believed, it settles a row found ``sending``:
    ``ok`` → ``sent`` (the server took it); no ``end`` → ``queued`` again (the server never had a
    complete message, which it must discard when the connection drops); ``end`` without ``ok`` →
    ``unknown`` — the one window left: the final ``.`` and the server's reply.
    """

    def __init__(self, path: Path, fd: int, tag: str) -> None:
        self.path = path
        self.tag = tag
        self._fd = fd

    @staticmethod
    def path_for(directory: Path, edition_id: str) -> Path:
        """The journal file of one edition's send."""
        return directory / f"send-journal-{re.sub(r'[^A-Za-z0-9._-]', '_', edition_id)}.log"

    @classmethod
    def evidence(cls, directory: Path, edition_id: str) -> JournalEvidence | None:
        """What the last run's journal proves, or None when it cannot be believed (or is missing)."""
        boot = _boot_id()
        try:
            lines = (
                cls.path_for(directory, edition_id).read_text(encoding="utf-8", errors="replace").splitlines()
            )
        except OSError:
            return None
        header = _HEADER.fullmatch(lines[0]) if lines else None
        if boot is None or header is None or header.group(1) != boot:
            return None
        ended: set[int] = set()
        accepted: set[int] = set()
        for line in lines[1:]:
            kind, _, row = line.partition(" ")
            if row.isdigit():
                (ended if kind == "end" else accepted if kind == "ok" else set()).add(int(row))
        return JournalEvidence(tag=header.group(2), ended=frozenset(ended), accepted=frozenset(accepted))

    @classmethod
    def start(cls, directory: Path, edition_id: str) -> SendJournal | None:
        """A new, empty journal for this run (None when there is no boot id or no writable directory)."""
        boot = _boot_id()
        if boot is None:
            return None
        tag = f"in flight (sender run {secrets.token_hex(8)})"
        path = cls.path_for(directory, edition_id)
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)
            os.write(fd, f"eurasiawatch send journal 1 boot={boot} tag={tag}\n".encode())
        except OSError:
            return None
        return cls(path, fd, tag)

    def ending(self, row_id: int) -> None:
        """Record that the message's end is about to be written (call right before)."""
        os.write(self._fd, b"end %d\n" % row_id)

    def accepted(self, row_id: int) -> None:
        """Record the server's 250 (call right after)."""
        os.write(self._fd, b"ok %d\n" % row_id)

    def close(self) -> None:
        """Close the file (it stays: the next run reads it)."""
        os.close(self._fd)


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

    def resume(self, edition_id: str, journal: JournalEvidence | None = None) -> int:
        """Settle rows left ``sending`` by a dead sender; returns how many became ``unknown``.

        With the dead run's journal (``SendJournal.evidence``), rows it proves accepted become
        ``sent`` and rows whose message end was never written are queued again; the rest (and every
        row when there is no journal to believe) become ``unknown``.
        """
        now = self.clock.now()
        with self.db.begin() as conn:
            if journal is not None:
                for row in sql.ledger_rows(conn, edition_id, ("sending",)):
                    if row.delivery.detail != journal.tag:
                        continue
                    if row.id in journal.accepted:
                        sql.set_state(
                            conn,
                            row.id,
                            "sent",
                            now,
                            from_states=("sending",),
                            detail="the server accepted it (250) just before the sender stopped",
                            next_attempt_at=None,
                        )
                    elif row.id not in journal.ended:
                        sql.set_state(
                            conn,
                            row.id,
                            "queued",
                            now,
                            from_states=("sending",),
                            detail="the sender stopped before the message was complete; queued again",
                        )
            return sql.sending_to_unknown(conn, edition_id, now)

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
        with self.db.begin() as conn:
            return sql.set_states(
                conn, [(c.row_id, c.state, c.from_states, c.values) for c in changes], self.clock.now()
            )

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
