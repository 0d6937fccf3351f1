"""Signing in and out of the desk, and setting up a new authenticator app.

``/desk/sign-in`` (name and password) → ``/desk/sign-in/code`` (TOTP code) → ``next`` or ``/desk/``.
Each step gives the browser a new session id; the code step also gives it a new CSRF token.
``POST /desk/sign-out`` ends the session on the server. ``/desk/account/two-factor`` lets a
signed-in user move to a new authenticator app (key text and otpauth:// link; no QR service).
The rules are in ``eurasiawatch.accounts``; these routes only read forms and set cookies.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from ... import accounts
from ..auth import (
    SIGN_IN_PATH,
    Editor,
    clear_session_cookie,
    crypto,
    policy,
    safe_next,
    session_cookie,
    set_session_cookie,
)
from ..csrf import rotate_csrf
from ..deps import get_db, now
from ..templating import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_EXPIRED = "That sign-in took too long or was refused. Please start again."


def _sign_in_page(
    request: Request, *, next_: str, message: str = "", username: str = "", status: int = 200
) -> HTMLResponse:
    context = {"title": "Sign in", "next": next_, "message": message, "username": username, "user": None}
    return render(request, "account/sign_in.html", context, status=status)


def _code_page(request: Request, *, next_: str, message: str = "", status: int = 200) -> HTMLResponse:
    context = {"title": "Enter your code", "next": next_, "message": message, "user": None}
    return render(request, "account/code.html", context, status=status)


@router.get(SIGN_IN_PATH, response_class=HTMLResponse)
def sign_in_form(request: Request, next: str = "") -> HTMLResponse:
    """The name and password form."""
    return _sign_in_page(request, next_=safe_next(next))


@router.post(SIGN_IN_PATH, response_class=HTMLResponse)
def sign_in(
    request: Request,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Check the name and password; on success go to the code step with a pending session."""
    target = safe_next(next)
    with get_db(request).begin() as conn:
        result = accounts.check_password(conn, policy(request), username, password, now=now(request))
    if not result.ok or result.session_id is None:
        return _sign_in_page(request, next_=target, message=accounts.REFUSED, username=username, status=401)
    response = RedirectResponse(f"{SIGN_IN_PATH}/code?next={quote(target, safe='/')}", status_code=303)
    set_session_cookie(response, request, result.session_id)
    return response


@router.get(SIGN_IN_PATH + "/code", response_class=HTMLResponse)
def code_form(request: Request, next: str = "") -> Response:
    """The TOTP code form (only with a pending session from the password step)."""
    pending = session_cookie(request)
    with get_db(request).begin() as conn:
        user = accounts.pending_user(conn, pending, now=now(request)) if pending else None
    if user is None:
        return _sign_in_page(request, next_=safe_next(next), message=_EXPIRED, status=401)
    return _code_page(request, next_=safe_next(next))


@router.post(SIGN_IN_PATH + "/code", response_class=HTMLResponse)
def code(
    request: Request,
    code: Annotated[str, Form(max_length=20)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Check the code; on success replace the pending session with a new full one and a new CSRF token."""
    target = safe_next(next)
    pending = session_cookie(request)
    if not pending:
        return _sign_in_page(request, next_=target, message=_EXPIRED, status=401)
    when = now(request)
    with get_db(request).begin() as conn:
        result = accounts.check_code(conn, crypto(request), policy(request), pending, code, now=when)
        still_pending = not result.ok and accounts.pending_user(conn, pending, now=when) is not None
    if result.ok and result.session_id is not None:
        response = RedirectResponse(target, status_code=303)
        set_session_cookie(response, request, result.session_id)
        rotate_csrf(response, request)
        return response
    if still_pending:
        return _code_page(request, next_=target, message=accounts.REFUSED, status=401)
    page = _sign_in_page(request, next_=target, message=accounts.REFUSED, status=401)
    clear_session_cookie(page, request)
    return page


@router.post("/desk/sign-out")
def sign_out(request: Request) -> Response:
    """End this browser's session on the server and forget the cookie."""
    session_id = session_cookie(request)
    if session_id:
        with get_db(request).begin() as conn:
            accounts.sign_out(conn, session_id, now=now(request))
    response = RedirectResponse(SIGN_IN_PATH, status_code=303)
    clear_session_cookie(response, request)
    return response


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _two_factor_page(
    request: Request, user: accounts.User, *, message: str = "", status: int = 200
) -> HTMLResponse:
    enrolment, sealed = accounts.start_enrolment(crypto(request), policy(request), user)
    context = {
        "title": "New authenticator app",
        "user": user,
        "done": False,
        "message": message,
        "grouped": _grouped(enrolment.secret),
        "uri": enrolment.uri,
        "candidate": base64.urlsafe_b64encode(sealed).decode("ascii"),
    }
    return render(request, "account/two_factor.html", context, status=status)


@router.get("/desk/account/two-factor", response_class=HTMLResponse)
def two_factor_form(request: Request, user: Editor) -> HTMLResponse:
    """A new TOTP key for this user, as text and an otpauth:// link, with a form to confirm it."""
    return _two_factor_page(request, user)


@router.post("/desk/account/two-factor", response_class=HTMLResponse)
def two_factor(
    request: Request,
    user: Editor,
    candidate: Annotated[str, Form(max_length=500)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    code: Annotated[str, Form(max_length=20)] = "",
) -> HTMLResponse:
    """Switch to the new key once the password is right and a code from the new key matches."""
    try:
        sealed = base64.urlsafe_b64decode(candidate.encode("ascii"))
    except (binascii.Error, ValueError):
        sealed = b""
    with get_db(request).begin() as conn:
        done = accounts.confirm_enrolment(
            conn, crypto(request), policy(request), user, sealed, password, code, now=now(request)
        )
    if not done:
        message = (
            "That did not work: check your password and the code. "
            "Here is a fresh key: add it to the app and try again."
        )
        return _two_factor_page(request, user, message=message, status=400)
    context = {
        "title": "New authenticator app",
        "user": user,
        "done": True,
        "message": "Done: sign in with codes from the new app from now on.",
    }
    return render(request, "account/two_factor.html", context)
