"""SQL of sending: approved editions, the per-(edition, subscriber) ledger and the sender's lease.

Every statement is built by a ``_*_stmt(dialect, ...)`` function so a test compiles each one for
SQLite and PostgreSQL (tests/deliver/test_ledger.py). Callers own the transactions: the sender
commits each state change on its own (``deliver.ledger``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Delete,
    Insert,
    Select,
    Update,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from ..records import Delivery, RenderedEdition
from .tables import send_edition_parts, send_editions, send_ledger, send_locks

__all__ = [
    "LedgerRow",
    "SendEdition",
    "acquire_lock",
    "approved_for_slot",
    "due_rows",
    "find_by_verp",
    "insert_rows",
    "ledger_rows",
    "load_edition",
    "mark_finished",
    "mark_started",
    "release_lock",
    "save_edition",
    "sending_to_unknown",
    "set_state",
    "state_counts",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class SendEdition:
    """An edition queued for sending, with its approval and progress."""

    rendered: RenderedEdition
    slot: datetime | None
    approved_by: str | None
    approved_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class LedgerRow:
    """One ledger row: a ``Delivery`` plus what the sender needs to act on it."""

    id: int
    verp: str
    delivery: Delivery
    relay: str | None = None
    next_attempt_at: datetime | None = None
    updated_at: datetime | None = None


# -- editions --------------------------------------------------------------------------------------


def _edition_exists_stmt(dialect: str, edition_id: str) -> Select[Any]:
    return select(send_editions.c.started_at).where(send_editions.c.edition_id == edition_id)


def _insert_edition_stmt(dialect: str) -> Insert:
    return insert(send_editions)


def _update_edition_stmt(dialect: str, edition_id: str) -> Update:
    return update(send_editions).where(send_editions.c.edition_id == edition_id)


def _delete_parts_stmt(dialect: str, edition_id: str) -> Delete:
    return delete(send_edition_parts).where(send_edition_parts.c.edition_id == edition_id)


def _insert_parts_stmt(dialect: str) -> Insert:
    return insert(send_edition_parts)


def save_edition(
    conn: Connection,
    rendered: RenderedEdition,
    *,
    slot: datetime | None,
    approved_by: str | None,
    now: datetime,
) -> bool:
    """Store (or replace) a rendered edition for sending; ``approved_by`` None means not approved.

    Returns:
        False (and changes nothing) when its send has already started.
    """
    d = conn.dialect.name
    existing = conn.execute(_edition_exists_stmt(d, rendered.edition_id)).first()
    values = {
        "slot": slot,
        "subject": rendered.subject,
        "email_html": rendered.email_html,
        "text": rendered.text,
        "approved_by": approved_by,
        "approved_at": now if approved_by else None,
    }
    if existing is not None:
        if existing.started_at is not None:
            return False
        conn.execute(_update_edition_stmt(d, rendered.edition_id).values(**values))
        conn.execute(_delete_parts_stmt(d, rendered.edition_id))
    else:
        conn.execute(_insert_edition_stmt(d).values(edition_id=rendered.edition_id, **values))
    parts = [
        {"edition_id": rendered.edition_id, "cid": cid, "mime": mime, "data": data, "position": n}
        for n, (cid, mime, data) in enumerate(rendered.inline_parts)
    ]
    if parts:
        conn.execute(_insert_parts_stmt(d), parts)
    return True


def _load_edition_stmt(dialect: str, edition_id: str) -> Select[Any]:
    return select(send_editions).where(send_editions.c.edition_id == edition_id)


def _load_parts_stmt(dialect: str, edition_id: str) -> Select[Any]:
    return (
        select(send_edition_parts)
        .where(send_edition_parts.c.edition_id == edition_id)
        .order_by(send_edition_parts.c.position)
    )


def load_edition(conn: Connection, edition_id: str) -> SendEdition | None:
    """The stored edition with its parts, or None."""
    d = conn.dialect.name
    row = conn.execute(_load_edition_stmt(d, edition_id)).mappings().first()
    if row is None:
        return None
    parts = tuple((p.cid, p.mime, bytes(p.data)) for p in conn.execute(_load_parts_stmt(d, edition_id)))
    rendered = RenderedEdition(
        edition_id=edition_id,
        subject=row["subject"],
        email_html=row["email_html"],
        text=row["text"],
        web_html="",
        web_path="",
        inline_parts=parts,
    )
    return SendEdition(
        rendered=rendered,
        slot=row["slot"],
        approved_by=row["approved_by"],
        approved_at=row["approved_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
    )


def _approved_for_slot_stmt(dialect: str, slot: datetime) -> Select[Any]:
    return (
        select(send_editions.c.edition_id)
        .where(
            send_editions.c.slot == slot,
            send_editions.c.approved_by.is_not(None),
            send_editions.c.finished_at.is_(None),
        )
        .order_by(send_editions.c.approved_at.desc())
    )


def approved_for_slot(conn: Connection, slot: datetime) -> str | None:
    """The id of the edition approved for ``slot`` and not yet fully sent, or None."""
    return conn.execute(_approved_for_slot_stmt(conn.dialect.name, slot)).scalars().first()


def _mark_started_stmt(dialect: str, edition_id: str, now: datetime) -> Update:
    return (
        update(send_editions)
        .where(send_editions.c.edition_id == edition_id, send_editions.c.started_at.is_(None))
        .values(started_at=now)
    )


def mark_started(conn: Connection, edition_id: str, now: datetime) -> bool:
    """Record that the send started (the snapshot is taken); False if it had already."""
    return conn.execute(_mark_started_stmt(conn.dialect.name, edition_id, now)).rowcount == 1


def _mark_finished_stmt(dialect: str, edition_id: str, now: datetime | None) -> Update:
    return update(send_editions).where(send_editions.c.edition_id == edition_id).values(finished_at=now)


def mark_finished(conn: Connection, edition_id: str, now: datetime | None) -> None:
    """Record that nothing is left to send (None: something is again)."""
    conn.execute(_mark_finished_stmt(conn.dialect.name, edition_id, now))


# -- ledger ----------------------------------------------------------------------------------------


def _insert_rows_stmt(dialect: str) -> Insert:
    return insert(send_ledger)


def insert_rows(
    conn: Connection, edition_id: str, tokens_and_tags: Iterable[tuple[str, str]], now: datetime
) -> int:
    """Snapshot the recipients: one ``queued`` row per (token, VERP tag)."""
    rows = [
        {
            "edition_id": edition_id,
            "token": token,
            "verp": tag,
            "state": "queued",
            "attempts": 0,
            "updated_at": now,
        }
        for token, tag in tokens_and_tags
    ]
    if rows:
        conn.execute(_insert_rows_stmt(conn.dialect.name), rows)
    return len(rows)


def _sending_to_unknown_stmt(dialect: str, edition_id: str, now: datetime) -> Update:
    return (
        update(send_ledger)
        .where(send_ledger.c.edition_id == edition_id, send_ledger.c.state == "sending")
        .values(
            state="unknown",
            updated_at=now,
            detail="the sender stopped during this SMTP transaction; the server may have accepted it",
        )
    )


def sending_to_unknown(conn: Connection, edition_id: str, now: datetime) -> int:
    """Rows left ``sending`` by a sender that died become ``unknown``; returns how many."""
    return conn.execute(_sending_to_unknown_stmt(conn.dialect.name, edition_id, now)).rowcount


def _due_rows_stmt(
    dialect: str, edition_id: str, now: datetime, states: Sequence[str], limit: int
) -> Select[Any]:
    due = or_(send_ledger.c.next_attempt_at.is_(None), send_ledger.c.next_attempt_at <= now)
    return (
        select(send_ledger)
        .where(send_ledger.c.edition_id == edition_id, send_ledger.c.state.in_(list(states)), due)
        .order_by(send_ledger.c.id)
        .limit(limit)
    )


def due_rows(
    conn: Connection,
    edition_id: str,
    now: datetime,
    *,
    states: Sequence[str] = ("queued", "deferred"),
    limit: int = 1000,
) -> list[LedgerRow]:
    """Rows in ``states`` whose next attempt is due, in snapshot order."""
    stmt = _due_rows_stmt(conn.dialect.name, edition_id, now, states, limit)
    return [_row(r) for r in conn.execute(stmt).mappings()]


def _set_state_stmt(dialect: str, row_id: int, from_states: Sequence[str] | None) -> Update:
    stmt = update(send_ledger).where(send_ledger.c.id == row_id)
    if from_states:
        stmt = stmt.where(send_ledger.c.state.in_(list(from_states)))
    return stmt


def set_state(
    conn: Connection,
    row_id: int,
    state: str,
    now: datetime,
    *,
    from_states: Sequence[str] | None = None,
    **values: Any,
) -> bool:
    """Move one row to ``state`` (only from ``from_states`` when given); False if it was not there."""
    stmt = _set_state_stmt(conn.dialect.name, row_id, from_states).values(
        state=state, updated_at=now, **values
    )
    return conn.execute(stmt).rowcount == 1


def _set_states_stmt(dialect: str, from_states: Sequence[str] | None, keys: Sequence[str]) -> Update:
    """Many rows' same state change, every value a bound parameter (``b_ids``, ``b_state``, ``b_<key>``).

    ``b_ids`` is an expanding list of row ids. With ``from_states`` the statement returns the ids it
    changed (``RETURNING``: PostgreSQL, SQLite >= 3.35), so one statement claims a whole batch and
    still tells which rows were no longer in those states.
    """
    stmt = update(send_ledger).where(send_ledger.c.id.in_(bindparam("b_ids", expanding=True)))
    if from_states:
        stmt = stmt.where(send_ledger.c.state.in_(list(from_states)))
    values: dict[str, Any] = {key: bindparam(f"b_{key}") for key in keys}
    stmt = stmt.values(state=bindparam("b_state"), updated_at=bindparam("b_updated_at"), **values)
    return stmt.returning(send_ledger.c.id) if from_states else stmt


# the sender runs the same few change shapes thousands of times: build each statement once
_SET_STATES_CACHE: dict[tuple[str, tuple[str, ...] | None, tuple[str, ...]], Update] = {}
_BATCH = 400  # ids per statement (well under SQLite's and PostgreSQL's bound-parameter limits)


def set_states(
    conn: Connection,
    changes: Sequence[tuple[int, str, Sequence[str] | None, Mapping[str, Any]]],
    now: datetime,
) -> list[bool]:
    """Apply many (row id, state, from_states, values) changes; for each, False if it did not apply.

    Changes that are the same but for their row (same state, ``from_states`` and values — e.g. every
    claim of a batch, every ``sent`` through one relay) share ONE ``UPDATE … WHERE id IN (…)``;
    with ``from_states`` its ``RETURNING`` says which rows changed. A row named twice in a batch is
    changed in order, one statement per change.
    """
    results = [False] * len(changes)
    d = conn.dialect.name
    groups: dict[tuple[Any, ...], list[int]] = {}
    singles: list[int] = []
    seen: set[int] = set()
    for i, (row_id, state, from_states, values) in enumerate(changes):
        if row_id in seen:
            singles.append(i)
            continue
        seen.add(row_id)
        keys = tuple(sorted(values))
        key = (state, tuple(from_states) if from_states else None, keys, tuple(values[k] for k in keys))
        try:
            groups.setdefault(key, []).append(i)
        except TypeError:  # an unhashable value: on its own
            singles.append(i)
    for (state, from_states, keys, vals), indexes in groups.items():
        for n in range(0, len(indexes), _BATCH):
            chunk = indexes[n : n + _BATCH]
            ids = [changes[i][0] for i in chunk]
            done = _run_set_states(conn, d, state, from_states, dict(zip(keys, vals, strict=True)), ids, now)
            for i, row_id in zip(chunk, ids, strict=True):
                results[i] = done is None or row_id in done
    for i in singles:
        row_id, state, from_states, values = changes[i]
        done = _run_set_states(
            conn, d, state, tuple(from_states) if from_states else None, dict(values), [row_id], now
        )
        results[i] = done is None or row_id in done
    return results


def _run_set_states(
    conn: Connection,
    dialect: str,
    state: str,
    from_states: tuple[str, ...] | None,
    values: Mapping[str, Any],
    ids: list[int],
    now: datetime,
) -> set[int] | None:
    """One ``_set_states_stmt``; the ids it changed (None: no ``from_states``, so all of them)."""
    keys = tuple(sorted(values))
    cache_key = (dialect, from_states, keys)
    stmt = _SET_STATES_CACHE.get(cache_key)
    if stmt is None:
        stmt = _SET_STATES_CACHE[cache_key] = _set_states_stmt(dialect, from_states, keys)
    params = {"b_ids": ids, "b_state": state, "b_updated_at": now, **{f"b_{k}": values[k] for k in keys}}
    result = conn.execute(stmt, params)
    return {r[0] for r in result} if from_states else None


def _state_counts_stmt(dialect: str, edition_id: str) -> Select[Any]:
    return (
        select(send_ledger.c.state, func.count().label("n"))
        .where(send_ledger.c.edition_id == edition_id)
        .group_by(send_ledger.c.state)
    )


def state_counts(conn: Connection, edition_id: str) -> dict[str, int]:
    """``{state: rows}`` for one edition."""
    return {r.state: int(r.n) for r in conn.execute(_state_counts_stmt(conn.dialect.name, edition_id))}


def _ledger_rows_stmt(dialect: str, edition_id: str, states: Sequence[str] | None) -> Select[Any]:
    stmt = select(send_ledger).where(send_ledger.c.edition_id == edition_id)
    if states:
        stmt = stmt.where(send_ledger.c.state.in_(list(states)))
    return stmt.order_by(send_ledger.c.id)


def ledger_rows(conn: Connection, edition_id: str, states: Sequence[str] | None = None) -> list[LedgerRow]:
    """Every row of an edition (only those in ``states`` when given)."""
    return [
        _row(r) for r in conn.execute(_ledger_rows_stmt(conn.dialect.name, edition_id, states)).mappings()
    ]


def _find_by_verp_stmt(dialect: str, tag: str) -> Select[Any]:
    return select(send_ledger).where(send_ledger.c.verp == tag)


def find_by_verp(conn: Connection, tag: str) -> LedgerRow | None:
    """The ledger row whose return path carried ``tag``."""
    row = conn.execute(_find_by_verp_stmt(conn.dialect.name, tag)).mappings().first()
    return None if row is None else _row(row)


def _row(r: Any) -> LedgerRow:
    return LedgerRow(
        id=r["id"],
        verp=r["verp"],
        relay=r["relay"],
        next_attempt_at=r["next_attempt_at"],
        updated_at=r["updated_at"],
        delivery=Delivery(
            edition_id=r["edition_id"],
            subscriber_token=r["token"],
            state=r["state"],
            attempts=r["attempts"],
            detail=r["detail"],
        ),
    )


# -- the sender's lease ----------------------------------------------------------------------------


def _ensure_lock_row_stmt(dialect: str, name: str, epoch: datetime) -> Insert:
    module: Any = postgresql if dialect == "postgresql" else sqlite
    return module.insert(send_locks).values(name=name, holder="", expires_at=epoch).on_conflict_do_nothing()


def _take_lock_stmt(dialect: str, name: str, holder: str, now: datetime, until: datetime) -> Update:
    free = or_(send_locks.c.expires_at < now, send_locks.c.holder == holder)
    return (
        update(send_locks)
        .where(and_(send_locks.c.name == name, free))
        .values(holder=holder, expires_at=until)
    )


def _lock_holder_stmt(dialect: str, name: str) -> Select[Any]:
    return select(send_locks.c.holder, send_locks.c.expires_at).where(send_locks.c.name == name)


def acquire_lock(
    conn: Connection, name: str, holder: str, now: datetime, until: datetime
) -> tuple[bool, str, datetime | None]:
    """Take or renew the lease ``name`` until ``until`` if it is free, expired or already ours.

    Returns:
        (taken, current holder, its expiry).
    """
    d = conn.dialect.name
    conn.execute(_ensure_lock_row_stmt(d, name, datetime(1970, 1, 1, tzinfo=now.tzinfo)))
    taken = conn.execute(_take_lock_stmt(d, name, holder, now, until)).rowcount == 1
    row = conn.execute(_lock_holder_stmt(d, name)).first()
    return taken, (row.holder if row else ""), (row.expires_at if row else None)


def _release_lock_stmt(dialect: str, name: str, holder: str, epoch: datetime) -> Update:
    return (
        update(send_locks)
        .where(send_locks.c.name == name, send_locks.c.holder == holder)
        .values(holder="", expires_at=epoch)
    )


def release_lock(conn: Connection, name: str, holder: str, now: datetime) -> None:
    """Give the lease back (only if we still hold it)."""
    conn.execute(_release_lock_stmt(conn.dialect.name, name, holder, datetime(1970, 1, 1, tzinfo=now.tzinfo)))
