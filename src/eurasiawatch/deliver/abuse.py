"""Abuse resistance of the subscribe form, without IP addresses.

Someone can type a victim's address into the form again and again to flood them with confirmation
mail. Three limits stop that and none needs to know who is asking:

- per address: at most one pending confirmation mail a day (``deliver.subscribers`` reads
  ``confirm_sent_at`` from the subscriber row, keyed by the address's HMAC index);
- global: at most ``deliver.confirmations_per_hour`` confirmation mails an hour, all addresses
  together (``confirmation_allowed`` / ``record_confirmation``);
- proof-of-work: the form must present a solved challenge that we issued and signed, solvable once.
  A challenge is a signed, expiring token; a solution is a string ``s`` such that
  SHA-256(``token + ":" + s``) starts with ``difficulty`` zero bits. The difficulty is part of what
  the token signs, so a client cannot pick an easier one. Spent challenges are recorded by digest so a
  solution cannot be replayed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import count

from sqlalchemy import Connection

from ..store import subscribers as store
from .crypto import Crypto
from .tokens import InvalidToken, b32, random_token

__all__ = [
    "Challenge",
    "confirmation_allowed",
    "issue_challenge",
    "issue_wait",
    "leading_zero_bits",
    "record_confirmation",
    "solve_challenge",
    "verify_solution",
    "verify_wait",
]

CHALLENGE_TTL = timedelta(minutes=15)


@dataclass(frozen=True, slots=True, kw_only=True)
class Challenge:
    """A proof-of-work challenge for the subscribe form."""

    token: str
    difficulty: int
    expires: datetime


def _purpose(difficulty: int) -> str:
    return f"pow:{difficulty}"


def leading_zero_bits(digest: bytes) -> int:
    """Number of leading zero bits of ``digest``."""
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def _work(token: str, solution: str) -> bytes:
    return hashlib.sha256(f"{token}:{solution}".encode()).digest()


def issue_challenge(crypto: Crypto, now: datetime, *, difficulty: int) -> Challenge:
    """A fresh challenge for one form submission.

    Args:
        crypto: the subscriber keys (signs the challenge).
        now: the clock's time.
        difficulty: leading zero bits required (``deliver.pow_difficulty``).

    Returns:
        The challenge to embed in the form.
    """
    expires = now + CHALLENGE_TTL
    return Challenge(
        token=crypto.sign_token(_purpose(difficulty), random_token(), expires),
        difficulty=difficulty,
        expires=expires,
    )


def solve_challenge(token: str, difficulty: int) -> str:
    """Find a solution by brute force (what the form's script does; used by tests and the CLI)."""
    for n in count():
        if leading_zero_bits(_work(token, str(n))) >= difficulty:
            return str(n)
    raise AssertionError("unreachable")  # pragma: no cover


def verify_solution(
    conn: Connection, crypto: Crypto, token: str, solution: str, *, difficulty: int, now: datetime
) -> bool:
    """Check a solved challenge and spend it.

    Args:
        conn: database connection (spent challenges are recorded there).
        crypto: the subscriber keys.
        token: the challenge token the form sent back.
        solution: the client's answer.
        difficulty: the difficulty currently required.
        now: the clock's time.

    Returns:
        True once per valid, unexpired, correctly solved challenge; False otherwise (forged, expired,
        too easy, wrong, or already used).
    """
    try:
        crypto.verify_token(_purpose(difficulty), token, now)
    except InvalidToken:
        return False
    if len(solution) > 64 or leading_zero_bits(_work(token, solution)) < difficulty:
        return False
    return store.add_event(conn, "pow", hashlib.sha256(token.encode()).hexdigest(), now)


def issue_wait(crypto: Crypto, now: datetime) -> str:
    """A signed "wait" token: the no-JavaScript alternative to the proof-of-work.

    A browser without scripts cannot solve the challenge, so the form instead asks it to wait and
    send again; ``verify_wait`` accepts the token only after ``min_seconds`` and only once.
    """
    value = random_token() + b32(int(now.timestamp()).to_bytes(6, "big"))
    return crypto.sign_token("wait", value, now + CHALLENGE_TTL)


def verify_wait(conn: Connection, crypto: Crypto, token: str, *, now: datetime, min_seconds: float) -> bool:
    """Whether a wait token is genuine, unexpired, at least ``min_seconds`` old and unused (then spent)."""
    try:
        value = crypto.verify_token("wait", token, now)
        issued = int.from_bytes(base64.b32decode(value[-10:].upper() + "======"), "big")
    except (InvalidToken, ValueError, binascii.Error):
        return False
    if now.timestamp() - issued < min_seconds:
        return False
    return store.add_event(conn, "pow", hashlib.sha256(token.encode()).hexdigest(), now)


def confirmation_allowed(conn: Connection, now: datetime, *, per_hour: int) -> bool:
    """Whether the global limit leaves room for one more confirmation mail in the last hour."""
    return store.count_events(conn, "confirmation", now - timedelta(hours=1)) < per_hour


def record_confirmation(conn: Connection, now: datetime) -> None:
    """Count one confirmation mail against the global limit (no address is recorded)."""
    store.add_event(conn, "confirmation", None, now)
