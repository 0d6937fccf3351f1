"""What every ``/api/v1`` endpoint shares: JSON errors, token dependencies, paging, date windows.

- :class:`ApiRoute` is the route class of every API router: whatever an endpoint or its dependencies
  raise (invalid parameters, a missing token, a known error, a bug) comes back as
  ``{"error": {"code", "message", "status"}}`` with the right status, never as an HTML page.
- :data:`Token` requires ``Authorization: Bearer <token>`` (or a desk session; ``web.auth``) and puts
  the bearer scheme in the OpenAPI document; :data:`MaybeToken` is the same for endpoints that answer
  anonymous callers too (a bad token is still refused).
- :class:`Paging` reads ``limit`` (1–``MAX_LIMIT``) and ``offset``; :func:`page` builds the envelope with
  the ``next`` path.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import Depends, HTTPException, Query
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BeforeValidator
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...accounts import User
from ...analyze.search import SearchQueryError
from ...errors import ConfigError, DeliveryError, EurasiawatchError, StoreError
from ..auth import current_user, require_api_token
from .models import ErrorResponse

__all__ = [
    "ERRORS",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "ApiRoute",
    "Day",
    "MaybeToken",
    "Paging",
    "PagingQuery",
    "Token",
    "day_window",
    "error_json",
    "not_found",
    "page",
    "responses",
]

log = logging.getLogger(__name__)

MAX_LIMIT = 100
MAX_OFFSET = 10_000
_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    422: "invalid_request",
    429: "too_many_requests",
    500: "server_error",
    503: "unavailable",
}
_STATUS: dict[type[BaseException], int] = {
    SearchQueryError: 400,
    StoreError: 503,
    DeliveryError: 503,
    ConfigError: 500,
    EurasiawatchError: 500,
}
_ERROR_TEXT = {
    401: "An API token is required (Authorization: Bearer …).",
    404: "Not found.",
    422: "Some parameters are missing or not valid.",
}


def error_json(status: int, message: str, *, details: list[dict[str, str]] | None = None) -> JSONResponse:
    """The API's error answer: ``{"error": {"code", "message", "status"[, "details"]}}``."""
    body: dict[str, Any] = {
        "code": _CODES.get(status, f"http_{status}"),
        "message": message,
        "status": status,
    }
    if details is not None:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status)


def _field(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc]
    return ".".join(parts[1:] if len(parts) > 1 and parts[0] in ("query", "path", "header") else parts)


def _validation_details(exc: RequestValidationError) -> list[dict[str, str]]:
    return [{"field": _field(e.get("loc", ())), "message": str(e.get("msg", ""))} for e in exc.errors()]


def _status_of(exc: BaseException) -> int:
    for cls in type(exc).__mro__:
        if cls in _STATUS:
            return _STATUS[cls]
    return 500


def _answer(request: Request, exc: Exception) -> Response:
    if isinstance(exc, RequestValidationError):
        return error_json(422, _ERROR_TEXT[422], details=_validation_details(exc))
    if isinstance(exc, StarletteHTTPException):
        status = 401 if exc.status_code == 303 else exc.status_code  # never a sign-in redirect here
        message = (
            exc.detail if isinstance(exc.detail, str) and exc.detail else _ERROR_TEXT.get(status, "Error.")
        )
        response = error_json(status, message)
        if status == 401:
            response.headers["WWW-Authenticate"] = (exc.headers or {}).get("WWW-Authenticate", "Bearer")
        return response
    status = _status_of(exc)
    if status >= 500:
        log.error("%s %s -> %d: %s", request.method, request.url.path, status, exc, exc_info=exc)
        message = "The service is temporarily unavailable." if status == 503 else "Something went wrong."
        return error_json(status, message)
    return error_json(status, str(exc))


def _query_names(route: APIRoute) -> frozenset[str]:
    """The query parameters a route reads, its dependencies' included."""
    names: set[str] = set()
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        names.update(field.alias for field in dependant.query_params)
        pending.extend(dependant.dependencies)
    return frozenset(names)


class ApiRoute(APIRoute):
    """A route that answers every error, its dependencies' included, as the API's JSON error.

    It also refuses query parameters it does not know (422): a misspelt filter (``countries=KZ``)
    would otherwise be ignored silently and answer with everything; and NUL characters (422).
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The default handler, wrapped so that no exception leaves it."""
        handler = super().get_route_handler()
        known = _query_names(self)

        async def answer(request: Request) -> Response:
            if "\x00" in request.url.path or any("\x00" in v for _, v in request.query_params.multi_items()):
                # no database stores NUL in text (PostgreSQL refuses it): a client error, said early
                return error_json(422, "NUL characters are not allowed in a request.")
            unknown = sorted(set(request.query_params) - known)
            if unknown:
                details = [{"field": name, "message": "unknown query parameter"} for name in unknown]
                return error_json(422, f"Unknown query parameter: {', '.join(unknown)}.", details=details)
            try:
                return await handler(request)
            except Exception as exc:
                return _answer(request, exc)

        return answer


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses an endpoint can answer (and always 422, 500, 503)."""
    wanted = sorted({*statuses, 422, 500, 503})
    return {s: {"model": ErrorResponse, "description": _CODES.get(s, "error")} for s in wanted}


#: the error statuses of an endpoint that needs a token
ERRORS = responses(401, 404)

_bearer = HTTPBearer(auto_error=False, description="An API token from `eurasiawatch users token create`.")


def _token(
    request: Request, _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> User:
    return require_api_token(request)


def _maybe_token(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> User | None:
    if request.headers.get("authorization"):
        return require_api_token(request)  # a token that is sent must be valid
    return current_user(request)


Token = Annotated[User, Depends(_token)]
MaybeToken = Annotated[User | None, Depends(_maybe_token)]


@dataclass(frozen=True, slots=True)
class Paging:
    """``limit`` and ``offset`` query parameters."""

    limit: int
    offset: int


def _paging(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page (at most {MAX_LIMIT}).")
    ] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items skipped before this page.")] = 0,
) -> Paging:
    return Paging(limit=limit, offset=offset)


PagingQuery = Annotated[Paging, Depends(_paging)]

M = TypeVar("M")


def page(request: Request, items: Iterable[M], *, total: int, paging: Paging) -> dict[str, Any]:
    """The fields of a :class:`~.models.Page`: items, total, limit, offset and the next page's path."""
    listed = list(items)
    following = paging.offset + paging.limit
    nxt = None
    if following < total and following <= MAX_OFFSET:
        query = [(k, v) for k, v in request.query_params.multi_items() if k not in ("offset", "limit")]
        query += [("limit", str(paging.limit)), ("offset", str(following))]
        nxt = f"{request.url.path}?{urlencode(query)}"
    return {"items": listed, "total": total, "limit": paging.limit, "offset": paging.offset, "next": nxt}


_ISO_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _iso_day(value: Any) -> Any:
    # pydantic would also read "1718000000" or "1.5e3" as a Unix time; the API takes YYYY-MM-DD only
    if isinstance(value, str) and not _ISO_DAY.match(value):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


#: a day in a query: ``YYYY-MM-DD`` and nothing else
Day = Annotated[date, BeforeValidator(_iso_day)]


def not_found(what: str) -> HTTPException:
    """A 404 naming what was not found."""
    return HTTPException(404, f"No {what}.")


def day_window(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """``[since 00:00 UTC, the day after until 00:00 UTC)``: inclusive days as a half-open window."""
    start = datetime.combine(since, time(0), tzinfo=UTC) if since is not None else None
    end = None
    if until is not None and until < date.max:
        end = datetime.combine(until + timedelta(days=1), time(0), tzinfo=UTC)
    return start, end
