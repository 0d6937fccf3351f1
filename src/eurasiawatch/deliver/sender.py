"""``send_edition``: send an approved edition to its snapshot of recipients, resumably.

The first run snapshots the recipients into the ledger; a later run (after a crash, a kill or
deferred retries) sends whatever is still ``queued`` or due ``deferred`` and never touches ``sent``
rows. Each message: built from the edition's ``MessageTemplate`` and signed in a worker thread,
then MAIL, RCPT, DATA, ``sending`` committed, the message, ``sent``/``deferred``/``bounced``
committed — the state changes of the messages in flight share one transaction, run in a thread —
with the send journal noting the message's end and the server's 250 at once (see
``deliver.ledger`` for the one window this leaves). Only one sender runs at a time
(the ledger's lease). Addresses are looked up from the subscriber store by token at every run, so a
reader who left after the snapshot is ``dropped`` rather than mailed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection

from ..clock import Clock
from ..errors import DeliveryError, TransientDeliveryError
from ..records import RenderedEdition
from ..store import Database
from ..store import ledger as sql
from ..store.ledger import LedgerRow
from .dkim import DkimKey
from .ledger import Ledger, SenderBusy, SendJournal, SendStatus, Transition
from .message import MessageTemplate, OutgoingMessage, new_verp_tag, render_message
from .options import SendOptions
from .smtp import Mailer, PermanentDeliveryError, Throttled

__all__ = [
    "NothingApproved",
    "RecipientLike",
    "SendReport",
    "approve_edition",
    "send_due",
    "send_edition",
    "send_test",
]

log = logging.getLogger(__name__)

LAZY_COMMIT = 0.25
"""Seconds a ``sent`` or ``dropped`` change may wait for a transaction when the send journal is on."""

COMMIT_GATHER = 0.002
"""Seconds a transaction waits for more changes before it starts (more claims per commit)."""

SIGN_CHUNK = 8
"""Copies built and signed per job in the signing pool (RSA releases the GIL; fewer thread hops)."""


class RecipientLike(Protocol):
    """What the sender needs of a subscriber (``deliver.subscribers.Recipient``)."""

    @property
    def token(self) -> str: ...
    @property
    def address(self) -> str: ...
    @property
    def pgp_key(self) -> str | None: ...


RecipientSource = Callable[[Connection], Sequence[RecipientLike]]
BounceRecorder = Callable[[Connection, str, str, datetime], object]
Encryptor = Callable[[EmailMessage, str], EmailMessage]


class NothingApproved(DeliveryError):
    """A send is due but no edition was approved for the slot."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SendReport:
    """What one run of ``send_edition`` did, and the ledger's state afterwards."""

    edition_id: str
    snapshot_taken: bool
    unknown_at_resume: int
    attempted: int
    status: SendStatus

    @property
    def done(self) -> bool:
        """Nothing is left queued or deferred."""
        return not (self.status.counts.get("queued") or self.status.counts.get("deferred"))


def approve_edition(
    db: Database, rendered: RenderedEdition, *, slot: datetime | None, approved_by: str, clock: Clock
) -> None:
    """Store a rendered edition as approved for ``slot`` (what the desk's approve action calls).

    Raises:
        DeliveryError: its send has already started.
    """
    with db.begin() as conn:
        if not sql.save_edition(conn, rendered, slot=slot, approved_by=approved_by, now=clock.now()):
            raise DeliveryError(f"edition {rendered.edition_id} is already being sent; it cannot change now")


def send_edition(
    db: Database,
    edition_id: str,
    *,
    mailer: Mailer,
    recipients: RecipientSource,
    options: SendOptions,
    keys: tuple[DkimKey, ...] = (),
    clock: Clock | None = None,
    holder: str | None = None,
    wait_lock: float = 0.0,
    wait_retries: bool = False,
    resend_unknown: bool = False,
    record_bounce: BounceRecorder | None = None,
    encrypt: Encryptor | None = None,
    journal_dir: str | Path | None = None,
) -> SendReport:
    """Send (or resume sending) an approved edition.

    Args:
        db: the database holding the edition and the ledger.
        edition_id: the edition, stored and approved with ``approve_edition``.
        mailer: where messages go (``SmtpMailer`` or ``FileMailer``); closed at the end.
        recipients: returns the active recipients (``deliver.subscribers.active_recipients``).
        options: sending settings.
        keys: DKIM keys to sign with.
        clock: the clock (``--as-of``).
        holder: this sender's name in the lease (default host:pid).
        wait_lock: seconds to wait for another sender's lease.
        wait_retries: keep running until deferred rows are retried (else a later run does it).
        resend_unknown: send again to rows left ``unknown`` by a killed sender (may duplicate).
        record_bounce: called with (conn, token, "hard", at) when a server refuses with 5xx.
        encrypt: turns a message into PGP/MIME for readers who gave a key.
        journal_dir: where the send journal lives (``SendJournal``; default: the data directory).

    Returns:
        The report, with the ledger's counts afterwards.

    Raises:
        SenderBusy: another sender holds the lease.
        DeliveryError: unknown or unapproved edition.
    """
    clock = clock or Clock()
    ledger = Ledger(db, clock)
    edition = ledger.edition(edition_id)
    if edition is None:
        raise DeliveryError(f"no edition {edition_id!r} is stored for sending", hint="approve it first")
    if not edition.approved_by:
        raise DeliveryError(f"edition {edition_id!r} is not approved by an editor")
    holder = holder or f"{socket.gethostname()}:{os.getpid()}"
    directory = Path(journal_dir if journal_dir is not None else db.settings.data_dir)
    with ledger.lease(holder, options.lease_seconds, wait=wait_lock):
        unknown = ledger.resume(edition_id, SendJournal.evidence(directory, edition_id))
        if unknown:
            log.warning(
                "%d deliveries of %s were in flight when a sender stopped: now unknown", unknown, edition_id
            )
        with db.begin() as conn:
            current = list(recipients(conn))
        taken = ledger.start(edition_id, [(r.token, new_verp_tag()) for r in current])
        by_token = {r.token: r for r in current}
        run = _Run(
            ledger=ledger,
            edition=edition.rendered,
            by_token=by_token,
            mailer=mailer,
            options=options,
            keys=keys,
            clock=clock,
            holder=holder,
            record_bounce=record_bounce,
            encrypt=encrypt,
            states=("queued", "deferred", "unknown") if resend_unknown else ("queued", "deferred"),
            journal=SendJournal.start(directory, edition_id),
        )
        try:
            attempted = asyncio.run(run.main(wait_retries))
        finally:
            if run.journal is not None:
                run.journal.close()
        if not ledger.pending(edition_id):
            ledger.finish(edition_id)
        status = ledger.status(edition_id)
    return SendReport(
        edition_id=edition_id,
        snapshot_taken=taken,
        unknown_at_resume=unknown,
        attempted=attempted,
        status=status,
    )


def send_due(db: Database, slot: datetime | None, **kwargs: object) -> SendReport | None:
    """Send the edition approved for ``slot`` (``deliver.schedule.due_slot``); None when no slot is due.

    Raises:
        NothingApproved: a slot is due but no edition was approved for it.
    """
    if slot is None:
        return None
    with db.begin() as conn:
        edition_id = sql.approved_for_slot(conn, slot)
    if edition_id is None:
        raise NothingApproved(
            f"a send is due for {slot:%Y-%m-%d %H:%M} UTC but no edition is approved for it; "
            "nothing was sent",
            hint="approve an edition for this slot",
        )
    return send_edition(db, edition_id, **kwargs)  # type: ignore[arg-type]


def send_test(
    rendered: RenderedEdition,
    addresses: Sequence[str],
    *,
    mailer: Mailer,
    options: SendOptions,
    keys: tuple[DkimKey, ...] = (),
    clock: Clock | None = None,
) -> list[str]:
    """Send a test copy to editors, outside the ledger (its unsubscribe token is ``test``).

    Returns:
        The relay that took each copy.
    """
    now = (clock or Clock()).now()
    template = MessageTemplate.build(rendered, options, subject=f"[TEST] {rendered.subject}")
    outgoing = [
        template.render(
            address=address,
            token="test",
            verp=new_verp_tag(),
            now=now,
            keys=keys,
            timestamp=int(now.timestamp()),
        )
        for address in addresses
    ]
    return asyncio.run(_send_all(mailer, outgoing))


async def _send_all(mailer: Mailer, outgoing: list[OutgoingMessage]) -> list[str]:
    try:
        return [await mailer.send(m) for m in outgoing]
    finally:
        await mailer.close()


@dataclass
class _Run:
    """One run of the sender: workers taking due ledger rows; not shared between runs."""

    ledger: Ledger
    edition: RenderedEdition
    by_token: dict[str, RecipientLike]
    mailer: Mailer
    options: SendOptions
    keys: tuple[DkimKey, ...]
    clock: Clock
    holder: str
    record_bounce: BounceRecorder | None
    encrypt: Encryptor | None
    states: tuple[str, ...]
    journal: SendJournal | None = None
    attempted: int = 0
    lost_lease: bool = False
    _template: MessageTemplate | None = None
    _pool: ThreadPoolExecutor | None = None
    _signers: int = 1  # threads in the signing pool
    # the group commit: changes waiting for the next transaction, and the task committing them
    _changes: list[tuple[Transition, asyncio.Future[bool] | None]] = field(default_factory=list)
    _committer: asyncio.Task[None] | None = None
    _urgent: bool = False  # a queued change must be committed now (a claim)
    _timer: asyncio.TimerHandle | None = None  # commits the changes that may wait (LAZY_COMMIT)

    def _commit(
        self, row_id: int, state: str, *, from_states: Sequence[str] | None = None, **values: object
    ) -> asyncio.Future[bool]:
        """Queue a state change for a group commit; the future resolves once it is committed.

        Most changes start a transaction at once (a claim's message waits for it). With a
        journal, ``sent`` and ``dropped`` can wait: the journal already holds the 250 (and a
        dropped row was never claimed), so they ride along with the next claim's transaction or are
        committed at most ``LAZY_COMMIT`` seconds later — fewer transactions, same window.
        """
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        change = Transition(row_id, state, tuple(from_states) if from_states else None, values)
        self._changes.append((change, future))
        if state not in ("sent", "dropped") or self.journal is None:
            self._urgent = True
            self._start_committer()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(LAZY_COMMIT, self._force_commit)
        return future

    def _force_commit(self) -> None:
        self._timer = None
        self._urgent = True
        self._start_committer()

    def _start_committer(self) -> None:
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit_loop())

    async def _commit_loop(self) -> None:
        # every change queued while a transaction runs goes into the next one, so the messages in
        # flight share their commits; the database work runs in a thread, off the event loop
        while self._changes and self._urgent:
            if COMMIT_GATHER > 0:  # let the claims of other sessions' 354s join this transaction
                await asyncio.sleep(COMMIT_GATHER)
            batch, self._changes, self._urgent = self._changes, [], False
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            try:
                results = await asyncio.to_thread(self.ledger.apply, [c for c, _ in batch])
            except BaseException as exc:
                for _, future in batch:
                    if future is not None and not future.done():
                        future.set_exception(exc)
                raise
            for (_, future), ok in zip(batch, results, strict=True):
                if future is not None and not future.done():
                    future.set_result(ok)

    async def _flush(self) -> None:
        """Wait until every queued change is committed."""
        while self._changes or (self._committer is not None and not self._committer.done()):
            if self._changes:
                self._urgent = True
                self._start_committer()
            assert self._committer is not None
            await asyncio.shield(self._committer)

    async def main(self, wait_retries: bool) -> int:
        # every copy shares all but a few bytes: the template is built once per run
        self._template = MessageTemplate.build(self.edition, self.options)
        self._signers = max(1, min(self.options.concurrency, os.cpu_count() or 1))
        self._pool = pool = ThreadPoolExecutor(
            max_workers=self._signers,
            thread_name_prefix="ew-sign",
        )
        renewer = asyncio.create_task(self._renew())
        try:
            while not self.lost_lease:
                rows = self.ledger.due(self.edition.edition_id, states=self.states, limit=500)
                self.states = ("queued", "deferred")  # unknown rows are resent once at most
                if rows:
                    await self._send_rows(rows)
                    await self._flush()  # the next query must see every state change
                    continue
                pending = self.ledger.pending(self.edition.edition_id)
                if not pending or not wait_retries:
                    break
                now = self.clock.now()
                soonest = min((r.next_attempt_at or now) for r in pending)
                await asyncio.sleep(min(max((soonest - now).total_seconds(), 0.01), 5.0))
        finally:
            renewer.cancel()
            try:
                await self._flush()
            finally:
                pool.shutdown(wait=True)
                await self.mailer.close()
        if self.lost_lease:
            raise SenderBusy("the sender lost its lease to another sender and stopped")
        return self.attempted

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(self.options.lease_seconds / 3)
            taken, _, _ = await asyncio.to_thread(
                self.ledger.try_lock, self.holder, self.options.lease_seconds
            )
            if not taken:
                self.lost_lease = True
                return

    async def _send_rows(self, rows: list[LedgerRow]) -> None:
        # copies are built and signed in chunks of SIGN_CHUNK rows, one worker-thread job per chunk
        # (one hop to the pool and back per chunk, not per message), as many chunks at a time as
        # the pool has threads; the SMTP workers take the signed copies as they come
        loop = asyncio.get_running_loop()
        chunks = iter([rows[i : i + SIGN_CHUNK] for i in range(0, len(rows), SIGN_CHUNK)])
        workers = max(1, self.options.concurrency)
        ready: asyncio.Queue[tuple[LedgerRow, OutgoingMessage | tuple[str, str]] | None] = asyncio.Queue(
            maxsize=2 * max(workers, SIGN_CHUNK)
        )

        errors: list[BaseException] = []

        async def signer() -> None:
            for chunk in chunks:
                if self.lost_lease or errors:
                    return
                made = await loop.run_in_executor(self._pool, self._make_many, chunk)
                for item in zip(chunk, made, strict=True):
                    await ready.put(item)

        async def worker() -> None:
            while (item := await ready.get()) is not None:
                if self.lost_lease or errors:  # drain the queue, send nothing more
                    continue
                try:
                    await self._deliver(*item)
                except Exception as exc:  # stop the run; raised below once everything stopped
                    errors.append(exc)

        sending = [asyncio.ensure_future(worker()) for _ in range(workers)]
        signing = [asyncio.ensure_future(signer()) for _ in range(self._signers)]
        try:
            await asyncio.gather(*signing)
        finally:
            for task in signing:
                task.cancel()
            for _ in sending:
                await ready.put(None)
            await asyncio.gather(*sending)
        if errors:
            raise errors[0]

    def _make_many(self, rows: list[LedgerRow]) -> list[OutgoingMessage | tuple[str, str]]:
        return [self._make(row) for row in rows]

    def _make(self, row: LedgerRow) -> OutgoingMessage | tuple[str, str]:
        """Build and sign one reader's copy (in a worker thread); (state, reason) when it cannot go."""
        recipient = self.by_token.get(row.delivery.subscriber_token)
        if recipient is None:
            return "dropped", "unsubscribed or suppressed after the send started"
        assert self._template is not None
        now = self.clock.now()
        try:
            if recipient.pgp_key and self.encrypt is not None:
                msg = self._template.message(address=recipient.address, token=recipient.token, now=now)
                return render_message(
                    self.encrypt(msg, recipient.pgp_key),
                    verp=row.verp,
                    options=self.options,
                    keys=self.keys,
                    timestamp=int(now.timestamp()),
                )
            return self._template.render(
                address=recipient.address,
                token=recipient.token,
                verp=row.verp,
                now=now,
                keys=self.keys,
                timestamp=int(now.timestamp()),
            )
        except DeliveryError as exc:
            return "bounced", str(exc)

    async def _deliver(self, row: LedgerRow, made: OutgoingMessage | tuple[str, str]) -> None:
        if isinstance(made, tuple):  # dropped, or an address that cannot be mailed
            self._commit(row.id, made[0], detail=made[1])
            return
        message = made
        attempts = row.delivery.attempts + 1
        claimed = False

        async def before_data() -> bool:
            # committed only now (with the other messages in flight): a sender killed before the
            # commit leaves the row as it was; DATA goes out only once ``sending`` is committed
            nonlocal claimed
            tag = {"detail": self.journal.tag} if self.journal is not None else {}
            claimed = await self._commit(
                row.id, "sending", from_states=(*self.states, "unknown"), attempts=attempts, **tag
            )
            if claimed and self.journal is not None:
                self.journal.ending(row.id)  # the mailer writes the message's end right after this
            return claimed

        self.attempted += 1
        try:
            relay = await self.mailer.send(message, before_data)
        except Throttled as exc:
            # the server asked us to slow down: not the reader's fault, so the attempt does not count
            delay = timedelta(seconds=self.options.retry_base / 2)
            self._commit(
                row.id,
                "deferred",
                attempts=row.delivery.attempts,
                detail=str(exc),
                next_attempt_at=self.clock.now() + delay,
            )
        except PermanentDeliveryError as exc:
            self._commit(row.id, "bounced", detail=str(exc))
            await self._bounce(row, "hard")
        except TransientDeliveryError as exc:
            if attempts >= self.options.max_attempts:
                self._commit(
                    row.id, "bounced", attempts=attempts, detail=f"gave up after {attempts} attempts: {exc}"
                )
                await self._bounce(row, "soft")
            else:
                delay = timedelta(seconds=self.options.retry_base * 2 ** (attempts - 1))
                self._commit(
                    row.id,
                    "deferred",
                    attempts=attempts,
                    detail=str(exc),
                    next_attempt_at=self.clock.now() + delay,
                )
        except DeliveryError as exc:
            if claimed or "abandoned" not in str(exc):
                self._commit(row.id, "bounced", detail=str(exc))
        else:
            if self.journal is not None:
                self.journal.accepted(row.id)  # at once: the database commit follows with the group
            self._commit(row.id, "sent", relay=relay, detail=None, next_attempt_at=None)

    async def _bounce(self, row: LedgerRow, kind: str) -> None:
        if self.record_bounce is None:
            return
        await self._flush()
        await asyncio.to_thread(self._record_bounce, row.delivery.subscriber_token, kind)

    def _record_bounce(self, token: str, kind: str) -> None:
        assert self.record_bounce is not None
        with self.ledger.db.begin() as conn:
            self.record_bounce(conn, token, kind, self.clock.now())
