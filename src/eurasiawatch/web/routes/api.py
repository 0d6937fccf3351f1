"""``/api/v1``: the REST API's routers (``web/api``) and its OpenAPI document."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse

from ..api import PREFIX, ROUTERS, openapi_document

__all__ = ["router"]

router = APIRouter(prefix=PREFIX)
for _sub in ROUTERS:
    router.include_router(_sub)


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request) -> JSONResponse:
    """The API's OpenAPI 3.1 document (only the ``/api/v1`` endpoints)."""
    return JSONResponse(openapi_document(request.app))
