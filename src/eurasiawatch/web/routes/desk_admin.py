"""Admin-only desk pages: subscribers (counts, and one subscriber on request) and the audit log.

Every look at one subscriber writes an audit row (``accounts.view_subscriber``); the counts carry no
personal data. Addresses are posted, never put in a URL, so they stay out of access logs.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse

from ... import accounts
from ...deliver.subscribers import InvalidAddress
from ...store import accounts as account_store
from ..auth import Admin, crypto
from ..deps import get_db, now
from ..templating import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

AUDIT_PAGE = 100
# The actions the audit filter offers (others can still be filtered by URL).
AUDIT_ACTIONS = (
    "sign_in",
    "sign_in.failed",
    "kb.accept",
    "kb.reject",
    "kb.suggest",
    "send.nothing_approved",
    "sign_out",
    "subscriber.view",
    "token.create",
    "token.revoke",
    "user.add",
    "user.passwd",
    "user.remove",
    "user.reset_totp",
    "user.role",
)


def _subscribers_page(request: Request, user: accounts.User, **extra: Any) -> HTMLResponse:
    with get_db(request).begin() as conn:
        counts = sorted(accounts.subscriber_counts(conn).items())
    context: dict[str, Any] = {
        "title": "Subscribers",
        "user": user,
        "counts": counts,
        "address": "",
        "message": "",
        "error": False,
        "subscriber": None,
        "fields": [],
    }
    context.update(extra)
    return render(request, "account/subscribers.html", context, status=400 if context["error"] else 200)


@router.get("/desk/subscribers", response_class=HTMLResponse)
def subscribers(request: Request, user: Admin) -> HTMLResponse:
    """Subscribers per state and the lookup form."""
    return _subscribers_page(request, user)


@router.post("/desk/subscribers", response_class=HTMLResponse)
def subscriber(
    request: Request, user: Admin, address: Annotated[str, Form(max_length=320)] = ""
) -> HTMLResponse:
    """What is held about one address (audited)."""
    try:
        with get_db(request).begin() as conn:
            data = accounts.view_subscriber(conn, crypto(request), user, address, now=now(request))
    except InvalidAddress as exc:
        return _subscribers_page(request, user, address=address, message=str(exc), error=True)
    if data is None:
        return _subscribers_page(
            request, user, address=address, message="Nothing is held about that address."
        )
    fields = [(name, "—" if value is None else value) for name, value in data.items() if name != "address"]
    return _subscribers_page(request, user, address=address, subscriber=data, fields=fields)


@router.get("/desk/audit", response_class=HTMLResponse)
def audit_log(
    request: Request,
    user: Admin,
    before: Annotated[int | None, Query(ge=1)] = None,
    action: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    """The audit log, newest first, a hundred rows a page."""
    with get_db(request).begin() as conn:
        rows = account_store.list_audit(conn, limit=AUDIT_PAGE, before_id=before, action=action or None)
    older = rows[-1]["id"] if len(rows) == AUDIT_PAGE else None
    context = {
        "title": "Audit log",
        "user": user,
        "rows": rows,
        "older": older,
        "action": action,
        "actions": AUDIT_ACTIONS,
    }
    return render(request, "account/audit.html", context)
