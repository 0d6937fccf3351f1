"""``/healthz`` for operators and load balancers: database, scheduler, last ingest."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...errors import StoreError
from ...store import queries
from ..deps import get_db

__all__ = ["router"]

log = logging.getLogger(__name__)
router = APIRouter()


def _last_ingest(request: Request) -> datetime | None:
    with get_db(request).read() as conn:
        times = [s.last_attempt_at for s in queries.list_sources(conn) if s.last_attempt_at is not None]
    return max(times) if times else None


@router.get("/healthz", include_in_schema=False)
def healthz(request: Request) -> JSONResponse:
    """200 with ``{"database": "ok", …}`` when the database answers at the right migration, else 503.

    ``scheduler`` is ``app.state.scheduler_state`` (``web.scheduler``: enabled, running, next_slot,
    last_run, last_result; ``"not running"`` outside the app's lifespan); ``last_ingest`` is the
    newest fetch attempt of any source, ISO 8601, or null.
    """
    body: dict[str, Any] = {
        "database": "ok",
        "scheduler": getattr(request.app.state, "scheduler_state", "not running"),
        "last_ingest": None,
    }
    try:
        get_db(request).ensure_current()
        last = _last_ingest(request)
        body["last_ingest"] = last.isoformat() if last else None
    except StoreError as exc:
        log.warning("healthz: database check failed: %s", exc)
        body["database"] = "error"
    status = 200 if body["database"] == "ok" else 503
    return JSONResponse(body, status_code=status, headers={"cache-control": "no-store"})
