"""``/api/v1/stories``: the ranked stories of a window and one story's articles and reprint chains."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from starlette.requests import Request

from ...analyzing import StoryDetail as Detail
from ...analyzing import rank_window, story_detail
from ...annotating import load_user_kb
from ..deps import get_clock, get_db, get_settings
from .common import ERRORS, ApiRoute, PagingQuery, Token, not_found, page, responses
from .corpus import article_href
from .models import FirstReportOut, Page, ReprintOut, StoryArticle, StoryDetail, StorySummary

__all__ = ["router"]

router = APIRouter(route_class=ApiRoute)


def _summary(d: Detail, score: float | None) -> dict[str, Any]:
    s = d.story
    first = d.first
    return {
        "story_id": s.story_id,
        "title": s.title,
        "first_day": s.first_day,
        "last_day": s.last_day,
        "articles": len(s.article_ids),
        "outlets": list(s.outlets),
        "languages": list(s.languages),
        "countries": list(s.countries),
        "actors": list(s.actors),
        "themes": list(s.themes),
        "pinned": s.pinned,
        "hidden": s.hidden,
        "reprints": len(d.reprints),
        "score": None if score is None else round(score, 4),
        "first": None
        if first is None
        else FirstReportOut(
            article_id=first.article_id,
            outlet=first.outlet,
            language=first.language,
            local_lead_days=first.local_lead_days,
        ),
        "href": f"/api/v1/stories/{s.story_id}",
    }


@router.get(
    "/stories",
    response_model=Page[StorySummary],
    responses=responses(401),
    tags=["stories"],
    summary="The window's stories, best first",
)
def list_stories(
    request: Request,
    _user: Token,
    paging: PagingQuery,
    days: Annotated[int, Query(ge=1, le=366, description="The window: this many days ending today.")] = 14,
    hidden: Annotated[bool, Query(description="Include stories editors hid.")] = False,
) -> dict[str, Any]:
    """Stories with articles in the window, ranked as in ``eurasiawatch stories list`` (pinned first):
    outlets, languages, countries, actors, who reported first and how many reprints of state media."""
    settings = get_settings(request)
    ranked = rank_window(
        get_db(request),
        settings,
        get_clock(request),
        days=days,
        include_hidden=hidden,
        kb=load_user_kb(settings),
    )
    shown = ranked[paging.offset : paging.offset + paging.limit]
    items = [StorySummary(**_summary(r.detail, r.score)) for r in shown]
    return page(request, items, total=len(ranked), paging=paging)


@router.get(
    "/stories/{story_id}",
    response_model=StoryDetail,
    responses=ERRORS,
    tags=["stories"],
    summary="One story: articles, outlets, languages, reprint chains",
)
def get_story(
    request: Request,
    _user: Token,
    story_id: Annotated[str, Path(min_length=1, max_length=32, description="The story's id.")],
) -> StoryDetail:
    """A story's articles in publication order, who reported first, and its reprint chains (local
    articles carrying Chinese state-media copy, credited or copied)."""
    settings = get_settings(request)
    detail = story_detail(get_db(request), settings, story_id, kb=load_user_kb(settings))
    if detail is None:
        raise not_found(f"story {story_id!r}")
    signals = sorted((s for s, _ in detail.members), key=lambda s: (s.day <= 0, s.day, s.article_id))
    return StoryDetail(
        **_summary(detail, None),
        merged_into=detail.merged_into,
        events=list(detail.story.events),
        article_list=[
            StoryArticle(
                article_id=s.article_id,
                title=s.title,
                outlet=s.outlet,
                language=s.language,
                day=date.fromordinal(s.day) if s.day > 0 else None,
                by_editor=s.article_id in detail.by_editor,
                href=article_href(s.article_id),
            )
            for s in signals
        ],
        reprint_chains=[
            ReprintOut(
                article_id=r.article_id,
                source_id=r.source_id,
                agency=r.agency,
                outlet=r.outlet,
                how="credited" if r.how == "credited" else "copy",
            )
            for r in detail.reprints
        ],
    )
