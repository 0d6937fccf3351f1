"""The desk's explore pages: ``/desk/countries/<ISO2>``, ``/desk/entities/<id>``, ``/desk/stories/<id>``.

Country and entity pages show how often the stored articles name them (articles per month), the
languages of those articles, the actors and countries named beside them, their articles' themes,
the events in those articles with the sentence that says so, and the articles a page at a time
(``store.browse`` and ``store.desk``). The story page shows a story's articles in publication order,
their languages and outlets, its reprint chains of Chinese state media, actors, events with evidence
(``analyzing.story_detail``), and the forms to merge it with other stories or split articles off
(``analyzing.merge_stories`` / ``split_story``) and to pin or hide it (``set_flag``); each decision
is written to the audit log.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup

from ... import accounts
from ...analyzing import merge_stories, set_flag, split_story, story_detail
from ...annotating import load_user_kb
from ...errors import StoreError
from ...render.choropleth import country_names
from ...render.sparkline import sparkline_svg
from ...store import browse
from ...store import desk as desk_store
from ..auth import Editor
from ..deps import get_clock, get_db, get_settings, now
from ..templating import render

__all__ = ["ARTICLES_PER_PAGE", "router", "timeline_chart"]

router = APIRouter(include_in_schema=False)

ARTICLES_PER_PAGE = 25
NO_STORE = {"Cache-Control": "private, no-store"}
Page = Annotated[int, Query(ge=1, le=10_000)]


def timeline_chart(periods: list[tuple[str, int]], title: str) -> Markup | None:
    """A sparkline of articles per period (None without any)."""
    if not periods:
        return None
    return Markup(
        sparkline_svg(
            [n for _, n in periods], title=title, labels=[p for p, _ in periods], width=320, height=48
        )
    )


def _pager(page: int, total: int, base: str) -> dict[str, str | None]:
    sep = "&" if "?" in base else "?"
    return {
        "prev": f"{base}{sep}page={page - 1}" if page > 1 else None,
        "next": f"{base}{sep}page={page + 1}" if page * ARTICLES_PER_PAGE < total else None,
    }


def _mention_page(request: Request, kind: str, key: str, page: int) -> dict[str, Any]:
    offset = (page - 1) * ARTICLES_PER_PAGE
    f = browse.ArticleFilter(countries=(key,)) if kind == "country" else browse.ArticleFilter(entities=(key,))
    with get_db(request).read() as conn:
        summary = browse.mention_summary(conn, kind, key)
        if summary is None:
            raise HTTPException(404, f"No stored article names {key}.")
        return {
            "summary": summary,
            "timeline": browse.mention_timeline(conn, kind, key, interval="month"),
            "languages": desk_store.mention_languages(conn, kind, key),
            "actors": browse.co_mentions(conn, kind, key, limit=20),
            "countries": browse.co_mentions(conn, kind, key, other_kind="country", limit=20),
            "themes": browse.themes_for(conn, kind, key),
            "events": desk_store.mention_events(conn, kind, key, limit=50),
            "articles": browse.article_rows(conn, f, limit=ARTICLES_PER_PAGE, offset=offset),
            "total": browse.count_article_rows(conn, f),
        }


@router.get("/desk/countries/{code}", response_class=HTMLResponse)
def country_page(
    request: Request,
    user: Editor,
    code: Annotated[str, Path(pattern=r"^[A-Za-z]{2}$")],
    page: Page = 1,
) -> HTMLResponse:
    """One country: timeline, languages, actors, themes, events with evidence, articles."""
    if code != code.upper():
        return RedirectResponse(f"/desk/countries/{code.upper()}", status_code=308)  # type: ignore[return-value]
    data = _mention_page(request, "country", code, page)
    names = country_names()
    name = names.get(code, code)
    context = {
        "title": name,
        "user": user,
        "kind": "country",
        "key": code,
        "name": name,
        "names": names,
        "chart": timeline_chart(data["timeline"], f"Articles naming {name} per month"),
        "page": page,
        "pages": _pager(page, data["total"], f"/desk/countries/{code}"),
        "aliases": [],
        "search_href": f"/desk/search?country={code}",
        **data,
    }
    return render(request, "desk/mention.html", context, headers=NO_STORE)


@router.get("/desk/entities/{key}", response_class=HTMLResponse)
def entity_page(
    request: Request, user: Editor, key: Annotated[str, Path(min_length=1, max_length=128)], page: Page = 1
) -> HTMLResponse:
    """One actor: knowledge-base names, timeline, languages, co-occurring actors, events, articles."""
    data = _mention_page(request, "entity", key, page)
    actor = load_user_kb(get_settings(request)).actors.get(key)
    name = actor.name if actor is not None else data["summary"]["name"]
    context = {
        "title": name,
        "user": user,
        "kind": "entity",
        "key": key,
        "name": name,
        "names": country_names(),
        "chart": timeline_chart(data["timeline"], f"Articles naming {name} per month"),
        "page": page,
        "pages": _pager(page, data["total"], f"/desk/entities/{key}"),
        "aliases": [n for n in actor.all_names() if n != actor.name] if actor is not None else [],
        "actor": actor,
        "search_href": f"/desk/search?entity={key}",
        **data,
    }
    return render(request, "desk/mention.html", context, headers=NO_STORE)


def _story_view(request: Request, story_id: str) -> dict[str, Any]:
    settings = get_settings(request)
    kb = load_user_kb(settings)
    detail = story_detail(get_db(request), settings, story_id, kb=kb)
    if detail is None:
        raise HTTPException(404, f"No story {story_id}.")
    members = sorted(detail.members, key=lambda m: (m[0].day <= 0, m[0].day, m[0].article_id))
    titles = {s.article_id: s.title for s, _ in members}
    days = Counter(date.fromordinal(s.day).isoformat() for s, _ in members if s.day > 0)
    periods = sorted(days.items())
    names: dict[str, str] = {}
    events: list[dict[str, Any]] = []
    for s, annotation in members:
        if annotation is None:
            continue
        for m in annotation.mentions:
            if m.kind == "entity":
                names.setdefault(m.key, m.name)
        for e in annotation.events:
            events.append({"article_id": s.article_id, "article_title": s.title, "event": e})
    for key in detail.story.actors:
        actor = kb.actors.get(key)
        if actor is not None:
            names[key] = actor.name
    events.sort(key=lambda e: (e["event"].date is None, e["event"].date or ""))  # undated last
    return {
        "detail": detail,
        "story": detail.story,
        "members": [
            {
                "signals": s,
                "day": date.fromordinal(s.day) if s.day > 0 else None,
                "by_editor": s.article_id in detail.by_editor,
                "countries": annotation.countries if annotation is not None else (),
                "themes": annotation.themes if annotation is not None else (),
            }
            for s, annotation in members
        ],
        "languages": Counter(s.language or "?" for s, _ in members).most_common(),
        "outlets": Counter(s.outlet or "?" for s, _ in members).most_common(),
        "chart": timeline_chart(periods, "Articles of this story per day"),
        "periods": periods,
        "reprints": [
            {"reprint": r, "title": titles.get(r.article_id), "source_title": titles.get(r.source_id or "")}
            for r in detail.reprints
        ],
        "actor_names": names,
        "events": events,
        "country_names": country_names(),
    }


@router.get("/desk/stories/{story_id}", response_class=HTMLResponse)
def story_page(
    request: Request,
    user: Editor,
    story_id: Annotated[str, Path(min_length=1, max_length=64)],
    done: str | None = None,
    error: str | None = None,
) -> HTMLResponse:
    """One story: articles in order, languages, outlets, reprint chains, actors, events; merge and split."""
    view = _story_view(request, story_id)
    context = {
        "title": view["story"].title or story_id,
        "user": user,
        "done": done,
        "error": error,
        **view,
    }
    return render(request, "desk/story.html", context, headers=NO_STORE)


def _story_error(request: Request, user: accounts.User, story_id: str, message: str) -> HTMLResponse:
    view = _story_view(request, story_id)
    context = {"title": view["story"].title or story_id, "user": user, "done": None, "error": message, **view}
    return render(request, "desk/story.html", context, status=400, headers=NO_STORE)


@router.post("/desk/stories/{story_id}/merge", response_class=HTMLResponse)
def merge_story(
    request: Request,
    user: Editor,
    story_id: Annotated[str, Path(min_length=1, max_length=64)],
    others: Annotated[str, Form(max_length=2000)] = "",
) -> Any:
    """Merge the stories named in ``others`` (ids, separated by spaces or commas) into this one."""
    ids = [o for o in others.replace(",", " ").split() if o]
    if not ids:
        return _story_error(request, user, story_id, "Name at least one story to merge into this one.")
    try:
        merged = merge_stories(get_db(request), story_id, ids, clock=get_clock(request), by=user.username)
    except StoreError as exc:
        return _story_error(request, user, story_id, f"Nothing merged: {exc}.")
    with get_db(request).begin() as conn:
        for other in merged:
            accounts.record(
                conn, user, "story.merge", f"story:{other}", f"{other} -> {story_id}", now=now(request)
            )
        accounts.record(
            conn,
            user,
            "story.merge",
            f"story:{story_id}",
            f"merged in: {', '.join(merged)}",
            now=now(request),
        )
    return RedirectResponse(f"/desk/stories/{story_id}?done=merged", status_code=303)


@router.post("/desk/stories/{story_id}/split", response_class=HTMLResponse)
def split_off(
    request: Request,
    user: Editor,
    story_id: Annotated[str, Path(min_length=1, max_length=64)],
    article: Annotated[list[str] | None, Form()] = None,
) -> Any:
    """Move the ticked articles into a story of their own."""
    ids = [a for a in article or () if a]
    if not ids:
        return _story_error(request, user, story_id, "Tick the articles that form the new story.")
    try:
        new_id = split_story(get_db(request), story_id, ids, clock=get_clock(request), by=user.username)
    except StoreError as exc:
        return _story_error(request, user, story_id, f"Nothing split: {exc}.")
    with get_db(request).begin() as conn:
        detail = f"{', '.join(ids)}: {story_id} -> {new_id}"
        accounts.record(conn, user, "story.split", f"story:{story_id}", detail, now=now(request))
        for a in ids:
            accounts.record(conn, user, "story.split", f"article:{a}", detail, now=now(request))
    return RedirectResponse(f"/desk/stories/{new_id}?done=split", status_code=303)


@router.post("/desk/stories/{story_id}/flag", response_class=HTMLResponse)
def flag_story(
    request: Request,
    user: Editor,
    story_id: Annotated[str, Path(min_length=1, max_length=64)],
    kind: Annotated[str, Form(pattern=r"^(pin|unpin|hide|unhide)$")],
) -> Any:
    """Pin, unpin, hide or unhide the story (kept across reclustering, as ``stories pin``)."""
    try:
        set_flag(get_db(request), story_id, kind, clock=get_clock(request), by=user.username)
    except StoreError as exc:
        return _story_error(request, user, story_id, f"Nothing changed: {exc}.")
    with get_db(request).begin() as conn:
        accounts.record(conn, user, f"story.{kind}", f"story:{story_id}", kind, now=now(request))
    return RedirectResponse(f"/desk/stories/{story_id}?done={kind}", status_code=303)
