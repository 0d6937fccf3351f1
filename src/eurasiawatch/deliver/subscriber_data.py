"""Data requests and upkeep: export and erase one address, CSV import/export, retention, key rotation.

CSV columns: ``address,status,source,consent_at,created_at,unsubscribed_at,suppressed,pgp_key``.
Times are ISO 8601 UTC; ``consent_at`` and ``source`` travel with every row so consent evidence
survives a move between installations. An exported CSV holds addresses in the clear: treat it as
secret and delete it after use.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Connection, RowMapping

from ..errors import DeliveryError
from ..store import subscribers as store
from .crypto import Crypto
from .subscribers import add_subscriber, check_address

__all__ = [
    "CSV_COLUMNS",
    "CleanupResult",
    "ImportResult",
    "cleanup",
    "erase_subscriber",
    "export_csv",
    "export_subscriber",
    "import_csv",
    "list_subscribers",
    "rotate_key",
]

log = logging.getLogger(__name__)

CSV_COLUMNS = (
    "address",
    "status",
    "source",
    "consent_at",
    "created_at",
    "unsubscribed_at",
    "suppressed",
    "pgp_key",
)
_TIMES = ("created_at", "updated_at", "consent_at", "confirm_sent_at", "unsubscribed_at")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _all_rows(conn: Connection) -> list[RowMapping]:
    rows: list[RowMapping] = []
    after = 0
    while page := store.page_subscribers(conn, after):
        rows.extend(page)
        after = page[-1]["id"]
    return rows


def export_subscriber(conn: Connection, crypto: Crypto, address: str) -> dict[str, Any] | None:
    """Everything held about one address, decrypted (for a data request); None if nothing."""
    address = check_address(address)
    index = crypto.index(address)
    row = store.find_by_index(conn, index)
    suppressed = store.suppression(conn, index)
    if row is None and suppressed is None:
        return None
    data: dict[str, Any] = {"address": address}
    if row is not None:
        data |= {
            "token": row["token"],
            "status": row["status"],
            "source": row["source"],
            "soft_bounces": row["soft_bounces"],
            "pgp_key": crypto.decrypt(row["pgp_key_enc"]) if row["pgp_key_enc"] is not None else None,
        }
        data |= {name: _iso(row[name]) for name in _TIMES}
    data["suppression"] = (
        {"reason": suppressed["reason"], "since": _iso(suppressed["created_at"])} if suppressed else None
    )
    return data


def erase_subscriber(
    conn: Connection, crypto: Crypto, address: str, *, now: datetime, keep_suppression: bool = False
) -> bool:
    """Delete everything held about an address.

    Args:
        keep_suppression: keep (or add) its keyed hash on the suppression list, so it is never mailed
            again — what a reader asking "never contact me" wants; the hash alone reveals nothing.

    Returns:
        True when anything was held.
    """
    index = crypto.index(check_address(address))
    row = store.find_by_index(conn, index)
    if row is not None:
        store.delete_subscriber(conn, row["id"])
    if keep_suppression:
        held = not store.suppress(conn, index, "erased", now)
    else:
        held = store.remove_suppression(conn, index)
    log.info("erase: %s", "done" if row is not None or held else "nothing held")
    return row is not None or held


def list_subscribers(conn: Connection, crypto: Crypto, *, reveal: bool = False) -> list[dict[str, Any]]:
    """Every subscriber: token, status, source, times, and the address masked unless ``reveal``."""
    result = []
    for row in _all_rows(conn):
        address = crypto.decrypt(row["address_enc"])
        if not reveal:
            local, _, domain = address.partition("@")
            address = f"{local[:1]}***@{domain}"
        result.append(
            {
                "token": row["token"],
                "address": address,
                "status": row["status"],
                "source": row["source"],
                "consent_at": _iso(row["consent_at"]),
                "pgp": row["pgp_key_enc"] is not None,
                "suppressed": store.is_suppressed(conn, row["address_index"]),
            }
        )
    return result


def export_csv(conn: Connection, crypto: Crypto, out: TextIO) -> int:
    """Write every subscriber as CSV (addresses decrypted); returns the number of rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for row in _all_rows(conn):
        suppressed = store.suppression(conn, row["address_index"])
        writer.writerow(
            [
                crypto.decrypt(row["address_enc"]),
                row["status"],
                row["source"],
                _iso(row["consent_at"]) or "",
                _iso(row["created_at"]) or "",
                _iso(row["unsubscribed_at"]) or "",
                suppressed["reason"] if suppressed else "",
                crypto.decrypt(row["pgp_key_enc"]) if row["pgp_key_enc"] is not None else "",
            ]
        )
        count += 1
    return count


@dataclass
class ImportResult:
    """What ``import_csv`` did; ``errors`` are (line number, reason)."""

    added: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    return value


def import_csv(conn: Connection, crypto: Crypto, src: TextIO, *, now: datetime, source: str) -> ImportResult:
    """Import subscribers from CSV, keeping each row's consent time and source.

    Rows need ``address``; active or paused rows need ``consent_at`` (no consent, no mail). A missing
    ``source`` becomes ``source`` (e.g. ``import:list.csv``). Bad rows are reported, not imported.
    """
    result = ImportResult()
    reader = csv.DictReader(src)
    if reader.fieldnames is None or "address" not in reader.fieldnames:
        raise DeliveryError("the CSV needs a header row with at least an `address` column")
    for number, raw in enumerate(reader, start=2):
        try:
            status = (raw.get("status") or "active").strip()
            token, created = add_subscriber(
                conn,
                crypto,
                raw.get("address") or "",
                source=(raw.get("source") or "").strip() or source,
                now=now,
                consent_at=_time(raw.get("consent_at")),
                status=status,
                pgp_key=(raw.get("pgp_key") or None),
                created_at=_time(raw.get("created_at")),
                unsubscribed_at=_time(raw.get("unsubscribed_at"))
                or (now if status == "unsubscribed" else None),
            )
        except (DeliveryError, ValueError) as exc:
            result.errors.append((number, str(exc)))
            continue
        reason = (raw.get("suppressed") or "").strip()
        if reason:
            row = store.find_by_token(conn, token)
            assert row is not None
            store.suppress(conn, row["address_index"], reason, now)
        if created:
            result.added += 1
        else:
            result.updated += 1
    return result


@dataclass(frozen=True, slots=True)
class CleanupResult:
    """Rows deleted by ``cleanup``."""

    pending: int
    unsubscribed: int
    events: int


def cleanup(
    conn: Connection, now: datetime, *, pending_days: int = 7, unsubscribed_days: int = 30
) -> CleanupResult:
    """Retention: delete stale pending and old unsubscribed records, and old subscribe events.

    Pending rows count from their last confirmation mail, unsubscribed rows from when they left.
    Subscribe events (rate-limit counts, spent challenges) are kept two days.
    """
    pending = store.delete_stale(conn, "pending", "confirm_sent_at", now - timedelta(days=pending_days))
    left = store.delete_stale(
        conn, "unsubscribed", "unsubscribed_at", now - timedelta(days=unsubscribed_days)
    )
    events = store.prune_events(conn, now - timedelta(days=2))
    log.info("cleanup: %d pending, %d unsubscribed, %d events deleted", pending, left, events)
    return CleanupResult(pending=pending, unsubscribed=left, events=events)


def rotate_key(
    begin: Callable[[], AbstractContextManager[Connection]],
    crypto: Crypto,
    key_path: Path,
    *,
    batch: int = 500,
) -> tuple[Crypto, int]:
    """Re-encrypt every stored address and key under a new encryption key.

    Steps, each safe to interrupt: (1) the key file gets a new key in front, the old ones kept so
    every row stays readable; (2) rows are re-encrypted a batch per transaction; (3) the old keys are
    dropped from the file. Run again after an interruption: a ring that still holds several keys is
    taken as a rotation in progress and finished, not started over.

    Args:
        begin: opens a transaction (``Database.begin``).
        crypto: the ring as loaded from ``key_path``.
        key_path: the key file (rotation needs one; a key from the environment cannot be rewritten).

    Returns:
        The final ring and the number of rows re-encrypted.
    """
    rotating = crypto if len(crypto.encryption_keys) > 1 else crypto.with_new_key()
    rotating.save(key_path)
    done = 0
    after = 0
    while True:
        with begin() as conn:
            page = store.page_subscribers(conn, after, batch)
            for row in page:
                values: dict[str, Any] = {}
                if not rotating.is_current(row["address_enc"]):
                    values["address_enc"] = rotating.encrypt(rotating.decrypt(row["address_enc"]))
                key = row["pgp_key_enc"]
                if key is not None and not rotating.is_current(key):
                    values["pgp_key_enc"] = rotating.encrypt(rotating.decrypt(key))
                if values:
                    store.update_subscriber(conn, row["id"], values)
                    done += 1
        if not page:
            break
        after = page[-1]["id"]
    final = rotating.current_only()
    final.save(key_path)
    log.info("rotate-key: %d rows re-encrypted under key %s", done, final.key_id(final.encryption_keys[0]))
    return final, done
