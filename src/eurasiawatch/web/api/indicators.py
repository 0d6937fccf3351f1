"""``/api/v1/indicators``: stored series (with points and latest change) and reported figures."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from starlette.requests import Request

from ...analyze.indicators import describe_change, list_figures, list_series, load_indicator_series
from ..deps import get_db
from .common import ERRORS, ApiRoute, PagingQuery, Token, not_found, page, responses
from .models import ChangeOut, FigureOut, Page, SeriesDetail, SeriesSummary

__all__ = ["router"]

router = APIRouter(route_class=ApiRoute)


@router.get(
    "/indicators",
    response_model=Page[SeriesSummary],
    responses=responses(401),
    tags=["indicators"],
    summary="Stored indicator series",
)
def series_list(request: Request, _user: Token, paging: PagingQuery) -> dict[str, Any]:
    """Every imported series (``eurasiawatch indicators import``): what it measures, its unit, how many
    points from which period to which, and its source line."""
    with get_db(request).read() as conn:
        rows = list_series(conn)
    shown = rows[paging.offset : paging.offset + paging.limit]
    items = [SeriesSummary(**r, href=f"/api/v1/indicators/{r['id']}") for r in shown]
    return page(request, items, total=len(rows), paging=paging)


@router.get(
    "/indicators/figures",
    response_model=Page[FigureOut],
    responses=responses(401),
    tags=["indicators"],
    summary="Reported figures, quoted as published",
)
def figures(
    request: Request,
    _user: Token,
    paging: PagingQuery,
    dataset: Annotated[
        str | None, Query(min_length=1, max_length=200, description="Only this dataset.")
    ] = None,
) -> dict[str, Any]:
    """Figures as their sources published them (shipped ones first, then imported ones): never
    recomputed, each with its source line."""
    with get_db(request).read() as conn:
        found = [f for f in list_figures(conn) if dataset is None or f.dataset == dataset]
    shown = found[paging.offset : paging.offset + paging.limit]
    items = [FigureOut(**{k: v for k, v in f.as_dict().items() if k != "kind"}) for f in shown]
    return page(request, items, total=len(found), paging=paging)


@router.get(
    "/indicators/{series_id}",
    response_model=SeriesDetail,
    responses=ERRORS,
    tags=["indicators"],
    summary="One series with its points and latest change",
)
def series_detail(
    request: Request,
    _user: Token,
    series_id: Annotated[str, Path(pattern=r"^[Ss]?[0-9]{1,9}$", description="S1, S2 … (or 1, 2 …).")],
) -> SeriesDetail:
    """Every point in period order and, when the periods allow, the latest change with the sentence a
    briefing can quote (year to date, year on year, or period on period)."""
    with get_db(request).read() as conn:
        series = load_indicator_series(conn, series_id)
    if series is None:
        raise not_found(f"indicator series {series_id!r}")
    try:
        change = ChangeOut(**describe_change(series).as_dict())
    except ValueError:  # too few points, or not the periods any comparison needs
        change = None
    raw = {k: v for k, v in series.as_dict().items() if k not in ("kind", "points")}
    return SeriesDetail(**raw, title=series.title(), points=[(p, v) for p, v in series.points], change=change)
