"""Collect what a draft needs from the store: ranked stories with articles, calendar, trends, a figure.

The one place compose reads the database (through ``store`` and ``analyzing`` functions, no SQL of
its own); :func:`~.edition.draft_edition` stays pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ..analyze.calendar import CalendarDay, upcoming_calendar
from ..analyze.indicators import list_figures, list_series, load_indicator_series
from ..analyze.rank import rank_stories
from ..analyze.trends import compute_trends
from ..clock import Clock
from ..config import Settings
from ..errors import StoreError
from ..records import Edition
from ..store import Database, queries
from ..store import editions as store_editions
from ..store import stories as store_stories
from ..store.annotations import load_annotation
from .citations import CheckSource
from .datapoint import choose_data_point
from .edition import ComposeOptions, DataPoint, draft_edition, merge_redraft
from .llm import LlmEndpoint, redraft_with_llm
from .select import StoryMaterial, select_stories, story_country

__all__ = ["DraftInputs", "check_sources", "draft_stored", "gather_inputs"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftInputs:
    """Everything ``draft_edition`` takes from the store for one window."""

    materials: tuple[StoryMaterial, ...]
    calendar: tuple[CalendarDay, ...]
    rising: tuple[str, ...]
    data_point: DataPoint | None


def _edition_countries(materials: Sequence[StoryMaterial]) -> tuple[dict[str, float], list[str]]:
    """Names of the countries the placed stories are about (lead 3, three more 2, items 1), and themes."""
    names: dict[str, str] = {}
    for m in materials:
        for n in m.annotations:
            for mention in n.mentions:
                if mention.kind == "country":
                    names.setdefault(mention.key, mention.name)
    selection = select_stories(materials)
    placed = [(3.0, selection.lead)] if selection.lead else []
    placed += [(2.0, m) for m in selection.more] + [(1.0, m) for _, m in selection.supercontinent]
    weights: dict[str, float] = {}
    themes: list[str] = []
    for w, m in placed:
        code = story_country(m)
        if code and code != "CN" and code in names:
            weights[names[code]] = max(weights.get(names[code], 0.0), w)
        if w > 1:
            themes.extend(t for t in m.story.themes if t not in themes)
    return weights, themes


def _data_point(conn: Any, materials: Sequence[StoryMaterial], end: date) -> DataPoint | None:
    series = []
    for row in list_series(conn):
        s = load_indicator_series(conn, row["id"])
        if s is not None:
            series.append(s)
    countries, themes = _edition_countries(materials)
    return choose_data_point(
        series=series, figures=list_figures(conn), countries=countries, themes=themes, window_end=end
    )


def _rising(conn: Any, clock: Clock, days: int) -> tuple[str, ...]:
    """Country codes and entity names that are new or rising in the window, strongest first."""
    out: list[tuple[float, str]] = []
    for kind in ("entity", "country"):
        report = compute_trends(conn, clock, kind=kind, window=timedelta(days=days))
        for t in report.trends:
            if t.status in ("new", "rising"):
                strength = t.count / max(t.baseline, 1.0)
                out.append((-strength, t.name if kind == "entity" else t.key))
    return tuple(dict.fromkeys(k for _, k in sorted(out)))


# Above this many stories in a window, only a shortlist (pinned, then most articles) is ranked in
# full: loading every story's articles is what makes a busy fortnight slow (docs/compose.md).
LARGE_WINDOW = 400


def _rank_shortlist(
    db: Database, settings: Settings, rows: list[dict[str, Any]], end: date, limit: int
) -> list[Any]:
    """The formula's ranking over the biggest ``3 × limit`` stories (novelty against no earlier window)."""
    from ..analyzing import load_outlets, story_detail

    short = sorted(rows, key=lambda r: (not r["pinned"], -int(r["articles"] or 0), r["story_id"]))[
        : 3 * limit
    ]
    details = {}
    for r in short:
        d = story_detail(db, settings, r["story_id"])
        if d is not None:
            details[r["story_id"]] = d
    china = {
        sid: sum(1 for _, n in d.members if n is not None and n.china_related) / max(len(d.members), 1)
        for sid, d in details.items()
    }
    outlets = load_outlets(settings)
    ranked = rank_stories(
        [d.story for d in details.values()],
        outlet_kinds={o: p.kind for o, p in outlets.items()},
        china_share=china,
        window_end=end.toordinal(),
    )
    return [_Ranked(detail=details[s.story_id], score=score) for s, score in ranked[:limit]]


@dataclass(frozen=True, slots=True, kw_only=True)
class _Ranked:
    detail: Any
    score: float


def gather_inputs(
    db: Database, settings: Settings, clock: Clock, *, start: date, end: date, limit: int = 40
) -> DraftInputs:
    """The window's ranked stories (best ``limit``) with articles and annotations, and the extras.

    Args:
        db: the database.
        settings: effective settings (outlet profiles for the ranking).
        clock: the clock; the window ends on ``end`` whatever it says.
        start: first day of the window.
        end: last day of the window.
        limit: how many ranked stories to load in full.
    """
    from ..analyzing import rank_window

    window_clock = Clock(datetime.combine(end, time(23, 59, 59), tzinfo=UTC))
    days = (end - start).days + 1
    with db.begin() as conn:
        rows = store_stories.list_stories(conn, start=start, end=end)
    if len(rows) > LARGE_WINDOW:
        ranked = _rank_shortlist(db, settings, rows, end, limit)
    else:
        ranked = rank_window(db, settings, window_clock, days=days)[:limit]
    materials = []
    with db.begin() as conn:
        for r in ranked:
            arts, notes = [], []
            for signals, annotation in r.detail.members:
                a = queries.get_article(conn, signals.article_id)
                if a is None or a.published is None or not start <= a.published.date() <= end:
                    continue
                arts.append(a)
                n = annotation or load_annotation(conn, a.article_id)
                if n is not None:
                    notes.append(n)
            arts.sort(key=lambda a: (a.published or datetime.min.replace(tzinfo=UTC), a.article_id))
            materials.append(
                StoryMaterial(
                    story=r.detail.story, score=r.score, articles=tuple(arts), annotations=tuple(notes)
                )
            )
        calendar = upcoming_calendar(conn, window_clock, days=30)
        rising = _rising(conn, window_clock, days)
        data_point = _data_point(conn, materials, end)
    return DraftInputs(
        materials=tuple(materials),
        calendar=calendar,
        rising=rising,
        data_point=data_point,
    )


def draft_stored(
    db: Database,
    settings: Settings,
    clock: Clock,
    *,
    start: date,
    end: date,
    send_date: date,
    options: ComposeOptions | None = None,
    llm: LlmEndpoint | None = None,
) -> tuple[Edition, int]:
    """Draft the window's edition and store it; a re-draft keeps the blocks an editor touched.

    Returns:
        The stored edition and how many block versions were written.

    Raises:
        StoreError: the edition is already approved or sent.
        LlmError: drafting through the chat endpoint (``llm``) failed.
    """
    inputs = gather_inputs(db, settings, clock, start=start, end=end)
    fresh = draft_edition(
        inputs.materials,
        send_date=send_date,
        window_start=start,
        window_end=end,
        calendar=inputs.calendar,
        rising=inputs.rising,
        data_point=inputs.data_point,
        options=options,
    )
    if llm is not None:
        fresh = redraft_with_llm(fresh, check_sources(db, fresh), llm)
    with db.begin() as conn:
        previous = store_editions.load_edition(conn, fresh.edition_id)
        if previous is not None and previous.status != "draft":
            raise StoreError(
                f"edition {fresh.edition_id} is {previous.status}; it is not re-drafted",
                hint="eurasiawatch edition edit to change it",
            )
        edition = merge_redraft(previous, fresh) if previous is not None else fresh
        written = store_editions.save_edition(conn, edition, now=clock.now())
    return edition, written


def check_sources(db: Database, edition: Edition) -> dict[str, CheckSource]:
    """Check sources (text, names, dates) of every article the edition cites."""
    out: dict[str, CheckSource] = {}
    with db.begin() as conn:
        for b in edition.blocks:
            for c in b.citations:
                if c.article_id in out:
                    continue
                article = queries.get_article(conn, c.article_id)
                if article is not None:
                    out[c.article_id] = CheckSource.of(article, load_annotation(conn, c.article_id))
    return out
