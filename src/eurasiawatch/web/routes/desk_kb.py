"""``/desk/kb``: the knowledge-base review queue fed by editors' entity corrections (``kb_review``).

Editors (and admins) see the suggestions and decide them: Accept writes the user knowledge-base file
and annotates the matching stored articles again; Reject leaves the knowledge base as it is. Both are
POST forms with the CSRF token, and both write an audit row.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ... import kb_review
from ...annotate.kb import KnowledgeBaseError
from ...annotating import load_user_kb
from ...store import kb_suggestions as kb_store
from ...store.queries import get_articles
from ..auth import Editor
from ..deps import get_clock, get_db, get_settings
from ..templating import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

NO_STORE = {"Cache-Control": "private, no-store"}
SuggestionId = Annotated[int, Path(ge=1, le=2**31 - 1)]
EXCERPTS = 5  # evidence articles per suggestion shown with the words in context
KIND_LABELS = {"add_alias": "Add alias", "new_actor": "New actor", "drop_alias": "Drop alias"}


def _page(
    request: Request,
    user: Any,
    status: str,
    *,
    done: str | None = None,
    error: str | None = None,
    code: int = 200,
) -> HTMLResponse:
    with get_db(request).read() as conn:
        rows = kb_store.list_suggestions(conn, status=None if status == "all" else status)
        ids = list(dict.fromkeys(a for r in rows for a in r["article_ids"]))
        found = get_articles(conn, ids)
    kb = load_user_kb(get_settings(request))
    excerpts = {}
    for r in rows:
        for aid in r["article_ids"][:EXCERPTS]:
            if aid in found:
                excerpts[(r["id"], aid)] = kb_review.excerpt(found[aid], r["alias"], found[aid].language)
    context = {
        "title": "Knowledge-base suggestions",
        "user": user,
        "rows": rows,
        "status": status,
        "statuses": ("pending", "accepted", "rejected", "all"),
        "kinds": KIND_LABELS,
        "titles": {aid: (a.title or aid) for aid, a in found.items()},
        "excerpts": excerpts,
        "actors": {r["actor_id"]: kb.actors[r["actor_id"]].name for r in rows if r["actor_id"] in kb.actors},
        "kb_version": kb.version,
        "done": done,
        "error": error,
    }
    return render(request, "desk/kb.html", context, status=code, headers=NO_STORE)


@router.get("/desk/kb", response_class=HTMLResponse)
def queue(
    request: Request,
    user: Editor,
    status: Annotated[str, Query(pattern="^(pending|accepted|rejected|all)$")] = "pending",
    done: Annotated[str | None, Query(pattern="^(accepted|rejected)$")] = None,
    sid: Annotated[int | None, Query(alias="id", ge=1)] = None,
    n: Annotated[int | None, Query(ge=0)] = None,
) -> HTMLResponse:
    """The suggestions with one status (pending by default), newest first, with Accept / Reject."""
    message = None
    if done == "rejected" and sid:
        message = f"Suggestion #{sid} rejected; the knowledge base is unchanged."
    elif done == "accepted" and sid:
        message = f"Suggestion #{sid} accepted" + (
            f": the knowledge base changed and {n} stored article(s) were annotated again."
            if n is not None
            else "; the knowledge base had it already."
        )
    return _page(request, user, status, done=message)


def _decide(request: Request, user: Any, suggestion_id: int, run: Any) -> Response:
    try:
        decision = run()
    except (kb_review.SuggestionError, KnowledgeBaseError) as exc:
        hint = getattr(exc, "hint", None)
        message = f"Nothing changed: {exc}" + (f" ({hint})" if hint else "") + "."
        return _page(request, user, "pending", error=message, code=400)
    target = f"/desk/kb?done={decision.status}&id={suggestion_id}"
    if decision.status == "accepted" and decision.changed:
        target += f"&n={decision.reannotated}"
    return RedirectResponse(target, status_code=303)


@router.post("/desk/kb/{suggestion_id}/accept", response_class=HTMLResponse)
def accept(request: Request, user: Editor, suggestion_id: SuggestionId) -> Response:
    """Write the suggestion into the user knowledge base and annotate the matching articles again."""
    return _decide(
        request,
        user,
        suggestion_id,
        lambda: kb_review.accept_suggestion(
            get_db(request), get_settings(request), get_clock(request), suggestion_id, user=user
        ),
    )


@router.post("/desk/kb/{suggestion_id}/reject", response_class=HTMLResponse)
def reject(request: Request, user: Editor, suggestion_id: SuggestionId) -> Response:
    """Mark the suggestion rejected; the knowledge base is untouched."""
    return _decide(
        request,
        user,
        suggestion_id,
        lambda: kb_review.reject_suggestion(get_db(request), get_clock(request), suggestion_id, user=user),
    )
