"""Desk pages read without a write transaction (SQLite's one write lock) unless something must be written."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from eurasiawatch import accounts
from eurasiawatch.accounts import AccountPolicy
from eurasiawatch.clock import Clock
from eurasiawatch.config import Settings
from eurasiawatch.store import Database
from eurasiawatch.web.app import create_app

from .conftest import NOW
from .test_dashboard import _signed_in


@pytest.fixture
def web_settings(web_settings: Settings) -> Settings:
    """Cheap argon2: the tests sign in."""
    return dataclasses.replace(web_settings, desk_argon2_memory_kib=1024, desk_argon2_time_cost=1)


def _count_writes(monkeypatch: pytest.MonkeyPatch, db: Database) -> list[int]:
    calls: list[int] = []
    real = db.begin

    def counted():  # type: ignore[no-untyped-def]
        calls.append(1)
        return real()

    monkeypatch.setattr(db, "begin", counted)
    return calls


def _last_seen(db: Database, client: TestClient) -> object:
    from eurasiawatch import credentials
    from eurasiawatch.store import accounts as store

    with db.read() as conn:
        row = store.get_session(conn, credentials.hash_secret(client.cookies["ew_session"]))
    assert row is not None
    return row["last_seen_at"]


def test_pages_within_the_minute_take_no_write_transaction(
    monkeypatch: pytest.MonkeyPatch, web_settings: Settings, fresh_db: Database
) -> None:
    with TestClient(create_app(web_settings, database=fresh_db, clock=Clock(NOW))) as c:
        _signed_in(c, web_settings, fresh_db)
        writes = _count_writes(monkeypatch, fresh_db)
        for path in ("/desk/", "/desk/search?q=China", "/desk/"):
            assert c.get(path).status_code == 200
    assert writes == []


def test_last_seen_is_still_written_once_a_minute_and_expired_sessions_end(
    web_settings: Settings, fresh_db: Database
) -> None:
    with TestClient(create_app(web_settings, database=fresh_db, clock=Clock(NOW))) as c:
        _signed_in(c, web_settings, fresh_db)
        cookie = c.cookies["ew_session"]
        before = _last_seen(fresh_db, c)
    later = NOW + timedelta(minutes=2)
    with TestClient(create_app(web_settings, database=fresh_db, clock=Clock(later))) as c:
        c.cookies.set("ew_session", cookie)
        assert c.get("/desk/").status_code == 200
        assert _last_seen(fresh_db, c) == later != before
    idle = AccountPolicy.from_settings(web_settings).session_idle
    gone = later + idle + timedelta(minutes=1)
    with TestClient(create_app(web_settings, database=fresh_db, clock=Clock(gone))) as c:
        c.cookies.set("ew_session", cookie)
        assert c.get("/desk/", follow_redirects=False).status_code == 303
        with fresh_db.read() as conn:
            assert accounts.peek_session(
                conn, AccountPolicy.from_settings(web_settings), cookie, now=gone
            ) == (
                None,
                False,
            )  # deleted by that request: nothing left to write
