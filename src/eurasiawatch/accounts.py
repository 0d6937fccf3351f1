"""Desk accounts: users and roles, two-step sign-in, server-side sessions, API tokens, the audit log.

The CLI (``eurasiawatch users …``) and the web desk (``web.auth``, ``web.routes.account``) call these
functions; they hold the rules, ``credentials`` the cryptography and ``store.accounts`` the SQL.

Sign-in has two steps. ``check_password`` verifies the name and password and opens a short-lived
*pending* session (stage ``totp``) that proves nothing but the password; ``check_code`` verifies the
TOTP code, deletes the pending session and opens a new, full one: a new random id at every step, so
a session id planted before sign-in is never the one that is signed in.

Rate limits count failures without any client address (the privacy policy stores none): per account
name typed (a hash, so unknown names are limited the same way as real ones) and in total over a
minute. Every refusal, for whatever reason, has the same message, and unknown names and locked
accounts are checked against a dummy hash so they take as long as a wrong password.

Functions that may refuse return a result instead of raising, so the caller commits the failure
count and the audit row that the refusal wrote.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import Connection, RowMapping

from . import credentials
from .config import Settings
from .deliver.crypto import Crypto
from .deliver.subscriber_data import export_subscriber
from .errors import ConfigError, EurasiawatchError
from .store import accounts as store
from .store.subscribers import status_counts

__all__ = [
    "REFUSED",
    "ROLES",
    "AccountError",
    "AccountPolicy",
    "Enrolment",
    "SignIn",
    "User",
    "add_user",
    "check_code",
    "check_password",
    "confirm_enrolment",
    "create_api_token",
    "list_api_tokens",
    "list_users",
    "normalize_username",
    "peek_session",
    "pending_user",
    "record",
    "remove_user",
    "reset_totp",
    "resolve_api_token",
    "resolve_session",
    "revoke_api_token",
    "set_password",
    "set_role",
    "sign_out",
    "start_enrolment",
    "subscriber_counts",
    "view_subscriber",
]

ROLES = ("editor", "admin")
REFUSED = "That did not work: check the name, password and code, or wait a few minutes and try again."
MIN_PASSWORD_CHARS = 12
API_TOKEN_PREFIX = "ewt_"
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_PENDING = "totp"
_FULL = "full"
_TOUCH_EVERY = timedelta(seconds=60)  # write last_seen_at at most this often per session


class AccountError(EurasiawatchError):
    """A desk account command was given something it cannot do (unknown user, weak password …)."""


@dataclass(frozen=True, slots=True)
class User:
    """A signed-in desk user (what ``current_user`` returns)."""

    id: int
    username: str
    role: str

    @property
    def is_admin(self) -> bool:
        """Whether the user may see subscriber data and the audit log."""
        return self.role == "admin"


@dataclass(frozen=True, slots=True)
class Enrolment:
    """A new TOTP secret to give the person once: the key text and the otpauth:// URI."""

    user: User
    secret: str
    uri: str


@dataclass(frozen=True, slots=True)
class SignIn:
    """The outcome of a sign-in step: the new session id for the cookie, or a refusal."""

    session_id: str | None = None
    user: User | None = None

    @property
    def ok(self) -> bool:
        """Whether the step succeeded."""
        return self.session_id is not None


@dataclass(frozen=True, slots=True)
class AccountPolicy:
    """Lifetimes, limits and the password hasher, from settings (build once per process)."""

    session_idle: timedelta
    session_max: timedelta
    pending_ttl: timedelta
    max_failures: int
    failure_window: timedelta
    global_max_failures: int
    global_window: timedelta
    issuer: str
    hasher: PasswordHasher
    dummy_hash: str

    @classmethod
    def from_settings(cls, settings: Settings) -> AccountPolicy:
        """The policy the settings describe (makes one argon2 hash for the timing dummy)."""
        hasher = credentials.password_hasher(settings.desk_argon2_time_cost, settings.desk_argon2_memory_kib)
        return cls(
            session_idle=timedelta(minutes=settings.desk_session_idle_minutes),
            session_max=timedelta(hours=settings.desk_session_hours),
            pending_ttl=timedelta(minutes=5),
            max_failures=settings.desk_login_max_failures,
            failure_window=timedelta(minutes=settings.desk_login_window_minutes),
            global_max_failures=settings.desk_login_global_max_failures,
            global_window=timedelta(minutes=1),
            issuer=settings.desk_totp_issuer,
            hasher=hasher,
            dummy_hash=credentials.dummy_hash(hasher),
        )


def normalize_username(name: str) -> str:
    """The stored form of a user name: trimmed and lowercased."""
    return name.strip().lower()


def _check_name(name: str) -> str:
    username = normalize_username(name)
    if not _NAME.match(username):
        raise AccountError(
            f"user name {name!r} is not allowed",
            hint="use 1-64 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit",
        )
    return username


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(
            f"the password is {len(password)} characters; it needs at least {MIN_PASSWORD_CHARS}"
        )


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"role {role!r} is not one of {', '.join(ROLES)}")
    return role


def _user(row: RowMapping) -> User:
    return User(
        id=int(row["user_id"] if "user_id" in row else row["id"]), username=row["username"], role=row["role"]
    )


def _require(conn: Connection, username: str) -> RowMapping:
    row = store.get_user_by_name(conn, normalize_username(username))
    if row is None:
        raise AccountError(f"there is no desk user {username!r}", hint="see `eurasiawatch users list`")
    return row


def record(
    conn: Connection,
    user: User | str | None,
    action: str,
    target: str = "",
    detail: str = "",
    *,
    now: datetime,
) -> None:
    """Write an audit row (see ``store.accounts.audit``); for other drivers, e.g. corrections."""
    store.audit(conn, user, action, target, detail, at=now)


# -- managing users --------------------------------------------------------------------------------


def _enrol(crypto: Crypto, policy: AccountPolicy, username: str) -> tuple[str, bytes, str]:
    secret = credentials.new_totp_secret()
    return (
        secret,
        credentials.seal_totp_secret(crypto, username, secret),
        credentials.totp_uri(secret, username, policy.issuer),
    )


def add_user(
    conn: Connection,
    crypto: Crypto,
    policy: AccountPolicy,
    username: str,
    password: str,
    *,
    role: str,
    now: datetime,
    by: User | str | None = None,
) -> Enrolment:
    """Create a desk user with a new TOTP secret.

    Returns:
        The enrolment: show ``secret`` and ``uri`` once; they are stored only encrypted.

    Raises:
        AccountError: bad name, role or password, or the name is taken.
    """
    name = _check_name(username)
    _check_role(role)
    _check_password(password)
    if store.get_user_by_name(conn, name) is not None:
        raise AccountError(f"desk user {name!r} exists already", hint="use `eurasiawatch users passwd`")
    secret, sealed, uri = _enrol(crypto, policy, name)
    user_id = store.insert_user(
        conn,
        {
            "username": name,
            "role": role,
            "password_hash": credentials.hash_password(policy.hasher, password),
            "totp_secret_enc": sealed,
            "totp_last_step": 0,
            "created_at": now,
            "updated_at": now,
        },
    )
    store.audit(conn, by, "user.add", name, f"role {role}", at=now)
    return Enrolment(user=User(id=user_id, username=name, role=role), secret=secret, uri=uri)


def set_password(
    conn: Connection,
    policy: AccountPolicy,
    username: str,
    password: str,
    *,
    now: datetime,
    by: User | str | None = None,
) -> int:
    """Replace a user's password and end their sessions; returns how many sessions ended."""
    row = _require(conn, username)
    _check_password(password)
    store.update_user(
        conn,
        row["id"],
        {"password_hash": credentials.hash_password(policy.hasher, password), "updated_at": now},
    )
    ended = store.delete_user_sessions(conn, row["id"])
    store.clear_failures(conn, _account_key(row["username"]))
    store.audit(conn, by, "user.passwd", row["username"], f"{ended} sessions ended", at=now)
    return ended


def reset_totp(
    conn: Connection,
    crypto: Crypto,
    policy: AccountPolicy,
    username: str,
    *,
    now: datetime,
    by: User | str | None = None,
) -> Enrolment:
    """Give a user a new TOTP secret (a lost phone) and end their sessions."""
    row = _require(conn, username)
    secret, sealed, uri = _enrol(crypto, policy, row["username"])
    store.update_user(conn, row["id"], {"totp_secret_enc": sealed, "totp_last_step": 0, "updated_at": now})
    store.delete_user_sessions(conn, row["id"])
    store.audit(conn, by, "user.reset_totp", row["username"], "", at=now)
    return Enrolment(user=_user(row), secret=secret, uri=uri)


def start_enrolment(crypto: Crypto, policy: AccountPolicy, user: User) -> tuple[Enrolment, bytes]:
    """A candidate TOTP secret for a signed-in user, and the same secret sealed to hand back on confirm.

    Nothing is stored: the old secret keeps working until ``confirm_enrolment`` sees a code from the
    new one.
    """
    secret, sealed, uri = _enrol(crypto, policy, user.username)
    return Enrolment(user=user, secret=secret, uri=uri), sealed


def confirm_enrolment(
    conn: Connection,
    crypto: Crypto,
    policy: AccountPolicy,
    user: User,
    sealed: bytes,
    password: str,
    code: str,
    *,
    now: datetime,
) -> bool:
    """Store a candidate secret once the password is right and a code from the new secret matches.

    The password is asked again so that a session left open on someone else's screen cannot be used
    to move the account to another phone. A wrong password counts as a failed sign-in.

    Returns:
        True when the new secret is stored; False (nothing changed) otherwise.
    """
    key = _account_key(user.username)
    row = store.get_user(conn, user.id)
    if row is None or _locked(conn, policy, key, now):
        return False
    if not credentials.check_password(policy.hasher, row["password_hash"], password).ok:
        _fail(conn, key, user.username, "password (new authenticator)", now)
        return False
    try:
        secret = credentials.open_totp_secret(crypto, user.username, sealed)
    except ConfigError:
        return False
    step = credentials.match_totp(secret, code, now)
    if step is None:
        return False
    store.update_user(
        conn, user.id, {"totp_secret_enc": bytes(sealed), "totp_last_step": step, "updated_at": now}
    )
    store.audit(
        conn, user, "user.reset_totp", user.username, "new authenticator confirmed on the desk", at=now
    )
    return True


def set_role(
    conn: Connection, username: str, role: str, *, now: datetime, by: User | str | None = None
) -> User:
    """Change a user's role."""
    row = _require(conn, username)
    _check_role(role)
    store.update_user(conn, row["id"], {"role": role, "updated_at": now})
    store.audit(conn, by, "user.role", row["username"], f"{row['role']} -> {role}", at=now)
    return User(id=row["id"], username=row["username"], role=role)


def remove_user(conn: Connection, username: str, *, now: datetime, by: User | str | None = None) -> None:
    """Delete a user, their sessions and API tokens (the audit log keeps their name)."""
    row = _require(conn, username)
    store.delete_user(conn, row["id"])
    store.audit(conn, by, "user.remove", row["username"], "", at=now)


def list_users(conn: Connection) -> list[dict[str, Any]]:
    """Every user's name, role and dates (no secrets)."""
    return [
        {
            "username": r["username"],
            "role": r["role"],
            "created_at": r["created_at"],
            "updated_at": r["updated_at"],
        }
        for r in store.list_users(conn)
    ]


# -- signing in ------------------------------------------------------------------------------------


def _account_key(username: str) -> str:
    return hashlib.sha256(b"desk sign-in:" + normalize_username(username).encode("utf-8")).hexdigest()


def _locked(conn: Connection, policy: AccountPolicy, key: str, now: datetime) -> bool:
    if store.count_failures(conn, now - policy.global_window) >= policy.global_max_failures:
        return True
    return store.count_failures(conn, now - policy.failure_window, key) >= policy.max_failures


def _fail(conn: Connection, key: str, username: str | None, reason: str, now: datetime) -> SignIn:
    store.add_failure(conn, key, now)
    # the name typed is logged only when it is an account: a password typed into the name box must not be
    store.audit(conn, None, "sign_in.failed", username or "(unknown name)", reason, at=now)
    return SignIn()


def _open_session(conn: Connection, user_id: int, stage: str, now: datetime, expires: datetime) -> str:
    session_id = credentials.new_secret()
    store.insert_session(
        conn,
        {
            "id_hash": credentials.hash_secret(session_id),
            "user_id": user_id,
            "stage": stage,
            "created_at": now,
            "last_seen_at": now,
            "expires_at": expires,
        },
    )
    return session_id


def check_password(
    conn: Connection, policy: AccountPolicy, username: str, password: str, *, now: datetime
) -> SignIn:
    """Step one: the name and password. On success, a pending session id (cookie) for the code step.

    Every refusal (unknown name, wrong password, account or sign-in paused) looks the same and takes
    about as long. Commit the transaction whatever the outcome: a refusal records a failure.
    """
    store.prune_sessions(conn, now, now - policy.session_idle)
    store.prune_failures(conn, now - max(policy.failure_window, policy.global_window))
    key = _account_key(username)
    row = store.get_user_by_name(conn, normalize_username(username))
    if _locked(conn, policy, key, now):
        credentials.dummy_check(policy.hasher, policy.dummy_hash, password)
        return SignIn()
    if row is None:
        credentials.dummy_check(policy.hasher, policy.dummy_hash, password)
        return _fail(conn, key, None, "password", now)
    check = credentials.check_password(policy.hasher, row["password_hash"], password)
    if not check.ok:
        return _fail(conn, key, row["username"], "password", now)
    if check.needs_rehash:
        store.update_user(
            conn, row["id"], {"password_hash": credentials.hash_password(policy.hasher, password)}
        )
    session_id = _open_session(conn, row["id"], _PENDING, now, now + policy.pending_ttl)
    return SignIn(session_id=session_id, user=_user(row))


def check_code(
    conn: Connection, crypto: Crypto, policy: AccountPolicy, pending_id: str, code: str, *, now: datetime
) -> SignIn:
    """Step two: the TOTP code for a pending session. On success, the new full session's id.

    A code is accepted one 30-second step either side of now, and never twice: the account keeps the
    last step it accepted. The pending session is replaced by a new one with a new id.
    """
    pending_hash = credentials.hash_secret(pending_id)
    row = store.get_session(conn, pending_hash)
    if row is None or row["stage"] != _PENDING or row["expires_at"] <= now:
        return SignIn()
    key = _account_key(row["username"])
    if _locked(conn, policy, key, now):
        store.delete_session(conn, pending_hash)
        return SignIn()
    user = store.get_user(conn, row["user_id"])
    if user is None:  # pragma: no cover - the join above found it
        return SignIn()
    secret = credentials.open_totp_secret(crypto, user["username"], user["totp_secret_enc"])
    step = credentials.match_totp(secret, code, now, after_step=int(user["totp_last_step"]))
    if step is None or not store.advance_totp_step(conn, user["id"], step):
        return _fail(conn, key, user["username"], "code", now)
    store.delete_session(conn, pending_hash)
    session_id = _open_session(conn, user["id"], _FULL, now, now + policy.session_max)
    store.clear_failures(conn, key)
    signed_in = _user(user)
    store.audit(conn, signed_in, "sign_in", signed_in.username, "", at=now)
    return SignIn(session_id=session_id, user=signed_in)


def pending_user(conn: Connection, pending_id: str, *, now: datetime) -> User | None:
    """The user a pending (password checked, code not yet) session belongs to, if still valid."""
    row = store.get_session(conn, credentials.hash_secret(pending_id))
    if row is None or row["stage"] != _PENDING or row["expires_at"] <= now:
        return None
    return _user(row)


def resolve_session(
    conn: Connection, policy: AccountPolicy, session_id: str, *, now: datetime
) -> User | None:
    """The user a full session id belongs to; None when unknown, pending, idle too long or expired."""
    id_hash = credentials.hash_secret(session_id)
    row = store.get_session(conn, id_hash)
    state = _session_state(row, policy, now)
    if state == "gone":
        store.delete_session(conn, id_hash)
    elif state == "touch":
        store.touch_session(conn, id_hash, now)
    return _user(row) if row is not None and state in ("ok", "touch") else None


def peek_session(
    conn: Connection, policy: AccountPolicy, session_id: str, *, now: datetime
) -> tuple[User | None, bool]:
    """What ``resolve_session`` would answer, without writing: ``(user, writes)``.

    ``writes`` is True when ``resolve_session`` would change the store (an expired session to
    delete, or ``last_seen_at`` due its once-a-minute update): only then does a request need a
    write transaction, which on SQLite takes the one write lock.
    """
    row = store.get_session(conn, credentials.hash_secret(session_id))
    state = _session_state(row, policy, now)
    user = _user(row) if row is not None and state in ("ok", "touch") else None
    return user, state in ("gone", "touch")


def _session_state(row: RowMapping | None, policy: AccountPolicy, now: datetime) -> str:
    """none (unknown or pending), gone (expired or idle too long), touch (due an update) or ok."""
    if row is None or row["stage"] != _FULL:
        return "none"
    if row["expires_at"] <= now or row["last_seen_at"] + policy.session_idle <= now:
        return "gone"
    return "touch" if now - row["last_seen_at"] >= _TOUCH_EVERY else "ok"


def sign_out(conn: Connection, session_id: str, *, now: datetime) -> User | None:
    """End a session (pending or full); returns whose it was."""
    id_hash = credentials.hash_secret(session_id)
    row = store.get_session(conn, id_hash)
    if row is None:
        return None
    store.delete_session(conn, id_hash)
    user = _user(row)
    if row["stage"] == _FULL:
        store.audit(conn, user, "sign_out", user.username, "", at=now)
    return user


# -- API tokens ------------------------------------------------------------------------------------


def create_api_token(
    conn: Connection, username: str, name: str, *, now: datetime, by: User | str | None = None
) -> str:
    """A new API token for a user (shown once; only its hash is kept).

    Raises:
        AccountError: unknown user, or the user already has a token with this name.
    """
    row = _require(conn, username)
    label = name.strip()
    if not label or len(label) > 100:
        raise AccountError("a token needs a name of 1-100 characters")
    if any(t["username"] == row["username"] and t["name"] == label for t in store.list_api_tokens(conn)):
        raise AccountError(f"{row['username']} already has a token named {label!r}", hint="revoke it first")
    token = credentials.new_secret(API_TOKEN_PREFIX)
    store.add_api_token(
        conn,
        {
            "user_id": row["id"],
            "name": label,
            "token_hash": credentials.hash_secret(token),
            "created_at": now,
        },
    )
    store.audit(conn, by, "token.create", row["username"], label, at=now)
    return token


def revoke_api_token(
    conn: Connection, username: str, name: str, *, now: datetime, by: User | str | None = None
) -> bool:
    """Revoke a user's token by name; False when there was none."""
    row = _require(conn, username)
    gone = store.delete_api_token(conn, row["id"], name.strip())
    if gone:
        store.audit(conn, by, "token.revoke", row["username"], name.strip(), at=now)
    return gone


def list_api_tokens(conn: Connection) -> list[dict[str, Any]]:
    """Every token's owner, name and dates (never the token)."""
    return [dict(r) for r in store.list_api_tokens(conn)]


def resolve_api_token(conn: Connection, token: str, *, now: datetime) -> User | None:
    """The user an API token belongs to, else None."""
    if not token.startswith(API_TOKEN_PREFIX):
        return None
    row = store.find_api_token(conn, credentials.hash_secret(token))
    if row is None:
        return None
    if row["last_used_at"] is None or now - row["last_used_at"] >= _TOUCH_EVERY:
        store.touch_api_token(conn, row["id"], now)
    return User(id=int(row["user_id"]), username=row["username"], role=row["role"])


# -- subscriber data (admins only; every view audited) ---------------------------------------------


def subscriber_counts(conn: Connection) -> dict[str, int]:
    """Subscribers per state (no personal data, so no audit row)."""
    return status_counts(conn)


def view_subscriber(
    conn: Connection, crypto: Crypto, viewer: User, address: str, *, now: datetime
) -> dict[str, Any] | None:
    """What is held about one address, for an admin; writes an audit row whether or not it is held.

    Raises:
        AccountError: the viewer is not an admin.
    """
    if not viewer.is_admin:
        raise AccountError("only admins may see subscriber data")
    data = export_subscriber(conn, crypto, address)
    # the audit row names the subscriber by their opaque token, not their address
    target = f"subscriber:{data['token']}" if data and data.get("token") else "subscriber:(not held)"
    store.audit(conn, viewer, "subscriber.view", target, "found" if data else "nothing held", at=now)
    return data
