"""The desk's web app: ``create_app(settings)`` builds it; ``eurasiawatch serve`` runs it.

Routers live in ``web/routes/<area>.py``, each with ``router = APIRouter()``, and are included in
the order of ``ROUTERS`` (add one line there for a new area). ``app.state`` holds ``settings``,
``db`` (a ``store.Database``), ``clock`` (``eurasiawatch.clock.Clock``: ``--as-of`` replays a day),
``secret`` (the server secret, ``web.keys``) and ``draft_lock`` (one new draft at a time, so a
double submit of the desk's "New draft" form drafts its slot once). Middleware: security headers on
every response (``web.security``) and CSRF checks on every unsafe request (``web.csrf``).

One exception handler turns errors into pages: ``EurasiawatchError`` subclasses map to a status
(``ERROR_STATUS``), HTTP errors keep theirs, anything else is a 500; the page is ``{status}.html``,
else ``error.html``, and never shows a traceback. Under ``/api/`` the answer is JSON instead:
``{"error": {"code": "not_found", "status": 404, "message": "…"}}`` (``web.api.common.error_json``,
the same answer the API's own routes give).
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from jinja2 import TemplateNotFound
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

from ..clock import Clock
from ..config import Settings
from ..deliver.pgp import PgpKeyError
from ..deliver.subscribers import InvalidAddress
from ..deliver.tokens import InvalidToken
from ..errors import ConfigError, DeliveryError, EurasiawatchError, StoreError
from ..store.db import Database, open_database
from . import templating
from .api.common import error_json
from .csrf import CsrfMiddleware
from .keys import derive_key, load_secret
from .scheduler import scheduler_running
from .security import SecurityHeadersMiddleware

__all__ = ["ERROR_STATUS", "ROUTERS", "create_app"]

log = logging.getLogger(__name__)

# Modules under web/routes/ whose ``router`` is included, in this order.
ROUTERS: tuple[str, ...] = (
    "health",
    "editions",
    "subscribe",
    "about",
    "account",
    "desk_home",
    "desk_admin",
    "desk_search",
    "desk_explore",
    "desk_editions",
    "desk_articles",
    "desk_kb",
    "desk_watch",
    "api",
)

# Most specific class first wins (looked up along the exception's MRO).
ERROR_STATUS: dict[type[BaseException], int] = {
    InvalidToken: 400,
    InvalidAddress: 400,
    PgpKeyError: 400,
    DeliveryError: 503,
    StoreError: 503,
    ConfigError: 500,
    EurasiawatchError: 500,
}
_TITLES = {
    400: "Bad request",
    403: "Forbidden",
    404: "Page not found",
    405: "Method not allowed",
    413: "Too large",
    422: "Unprocessable request",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}
STATIC_DIR = Path(__file__).with_name("static")


def _status_of(exc: BaseException) -> int:
    for cls in type(exc).__mro__:
        if cls in ERROR_STATUS:
            return ERROR_STATUS[cls]
    return 500


def _message(exc: BaseException, status: int) -> str:
    if isinstance(exc, StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else ""
        return detail or _TITLES.get(status, "Error")
    if isinstance(exc, RequestValidationError):
        return "Some fields of the request are missing or not valid."
    if isinstance(exc, EurasiawatchError) and status < 500:
        return str(exc)
    if isinstance(exc, StoreError | DeliveryError):
        return "The service is temporarily unavailable. Please try again in a few minutes."
    return "Something went wrong on our side. The error has been logged."


def error_response(request: Request, status: int, message: str, *, title: str | None = None) -> Response:
    """The error page (``{status}.html``, else ``error.html``), or JSON under ``/api/``."""
    if request.url.path.startswith("/api/"):
        return error_json(status, message)
    context = {"status": status, "title": title or _TITLES.get(status, "Error"), "message": message}
    try:
        return templating.render(request, f"{status}.html", context, status=status)
    except TemplateNotFound:
        return templating.render(request, "error.html", context, status=status)


async def _handle(request: Request, exc: Exception) -> Response:
    if isinstance(exc, StarletteHTTPException):
        status = exc.status_code
    elif isinstance(exc, RequestValidationError):
        status = 422
    else:
        status = _status_of(exc)
    if status >= 500:
        log.error("%s %s -> %d: %s", request.method, request.url.path, status, exc, exc_info=exc)
    response = error_response(request, status, _message(exc, status))
    if isinstance(exc, StarletteHTTPException) and exc.headers:
        response.headers.update(exc.headers)
    return response


async def _reject_csrf(request: Request, reason: str) -> Response:
    return error_response(request, 403, reason, title="This form has expired")


def create_app(
    settings: Settings, *, database: Database | None = None, clock: Clock | None = None
) -> FastAPI:
    """Build the desk's web app.

    Args:
        settings: effective settings.
        database: an open database; by default one is opened from the settings (and disposed at
            shutdown). The schema is not migrated here: run ``eurasiawatch db upgrade``.
        clock: the clock pages read (``Clock()``: now; a fixed one replays ``--as-of``).

    Returns:
        The FastAPI application.

    Raises:
        ConfigError: the server secret is malformed.
    """
    own_db = database is None
    db = database if database is not None else open_database(settings)
    secret = load_secret(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            async with scheduler_running(_app):  # the send scheduler (web.scheduler)
                yield
        finally:
            if own_db:
                db.dispose()

    app = FastAPI(
        title=settings.render_newsletter,
        docs_url=None,  # the Swagger/ReDoc pages load scripts from a CDN
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.clock = clock or Clock()
    app.state.secret = secret
    app.state.draft_lock = threading.Lock()

    for name in ROUTERS:
        module = importlib.import_module(f"{__package__}.routes.{name}")
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    app.add_exception_handler(StarletteHTTPException, _handle)
    app.add_exception_handler(RequestValidationError, _handle)
    app.add_exception_handler(EurasiawatchError, _handle)
    app.add_exception_handler(Exception, _handle)
    # added last = outermost: headers go on every answer, CSRF rejections included
    app.add_middleware(CsrfMiddleware, key=derive_key(secret, "csrf"), reject=_reject_csrf)
    app.add_middleware(SecurityHeadersMiddleware)
    return app
