"""Queries over the desk's accounts: users, sessions, API tokens, login failures and the audit log.

Only hashes and ciphertexts pass through here (``credentials.py`` makes them); the rules live in
``accounts.py``. Every statement comes from a ``_*_stmt(dialect, ...)`` builder so a test compiles
them all for SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, Delete, Insert, RowMapping, Select, Update, delete, func, select, update

from .tables import desk_api_tokens, desk_audit, desk_login_failures, desk_sessions, desk_users

__all__ = [
    "Actor",
    "add_api_token",
    "add_failure",
    "advance_totp_step",
    "audit",
    "clear_failures",
    "count_failures",
    "delete_api_token",
    "delete_session",
    "delete_user",
    "delete_user_sessions",
    "find_api_token",
    "get_session",
    "get_user",
    "get_user_by_name",
    "insert_session",
    "insert_user",
    "list_api_tokens",
    "list_audit",
    "list_users",
    "prune_failures",
    "prune_sessions",
    "touch_api_token",
    "touch_session",
    "update_user",
]


class Actor(Protocol):
    """Anything with a ``username`` (the desk's ``User``)."""

    @property
    def username(self) -> str: ...


# -- users -----------------------------------------------------------------------------------------


def _insert_user_stmt(dialect: str, row: dict[str, Any]) -> Insert:
    return desk_users.insert().values(**row)


def insert_user(conn: Connection, row: dict[str, Any]) -> int:
    """Insert a desk user and return the new id."""
    key = conn.execute(_insert_user_stmt(conn.dialect.name, row)).inserted_primary_key
    if key is None:  # pragma: no cover - both databases return the new id
        raise RuntimeError("the database returned no id for the new user")
    return int(key[0])


def _get_user_stmt(dialect: str, user_id: int) -> Select[Any]:
    return select(desk_users).where(desk_users.c.id == user_id)


def get_user(conn: Connection, user_id: int) -> RowMapping | None:
    """One user by id."""
    return conn.execute(_get_user_stmt(conn.dialect.name, user_id)).mappings().first()


def _get_user_by_name_stmt(dialect: str, username: str) -> Select[Any]:
    return select(desk_users).where(desk_users.c.username == username)


def get_user_by_name(conn: Connection, username: str) -> RowMapping | None:
    """One user by (normalised) name."""
    return conn.execute(_get_user_by_name_stmt(conn.dialect.name, username)).mappings().first()


def _list_users_stmt(dialect: str) -> Select[Any]:
    return select(desk_users).order_by(desk_users.c.username)


def list_users(conn: Connection) -> list[RowMapping]:
    """Every user, by name."""
    return list(conn.execute(_list_users_stmt(conn.dialect.name)).mappings())


def _update_user_stmt(dialect: str, user_id: int, values: dict[str, Any]) -> Update:
    return update(desk_users).where(desk_users.c.id == user_id).values(**values)


def update_user(conn: Connection, user_id: int, values: dict[str, Any]) -> None:
    """Change columns of one user."""
    conn.execute(_update_user_stmt(conn.dialect.name, user_id, values))


def _advance_totp_step_stmt(dialect: str, user_id: int, step: int) -> Update:
    # conditional, so two requests racing with the same code cannot both win
    return (
        update(desk_users)
        .where(desk_users.c.id == user_id, desk_users.c.totp_last_step < step)
        .values(totp_last_step=step)
    )


def advance_totp_step(conn: Connection, user_id: int, step: int) -> bool:
    """Record ``step`` as the last accepted TOTP step; False if it (or a later one) was used already."""
    return conn.execute(_advance_totp_step_stmt(conn.dialect.name, user_id, step)).rowcount == 1


def _delete_user_stmt(dialect: str, user_id: int) -> Delete:
    return delete(desk_users).where(desk_users.c.id == user_id)


def delete_user(conn: Connection, user_id: int) -> None:
    """Delete a user with their sessions and API tokens."""
    # explicit rather than relying on ON DELETE CASCADE: SQLite enforces it only with foreign keys on
    delete_user_sessions(conn, user_id)
    conn.execute(_delete_user_tokens_stmt(conn.dialect.name, user_id))
    conn.execute(_delete_user_stmt(conn.dialect.name, user_id))


# -- sessions --------------------------------------------------------------------------------------


def _insert_session_stmt(dialect: str, row: dict[str, Any]) -> Insert:
    return desk_sessions.insert().values(**row)


def insert_session(conn: Connection, row: dict[str, Any]) -> None:
    """Store a session (``id_hash`` is the SHA-256 of the cookie value)."""
    conn.execute(_insert_session_stmt(conn.dialect.name, row))


def _get_session_stmt(dialect: str, id_hash: str) -> Select[Any]:
    return (
        select(
            desk_sessions,
            desk_users.c.username,
            desk_users.c.role,
        )
        .join(desk_users, desk_users.c.id == desk_sessions.c.user_id)
        .where(desk_sessions.c.id_hash == id_hash)
    )


def get_session(conn: Connection, id_hash: str) -> RowMapping | None:
    """A session with its user's name and role."""
    return conn.execute(_get_session_stmt(conn.dialect.name, id_hash)).mappings().first()


def _touch_session_stmt(dialect: str, id_hash: str, at: datetime) -> Update:
    return update(desk_sessions).where(desk_sessions.c.id_hash == id_hash).values(last_seen_at=at)


def touch_session(conn: Connection, id_hash: str, at: datetime) -> None:
    """Move a session's idle clock forward."""
    conn.execute(_touch_session_stmt(conn.dialect.name, id_hash, at))


def _delete_session_stmt(dialect: str, id_hash: str) -> Delete:
    return delete(desk_sessions).where(desk_sessions.c.id_hash == id_hash)


def delete_session(conn: Connection, id_hash: str) -> bool:
    """Delete one session; True if it existed."""
    return conn.execute(_delete_session_stmt(conn.dialect.name, id_hash)).rowcount > 0


def _delete_user_sessions_stmt(dialect: str, user_id: int) -> Delete:
    return delete(desk_sessions).where(desk_sessions.c.user_id == user_id)


def delete_user_sessions(conn: Connection, user_id: int) -> int:
    """Sign a user out everywhere; returns how many sessions ended."""
    return int(conn.execute(_delete_user_sessions_stmt(conn.dialect.name, user_id)).rowcount)


def _prune_sessions_stmt(dialect: str, now: datetime, idle_before: datetime) -> Delete:
    return delete(desk_sessions).where(
        (desk_sessions.c.expires_at <= now) | (desk_sessions.c.last_seen_at < idle_before)
    )


def prune_sessions(conn: Connection, now: datetime, idle_before: datetime) -> int:
    """Delete sessions past their absolute expiry or idle since ``idle_before``."""
    return int(conn.execute(_prune_sessions_stmt(conn.dialect.name, now, idle_before)).rowcount)


# -- API tokens ------------------------------------------------------------------------------------


def _add_api_token_stmt(dialect: str, row: dict[str, Any]) -> Insert:
    return desk_api_tokens.insert().values(**row)


def add_api_token(conn: Connection, row: dict[str, Any]) -> None:
    """Store an API token's hash."""
    conn.execute(_add_api_token_stmt(conn.dialect.name, row))


def _find_api_token_stmt(dialect: str, token_hash: str) -> Select[Any]:
    return (
        select(desk_api_tokens, desk_users.c.username, desk_users.c.role)
        .join(desk_users, desk_users.c.id == desk_api_tokens.c.user_id)
        .where(desk_api_tokens.c.token_hash == token_hash)
    )


def find_api_token(conn: Connection, token_hash: str) -> RowMapping | None:
    """The token with this hash, with its user's name and role."""
    return conn.execute(_find_api_token_stmt(conn.dialect.name, token_hash)).mappings().first()


def _list_api_tokens_stmt(dialect: str) -> Select[Any]:
    return (
        select(
            desk_api_tokens.c.name,
            desk_api_tokens.c.created_at,
            desk_api_tokens.c.last_used_at,
            desk_users.c.username,
        )
        .join(desk_users, desk_users.c.id == desk_api_tokens.c.user_id)
        .order_by(desk_users.c.username, desk_api_tokens.c.name)
    )


def list_api_tokens(conn: Connection) -> list[RowMapping]:
    """Every token's name, owner and dates (never the token)."""
    return list(conn.execute(_list_api_tokens_stmt(conn.dialect.name)).mappings())


def _touch_api_token_stmt(dialect: str, token_id: int, at: datetime) -> Update:
    return update(desk_api_tokens).where(desk_api_tokens.c.id == token_id).values(last_used_at=at)


def touch_api_token(conn: Connection, token_id: int, at: datetime) -> None:
    """Record when a token was last used."""
    conn.execute(_touch_api_token_stmt(conn.dialect.name, token_id, at))


def _delete_api_token_stmt(dialect: str, user_id: int, name: str) -> Delete:
    return delete(desk_api_tokens).where(desk_api_tokens.c.user_id == user_id, desk_api_tokens.c.name == name)


def delete_api_token(conn: Connection, user_id: int, name: str) -> bool:
    """Revoke one of a user's tokens by name; True if it existed."""
    return conn.execute(_delete_api_token_stmt(conn.dialect.name, user_id, name)).rowcount > 0


def _delete_user_tokens_stmt(dialect: str, user_id: int) -> Delete:
    return delete(desk_api_tokens).where(desk_api_tokens.c.user_id == user_id)


# -- login failures --------------------------------------------------------------------------------


def _add_failure_stmt(dialect: str, account_key: str, at: datetime) -> Insert:
    return desk_login_failures.insert().values(account_key=account_key, at=at)


def add_failure(conn: Connection, account_key: str, at: datetime) -> None:
    """Count one failed sign-in against this account key (a hash of the name typed)."""
    conn.execute(_add_failure_stmt(conn.dialect.name, account_key, at))


def _count_failures_stmt(dialect: str, since: datetime, account_key: str | None) -> Select[Any]:
    stmt = select(func.count()).select_from(desk_login_failures).where(desk_login_failures.c.at >= since)
    if account_key is not None:
        stmt = stmt.where(desk_login_failures.c.account_key == account_key)
    return stmt


def count_failures(conn: Connection, since: datetime, account_key: str | None = None) -> int:
    """Failed sign-ins since ``since``, for one account key or (None) in total."""
    return int(conn.execute(_count_failures_stmt(conn.dialect.name, since, account_key)).scalar_one())


def _clear_failures_stmt(dialect: str, account_key: str) -> Delete:
    return delete(desk_login_failures).where(desk_login_failures.c.account_key == account_key)


def clear_failures(conn: Connection, account_key: str) -> None:
    """Forget an account's failures (after a complete sign-in, or an admin unlocking it)."""
    conn.execute(_clear_failures_stmt(conn.dialect.name, account_key))


def _prune_failures_stmt(dialect: str, before: datetime) -> Delete:
    return delete(desk_login_failures).where(desk_login_failures.c.at < before)


def prune_failures(conn: Connection, before: datetime) -> int:
    """Delete failure rows older than any window that still counts them."""
    return int(conn.execute(_prune_failures_stmt(conn.dialect.name, before)).rowcount)


# -- audit log -------------------------------------------------------------------------------------


def _audit_stmt(dialect: str, row: dict[str, Any]) -> Insert:
    return desk_audit.insert().values(**row)


def audit(
    conn: Connection,
    user: Actor | str | None,
    action: str,
    target: str = "",
    detail: str = "",
    *,
    at: datetime,
) -> None:
    """Write one audit row: who (a user, a name, or None for anonymous) did what to what.

    Args:
        conn: an open transaction (the row commits with the change it records).
        user: the acting desk user, their name, or None.
        action: a short dotted verb, e.g. ``sign_in``, ``user.add``, ``subscriber.view``.
        target: what it was done to (a user name, an article id, "subscriber:<token>").
        detail: free text for the reader of the log; never a password, code or address in the clear.
        at: when.
    """
    name = user if isinstance(user, str) or user is None else user.username
    row = {"at": at, "username": name, "action": action, "target": target, "detail": detail}
    conn.execute(_audit_stmt(conn.dialect.name, row))


def _list_audit_stmt(dialect: str, limit: int, before_id: int | None, action: str | None) -> Select[Any]:
    stmt = select(desk_audit).order_by(desk_audit.c.id.desc()).limit(limit)
    if before_id is not None:
        stmt = stmt.where(desk_audit.c.id < before_id)
    if action:
        stmt = stmt.where(desk_audit.c.action == action)
    return stmt


def list_audit(
    conn: Connection, *, limit: int = 100, before_id: int | None = None, action: str | None = None
) -> list[RowMapping]:
    """Audit rows, newest first, a page at a time (``before_id`` from the last row of the previous page)."""
    return list(conn.execute(_list_audit_stmt(conn.dialect.name, limit, before_id, action)).mappings())
