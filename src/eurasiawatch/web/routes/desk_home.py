"""``/desk/``: the desk's front page (a placeholder the dashboard replaces; sign-in required)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ..auth import Editor
from ..templating import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/desk", response_class=HTMLResponse)
def desk_bare(user: Editor) -> RedirectResponse:
    """``/desk`` without the slash goes to ``/desk/``."""
    return RedirectResponse("/desk/", status_code=308)


@router.get("/desk/", response_class=HTMLResponse)
def desk_home(request: Request, user: Editor) -> HTMLResponse:
    """Who is signed in, and links to what they may use."""
    return render(request, "desk_home.html", {"title": "Desk", "user": user})
