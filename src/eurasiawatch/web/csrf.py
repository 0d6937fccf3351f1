"""CSRF protection for every unsafe request (POST, PUT, PATCH, DELETE), as ASGI middleware.

Each browser gets a random token in an HttpOnly, SameSite=Lax cookie, signed with a key derived from
the server secret (``__Host-ew_csrf`` over https, where it is also Secure; ``ew_csrf`` on plain
http, which only loopback tests and local runs use). Forms echo the token in a hidden
``csrf_token`` field (``csrf_field()`` in templates); scripts may send it in ``X-CSRF-Token``.
An unsafe request whose cookie is missing, forged or does not match the field is answered 403
before any route runs.

Exempt: the RFC 8058 one-click unsubscribe (``POST /unsubscribe/<token>``, sent by mail clients
that have no cookie) and ``/api/v1`` calls that carry ``Authorization: Bearer`` (no cookie is
involved, so there is nothing to forge).

The cookie is only set when a page actually rendered a token, so readers who only read the archive
get no cookie at all. ``rotate_csrf`` gives a browser a new token (call it at sign-in).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from markupsafe import Markup, escape
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "COOKIE_HTTP",
    "COOKIE_HTTPS",
    "EXEMPT_PREFIXES",
    "FIELD",
    "HEADER",
    "CsrfMiddleware",
    "csrf_field",
    "csrf_token",
    "rotate_csrf",
]

COOKIE_HTTPS = "__Host-ew_csrf"
COOKIE_HTTP = "ew_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# RFC 8058 one-click unsubscribe: mail clients POST without any cookie or token.
EXEMPT_PREFIXES: tuple[str, ...] = ("/unsubscribe/",)
MAX_FORM_BYTES = 5_000_000
_STATE_KEY = "csrf_key"

Rejecter = Callable[[Request, str], Awaitable[Response]]


def _mac(key: bytes, token: str) -> str:
    digest = hmac.new(key, b"csrf:" + token.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _cookie_name(scope: Scope) -> str:
    return COOKIE_HTTPS if scope.get("scheme") == "https" else COOKIE_HTTP


def _cookie_header(scope: Scope, key: bytes, token: str) -> str:
    secure = scope.get("scheme") == "https"
    value = f"{token}.{_mac(key, token)}"
    return f"{_cookie_name(scope)}={value}; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")


def _token_from_cookie(scope: Scope, key: bytes) -> str | None:
    raw = ""
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            raw += value.decode("latin-1") + ";"
    if not raw:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # a malformed Cookie header is treated as no cookie
        return None
    morsel = jar.get(_cookie_name(scope))
    if morsel is None:
        return None
    token, _, mac = morsel.value.rpartition(".")
    if not token or len(token) > 100 or not hmac.compare_digest(mac, _mac(key, token)):
        return None
    return token


def _state(scope: Scope) -> dict[str, Any]:
    state: dict[str, Any] = scope.setdefault("state", {})
    return state


def csrf_token(request: Request) -> str:
    """The token to put in a form or header for this browser (sets the cookie on the response)."""
    state = _state(request.scope)
    state["csrf_used"] = True
    token: str = state["csrf_token"]
    return token


def csrf_field(request: Request) -> Markup:
    """The hidden form field carrying this browser's token."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, escape(csrf_token(request)))


def rotate_csrf(response: Response, request: Request) -> str:
    """Give this browser a fresh token (call at sign-in, so a token planted before it is useless).

    Args:
        response: the response that will carry the new cookie.
        request: the current request (its pages rendered after this call use the new token).

    Returns:
        The new token.
    """
    state = _state(request.scope)
    key: bytes = state[_STATE_KEY]
    token = _new_token()
    state.update(csrf_token=token, csrf_rotated=True)
    response.headers.append("set-cookie", _cookie_header(request.scope, key, token))
    return token


def _exempt(scope: Scope) -> bool:
    path: str = scope.get("path", "")
    if path.startswith(EXEMPT_PREFIXES):
        return True
    if path == "/api/v1" or path.startswith("/api/v1/"):
        for name, value in scope.get("headers", ()):
            if name == b"authorization" and value[:7].lower() == b"bearer ":
                return True
    return False


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _submitted(scope: Scope, body: bytes, receive: Receive) -> str | None:
    headers = dict(scope.get("headers", ()))
    header = headers.get(b"x-csrf-token")
    if header:
        return header.decode("latin-1")
    content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
    if content_type.startswith("application/x-www-form-urlencoded"):
        values = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).get(FIELD)
        return values[0] if values else None
    if content_type.startswith("multipart/form-data"):
        request = Request(scope, _replay(body, receive))
        try:
            form = await request.form()
            value = form.get(FIELD)
            await form.close()
        except Exception:  # an unreadable form carries no token
            return None
        return value if isinstance(value, str) else None
    return None


class CsrfMiddleware:
    """Rejects unsafe requests without a matching token; hands out tokens to pages that need one.

    Args:
        app: the wrapped ASGI app.
        key: the CSRF key (``keys.derive_key(secret, "csrf")``).
        reject: renders the 403 answer for a request and a short reason.
    """

    def __init__(self, app: ASGIApp, *, key: bytes, reject: Rejecter | None = None) -> None:
        self.app = app
        self.key = key
        self.reject = reject

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _token_from_cookie(scope, self.key)
        fresh = token is None
        state = _state(scope)
        state.update(csrf_token=token or _new_token(), csrf_used=False, csrf_rotated=False)
        state[_STATE_KEY] = self.key

        if scope["method"] in UNSAFE and not _exempt(scope):
            body = await _read_body(receive, MAX_FORM_BYTES)
            if body is None:
                await PlainTextResponse("Request body too large.", status_code=413)(scope, receive, send)
                return
            sent = await _submitted(scope, body, receive)
            if fresh:
                reason = "Your browser did not send the form's security cookie. Enable cookies and try again."
            elif not sent:
                reason = "The form arrived without its security token."
            elif not hmac.compare_digest(sent.encode(), state["csrf_token"].encode()):
                reason = "The form's security token did not match. Reload the page and try again."
            else:
                reason = ""
            receive = _replay(body, receive)
            if reason:
                request = Request(scope, receive)
                if self.reject is not None:
                    response = await self.reject(request, reason)
                else:
                    response = PlainTextResponse(reason, status_code=403)
                await response(scope, receive, self._wrap(scope, send))
                return

        await self.app(scope, receive, self._wrap(scope, send))

    def _wrap(self, scope: Scope, send: Send) -> Send:
        state = _state(scope)
        had_cookie = _token_from_cookie(scope, self.key) == state["csrf_token"]

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start" and state.get("csrf_used"):
                headers = MutableHeaders(scope=message)
                if "cache-control" not in headers:  # a page with a token must not sit in a shared cache
                    headers["cache-control"] = "no-store"
                if not state.get("csrf_rotated") and not had_cookie:
                    headers.append("set-cookie", _cookie_header(scope, self.key, state["csrf_token"]))
            await send(message)

        return wrapped
