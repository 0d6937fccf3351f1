"""Who is asking: the session cookie, API tokens, and the dependencies desk and API routes declare.

For other routes::

    from ..auth import Admin, Editor, ApiUser, current_user

    @router.get("/desk/stories")
    def stories(request: Request, user: Editor) -> HTMLResponse: ...      # editors and admins

    @router.get("/desk/subscribers")
    def subscribers(request: Request, user: Admin) -> HTMLResponse: ...   # admins only

    @router.get("/api/v1/drafts")
    def drafts(user: ApiUser) -> dict: ...                                # bearer token (or a session)

A browser request without a signed-in session is sent to ``/desk/sign-in?next=<path>`` (303); a
request under ``/api/`` gets 401 JSON instead; a signed-in editor asking for an admin page gets 403.
``PUBLIC_PATHS`` lists the paths under ``/desk`` and ``/api/v1`` that need no sign-in; a test walks
every route of the app and checks that every other one refuses an anonymous visitor, so add a public
API path there when you add one.

The session cookie (``__Host-ew_session`` over https, where it is also Secure; ``ew_session`` on
plain http) is HttpOnly and SameSite=Lax and holds a random id whose SHA-256 is the database key.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, HTTPException
from starlette.requests import Request
from starlette.responses import Response

from .. import accounts
from ..accounts import AccountPolicy, User
from ..deliver.crypto import Crypto
from .deps import get_db, get_settings, now

__all__ = [
    "COOKIE_HTTP",
    "COOKIE_HTTPS",
    "PUBLIC_PATHS",
    "SIGN_IN_PATH",
    "Admin",
    "ApiUser",
    "Editor",
    "clear_session_cookie",
    "cookie_name",
    "crypto",
    "current_user",
    "policy",
    "require_admin",
    "require_api_token",
    "require_editor",
    "safe_next",
    "session_cookie",
    "set_session_cookie",
]

COOKIE_HTTPS = "__Host-ew_session"
COOKIE_HTTP = "ew_session"
SIGN_IN_PATH = "/desk/sign-in"
# Paths under /desk and /api/v1 that anonymous visitors may use (the access-control test reads this).
PUBLIC_PATHS: frozenset[str] = frozenset(
    {
        SIGN_IN_PATH,
        "/desk/sign-in/code",
        "/desk/sign-out",
        # the API's public paths (web.api.PUBLIC_PATHS): its OpenAPI document and published editions
        "/api/v1/openapi.json",
        "/api/v1/editions",
        "/api/v1/editions/{edition_id}",
    }
)
DEFAULT_NEXT = "/desk/"
_NO_USER = object()


def policy(request: Request) -> AccountPolicy:
    """The app's account policy, built from its settings on first use (one dummy hash per app)."""
    state = request.app.state
    found: AccountPolicy | None = getattr(state, "account_policy", None)
    if found is None:
        found = AccountPolicy.from_settings(get_settings(request))
        state.account_policy = found
    return found


def crypto(request: Request) -> Crypto:
    """The subscriber key ring (TOTP secrets and subscriber data are sealed under it)."""
    state = request.app.state
    found: Crypto | None = getattr(state, "crypto", None)
    if found is None:
        found = Crypto.from_settings(get_settings(request))
        state.crypto = found
    return found


def _https(request: Request) -> bool:
    return request.url.scheme == "https"


def cookie_name(request: Request) -> str:
    """The session cookie's name for this request's scheme."""
    return COOKIE_HTTPS if _https(request) else COOKIE_HTTP


def session_cookie(request: Request) -> str | None:
    """The session id the browser sent, if any."""
    value = request.cookies.get(cookie_name(request))
    return value if value and len(value) <= 100 else None


def set_session_cookie(response: Response, request: Request, session_id: str) -> None:
    """Put a session id in the browser: HttpOnly, SameSite=Lax, Secure over https, no Max-Age."""
    response.set_cookie(
        cookie_name(request), session_id, path="/", httponly=True, samesite="lax", secure=_https(request)
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    """Tell the browser to forget its session cookie."""
    response.delete_cookie(
        cookie_name(request), path="/", httponly=True, samesite="lax", secure=_https(request)
    )


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a same-site absolute path, else the desk's front page.

    Refuses anything with a scheme or host, protocol-relative ``//host``, backslashes (some browsers
    read ``/\\host`` as a host) and control characters: an open-redirect guard.
    """
    if not value or not value.startswith("/") or value.startswith("//"):
        return DEFAULT_NEXT
    if "\\" in value or any(ord(c) < 32 or ord(c) == 127 for c in value):
        return DEFAULT_NEXT
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return DEFAULT_NEXT
    return value


def current_user(request: Request) -> User | None:
    """The signed-in user of this request's session cookie, else None (cached per request)."""
    cached = getattr(request.state, "desk_user", _NO_USER)
    if cached is not _NO_USER:
        return cached  # type: ignore[return-value]
    user = None
    session_id = session_cookie(request)
    if session_id is not None:
        # a read first: a write transaction takes SQLite's one write lock, and is needed only
        # about once a minute per session (last_seen_at) or for an expired session
        with get_db(request).read() as conn:
            user, writes = accounts.peek_session(conn, policy(request), session_id, now=now(request))
        if writes:
            with get_db(request).begin() as conn:
                user = accounts.resolve_session(conn, policy(request), session_id, now=now(request))
    request.state.desk_user = user
    return user


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _refuse_anonymous(request: Request) -> HTTPException:
    if _is_api(request):
        return HTTPException(
            401, "Sign-in required: send an API token.", headers={"WWW-Authenticate": "Bearer"}
        )
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = f"{SIGN_IN_PATH}?next={quote(safe_next(target), safe='/')}"
    return HTTPException(303, "Please sign in.", headers={"Location": location})


def require_editor(request: Request) -> User:
    """Dependency: a signed-in desk user (editor or admin); else sign-in redirect or 401."""
    user = current_user(request)
    if user is None:
        raise _refuse_anonymous(request)
    return user


def require_admin(request: Request) -> User:
    """Dependency: a signed-in admin; 403 for editors, sign-in redirect or 401 for anonymous visitors."""
    user = require_editor(request)
    if not user.is_admin:
        raise HTTPException(403, "This page is for admins only.")
    return user


def require_api_token(request: Request) -> User:
    """Dependency for ``/api/v1``: ``Authorization: Bearer <token>`` (or a desk session); else 401."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        with get_db(request).begin() as conn:
            user = accounts.resolve_api_token(conn, token.strip(), now=now(request))
        if user is None:
            raise HTTPException(
                401,
                "The API token is not valid.",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return user
    user = current_user(request)
    if user is None:
        raise HTTPException(
            401, "Sign-in required: send an API token.", headers={"WWW-Authenticate": "Bearer"}
        )
    return user


Editor = Annotated[User, Depends(require_editor)]
Admin = Annotated[User, Depends(require_admin)]
ApiUser = Annotated[User, Depends(require_api_token)]
