"""Reader pages wired to the deliver stage: subscribe, confirm, preferences, unsubscribe.

- ``/subscribe``: the form carries a proof-of-work challenge (``deliver.abuse``) that
  ``/static/pow.js`` solves in the background. Without JavaScript the form is answered with a page
  that asks the reader to wait a few seconds and press the button again (a signed "wait" token,
  single use). Whatever happens to the address, every visitor sees the same answer.
- ``/confirm?token=…``: the link from the confirmation mail shows a button; pressing it (POST)
  confirms. Link scanners that fetch the URL confirm nothing.
- ``/preferences/<token>``: pause, resume, set or remove an OpenPGP key, leave.
- ``/unsubscribe/<token>``: the RFC 8058 one-click URL. POST unsubscribes and answers 200 (mail
  clients send it without a cookie, so it is exempt from CSRF); GET only shows a button.

Unknown tokens get the same answers as known ones, so nothing here tells whether an address or a
token is on the list.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from ...config import Settings
from ...deliver import abuse
from ...deliver import subscribers as subs
from ...deliver.confirmation import confirmation_message
from ...deliver.crypto import Crypto
from ...deliver.notices import signing_keys
from ...deliver.options import SendOptions
from ...deliver.pgp import PgpKeyError, check_public_key
from ...deliver.smtp import SmtpMailer
from ...deliver.tokens import InvalidToken
from ...errors import DeliveryError
from ..deps import get_db, get_settings, now
from ..templating import render

__all__ = ["NOJS_WAIT_SECONDS", "router"]

log = logging.getLogger(__name__)
router = APIRouter()
NOJS_WAIT_SECONDS = 8.0  # app.state.nojs_wait_seconds overrides (tests)
_TOKEN_CHARS = 64


def _crypto(settings: Settings) -> Crypto:
    return Crypto.from_settings(settings, create=True)


def _wall_clock() -> datetime:
    # the no-JS wait is measured in real seconds, also when the app replays a day with --as-of
    return datetime.now(UTC)


def _wait_seconds(request: Request) -> float:
    return float(getattr(request.app.state, "nojs_wait_seconds", NOJS_WAIT_SECONDS))


def _form(request: Request, *, email: str = "", error: str = "", status: int = 200) -> HTMLResponse:
    settings = get_settings(request)
    challenge = abuse.issue_challenge(
        _crypto(settings), now(request), difficulty=settings.deliver_pow_difficulty
    )
    context = {"title": "Subscribe", "challenge": challenge, "email": email, "error": error}
    return render(request, "subscribe.html", context, status=status)


@router.get("/subscribe", response_class=HTMLResponse, include_in_schema=False)
def subscribe_page(request: Request) -> HTMLResponse:
    """The subscribe form with a fresh proof-of-work challenge."""
    return _form(request)


@dataclass(frozen=True, slots=True)
class _Outcome:
    kind: str  # "done" | "wait" | "bad_address" | "bad_key"
    message: str = ""
    mail: Any = None


def _subscribe(
    request: Request, email: str, pgp_key: str, challenge: str, solution: str, wait: str
) -> _Outcome:
    settings = get_settings(request)
    crypto = _crypto(settings)
    moment = now(request)
    try:
        address = subs.check_address(email)
    except subs.InvalidAddress as exc:
        return _Outcome("bad_address", str(exc))
    key = pgp_key.strip() or None
    if key is not None:
        try:
            check_public_key(key)
        except PgpKeyError as exc:
            return _Outcome("bad_key", str(exc))
    with get_db(request).begin() as conn:
        passed = bool(challenge and solution) and abuse.verify_solution(
            conn, crypto, challenge, solution, difficulty=settings.deliver_pow_difficulty, now=moment
        )
        if not passed and wait:
            passed = abuse.verify_wait(
                conn, crypto, wait, now=_wall_clock(), min_seconds=_wait_seconds(request)
            )
    if not passed:
        return _Outcome("wait")
    with get_db(request).begin() as conn:
        result = subs.subscribe(
            conn,
            crypto,
            address,
            source="web form",
            now=moment,
            per_hour=settings.deliver_confirmations_per_hour,
            confirm_hours=settings.deliver_confirm_hours,
            pgp_key=key,
        )
    mail = None
    if result.confirmation is not None:
        confirm_url = str(request.url_for("confirm_page")) + "?token={token}"
        options = SendOptions.from_settings(settings)
        mail = confirmation_message(
            result.confirmation,
            confirm_url=confirm_url,
            options=options,
            now=moment,
            hours=settings.deliver_confirm_hours,
            keys=signing_keys(options),
        )
    return _Outcome("done", result.public_message, mail)


@router.post("/subscribe", response_class=HTMLResponse, include_in_schema=False)
async def subscribe_post(
    request: Request,
    email: str = Form(""),
    pgp_key: str = Form(""),
    challenge: str = Form(""),
    solution: str = Form(""),
    wait: str = Form(""),
) -> HTMLResponse:
    """Check the challenge, start the double opt-in and mail the confirmation link."""
    outcome = await run_in_threadpool(_subscribe, request, email, pgp_key, challenge, solution, wait)
    if outcome.kind in ("bad_address", "bad_key"):
        return _form(request, email=email, error=outcome.message, status=400)
    if outcome.kind == "wait":
        settings = get_settings(request)
        token = abuse.issue_wait(_crypto(settings), _wall_clock())
        context = {
            "title": "One more step",
            "email": email,
            "pgp_key": pgp_key,
            "wait": token,
            "seconds": int(_wait_seconds(request)),
        }
        return render(request, "subscribe_wait.html", context)
    if outcome.mail is not None:
        settings = get_settings(request)
        options = SendOptions.from_settings(settings)
        mailer = SmtpMailer(options.relays, domain_rate=options.domain_rate)
        try:
            await mailer.send(outcome.mail)
        except DeliveryError as exc:  # the reader sees the same answer; the operator sees the log
            log.error("subscribe: the confirmation mail could not be sent: %s", exc)
        finally:
            await mailer.close()
    return render(request, "message.html", {"title": "Check your inbox", "message": outcome.message})


@router.get("/confirm", response_class=HTMLResponse, include_in_schema=False, name="confirm_page")
def confirm_page(request: Request, token: str = "") -> HTMLResponse:
    """The confirmation link: a button that confirms (so link scanners confirm nothing)."""
    return render(request, "confirm.html", {"title": "Confirm your subscription", "token": token[:200]})


@router.post("/confirm", response_class=HTMLResponse, include_in_schema=False)
def confirm_post(request: Request, token: str = Form("")) -> HTMLResponse:
    """Confirm the subscription of a signed confirmation token."""
    settings = get_settings(request)
    crypto = _crypto(settings)
    moment = now(request)
    try:
        subscriber = crypto.verify_token(subs.CONFIRM_PURPOSE, token, moment)
    except InvalidToken:
        message = "This confirmation link is damaged or has expired. Please subscribe again."
        return render(request, "message.html", {"title": "Link not valid", "message": message}, status=400)
    with get_db(request).begin() as conn:
        done = subs.confirm(conn, crypto, token, now=moment)
    if not done:
        message = "This request is no longer open (it was cancelled or cleaned up). Please subscribe again."
        return render(request, "message.html", {"title": "Nothing to confirm", "message": message})
    context = {"title": "You are subscribed", "preferences": f"/preferences/{subscriber}"}
    return render(request, "confirmed.html", context)


def _clean(token: str) -> str:
    return token.strip().lower()[:_TOKEN_CHARS]


@router.get("/preferences/{token}", response_class=HTMLResponse, include_in_schema=False)
def preferences_page(request: Request, token: str) -> HTMLResponse:
    """Pause, resume, OpenPGP key, leave (the same page for any token)."""
    return render(request, "preferences.html", {"title": "Your subscription", "token": _clean(token)})


_DONE = {
    "pause": "Deliveries are paused. Come back here to resume them.",
    "resume": "Deliveries are on again.",
    "set_key": "Your OpenPGP key is saved: future editions arrive encrypted to it.",
    "remove_key": "Your OpenPGP key is removed: future editions arrive unencrypted.",
    "unsubscribe": "You are unsubscribed. Nothing more will be sent to this address.",
}


@router.post("/preferences/{token}", response_class=HTMLResponse, include_in_schema=False)
def preferences_post(
    request: Request, token: str, action: str = Form(""), pgp_key: str = Form("")
) -> HTMLResponse:
    """Apply one change; the answer is the same whether the token is known or not."""
    token = _clean(token)
    if action not in _DONE:
        context = {"title": "Your subscription", "token": token, "error": "Choose one of the buttons."}
        return render(request, "preferences.html", context, status=400)
    settings = get_settings(request)
    moment = now(request)
    key = pgp_key.strip()
    if action == "set_key":
        try:
            check_public_key(key)
        except PgpKeyError as exc:
            context = {"title": "Your subscription", "token": token, "error": str(exc)}
            return render(request, "preferences.html", context, status=400)
    with get_db(request).begin() as conn:
        if action == "pause":
            subs.pause(conn, token, now=moment)
        elif action == "resume":
            subs.resume(conn, token, now=moment)
        elif action == "unsubscribe":
            subs.unsubscribe_by_token(conn, token, now=moment)
        else:
            subs.set_pgp_key(conn, _crypto(settings), token, key or None, now=moment)
    context = {"title": "Saved", "message": _DONE[action], "preferences": f"/preferences/{token}"}
    return render(request, "message.html", context)


@router.get("/unsubscribe/{token}", response_class=HTMLResponse, include_in_schema=False)
def unsubscribe_page(request: Request, token: str) -> HTMLResponse:
    """Never unsubscribes: shows a button that does (mail scanners fetch links)."""
    return render(request, "unsubscribe.html", {"title": "Unsubscribe", "token": _clean(token)})


@router.post("/unsubscribe/{token}", response_class=HTMLResponse, include_in_schema=False)
def unsubscribe_post(request: Request, token: str) -> HTMLResponse:
    """RFC 8058 one-click unsubscribe (and the button above): always 200, the same answer."""
    with get_db(request).begin() as conn:
        subs.unsubscribe_by_token(conn, _clean(token), now=now(request))
    return render(request, "message.html", {"title": "Unsubscribed", "message": _DONE["unsubscribe"]})
