"""Desk accounts below the web layer: TOTP, sealed secrets, rehashing, session expiry, timing, SQL."""

from __future__ import annotations

import dataclasses
import inspect
import statistics
import time
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from eurasiawatch import accounts, credentials
from eurasiawatch.config import Settings
from eurasiawatch.deliver.crypto import Crypto
from eurasiawatch.errors import ConfigError
from eurasiawatch.store import Database
from eurasiawatch.store import accounts as store
from eurasiawatch.store.tables import desk_sessions, desk_users

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"


def _policy(**changes: object) -> accounts.AccountPolicy:
    settings = dataclasses.replace(Settings(), desk_argon2_memory_kib=1024, desk_argon2_time_cost=1)
    return accounts.AccountPolicy.from_settings(dataclasses.replace(settings, **changes))  # type: ignore[arg-type]


def test_totp_matches_the_rfc_6238_test_vector() -> None:
    # RFC 6238 appendix B, SHA-1 seed "12345678901234567890": 94287082 at T=59s, 07081804 at T=1111111109
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert credentials.totp_code(secret, datetime.fromtimestamp(59, UTC)) == "287082"
    assert credentials.totp_code(secret, datetime.fromtimestamp(1111111109, UTC)) == "081804"


def test_match_totp_window_and_steps() -> None:
    secret = credentials.new_totp_secret()
    step = int(NOW.timestamp()) // 30
    for offset in (-1, 0, 1):
        code = credentials.totp_code(secret, NOW + timedelta(seconds=30 * offset))
        assert credentials.match_totp(secret, code, NOW) == step + offset
    assert (
        credentials.match_totp(secret, credentials.totp_code(secret, NOW - timedelta(seconds=60)), NOW)
        is None
    )
    code = credentials.totp_code(secret, NOW)
    assert credentials.match_totp(secret, code, NOW, after_step=step) is None  # already used
    assert credentials.match_totp(secret, code[:3] + " " + code[3:], NOW) == step
    assert credentials.match_totp(secret, "12345", NOW) is None
    assert credentials.match_totp(secret, "abcdef", NOW) is None


def test_otpauth_uri_names_issuer_and_account() -> None:
    uri = credentials.totp_uri("ABCDEFGH", "alice", "China In Eurasia")
    assert uri.startswith(
        "otpauth://totp/China%20In%20Eurasia:alice?secret=ABCDEFGH&issuer=China%20In%20Eurasia"
    )
    assert "digits=6" in uri and "period=30" in uri


def test_sealed_secret_is_bound_to_its_user_and_survives_subscriber_key_rotation() -> None:
    ring = Crypto.generate()
    sealed = credentials.seal_totp_secret(ring, "alice", "JBSWY3DPEHPK3PXP")
    assert b"JBSWY3DPEHPK3PXP" not in sealed
    assert credentials.open_totp_secret(ring, "alice", sealed) == "JBSWY3DPEHPK3PXP"
    with pytest.raises(ConfigError):
        credentials.open_totp_secret(ring, "bob", sealed)  # copied onto another account
    with pytest.raises(ConfigError):
        credentials.open_totp_secret(Crypto.generate(), "alice", sealed)
    rotated = ring.with_new_key().current_only()  # what `subscribers rotate-key` leaves behind
    assert credentials.open_totp_secret(rotated, "alice", sealed) == "JBSWY3DPEHPK3PXP"


def test_password_rehashed_when_parameters_change(fresh_db: Database) -> None:
    ring = Crypto.generate()
    old = _policy()
    with fresh_db.begin() as conn:
        accounts.add_user(conn, ring, old, "alice", PASSWORD, role="editor", now=NOW)
        first = conn.execute(select(desk_users.c.password_hash)).scalar_one()
    assert "t=1" in first and "m=1024" in first
    new = _policy(desk_argon2_time_cost=2, desk_argon2_memory_kib=2048)
    with fresh_db.begin() as conn:
        assert accounts.check_password(conn, new, "alice", PASSWORD, now=NOW).ok
        second = conn.execute(select(desk_users.c.password_hash)).scalar_one()
    assert second != first and "t=2" in second and "m=2048" in second
    with fresh_db.begin() as conn:  # the new hash still verifies, and is left alone now
        assert accounts.check_password(conn, new, "alice", PASSWORD, now=NOW).ok
        assert conn.execute(select(desk_users.c.password_hash)).scalar_one() == second


def _full_session(
    db: Database, ring: Crypto, policy: accounts.AccountPolicy, secret: str, at: datetime
) -> str:
    with db.begin() as conn:
        pending = accounts.check_password(conn, policy, "alice", PASSWORD, now=at).session_id
        assert pending is not None
        assert (
            accounts.resolve_session(conn, policy, pending, now=at) is None
        )  # a pending session is no sign-in
        done = accounts.check_code(conn, ring, policy, pending, credentials.totp_code(secret, at), now=at)
    assert done.ok and done.session_id
    return done.session_id


def test_sessions_expire_when_idle_and_after_their_lifetime(fresh_db: Database) -> None:
    ring = Crypto.generate()
    policy = _policy(desk_session_idle_minutes=30, desk_session_hours=2)
    with fresh_db.begin() as conn:
        secret = accounts.add_user(conn, ring, policy, "alice", PASSWORD, role="admin", now=NOW).secret

    idle = _full_session(fresh_db, ring, policy, secret, NOW)
    with fresh_db.begin() as conn:
        assert accounts.resolve_session(conn, policy, idle, now=NOW + timedelta(minutes=29)) is not None
        assert accounts.resolve_session(conn, policy, idle, now=NOW + timedelta(minutes=58)) is not None
        assert accounts.resolve_session(conn, policy, idle, now=NOW + timedelta(minutes=89)) is None

    start = NOW + timedelta(minutes=5)
    busy = _full_session(fresh_db, ring, policy, secret, start)
    with fresh_db.begin() as conn:
        for minutes in range(20, 120, 20):  # used every 20 minutes: never idle
            user = accounts.resolve_session(conn, policy, busy, now=start + timedelta(minutes=minutes))
            assert user is not None and user.username == "alice" and user.is_admin
        assert accounts.resolve_session(conn, policy, busy, now=start + timedelta(minutes=121)) is None
        assert conn.execute(select(desk_sessions)).first() is None  # expired rows are deleted


def test_pending_session_expires_after_five_minutes(fresh_db: Database) -> None:
    ring = Crypto.generate()
    policy = _policy()
    with fresh_db.begin() as conn:
        secret = accounts.add_user(conn, ring, policy, "alice", PASSWORD, role="editor", now=NOW).secret
        pending = accounts.check_password(conn, policy, "alice", PASSWORD, now=NOW).session_id
        assert pending is not None
        late = NOW + timedelta(minutes=6)
        assert not accounts.check_code(
            conn, ring, policy, pending, credentials.totp_code(secret, late), now=late
        ).ok


def _median_seconds(fn: object, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def test_unknown_name_takes_as_long_as_a_wrong_password(fresh_db: Database) -> None:
    ring = Crypto.generate()
    # costly enough that a skipped hash would show (tens of milliseconds against under one)
    policy = _policy(desk_argon2_memory_kib=8192, desk_argon2_time_cost=2, desk_login_max_failures=1000)
    with fresh_db.begin() as conn:
        accounts.add_user(conn, ring, policy, "alice", PASSWORD, role="editor", now=NOW)

    def attempt(name: str) -> None:
        with fresh_db.begin() as conn:
            assert not accounts.check_password(conn, policy, name, "wrong wrong wrong", now=NOW).ok

    unknown = _median_seconds(lambda: attempt("nobody"))
    wrong = _median_seconds(lambda: attempt("alice"))
    assert 0.4 < unknown / wrong < 2.5, (unknown, wrong)


def test_locked_account_refuses_the_right_password_then_unlocks(fresh_db: Database) -> None:
    ring = Crypto.generate()
    policy = _policy(desk_login_max_failures=2, desk_login_window_minutes=10)
    with fresh_db.begin() as conn:
        accounts.add_user(conn, ring, policy, "alice", PASSWORD, role="editor", now=NOW)
        for _ in range(2):
            assert not accounts.check_password(conn, policy, "alice", "nope nope nope", now=NOW).ok
        assert not accounts.check_password(conn, policy, "alice", PASSWORD, now=NOW + timedelta(minutes=9)).ok
        assert accounts.check_password(conn, policy, "alice", PASSWORD, now=NOW + timedelta(minutes=11)).ok


def test_audit_accepts_a_user_a_name_or_nobody(fresh_db: Database) -> None:
    user = accounts.User(id=1, username="alice", role="admin")
    with fresh_db.begin() as conn:
        store.audit(conn, user, "correction.themes", "article:abc", "trade -> energy", at=NOW)
        accounts.record(conn, "(cli)", "user.add", "bob", "role editor", now=NOW)
        store.audit(conn, None, "sign_in.failed", "(unknown name)", "password", at=NOW)
        rows = store.list_audit(conn)
        assert [(r["username"], r["action"]) for r in rows] == [
            (None, "sign_in.failed"),
            ("(cli)", "user.add"),
            ("alice", "correction.themes"),
        ]
        assert [r["action"] for r in store.list_audit(conn, before_id=rows[0]["id"], limit=1)] == ["user.add"]
        assert len(store.list_audit(conn, action="user.add")) == 1


def test_account_rules_refuse_bad_input(fresh_db: Database) -> None:
    ring = Crypto.generate()
    policy = _policy()
    with fresh_db.begin() as conn:
        with pytest.raises(accounts.AccountError, match="at least 12"):
            accounts.add_user(conn, ring, policy, "alice", "short", role="editor", now=NOW)
        with pytest.raises(accounts.AccountError, match="role"):
            accounts.add_user(conn, ring, policy, "alice", PASSWORD, role="owner", now=NOW)
        with pytest.raises(accounts.AccountError, match="not allowed"):
            accounts.add_user(conn, ring, policy, "al ice", PASSWORD, role="editor", now=NOW)
        accounts.add_user(conn, ring, policy, "alice", PASSWORD, role="editor", now=NOW)
        with pytest.raises(accounts.AccountError, match="exists"):
            accounts.add_user(conn, ring, policy, "ALICE", PASSWORD, role="editor", now=NOW)
        with pytest.raises(accounts.AccountError, match="no desk user"):
            accounts.remove_user(conn, "bob", now=NOW)
        editor = accounts.User(id=1, username="alice", role="editor")
        with pytest.raises(accounts.AccountError, match="admins"):
            accounts.view_subscriber(conn, ring, editor, "reader@example.org", now=NOW)


def test_every_account_query_compiles_for_both_databases() -> None:
    builders = {
        n: f
        for n, f in inspect.getmembers(store, inspect.isfunction)
        if n.startswith("_") and n.endswith("_stmt")
    }
    row = {
        "id_hash": "h",
        "user_id": 1,
        "stage": "full",
        "created_at": NOW,
        "last_seen_at": NOW,
        "expires_at": NOW,
    }
    args = {
        "_insert_user_stmt": (
            {"username": "a", "role": "editor", "password_hash": "h", "totp_secret_enc": b"x"},
        ),
        "_get_user_stmt": (1,),
        "_get_user_by_name_stmt": ("a",),
        "_list_users_stmt": (),
        "_update_user_stmt": (1, {"role": "admin"}),
        "_advance_totp_step_stmt": (1, 100),
        "_delete_user_stmt": (1,),
        "_insert_session_stmt": (row,),
        "_get_session_stmt": ("h",),
        "_touch_session_stmt": ("h", NOW),
        "_delete_session_stmt": ("h",),
        "_delete_user_sessions_stmt": (1,),
        "_prune_sessions_stmt": (NOW, NOW),
        "_add_api_token_stmt": ({"user_id": 1, "name": "n", "token_hash": "h", "created_at": NOW},),
        "_find_api_token_stmt": ("h",),
        "_list_api_tokens_stmt": (),
        "_touch_api_token_stmt": (1, NOW),
        "_delete_api_token_stmt": (1, "n"),
        "_delete_user_tokens_stmt": (1,),
        "_add_failure_stmt": ("k", NOW),
        "_count_failures_stmt": (NOW, "k"),
        "_clear_failures_stmt": ("k",),
        "_prune_failures_stmt": (NOW,),
        "_audit_stmt": ({"at": NOW, "username": "a", "action": "x", "target": "", "detail": ""},),
        "_list_audit_stmt": (10, 5, "sign_in"),
    }
    assert set(builders) == set(args)
    for name, fn in builders.items():
        for dialect in (sqlite.dialect(), postgresql.dialect()):
            assert str(fn(dialect.name, *args[name]).compile(dialect=dialect))
    # the global count (no account key) compiles too
    assert "account_key" not in str(store._count_failures_stmt("sqlite", NOW, None))


def test_password_hasher_defaults_are_rfc_9106() -> None:
    hasher = credentials.password_hasher()
    assert isinstance(hasher, PasswordHasher)
    params = hasher._parameters
    assert (params.time_cost, params.memory_cost, params.parallelism) == (3, 65536, 4)
