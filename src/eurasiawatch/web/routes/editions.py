"""The public archive: home (latest edition), index, dated edition pages, their charts, Atom feed.

Readers see editions that are approved or sent and whose send date has come by the app's clock
(``store.editions.published_editions``), so an edition approved for next Wednesday stays private
until then. The edition's body is ``render.web.edition_fragment`` (the same markup as the static
archive), framed by the desk's ``base.html``; the feed is ``render.atom.render_atom`` with absolute
links (``render.site_url``, else this server's address).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import Connection

from ...records import Edition
from ...render import ArchiveEntry, RenderOptions, render_atom, web_assets, web_path
from ...render.web import edition_fragment
from ...store import editions as store
from ..deps import get_clock, get_db, get_settings
from ..templating import render

__all__ = ["FEED_LIMIT", "router"]

router = APIRouter()
FEED_LIMIT = 20


@dataclass(frozen=True, slots=True)
class _Listed:
    headline: str
    dek: str
    language: str
    number: int | None
    date_iso: str
    date_text: str
    href: str


def _options(request: Request) -> RenderOptions:
    settings = get_settings(request)
    site = settings.render_site_url or str(request.base_url)
    return RenderOptions(newsletter=settings.render_newsletter, site_url=site)


def _today(request: Request) -> date:
    return get_clock(request).today()


def _href(edition: Edition) -> str:
    return "/" + web_path(edition).removesuffix("index.html")


def _published(conn: Connection, request: Request, limit: int | None = None) -> list[Edition]:
    rows = store.published_editions(conn, until=_today(request), limit=limit)
    loaded = (store.load_edition(conn, r["edition_id"]) for r in rows)
    return [e for e in loaded if e is not None]


def _find(request: Request, year: int, month: int, day: int, slug: str) -> Edition:
    try:
        wanted = date(year, month, day)
    except ValueError:
        raise HTTPException(404) from None
    path = f"editions/{wanted:%Y/%m/%d}/{slug}/index.html"
    with get_db(request).begin() as conn:
        rows = store.published_editions(conn, until=_today(request))
        for row in rows:
            if row["send_date"] != wanted:
                continue
            edition = store.load_edition(conn, row["edition_id"])
            if edition is not None and web_path(edition) == path:
                return edition
    raise HTTPException(404, "There is no published edition at this address.")


def _edition_page(request: Request, edition: Edition, *, latest: bool) -> HTMLResponse:
    options = _options(request)
    prefix = _href(edition) if latest else ""  # the home page is not in the edition's folder
    context: dict[str, Any] = {
        "title": " ".join(edition.headline.split()),
        "description": " ".join(edition.dek.split()),
        "lang": edition.language or "en",
        "fragment": Markup(edition_fragment(edition, options, chart_prefix=prefix)),
        "permalink": _href(edition),
        "latest": latest,
    }
    return render(request, "edition.html", context)


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request) -> HTMLResponse:
    """The latest published edition, or a note that none is out yet."""
    with get_db(request).begin() as conn:
        latest = _published(conn, request, limit=1)
    if not latest:
        return render(request, "home_empty.html", {"title": "Welcome"})
    return _edition_page(request, latest[0], latest=True)


@router.get("/editions", include_in_schema=False)
def editions_redirect() -> RedirectResponse:
    """The archive lives at ``/editions/``."""
    return RedirectResponse("/editions/", status_code=308)


@router.get("/editions/", response_class=HTMLResponse, include_in_schema=False)
def index(request: Request) -> HTMLResponse:
    """Every published edition, newest first."""
    with get_db(request).begin() as conn:
        rows = store.published_editions(conn, until=_today(request))
    entries = [
        _Listed(
            headline=" ".join(str(r["headline"]).split()),
            dek=" ".join(str(r["dek"]).split()),
            language=r["language"] or "en",
            number=r["number"],
            date_iso=r["send_date"].isoformat(),
            date_text=f"{r['send_date'].day} {r['send_date']:%B %Y}",
            href=_href(_stub(r)),
        )
        for r in rows
    ]
    return render(request, "editions_index.html", {"title": "All editions", "entries": entries})


def _stub(row: dict[str, Any]) -> Edition:
    # enough of an Edition for web_path (date, slug, headline)
    return Edition(
        edition_id=row["edition_id"],
        send_date=row["send_date"],
        window_start=row["send_date"],
        window_end=row["send_date"],
        headline=row["headline"],
        slug=row["slug"],
    )


def _feed_entry(edition: Edition, options: RenderOptions) -> ArchiveEntry:
    # what render_atom reads, without rendering the email as render.archive_entry does (4x slower)
    site = options.site_url.rstrip("/")
    folder = web_path(edition).removesuffix("index.html")
    content = edition_fragment(edition, options, chart_prefix=f"{site}/{folder}")
    return ArchiveEntry(
        edition_id=edition.edition_id,
        send_date=edition.send_date,
        headline=" ".join(edition.headline.split()),
        dek=" ".join(edition.dek.split()),
        language=edition.language or "en",
        number=edition.number,
        web_path=web_path(edition),
        content_html=str(content),
    )


@router.get("/editions/atom.xml", include_in_schema=False)
def atom(request: Request) -> Response:
    """The Atom feed of the newest ``FEED_LIMIT`` published editions."""
    options = _options(request)
    with get_db(request).begin() as conn:
        published = _published(conn, request, limit=FEED_LIMIT)
    xml = render_atom([_feed_entry(e, options) for e in published], options)
    return Response(xml, media_type="application/atom+xml; charset=utf-8")


@router.get("/editions/{year}/{month}/{day}/{slug}", include_in_schema=False)
def edition_redirect(year: int, month: int, day: int, slug: str) -> RedirectResponse:
    """Edition pages end in ``/`` so their chart files resolve next to them."""
    return RedirectResponse(f"/editions/{year:04d}/{month:02d}/{day:02d}/{slug}/", status_code=308)


@router.get("/editions/{year}/{month}/{day}/{slug}/", response_class=HTMLResponse, include_in_schema=False)
def edition(request: Request, year: int, month: int, day: int, slug: str) -> HTMLResponse:
    """One published edition."""
    return _edition_page(request, _find(request, year, month, day, slug), latest=False)


@router.get("/editions/{year}/{month}/{day}/{slug}/{name}", include_in_schema=False)
def edition_file(request: Request, year: int, month: int, day: int, slug: str, name: str) -> Response:
    """A chart (sanitized SVG) of a published edition."""
    edition = _find(request, year, month, day, slug)
    folder = web_path(edition).removesuffix("index.html")
    for path, data in web_assets(edition):
        if path == folder + name:
            headers = {"cache-control": "public, max-age=3600"}
            return Response(data, media_type="image/svg+xml", headers=headers)
    raise HTTPException(404)
