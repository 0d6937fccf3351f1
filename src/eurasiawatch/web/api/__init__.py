"""The REST API under ``/api/v1``: read-only JSON over the stored corpus, stories and editions.

``web/routes/api.py`` includes :data:`ROUTERS` under ``/api/v1`` and serves the OpenAPI document
(:func:`openapi_document`) at ``/api/v1/openapi.json``. Every endpoint needs an API token
(``Authorization: Bearer …`` from ``eurasiawatch users token create``) except the published
editions and the document itself (:data:`PUBLIC_PATHS`). No endpoint returns subscriber data.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from . import actors, corpus, editions, indicators, stories
from .common import MAX_LIMIT

__all__ = ["PREFIX", "PUBLIC_PATHS", "ROUTERS", "openapi_document"]

PREFIX = "/api/v1"
ROUTERS = (corpus.router, stories.router, actors.router, editions.router, indicators.router)
PUBLIC_PATHS = (f"{PREFIX}/openapi.json", *editions.PUBLIC_PATHS)

_DESCRIPTION = f"""Read-only access to what eurasiawatch stores: articles with their annotations, stories,
entities, countries, events, editions, full-text search and indicators.

Send an API token (`eurasiawatch users token create`) as `Authorization: Bearer <token>`. Published
editions need none. Lists take `limit` (1–{MAX_LIMIT}) and `offset`, and answer with `items`, `total`
and `next` (the path of the following page, null on the last). Errors answer
`{{"error": {{"code", "message", "status"}}}}`. The API never returns subscriber data."""


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document of the app's ``/api/v1`` routes (built once per app)."""
    cached: dict[str, Any] | None = getattr(app.state, "api_openapi", None)
    if cached is None:
        # FastAPI keeps included routers nested: walk them for the effective (prefixed) routes
        routes = [
            r
            for r in iter_route_contexts(app.routes)
            if isinstance(r.original_route, APIRoute)
            and (r.path or "").startswith(PREFIX + "/")
            and r.include_in_schema
        ]
        cached = get_openapi(
            title=f"{app.title} API",
            version="1",
            openapi_version="3.1.0",
            description=_DESCRIPTION,
            routes=routes,
        )
        for path in editions.PUBLIC_PATHS:  # a token is optional there: say so ({} = no security)
            for operation in cached["paths"].get(path, {}).values():
                operation["security"] = [{}, *operation.get("security", [])]
        app.state.api_openapi = cached
    return cached
