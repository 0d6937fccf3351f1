"""The edition editor: ``/desk/editions`` and ``/desk/editions/<id>`` (sign-in required).

``/desk/editions`` lists the editions and holds the "New draft" form: a window, the slot's date and
the language, defaulting to what ``edition draft`` takes with no options (the 14 days ending today,
the next scheduled slot). ``POST /desk/editions/new`` drafts through ``editing.create_draft`` (the
compose call of ``edition draft``) and opens the new draft; a mistake brings the form back with the
values and what was wrong. Only one draft is composed at a time (``app.state.draft_lock``), so a
second click on the button finds the first one's draft instead of making another.

An edition's page lists its blocks in reading order with their flags and citations (each citation
links the cited article's desk page and the original), and holds the actions: re-draft the blocks
no editor touched, preview as email and as web, send a test copy to ``deliver.editors``, approve for
one of the next send slots. ``/desk/editions/<id>/blocks/<block>`` edits one block as Markdown
(validated as ``edition edit`` does) and shows its history. The work is done by
``eurasiawatch.editing``; this module reads forms and draws pages.

The email preview is its own page holding the rendered email exactly as subscribers get it; the email
carries its styles inline, so that one response has its own Content-Security-Policy: ``sandbox`` (no
scripts, a unique origin), inline styles allowed, images only from ``data:`` (the charts, which the
email carries as ``cid:`` parts, are written in as ``data:`` URLs).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from ... import editing
from ...compose.llm import LlmError
from ...compose.markdown import EditError, block_markdown
from ...errors import DeliveryError, StoreError
from ...records import Edition
from ...render.web import chart_file, edition_fragment, safe_svg
from ...store import editions as store
from ..auth import Editor
from ..deps import get_clock, get_db, get_settings
from ..templating import render

__all__ = ["EMAIL_PREVIEW_CSP", "router"]

router = APIRouter(include_in_schema=False)

NO_STORE = {"Cache-Control": "private, no-store"}
EMAIL_PREVIEW_CSP = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
EditionId = Annotated[str, Path(min_length=1, max_length=64)]
BlockId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[\w.-]+$")]
MESSAGES = {
    "created": "Drafted. Read each block, edit what needs it, then send a test copy and approve.",
    "created-empty": (
        "Drafted an empty skeleton: the window's articles are in no story yet. "
        "Run eurasiawatch cluster, then re-draft."
    ),
    "edited": "Block saved.",
    "redrafted": "Re-drafted: blocks an editor edited were kept.",
    "sent": "Test copy sent to the editors.",
    "approved": "Approved.",
}


def _load(request: Request, edition_id: str) -> Edition:
    try:
        return editing.load_edition(get_db(request), edition_id)
    except StoreError:
        raise HTTPException(404, f"No edition {edition_id}.") from None


def _site(request: Request) -> str:
    return str(request.base_url)


def _list_page(
    request: Request,
    user: Any,
    *,
    form: dict[str, str] | None = None,
    error: str | None = None,
    existing: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    with get_db(request).read() as conn:
        rows = store.list_editions(conn)
    if form is None:
        d = editing.draft_defaults(get_settings(request), get_clock(request))
        form = {
            "start": d.start.isoformat(),
            "end": d.end.isoformat(),
            "send_date": d.send_date.isoformat(),
            "language": d.language,
        }
    context = {
        "title": "Editions",
        "user": user,
        "rows": rows,
        "form": form,
        "error": error,
        "existing": existing,
    }
    return render(request, "desk/editions.html", context, status=status, headers=NO_STORE)


@router.get("/desk/editions", response_class=HTMLResponse)
def editions_list(request: Request, user: Editor) -> HTMLResponse:
    """Every edition, newest first, with its status and slot; and the "New draft" form."""
    return _list_page(request, user)


DateField = Annotated[str, Form(max_length=32)]
_FIELD_NAMES = {
    "start": "the window's first day",
    "end": "the window's last day",
    "send_date": "the slot's date",
}


def _day(form: dict[str, str], field: str) -> date:
    text = form[field].strip()
    if not text:
        raise ValueError(f"Give {_FIELD_NAMES[field]}.")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{_FIELD_NAMES[field].capitalize()} is not a date (YYYY-MM-DD): {text}.") from None


@router.post("/desk/editions/new", response_class=HTMLResponse)
def new_draft(
    request: Request,
    user: Editor,
    start: DateField = "",
    end: DateField = "",
    send_date: DateField = "",
    language: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    """Draft a new edition as ``edition draft`` does and open it; the form comes back on a mistake."""
    form = {"start": start, "end": end, "send_date": send_date, "language": language}
    try:
        first, last, slot = _day(form, "start"), _day(form, "end"), _day(form, "send_date")
    except ValueError as exc:
        return _list_page(request, user, form=form, error=str(exc), status=400)
    try:
        edition, _ = editing.create_draft(
            get_db(request),
            get_settings(request),
            get_clock(request),
            start=first,
            end=last,
            send_date=slot,
            language=language,
            user=user,
            guard=request.app.state.draft_lock,
        )
    except editing.DraftRefused as exc:
        message = f"Not drafted: {exc}" + (f" ({exc.hint})" if exc.hint else "") + "."
        status = 409 if exc.existing else 400
        return _list_page(request, user, form=form, error=message, existing=exc.existing, status=status)
    except (LlmError, StoreError) as exc:
        message = f"Not drafted: {exc}" + (f" ({exc.hint})" if exc.hint else "") + "."
        return _list_page(request, user, form=form, error=message, status=503)
    # as `edition draft` tells it: no story in the window leaves blocks flagged empty
    empty = any("empty" in b.flags for b in edition.blocks)
    done = "created-empty" if empty else "created"
    return RedirectResponse(f"/desk/editions/{edition.edition_id}?done={done}", status_code=303)


def _edition_page(
    request: Request,
    user: Any,
    edition: Edition,
    *,
    done: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    settings = get_settings(request)
    slots = editing.upcoming_slots(settings, get_clock(request))
    context = {
        "title": " ".join(edition.headline.split()) or edition.edition_id,
        "user": user,
        "edition": edition,
        "slots": slots,
        "done": MESSAGES.get(done or ""),
        "error": error,
        "editors": settings.deliver_editors,
        "blocking": [b.block_id for b in edition.blocks if set(b.flags) & editing.BLOCKING_FLAGS],
    }
    return render(request, "desk/edition.html", context, status=status, headers=NO_STORE)


@router.get("/desk/editions/{edition_id}", response_class=HTMLResponse)
def edition_page(
    request: Request, user: Editor, edition_id: EditionId, done: str | None = None
) -> HTMLResponse:
    """One edition's blocks with citations, and its actions."""
    return _edition_page(request, user, _load(request, edition_id), done=done)


def _block_page(
    request: Request,
    user: Any,
    edition: Edition,
    block_id: str,
    text: str | None,
    error: str | None,
    status: int,
) -> HTMLResponse:
    block = next((b for b in edition.blocks if b.block_id == block_id), None)
    if block is None:
        raise HTTPException(404, f"No block {block_id} in this edition.")
    with get_db(request).read() as conn:
        history = store.block_history(conn, edition.edition_id, block_id)
    context = {
        "title": f"Edit {block_id}",
        "user": user,
        "edition": edition,
        "block": block,
        "text": block_markdown(edition, block_id) if text is None else text,
        "error": error,
        "history": list(reversed(history)),
    }
    return render(request, "desk/block.html", context, status=status, headers=NO_STORE)


@router.get("/desk/editions/{edition_id}/blocks/{block_id}", response_class=HTMLResponse)
def block_form(request: Request, user: Editor, edition_id: EditionId, block_id: BlockId) -> HTMLResponse:
    """One block as Markdown in a form, its sources and its history."""
    return _block_page(request, user, _load(request, edition_id), block_id, None, None, 200)


@router.post("/desk/editions/{edition_id}/blocks/{block_id}", response_class=HTMLResponse)
def block_save(
    request: Request,
    user: Editor,
    edition_id: EditionId,
    block_id: BlockId,
    text: Annotated[str, Form(max_length=50_000)] = "",
) -> Response:
    """Save the block (validated as ``edition edit``); on a mistake the form comes back with the text."""
    edition = _load(request, edition_id)
    if edition.status == "sent":
        return _block_page(
            request, user, edition, block_id, text, "This edition was sent; it cannot change.", 409
        )
    try:
        editing.edit_block(get_db(request), edition_id, block_id, text, user=user, clock=get_clock(request))
    except EditError as exc:
        message = str(exc) + (f" ({exc.hint})" if exc.hint else "")
        return _block_page(request, user, edition, block_id, text, message, 400)
    return RedirectResponse(f"/desk/editions/{edition_id}?done=edited#block-{block_id}", status_code=303)


@router.post("/desk/editions/{edition_id}/redraft", response_class=HTMLResponse)
def redraft(request: Request, user: Editor, edition_id: EditionId) -> Response:
    """Draft the edition's window again, keeping every block an editor edited."""
    edition = _load(request, edition_id)
    try:
        editing.redraft(get_db(request), get_settings(request), get_clock(request), edition_id, user=user)
    except StoreError as exc:
        return _edition_page(request, user, edition, error=f"Not re-drafted: {exc}.", status=409)
    return RedirectResponse(f"/desk/editions/{edition_id}?done=redrafted", status_code=303)


@router.get("/desk/editions/{edition_id}/preview/email")
def preview_email(request: Request, user: Editor, edition_id: EditionId) -> HTMLResponse:
    """The HTML email as subscribers get it (sandboxed: no scripts, inline styles only)."""
    rendered = editing.render_preview(_load(request, edition_id), get_settings(request), _site(request))
    return HTMLResponse(
        editing.email_preview_html(rendered),
        headers={"Content-Security-Policy": EMAIL_PREVIEW_CSP, **NO_STORE},
    )


@router.get("/desk/editions/{edition_id}/preview/text")
def preview_text(request: Request, user: Editor, edition_id: EditionId) -> Response:
    """The plain-text part of the email."""
    rendered = editing.render_preview(_load(request, edition_id), get_settings(request), _site(request))
    return Response(rendered.text, media_type="text/plain; charset=utf-8", headers=NO_STORE)


@router.get("/desk/editions/{edition_id}/preview/web/", response_class=HTMLResponse)
def preview_web(request: Request, user: Editor, edition_id: EditionId) -> HTMLResponse:
    """The edition as the web archive will show it, charts beside it."""
    edition = _load(request, edition_id)
    options = editing.render_options(get_settings(request), _site(request))
    context = {
        "title": "Preview: " + " ".join(edition.headline.split()),
        "lang": edition.language or "en",
        "fragment": Markup(edition_fragment(edition, options, chart_prefix="")),
        "permalink": f"/desk/editions/{edition_id}",
        "latest": False,
    }
    return render(request, "edition.html", context, headers=NO_STORE)


@router.get("/desk/editions/{edition_id}/preview/web/{name}")
def preview_chart(request: Request, user: Editor, edition_id: EditionId, name: str) -> Response:
    """A chart of the web preview (sanitised SVG)."""
    edition = _load(request, edition_id)
    for block in edition.blocks:
        if block.chart is not None and block.chart.svg and chart_file(block.chart) == name:
            return Response(safe_svg(block.chart.svg), media_type="image/svg+xml", headers=NO_STORE)
    raise HTTPException(404, "No such chart.")


@router.post("/desk/editions/{edition_id}/test-send", response_class=HTMLResponse)
def test_send(request: Request, user: Editor, edition_id: EditionId) -> Response:
    """Send a [TEST] copy to the editors' addresses (``deliver.editors``)."""
    edition = _load(request, edition_id)
    try:
        editing.send_test_copy(
            get_db(request),
            get_settings(request),
            get_clock(request),
            edition_id,
            user=user,
            site_url=_site(request),
        )
    except DeliveryError as exc:
        message = f"No test copy sent: {exc}" + (f" ({exc.hint})" if exc.hint else "") + "."
        return _edition_page(request, user, edition, error=message, status=503)
    return RedirectResponse(f"/desk/editions/{edition_id}?done=sent", status_code=303)


@router.post("/desk/editions/{edition_id}/approve", response_class=HTMLResponse)
def approve(
    request: Request, user: Editor, edition_id: EditionId, slot: Annotated[str, Form(max_length=64)] = ""
) -> Response:
    """Approve the edition for one of the next send slots."""
    edition = _load(request, edition_id)
    try:
        moment = datetime.fromisoformat(slot)
        if moment.tzinfo is None:
            raise ValueError(slot)
    except ValueError:
        return _edition_page(request, user, edition, error="Choose one of the send slots.", status=400)
    try:
        editing.approve_for_slot(
            get_db(request),
            get_settings(request),
            get_clock(request),
            edition_id,
            moment,
            user=user,
            site_url=_site(request),
        )
    except editing.ApprovalRefused as exc:
        message = f"Not approved: {exc}" + (f" ({exc.hint})" if exc.hint else "") + "."
        return _edition_page(request, user, edition, error=message, status=400)
    except DeliveryError as exc:
        return _edition_page(request, user, edition, error=f"Not approved: {exc}.", status=409)
    return RedirectResponse(f"/desk/editions/{edition_id}?done=approved", status_code=303)
