"""Proof-of-work challenges and the global confirmation limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from eurasiawatch.deliver import abuse
from eurasiawatch.deliver.crypto import Crypto

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


def test_leading_zero_bits() -> None:
    assert abuse.leading_zero_bits(b"\xff") == 0
    assert abuse.leading_zero_bits(b"\x01") == 7
    assert abuse.leading_zero_bits(b"\x00\x10") == 11
    assert abuse.leading_zero_bits(b"\x00\x00") == 16


def test_challenge_solved_once(fresh_db) -> None:
    crypto = Crypto.generate()
    challenge = abuse.issue_challenge(crypto, NOW, difficulty=10)
    solution = abuse.solve_challenge(challenge.token, 10)
    with fresh_db.begin() as conn:
        assert abuse.verify_solution(conn, crypto, challenge.token, solution, difficulty=10, now=NOW)
        # replaying the same solved challenge is refused
        assert not abuse.verify_solution(conn, crypto, challenge.token, solution, difficulty=10, now=NOW)


def test_bad_solutions_are_refused(fresh_db) -> None:
    crypto = Crypto.generate()
    challenge = abuse.issue_challenge(crypto, NOW, difficulty=12)
    solution = abuse.solve_challenge(challenge.token, 12)
    easy = abuse.issue_challenge(crypto, NOW, difficulty=1)
    with fresh_db.begin() as conn:
        wrong = next(
            s
            for s in map(str, range(10_000))
            if abuse.leading_zero_bits(abuse._work(challenge.token, s)) < 12
        )
        assert not abuse.verify_solution(conn, crypto, challenge.token, wrong, difficulty=12, now=NOW)
        late = NOW + abuse.CHALLENGE_TTL
        assert not abuse.verify_solution(conn, crypto, challenge.token, solution, difficulty=12, now=late)
        # a challenge issued at an easier difficulty does not pass at the required one
        easy_solution = abuse.solve_challenge(easy.token, 1)
        assert not abuse.verify_solution(conn, crypto, easy.token, easy_solution, difficulty=12, now=NOW)
        forged = challenge.token[:-2] + "aa"
        assert not abuse.verify_solution(conn, crypto, forged, solution, difficulty=12, now=NOW)
        assert abuse.verify_solution(conn, crypto, challenge.token, solution, difficulty=12, now=NOW)


def test_global_confirmation_limit(fresh_db) -> None:
    with fresh_db.begin() as conn:
        for i in range(3):
            assert abuse.confirmation_allowed(conn, NOW, per_hour=3)
            abuse.record_confirmation(conn, NOW - timedelta(minutes=i))
        assert not abuse.confirmation_allowed(conn, NOW, per_hour=3)
        assert abuse.confirmation_allowed(conn, NOW + timedelta(hours=1), per_hour=3)
