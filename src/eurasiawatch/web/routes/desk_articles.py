"""``/desk/articles/<id>``: one stored article with what the annotator found, and the editors' corrections.

Three forms correct the article (``eurasiawatch.corrections``): its themes (stored as a ``label``
correction, so the theme model learns from it), its countries and its entities (stored in
``mention_corrections``; they win over the annotator and survive ``reannotate``). Entity corrections
also feed the knowledge-base review queue (``eurasiawatch.kb_review``, ``/desk/kb``): the words an
added entity is written with, the aliases behind removed ones, and a fourth form for an actor the
knowledge base lacks. Every correction writes an audit row; the page lists the article's audit rows
(who, what, before -> after).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ... import corrections, kb_review
from ...annotate.kb import ACTOR_TYPES
from ...annotate.themes import THEMES
from ...annotating import load_user_kb
from ...render.choropleth import country_names
from ...store import browse
from ...store import desk as desk_store
from ...store.annotations import load_annotation
from ...store.queries import get_article
from ..auth import Editor
from ..deps import get_clock, get_db, get_settings
from ..templating import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

NO_STORE = {"Cache-Control": "private, no-store"}
ArticleId = Annotated[str, Path(min_length=1, max_length=128)]
Keys = Annotated[list[str] | None, Form()]
MESSAGES = {
    "themes": "Themes corrected.",
    "countries": "Countries corrected.",
    "entities": "Entities corrected.",
    "alias": "Entities corrected. The words as written are suggested as a new alias: see Knowledge base.",
    "alias-known": "Entities corrected. The words as written are already one of its names.",
    "alias-rejected": "Entities corrected. Those words were suggested before and rejected, so not again.",
    "actor": "New actor suggested: it joins the knowledge base, and this article, once accepted.",
}


def _page(
    request: Request,
    user: Any,
    article_id: str,
    *,
    done: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    with get_db(request).read() as conn:
        article = get_article(conn, article_id)
        if article is None:
            raise HTTPException(404, f"No stored article {article_id}.")
        annotation = load_annotation(conn, article_id)
        context = browse.article_context(conn, article_id)
        audit = desk_store.audit_for_targets(conn, [f"article:{article_id}"])
        fixes = desk_store.mention_corrections_for(conn, [article_id]).get(article_id, [])
    entities: dict[str, str] = {}
    for m in annotation.mentions if annotation is not None else ():
        if m.kind == "entity":
            entities.setdefault(m.key, m.name)
    page_context = {
        "title": article.title or article_id,
        "user": user,
        "article": article,
        "annotation": annotation,
        "story_id": context["story_id"],
        "duplicate_of": context["duplicate_of"],
        "entities": entities,
        "themes": THEMES,
        "actor_types": ACTOR_TYPES,
        "names": country_names(),
        "audit": audit,
        "fixed": {(f["kind"], f["key"]) for f in fixes},
        "done": MESSAGES.get(done or ""),
        "error": error,
    }
    return render(request, "desk/article.html", page_context, status=status, headers=NO_STORE)


@router.get("/desk/articles/{article_id}", response_class=HTMLResponse)
def article_page(
    request: Request, user: Editor, article_id: ArticleId, done: str | None = None
) -> HTMLResponse:
    """The article, its annotation, the correction forms and its audit log."""
    return _page(request, user, article_id, done=done)


def _after(request: Request, user: Any, article_id: str, what: Any, run: Any) -> Response:
    """Run a correction; back to the page with ``?done=<what>`` (a name, or a function giving one)."""
    try:
        run()
    except corrections.CorrectionError as exc:
        message = f"Nothing changed: {exc}" + (f" ({exc.hint})" if exc.hint else "") + "."
        return _page(request, user, article_id, error=message, status=400)
    done = what() if callable(what) else what
    return RedirectResponse(f"/desk/articles/{article_id}?done={done}", status_code=303)


@router.post("/desk/articles/{article_id}/themes", response_class=HTMLResponse)
def fix_themes(request: Request, user: Editor, article_id: ArticleId, theme: Keys = None) -> Response:
    """Set the article's themes to the ticked ones."""
    _exists(request, article_id)
    return _after(
        request,
        user,
        article_id,
        "themes",
        lambda: corrections.correct_themes(
            get_db(request), get_clock(request), article_id, theme or [], user=user
        ),
    )


def _split(values: str) -> list[str]:
    return [v for v in values.replace(",", " ").split() if v]


def _mentions(
    request: Request, user: Any, article_id: str, kind: str, add: str, remove: list[str] | None
) -> Response:
    _exists(request, article_id)

    def run() -> None:
        corrections.correct_mentions(
            get_db(request),
            load_user_kb(get_settings(request)),
            get_clock(request),
            article_id,
            kind,
            add=_split(add),
            remove=remove or [],
            user=user,
        )

    return _after(request, user, article_id, "countries", run)


def _exists(request: Request, article_id: str) -> None:
    with get_db(request).read() as conn:
        if get_article(conn, article_id) is None:
            raise HTTPException(404, f"No stored article {article_id}.")


@router.post("/desk/articles/{article_id}/countries", response_class=HTMLResponse)
def fix_countries(
    request: Request,
    user: Editor,
    article_id: ArticleId,
    add: Annotated[str, Form(max_length=500)] = "",
    remove: Keys = None,
) -> Response:
    """Add countries (ISO codes) and remove the ticked ones."""
    return _mentions(request, user, article_id, "country", add, remove)


@router.post("/desk/articles/{article_id}/entities", response_class=HTMLResponse)
def fix_entities(
    request: Request,
    user: Editor,
    article_id: ArticleId,
    add: Annotated[str, Form(max_length=2000)] = "",
    remove: Keys = None,
    as_written: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Add entities (knowledge-base ids) and remove the ticked ones; the words as written of an added
    entity, and the aliases behind removed ones, feed the knowledge-base queue (``kb_review``)."""
    _exists(request, article_id)
    outcome = ["entities"]

    def run() -> None:
        settings = get_settings(request)
        outcome[0] = kb_review.correct_entities(
            get_db(request),
            load_user_kb(settings),
            get_clock(request),
            article_id,
            add=_split(add),
            remove=remove or [],
            as_written=as_written,
            user=user,
            drop_after=settings.kb_drop_alias_after,
        )

    return _after(request, user, article_id, lambda: outcome[0], run)


@router.post("/desk/articles/{article_id}/new-actor", response_class=HTMLResponse)
def new_actor(
    request: Request,
    user: Editor,
    article_id: ArticleId,
    name: Annotated[str, Form(max_length=500)] = "",
    entity_type: Annotated[str, Form(alias="type", max_length=32)] = "",
    country: Annotated[str, Form(max_length=8)] = "",
    as_written: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Suggest an actor the knowledge base lacks, seen in this article (reviewed at ``/desk/kb``)."""
    _exists(request, article_id)
    return _after(
        request,
        user,
        article_id,
        "actor",
        lambda: kb_review.suggest_new_actor(
            get_db(request),
            load_user_kb(get_settings(request)),
            get_clock(request),
            article_id,
            name=name,
            entity_type=entity_type,
            country=country,
            as_written=as_written,
            user=user,
        ),
    )
