"""``/about``: what the briefing is, and the author's bio (``compose.bio``, else the built-in one)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ...compose.edition import ComposeOptions
from ..deps import get_settings
from ..templating import render

__all__ = ["router"]

router = APIRouter()


@router.get("/about", response_class=HTMLResponse, include_in_schema=False)
def about(request: Request) -> HTMLResponse:
    """The about page."""
    settings = get_settings(request)
    bio = settings.compose_bio or ComposeOptions().bio
    paragraphs = [p.strip() for p in bio.split("\n\n") if p.strip()]
    return render(request, "about.html", {"title": "About", "bio": paragraphs})
