"""``eurasiawatch users …``: desk accounts (add, passwd, role, reset-totp, remove, list) and API tokens."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.table import Table

from .. import accounts
from ..deliver.crypto import Crypto
from ..store import open_database
from . import app
from .common import Json, console, err_console, runtime

users_app = typer.Typer(
    help="Desk accounts: add, passwd, role, reset-totp, remove, list; API tokens.", no_args_is_help=True
)
token_app = typer.Typer(help="API tokens for /api/v1: create, revoke, list.", no_args_is_help=True)
users_app.add_typer(token_app, name="token")
app.add_typer(users_app, name="users")

_CLI = "(cli)"  # the audit log's actor for changes made on the command line

Role = Annotated[
    str, typer.Option("--role", help="editor or admin (admins see subscriber data and the audit log).")
]
PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from the first line of standard input."),
]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


def _show_enrolment(enrolment: accounts.Enrolment) -> None:
    console.print(
        "Add this account to an authenticator app now; the key is shown only once.\n"
        f"  TOTP key: {enrolment.secret}\n"
        f"  URI:      {enrolment.uri}",
        highlight=False,
        soft_wrap=True,
    )


@users_app.command("add")
def add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Sign-in name (a-z, 0-9, '.', '_', '-').")],
    role: Role = "editor",
    password_stdin: PasswordStdin = False,
) -> None:
    """Create a desk user; prints their TOTP key and otpauth:// URI once."""
    rt = runtime(ctx)
    password = _password(password_stdin)
    crypto = Crypto.from_settings(rt.settings, create=True)
    policy = accounts.AccountPolicy.from_settings(rt.settings)
    with open_database(rt.settings) as db:
        db.ensure_current()
        with db.begin() as conn:
            enrolment = accounts.add_user(
                conn, crypto, policy, username, password, role=role, now=rt.clock().now(), by=_CLI
            )
    console.print(f"added {enrolment.user.role} {enrolment.user.username}", highlight=False)
    _show_enrolment(enrolment)


@users_app.command("passwd")
def passwd(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The user.")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Set a new password for a user and sign them out everywhere."""
    rt = runtime(ctx)
    password = _password(password_stdin)
    policy = accounts.AccountPolicy.from_settings(rt.settings)
    with open_database(rt.settings) as db:
        db.ensure_current()
        with db.begin() as conn:
            ended = accounts.set_password(conn, policy, username, password, now=rt.clock().now(), by=_CLI)
    console.print(f"password changed; {ended} sessions ended", highlight=False)


@users_app.command("role")
def role_(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The user.")],
    role: Annotated[str, typer.Argument(help="editor or admin.")],
) -> None:
    """Change a user's role."""
    rt = runtime(ctx)
    with open_database(rt.settings) as db:
        db.ensure_current()
        with db.begin() as conn:
            user = accounts.set_role(conn, username, role, now=rt.clock().now(), by=_CLI)
    console.print(f"{user.username} is now {user.role}", highlight=False)


@users_app.command("reset-totp")
def reset_totp(ctx: typer.Context, username: Annotated[str, typer.Argument(help="The user.")]) -> None:
    """Give a user a new TOTP key (a lost phone); prints it once and signs them out."""
    rt = runtime(ctx)
    crypto = Crypto.from_settings(rt.settings)
    policy = accounts.AccountPolicy.from_settings(rt.settings)
    with open_database(rt.settings) as db:
        db.ensure_current()
        with db.begin() as conn:
            enrolment = accounts.reset_totp(conn, crypto, policy, username, now=rt.clock().now(), by=_CLI)
    _show_enrolment(enrolment)


@users_app.command("remove")
def remove(ctx: typer.Context, username: Annotated[str, typer.Argument(help="The user.")]) -> None:
    """Delete a user with their sessions and API tokens (the audit log keeps their name)."""
    rt = runtime(ctx)
    with open_database(rt.settings) as db:
        db.ensure_current()
        with db.begin() as conn:
            accounts.remove_user(conn, username, now=rt.clock().now(), by=_CLI)
    console.print(f"removed {accounts.normalize_username(username)}", highlight=False)


@users_app.command("list")
def list_(ctx: typer.Context, as_json: Json = False) -> None:
    """List desk users with their roles."""
    rt = runtime(ctx)
    with open_database(rt.settings) as db:
        db.ensure_current()
        with db.begin() as conn:
            rows = accounts.list_users(conn)
    if as_json:
        typer.echo(json.dumps(rows, default=str, indent=2))
        return
    if not rows:
        err_console.print("no desk users; add one with `eurasiawatch users add NAME --role admin`")
        return
    table = Table(show_edge=False)
    for column in ("username", "role", "created_at"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["username"], row["role"], row["created_at"].isoformat(timespec="seconds"))
    console.print(table)


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The user the token acts as.")],
    name: Annotated[str, typer.Option("--name", help="A label to revoke it by.")] = "default",
) -> None:
    """Create an API token (printed once; send it as `Authorization: Bearer <token>`)."""
    rt = runtime(ctx)
    with open_database(rt.settings) as db:
        db.ensure_current()
        with db.begin() as conn:
            token = accounts.create_api_token(conn, username, name, now=rt.clock().now(), by=_CLI)
    err_console.print("API token (shown only once):", highlight=False)
    typer.echo(token)


@token_app.command("revoke")
def token_revoke(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The token's user.")],
    name: Annotated[str, typer.Option("--name", help="The token's label.")] = "default",
) -> None:
    """Revoke an API token by its user and name."""
    rt = runtime(ctx)
    with open_database(rt.settings) as db:
        db.ensure_current()
        with db.begin() as conn:
            gone = accounts.revoke_api_token(conn, username, name, now=rt.clock().now(), by=_CLI)
    if not gone:
        err_console.print(f"{username} has no token named {name!r}", highlight=False)
        raise typer.Exit(1)
    console.print(f"revoked {username}/{name}", highlight=False)


@token_app.command("list")
def token_list(ctx: typer.Context) -> None:
    """List API tokens by user and name (never the tokens themselves)."""
    rt = runtime(ctx)
    with open_database(rt.settings) as db:
        db.ensure_current()
        with db.begin() as conn:
            rows = accounts.list_api_tokens(conn)
    table = Table(show_edge=False)
    for column in ("username", "name", "created_at", "last_used_at"):
        table.add_column(column)
    for row in rows:
        used = row["last_used_at"].isoformat(timespec="seconds") if row["last_used_at"] else "never"
        table.add_row(row["username"], row["name"], row["created_at"].isoformat(timespec="seconds"), used)
    console.print(table)
