"""One Jinja2 environment for the desk's pages and the ``render`` helper every route uses.

Templates live in ``web/templates/`` and extend ``base.html`` (``lang``, a skip link, header / nav /
main / footer landmarks). Autoescaping is on for every template. Globals:

- ``csrf_field()``: the hidden CSRF input for a form (``web.csrf``);
- ``static(path)``: the URL of a file in ``web/static/``;
- ``nav``: the public navigation, ``(href, label)`` pairs; the current page is marked
  ``aria-current="page"``.

Every page gets ``request``, ``settings``, ``newsletter`` and ``lang`` (default ``"en"``; pass
``lang`` in the context for a page in another language).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from . import csrf

__all__ = ["NAV", "environment", "render", "render_string"]

NAV: tuple[tuple[str, str], ...] = (
    ("/", "Latest"),
    ("/editions/", "Archive"),
    ("/subscribe", "Subscribe"),
    ("/about", "About"),
)


@pass_context
def _csrf_field(context: Context) -> Markup:
    return csrf.csrf_field(context["request"])


def _static(path: str) -> str:
    return "/static/" + path.lstrip("/")


@cache
def environment() -> Environment:
    """The desk's Jinja environment (autoescaping on, undefined names fail loudly)."""
    env = Environment(
        loader=PackageLoader("eurasiawatch.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(csrf_field=_csrf_field, static=_static, nav=NAV)
    return env


def _context(request: Request, context: Mapping[str, Any]) -> dict[str, Any]:
    settings = request.app.state.settings
    base: dict[str, Any] = {
        "request": request,
        "settings": settings,
        "newsletter": settings.render_newsletter,
        "lang": "en",
        "title": "",
        "current_path": request.url.path,
    }
    base.update(context)
    return base


def render_string(request: Request, name: str, context: Mapping[str, Any] | None = None) -> str:
    """A template rendered to a string with the page context."""
    return environment().get_template(name).render(_context(request, context or {}))


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render a template as an HTML response.

    Args:
        request: the current request (the page context reads settings and the CSRF token from it).
        name: template name under ``web/templates/``, e.g. ``"about.html"``.
        context: variables for the template.
        status: HTTP status code.
        headers: extra response headers.

    Returns:
        The response.
    """
    return HTMLResponse(
        render_string(request, name, context), status_code=status, headers=dict(headers or {})
    )
