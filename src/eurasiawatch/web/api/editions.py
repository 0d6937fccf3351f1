"""``/api/v1/editions``: published editions for anyone; drafts and approved ones with a token."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query
from starlette.requests import Request

from ...records import Edition
from ...store import browse
from ...store.editions import load_edition
from ..deps import get_db, now
from .common import ApiRoute, MaybeToken, PagingQuery, not_found, page, responses
from .models import BlockOut, ChartOut, CitationOut, EditionDetail, EditionSummary, Page

__all__ = ["PUBLIC_PATHS", "router"]

router = APIRouter(route_class=ApiRoute)

#: the API paths anyone may read (web.auth.PUBLIC_PATHS lists them too)
PUBLIC_PATHS = ("/api/v1/editions", "/api/v1/editions/{edition_id}")

Status = Literal["draft", "approved", "sent"]


def _href(edition_id: str) -> str:
    return f"/api/v1/editions/{edition_id}"


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "edition_id": row["edition_id"],
        "send_date": row["send_date"],
        "window_start": row["window_start"],
        "window_end": row["window_end"],
        "headline": row["headline"],
        "status": row["status"],
        "href": _href(row["edition_id"]),
    }


@router.get(
    "/editions",
    response_model=Page[EditionSummary],
    responses=responses(401),
    tags=["editions"],
    summary="Editions: published ones for anyone, every one with a token",
)
def list_editions(
    request: Request,
    user: MaybeToken,
    paging: PagingQuery,
    status: Annotated[
        list[Status],
        Query(
            description="draft, approved or sent; repeat for several. Drafts and unsent ones need a token."
        ),
    ] = [],  # noqa: B006 - FastAPI copies query defaults
) -> dict[str, Any]:
    """Without a token: the published editions (approved or sent, send date come: what the web
    archive shows), newest first. With a token: every edition, or those of the statuses asked for."""
    if user is None and set(status) - {"sent"}:
        raise HTTPException(401, "Drafts and approved editions need an API token.")
    public_only = user is None
    with get_db(request).read() as conn:
        today = now(request).date()
        total = browse.count_edition_rows(conn, today=today, public_only=public_only, statuses=status)
        rows = browse.edition_rows(
            conn,
            today=today,
            public_only=public_only,
            statuses=status,
            limit=paging.limit,
            offset=paging.offset,
        )
    return page(request, (EditionSummary(**_summary(r)) for r in rows), total=total, paging=paging)


def _detail(e: Edition) -> EditionDetail:
    return EditionDetail(
        edition_id=e.edition_id,
        send_date=e.send_date,
        window_start=e.window_start,
        window_end=e.window_end,
        headline=e.headline,
        status="sent" if e.status == "sent" else "approved" if e.status == "approved" else "draft",
        href=_href(e.edition_id),
        dek=e.dek,
        language=e.language,
        number=e.number,
        slug=e.slug,
        blocks=[
            BlockOut(
                block_id=b.block_id,
                section=b.section,
                kind=b.kind,
                title=b.title,
                text=b.text,
                flags=list(b.flags),
                edited=b.edited,
                citations=[
                    CitationOut(
                        article_id=c.article_id,
                        url=c.url,
                        outlet=c.outlet,
                        title=c.title,
                        language=c.language,
                        authors=list(c.authors),
                        published=c.published,
                    )
                    for c in b.citations
                ],
                chart=None
                if b.chart is None
                else ChartOut(
                    chart_id=b.chart.chart_id, alt=b.chart.alt, svg=b.chart.svg, source=b.chart.source
                ),
            )
            for b in e.blocks
        ],
    )


@router.get(
    "/editions/{edition_id}",
    response_model=EditionDetail,
    responses=responses(401, 404),
    tags=["editions"],
    summary="One edition with its blocks and citations",
)
def get_edition(
    request: Request,
    user: MaybeToken,
    edition_id: Annotated[str, Path(min_length=1, max_length=64, description="The edition's id.")],
) -> EditionDetail:
    """An edition's blocks in reading order, each with the articles it cites. Without a token only a
    published edition is found (a draft answers 404, as an unknown id does)."""
    with get_db(request).read() as conn:
        visible = user is not None or browse.is_public_edition(conn, edition_id, today=now(request).date())
        edition = load_edition(conn, edition_id) if visible else None
    if edition is None:
        raise not_found(f"edition {edition_id!r}")
    return _detail(edition)
