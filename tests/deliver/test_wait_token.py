"""The no-JavaScript alternative to the proof-of-work: a signed wait token, accepted late and once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from eurasiawatch.deliver import abuse
from eurasiawatch.deliver.crypto import Crypto
from eurasiawatch.store import Database

T0 = datetime(2024, 7, 12, 10, 0, tzinfo=UTC)


def test_wait_token_is_refused_early_accepted_once_then_spent(fresh_db: Database) -> None:
    crypto = Crypto.generate()
    token = abuse.issue_wait(crypto, T0)
    with fresh_db.begin() as conn:
        assert not abuse.verify_wait(conn, crypto, token, now=T0 + timedelta(seconds=3), min_seconds=8)
        assert abuse.verify_wait(conn, crypto, token, now=T0 + timedelta(seconds=9), min_seconds=8)
        assert not abuse.verify_wait(conn, crypto, token, now=T0 + timedelta(seconds=10), min_seconds=8)


def test_forged_expired_or_foreign_wait_tokens_are_refused(fresh_db: Database) -> None:
    crypto = Crypto.generate()
    token = abuse.issue_wait(crypto, T0)
    late = T0 + abuse.CHALLENGE_TTL + timedelta(seconds=1)
    with fresh_db.begin() as conn:
        assert not abuse.verify_wait(conn, crypto, token, now=late, min_seconds=0)
        assert not abuse.verify_wait(conn, Crypto.generate(), token, now=T0, min_seconds=0)
        forged = token[:-1] + ("a" if token[-1] != "a" else "b")
        assert not abuse.verify_wait(conn, crypto, forged, now=T0, min_seconds=0)
        # a proof-of-work challenge is not a wait token
        challenge = abuse.issue_challenge(crypto, T0, difficulty=1).token
        assert not abuse.verify_wait(conn, crypto, challenge, now=T0, min_seconds=0)
