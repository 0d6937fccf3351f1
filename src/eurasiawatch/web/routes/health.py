"""``/healthz`` for operators and load balancers: database, scheduler, last ingest.

The migration check (Alembic reads every migration script to find the newest revision: tens of
milliseconds) runs until it passes once and is then remembered in ``app.state.schema_checked``:
the schema does not move under a running server. Every call still asks the database for the last
fetch attempt, one aggregate over the sources, so a database that goes away is reported at once.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...errors import StoreError
from ...store.health import last_attempt_at
from ..deps import get_db

__all__ = ["router"]

log = logging.getLogger(__name__)
router = APIRouter()


def _check_schema(request: Request) -> None:
    """Raise StoreError unless the database is at the newest migration (checked until it passes once)."""
    if getattr(request.app.state, "schema_checked", False):
        return
    get_db(request).ensure_current()
    request.app.state.schema_checked = True


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
        _check_schema(request)
        with get_db(request).read() as conn:
            last = last_attempt_at(conn)
        body["last_ingest"] = last.isoformat() if last else None
    except StoreError as exc:
        log.warning("healthz: database check failed: %s", exc)
        body["database"] = "error"
    status = 200 if body["database"] == "ok" else 503
    return JSONResponse(body, status_code=status, headers={"cache-control": "no-store"})
