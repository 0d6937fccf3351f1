"""Wiring of the analyze stage over stored articles: what ``ingest`` finishes with after annotating.

Annotated articles that are in no story yet are clustered incrementally, in publication order, with
the same :class:`~.analyze.stories.StoryClusterer` as ``eurasiawatch cluster``. The clusterer is first
loaded with the stored articles of the surrounding window and their stored story ids, so a new
article joins an existing story under that story's id, and ids never change as articles join. The
editors' decisions (``story_decisions``) are replayed into the clusterer's constraints on every run;
``recluster`` forgets the machine's assignments and rebuilds them from scratch under the same
decisions, carrying each story's old id over to the new story that holds most of its articles.

This module also reads stories back for the ``stories`` commands: a story's record, its reprint
chains and who reported first, and the window's ranking.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection

from .analyze.batch import article_signals
from .analyze.rank import FirstReport, first_report, rank_stories
from .analyze.reprints import Reprint, find_reprints, reprint_counts, state_media_names
from .analyze.similarity import Signals
from .analyze.stories import (
    DEFAULT_THRESHOLD,
    DEFAULT_WINDOW,
    EditorState,
    Story,
    StoryClusterer,
    StoryDecision,
    carry_over_ids,
    replay_decisions,
    split_story_id,
    summarize_story,
)
from .annotate import KnowledgeBase
from .clock import Clock
from .config import Settings
from .errors import StoreError
from .records import Annotation, Article
from .store import Database, queries
from .store import stories as store
from .store.annotations import load_annotations

__all__ = [
    "ClusterReport",
    "OutletProfile",
    "RankedStory",
    "StoryDetail",
    "cluster_stored",
    "load_outlets",
    "merge_stories",
    "rank_window",
    "reprints_in_window",
    "set_flag",
    "split_story",
    "story_detail",
]

log = logging.getLogger(__name__)


@dataclass
class ClusterReport:
    """What a clustering pass did."""

    clustered: int = 0  # articles placed in a story
    joined: int = 0  # of which joined a story that existed before this pass
    new_stories: int = 0
    reclustered: bool = False
    stories: set[str] = field(default_factory=set)  # stories that gained articles

    @property
    def exit_code(self) -> int:
        """Always 0: an article without signals still gets a story of its own."""
        return 0


@dataclass(frozen=True, slots=True)
class OutletProfile:
    """What ranking and reprint chains need to know of an outlet."""

    kind: str = "independent"  # independent | state | business | state-media
    country: str = ""
    agency: str | None = None  # state media: the knowledge base's name of its agency


def load_outlets(settings: Settings) -> dict[str, OutletProfile]:
    """Outlet (id and name) → profile: the sample corpus's outlets, then ``<data_dir>/outlets.yaml``.

    The user's file has the same shape as ``data/demo/outlets.yaml`` (``id``, ``name``, ``country``,
    ``kind``, ``state_media_entity``) and wins over the shipped one.
    """
    shipped = Path(str(resources.files("eurasiawatch") / "data" / "demo" / "outlets.yaml"))
    out: dict[str, OutletProfile] = {}
    for path in (shipped, Path(settings.data_dir) / "outlets.yaml"):
        if not path.is_file():
            continue
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            profile = OutletProfile(
                kind=str(raw.get("kind") or "independent"),
                country=str(raw.get("country") or ""),
                agency=raw.get("state_media_entity"),
            )
            for key in (raw.get("id"), raw.get("name")):
                if key:
                    out[str(key)] = profile
    return out


def _load_pairs(conn: Connection, ids: Iterable[str]) -> list[tuple[Article, Annotation | None]]:
    """The stored articles among ``ids``, in that order, each with its annotation (or None).

    Batched: a few queries per few hundred ids (``queries.get_articles``, ``load_annotations``)
    rather than four per article.
    """
    wanted = list(ids)
    found = queries.get_articles(conn, wanted)
    notes = load_annotations(conn, [i for i in wanted if i in found])
    return [(found[i], notes.get(i)) for i in wanted if i in found]


def _day_start(day: int) -> datetime:
    return datetime.combine(date.fromordinal(day), time(0), tzinfo=UTC)


def _headline(members: list[dict[str, Any]]) -> str:
    english = [m["title"] for m in members if m["language"] == "en" and m["title"]]
    return english[0] if english else next((m["title"] for m in members if m["title"]), "")


def _save_story_rows(conn: Connection, story_ids: Iterable[str], state: EditorState, now: datetime) -> None:
    ids = sorted(set(story_ids))
    by_story: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in store.story_members(conn, ids):
        by_story[m["story_id"]].append(m)
    for story_id in ids:
        members = by_story.get(story_id, [])
        days = [m["published"].date() for m in members if m["published"] is not None]
        store.save_story(
            conn,
            story_id,
            title=_headline(members),
            first_day=min(days) if days else None,
            last_day=max(days) if days else None,
            articles_count=len(members),
            pinned=story_id in state.pinned,
            hidden=story_id in state.hidden,
            merged_into=state.resolve(story_id) if story_id in state.aliases else None,
            now=now,
        )


def cluster_stored(
    db: Database,
    settings: Settings,
    clock: Clock,
    *,
    recluster: bool = False,
    threshold: float = DEFAULT_THRESHOLD,
    window: int = DEFAULT_WINDOW,
    batch: int = 500,
    progress: Callable[[int], None] | None = None,
) -> ClusterReport:
    """Cluster stored, annotated articles that are in no story yet (all of them with ``recluster``).

    Args:
        db: an upgraded database.
        settings: effective settings (unused today; kept for the driver signature).
        clock: stamps the assignments.
        recluster: forget the machine's assignments and story rows first (editors' decisions stay).
        threshold: pair score needed to join a story.
        window: days either side within which articles are compared.
        batch: articles read and saved per transaction.
        progress: called with the number of articles just saved.

    Returns:
        How many articles were placed, how many joined existing stories, how many stories opened.
    """
    report = ClusterReport(reclustered=recluster)
    previous: dict[str, str] = {}
    with db.begin() as conn:
        state = replay_decisions(store.list_decisions(conn))
        if recluster:
            previous = dict(store.clustered_since(conn, None))
            store.clear_stories(conn)
        ids = store.unclustered_article_ids(conn)
        if not ids:
            if recluster:
                _save_story_rows(conn, state.aliases, state, clock.now())
            return report
        first = _load_pairs(conn, ids[:1])
    clusterer = StoryClusterer(
        threshold=threshold, window=window, pinned=dict(state.placed), aliases=dict(state.aliases)
    )
    known: set[str] = set()
    first_day = article_signals(*first[0]).day if first else 0
    if first_day and not recluster:
        with db.begin() as conn:
            context = store.clustered_since(conn, _day_start(first_day - window * 3))
            by_id = dict(context)
            for article, annotation in _load_pairs(conn, [a for a, _ in context]):
                clusterer.load(article_signals(article, annotation), by_id[article.article_id])
        known = set(by_id.values())
    assigned: dict[str, str] = {}
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        with db.begin() as conn:
            pairs = _load_pairs(conn, chunk)
            duplicates = store.duplicates_of(conn, chunk)
        signals = [article_signals(a, n) for a, n in pairs]
        for s in signals:
            clusterer.observe(s)
        for s in sorted(signals, key=lambda x: (x.day == 0, x.day, x.article_id)):
            assigned[s.article_id] = clusterer.add(s, duplicate_of=duplicates.get(s.article_id))
        if recluster:
            continue  # ids are settled once every article is placed
        rows = [(a, clusterer.resolve(sid), a in state.placed) for a, sid in assigned.items()]
        _save(db, rows, state, clock, report, known)
        assigned.clear()
        if progress:
            progress(len(rows))
    if recluster:
        renamed = carry_over_ids(previous, clusterer.assignments(), keep_out=set(state.aliases))
        rows = [(a, renamed.get(s, s), a in state.placed) for a, s in clusterer.assignments().items()]
        _save(db, rows, state, clock, report, known, extra=state.aliases)
        if progress:
            progress(len(rows))
    log.info("clustered %d articles into %d stories", report.clustered, len(report.stories))
    return report


def _save(
    db: Database,
    rows: list[tuple[str, str, bool]],
    state: EditorState,
    clock: Clock,
    report: ClusterReport,
    known: set[str],
    extra: Iterable[str] = (),
) -> None:
    touched = {s for _, s, _ in rows}
    with db.begin() as conn:
        store.save_assignments(conn, rows, now=clock.now())
        _save_story_rows(conn, touched | set(extra), state, clock.now())
    report.clustered += len(rows)
    report.joined += sum(1 for _, s, _ in rows if s in known)
    report.new_stories += len(touched - known - report.stories)
    report.stories |= touched


def _live_story(conn: Connection, story_id: str) -> dict[str, Any]:
    row = store.get_story(conn, story_id)
    if row is None:
        raise StoreError(f"no story {story_id!r}", hint="see `eurasiawatch stories list`")
    if row["merged_into"]:
        raise StoreError(
            f"story {story_id!r} was merged into {row['merged_into']!r}", hint="use that story's id"
        )
    return row


def _decide(conn: Connection, decision: StoryDecision, refresh: Iterable[str], now: datetime) -> None:
    store.record_decision(conn, decision)
    _save_story_rows(conn, refresh, replay_decisions(store.list_decisions(conn)), now)


def merge_stories(
    db: Database, into: str, others: Iterable[str], *, clock: Clock, by: str | None = None
) -> list[str]:
    """Merge stories into ``into``: their articles move there, now and after every recluster.

    Args:
        db: an upgraded database.
        into: the surviving story.
        others: the stories merged into it.
        clock: stamps the decision.
        by: who decided.

    Returns:
        The ids merged (``into`` itself and repeats left out).

    Raises:
        StoreError: a story is unknown or was merged already.
    """
    merged = []
    with db.begin() as conn:
        _live_story(conn, into)
        for other in dict.fromkeys(others):
            if other == into:
                continue
            _live_story(conn, other)
            store.reassign_story(conn, other, into)
            decision = StoryDecision(
                kind="merge", story_id=other, target_id=into, decided_by=by, at=clock.now()
            )
            _decide(conn, decision, (into, other), clock.now())
            merged.append(other)
    return merged


def split_story(
    db: Database, story_id: str, article_ids: Iterable[str], *, clock: Clock, by: str | None = None
) -> str:
    """Move some articles of a story into a story of their own, now and after every recluster.

    Args:
        db: an upgraded database.
        story_id: the story they leave.
        article_ids: the articles that form the new story.
        clock: stamps the decision.
        by: who decided.

    Returns:
        The new story's id.

    Raises:
        StoreError: the story is unknown, or an article is not in it.
    """
    moved = tuple(dict.fromkeys(article_ids))
    with db.begin() as conn:
        _live_story(conn, story_id)
        members = {m["article_id"] for m in store.story_members(conn, [story_id])}
        missing = [a for a in moved if a not in members]
        if missing or not moved:
            raise StoreError(
                f"not in story {story_id!r}: {', '.join(missing) or '(no articles given)'}",
                hint=f"see `eurasiawatch stories show {story_id}`",
            )
        new_id = split_story_id(story_id, moved)
        store.save_assignments(conn, [(a, new_id, True) for a in moved], now=clock.now())
        decision = StoryDecision(
            kind="split",
            story_id=story_id,
            target_id=new_id,
            article_ids=moved,
            decided_by=by,
            at=clock.now(),
        )
        _decide(conn, decision, (story_id, new_id), clock.now())
    return new_id


def set_flag(db: Database, story_id: str, kind: str, *, clock: Clock, by: str | None = None) -> None:
    """Pin, unpin, hide or unhide a story (``kind``); the decision outlives every recluster.

    Raises:
        StoreError: the story is unknown or was merged into another.
        ValueError: ``kind`` is not one of pin, unpin, hide, unhide.
    """
    if kind not in ("pin", "unpin", "hide", "unhide"):
        raise ValueError(f"not a story flag: {kind!r}")
    with db.begin() as conn:
        _live_story(conn, story_id)
        decision = StoryDecision(kind=kind, story_id=story_id, decided_by=by, at=clock.now())
        _decide(conn, decision, (story_id,), clock.now())


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryDetail:
    """A story with everything ``stories show`` prints."""

    story: Story
    members: tuple[tuple[Signals, Annotation | None], ...]
    by_editor: frozenset[str]
    first: FirstReport | None
    reprints: tuple[Reprint, ...]
    merged_into: str | None = None


def _details(
    conn: Connection,
    rows: list[dict[str, Any]],
    outlets: Mapping[str, OutletProfile],
    kb: KnowledgeBase | None,
) -> list[StoryDetail]:
    ids = [r["story_id"] for r in rows]
    members = store.story_members(conn, ids)
    pairs = {a.article_id: (a, n) for a, n in _load_pairs(conn, [m["article_id"] for m in members])}
    signals = {i: article_signals(a, n) for i, (a, n) in pairs.items()}
    story_of = {m["article_id"]: m["story_id"] for m in members if m["article_id"] in pairs}
    state_media = {o: p.agency for o, p in outlets.items() if p.kind == "state-media"}
    agencies = state_media_names(kb) if kb is not None else None
    found = find_reprints(
        signals,
        story_of,
        texts={i: a.text for i, (a, _) in pairs.items()},
        state_media_outlets=state_media,
        agencies=agencies,
    )
    reprints_of: dict[str, list[Reprint]] = defaultdict(list)
    for r in found:
        reprints_of[story_of[r.article_id]].append(r)
    editor = {m["article_id"] for m in members if m["by_editor"]}
    grouped: dict[str, list[str]] = defaultdict(list)
    for article_id, story_id in story_of.items():
        grouped[story_id].append(article_id)
    out = []
    for row in rows:
        sid = row["story_id"]
        mine = tuple((signals[a], pairs[a][1]) for a in grouped.get(sid, []))
        story = summarize_story(sid, mine, pinned=bool(row["pinned"]), hidden=bool(row["hidden"]))
        out.append(
            StoryDetail(
                story=story,
                members=mine,
                by_editor=frozenset(a for a in grouped.get(sid, []) if a in editor),
                first=first_report(s for s, _ in mine),
                reprints=tuple(reprints_of.get(sid, [])),
                merged_into=row["merged_into"],
            )
        )
    return out


def story_detail(
    db: Database, settings: Settings, story_id: str, *, kb: KnowledgeBase | None = None
) -> StoryDetail | None:
    """One stored story with its articles, reprint chains and first report; None when unknown."""
    with db.begin() as conn:
        row = store.get_story(conn, story_id)
        if row is None:
            return None
        return _details(conn, [row], load_outlets(settings), kb)[0]


@dataclass(frozen=True, slots=True, kw_only=True)
class RankedStory:
    """One line of ``stories list``."""

    detail: StoryDetail
    score: float


def _window(clock: Clock, days: int) -> tuple[date, date]:
    end = clock.now().date()
    return end - timedelta(days=days - 1), end


def rank_window(
    db: Database,
    settings: Settings,
    clock: Clock,
    *,
    days: int = 14,
    include_hidden: bool = False,
    kb: KnowledgeBase | None = None,
    candidates: int | None = None,
) -> list[RankedStory]:
    """The stories of the ``days`` ending today (the clock's), best first, pinned ones on top.

    Hidden stories are left out unless ``include_hidden`` (they then rank as if visible).
    ``candidates`` ranks only that many of the window's largest stories (pinned first) against as
    many of the window before: the dashboard's bound on work, since ranking reads every member
    article.
    """
    start, end = _window(clock, days)
    outlets = load_outlets(settings)
    # only reads: a write transaction would hold SQLite's write lock through the seconds this takes
    with db.read() as conn:
        rows = store.list_stories(conn, start=start, end=end, include_hidden=include_hidden, limit=candidates)
        details = {d.story.story_id: d for d in _details(conn, rows, outlets, kb)}
        before = store.list_stories(
            conn, start=start - timedelta(days=days), end=start - timedelta(days=1), limit=candidates
        )
        previous = _details(conn, before, outlets, kb) if before else []
    previous_actors = frozenset(a for d in previous for a in d.story.actors)
    china = {
        sid: sum(1 for _, n in d.members if n is not None and n.china_related) / max(len(d.members), 1)
        for sid, d in details.items()
    }
    stories = [d.story if not include_hidden else _visible(d.story) for d in details.values()]
    ranked = rank_stories(
        stories,
        outlet_kinds={o: p.kind for o, p in outlets.items()},
        china_share=china,
        previous_actors=previous_actors,
        window_end=end.toordinal(),
    )
    return [RankedStory(detail=details[s.story_id], score=score) for s, score in ranked]


def _visible(story: Story) -> Story:
    return replace(story, hidden=False)


def reprints_in_window(
    db: Database, settings: Settings, clock: Clock, *, days: int = 14, kb: KnowledgeBase | None = None
) -> tuple[list[Reprint], Counter[str], Counter[str]]:
    """The window's reprints of Chinese state media, and their counts per outlet and per outlet country."""
    start, end = _window(clock, days)
    outlets = load_outlets(settings)
    with db.begin() as conn:
        rows = store.list_stories(conn, start=start, end=end, include_hidden=True)
        details = _details(conn, rows, outlets, kb)
    found = [r for d in details for r in d.reprints]
    per_outlet, per_country = reprint_counts(found, {o: p.country for o, p in outlets.items()})
    return found, per_outlet, per_country
