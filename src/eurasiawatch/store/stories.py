"""Queries for stored stories: memberships, story rows and the editors' decisions.

``stories`` and ``story_articles`` hold what the clusterer decided and are rebuilt by a recluster;
``story_decisions`` is the editors' log, which no clustering run touches. Builders follow the
``_*_stmt(dialect, ...)`` convention of ``queries`` so a test compiles every statement for SQLite and
PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Delete, Insert, Select, Update, and_, delete, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..analyze.stories import StoryDecision
from .tables import annotations_table, article_signatures, articles, stories, story_articles, story_decisions

__all__ = [
    "StoryRow",
    "clear_stories",
    "clustered_since",
    "duplicates_of",
    "get_story",
    "list_decisions",
    "list_stories",
    "reassign_story",
    "record_decision",
    "save_assignments",
    "save_story",
    "set_story_flags",
    "story_members",
    "unclustered_article_ids",
]

StoryRow = dict[str, Any]
_STORY_COLUMNS = ("title", "first_day", "last_day", "articles", "pinned", "hidden", "merged_into")


def _upsert_assignment_stmt(dialect: str) -> Insert:
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(story_articles)
    return stmt.on_conflict_do_update(
        index_elements=["article_id"],
        set_={k: stmt.excluded[k] for k in ("story_id", "by_editor", "assigned_at")},
    )


def save_assignments(conn: Connection, rows: Iterable[tuple[str, str, bool]], *, now: datetime) -> int:
    """Store (article id, story id, placed by an editor) rows, replacing earlier ones; returns the count."""
    values = [{"article_id": a, "story_id": s, "by_editor": bool(e), "assigned_at": now} for a, s, e in rows]
    if values:
        conn.execute(_upsert_assignment_stmt(conn.dialect.name), values)
    return len(values)


def _upsert_story_stmt(dialect: str, row: StoryRow) -> Insert:
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(stories).values(**row)
    update_cols = {k: stmt.excluded[k] for k in row if k != "story_id"}
    return stmt.on_conflict_do_update(index_elements=["story_id"], set_=update_cols)


def save_story(
    conn: Connection,
    story_id: str,
    *,
    title: str,
    first_day: date | None,
    last_day: date | None,
    articles_count: int,
    pinned: bool = False,
    hidden: bool = False,
    merged_into: str | None = None,
    now: datetime,
) -> None:
    """Create or replace a story's row.

    Args:
        conn: a connection inside a transaction.
        story_id: the story's id.
        title: its headline.
        first_day: the day of its first article.
        last_day: the day of its last article.
        articles_count: how many articles it has.
        pinned: an editor pinned it.
        hidden: an editor hid it.
        merged_into: the story it was merged into (it then has no articles of its own).
        now: ``updated_at``.
    """
    row: StoryRow = {
        "story_id": story_id,
        "title": title,
        "first_day": first_day,
        "last_day": last_day,
        "articles": articles_count,
        "pinned": pinned,
        "hidden": hidden,
        "merged_into": merged_into,
        "updated_at": now,
    }
    conn.execute(_upsert_story_stmt(conn.dialect.name, row))


def _unclustered_stmt(dialect: str, limit: int | None) -> Select[Any]:
    stmt = (
        select(articles.c.article_id)
        .select_from(
            articles.join(
                annotations_table, annotations_table.c.article_id == articles.c.article_id
            ).outerjoin(story_articles, story_articles.c.article_id == articles.c.article_id)
        )
        .where(story_articles.c.article_id.is_(None))
        .order_by(articles.c.published.asc().nulls_last(), articles.c.article_id)
    )
    return stmt.limit(limit) if limit is not None else stmt


def unclustered_article_ids(conn: Connection, *, limit: int | None = None) -> list[str]:
    """Annotated articles in no story yet, in publication order (undated last), ties by id."""
    return list(conn.execute(_unclustered_stmt(conn.dialect.name, limit)).scalars())


def _clustered_since_stmt(dialect: str, since: datetime | None) -> Select[Any]:
    stmt = select(story_articles.c.article_id, story_articles.c.story_id).select_from(
        story_articles.join(articles, articles.c.article_id == story_articles.c.article_id)
    )
    if since is not None:
        stmt = stmt.where(articles.c.published >= since)
    return stmt.order_by(articles.c.published, story_articles.c.article_id)


def clustered_since(conn: Connection, since: datetime | None) -> list[tuple[str, str]]:
    """(article id, story id) of clustered articles published from ``since`` on, oldest first."""
    return [(r.article_id, r.story_id) for r in conn.execute(_clustered_since_stmt(conn.dialect.name, since))]


def _duplicates_stmt(dialect: str, article_ids: Sequence[str]) -> Select[Any]:
    return select(article_signatures.c.article_id, article_signatures.c.duplicate_of).where(
        article_signatures.c.article_id.in_(list(article_ids)),
        article_signatures.c.duplicate_of.is_not(None),
    )


def duplicates_of(conn: Connection, article_ids: Sequence[str]) -> dict[str, str]:
    """Article id → the earlier article it near-duplicates, for those of ``article_ids`` that do."""
    out: dict[str, str] = {}
    ids = list(article_ids)
    for i in range(0, len(ids), 500):
        for r in conn.execute(_duplicates_stmt(conn.dialect.name, ids[i : i + 500])):
            out[r.article_id] = r.duplicate_of
    return out


def _members_stmt(dialect: str, story_ids: Sequence[str]) -> Select[Any]:
    return (
        select(
            story_articles.c.article_id,
            story_articles.c.story_id,
            story_articles.c.by_editor,
            articles.c.title,
            articles.c.language,
            articles.c.outlet,
            articles.c.published,
        )
        .select_from(story_articles.join(articles, articles.c.article_id == story_articles.c.article_id))
        .where(story_articles.c.story_id.in_(list(story_ids)))
        .order_by(articles.c.published, story_articles.c.article_id)
    )


def story_members(conn: Connection, story_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The articles of these stories (id, story, by_editor, title, language, outlet, published)."""
    out: list[dict[str, Any]] = []
    ids = list(dict.fromkeys(story_ids))
    for i in range(0, len(ids), 500):
        out.extend(
            dict(r) for r in conn.execute(_members_stmt(conn.dialect.name, ids[i : i + 500])).mappings()
        )
    return sorted(out, key=lambda r: (r["published"] is None, r["published"] or 0, r["article_id"]))


def _get_story_stmt(dialect: str, story_id: str) -> Select[Any]:
    return select(stories).where(stories.c.story_id == story_id)


def get_story(conn: Connection, story_id: str) -> StoryRow | None:
    """A story's row, or None."""
    row = conn.execute(_get_story_stmt(conn.dialect.name, story_id)).mappings().first()
    return dict(row) if row is not None else None


def _list_stories_stmt(
    dialect: str, start: date | None, end: date | None, include_hidden: bool, limit: int | None = None
) -> Select[Any]:
    stmt = select(stories).where(stories.c.merged_into.is_(None), stories.c.articles > 0)
    if start is not None:
        stmt = stmt.where(or_(stories.c.last_day >= start, stories.c.last_day.is_(None)))
    if end is not None:
        stmt = stmt.where(or_(stories.c.first_day <= end, stories.c.first_day.is_(None)))
    if not include_hidden:
        stmt = stmt.where(stories.c.hidden.is_(False))
    if limit is not None:
        # the largest stories (pinned ones first), for callers that rank only a shortlist
        order = (stories.c.pinned.desc(), stories.c.articles.desc(), stories.c.last_day.desc())
        return stmt.order_by(*order, stories.c.story_id).limit(limit)
    return stmt.order_by(stories.c.last_day.desc(), stories.c.story_id)


def list_stories(
    conn: Connection,
    *,
    start: date | None = None,
    end: date | None = None,
    include_hidden: bool = False,
    limit: int | None = None,
) -> list[StoryRow]:
    """Live (not merged) stories with articles between ``start`` and ``end``, newest first.

    With ``limit``: only the ``limit`` largest (pinned first, then by article count).
    """
    stmt = _list_stories_stmt(conn.dialect.name, start, end, include_hidden, limit)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def _insert_decision_stmt(dialect: str) -> Insert:
    return insert(story_decisions)


def record_decision(conn: Connection, decision: StoryDecision) -> None:
    """Append an editor's decision to the log (it outlives every recluster)."""
    conn.execute(
        _insert_decision_stmt(conn.dialect.name),
        {
            "kind": decision.kind,
            "story_id": decision.story_id,
            "target_id": decision.target_id,
            "article_ids": decision.article_ids,
            "decided_by": decision.decided_by,
            "at": decision.at,
        },
    )


def _list_decisions_stmt(dialect: str) -> Select[Any]:
    return select(story_decisions).order_by(story_decisions.c.id)


def list_decisions(conn: Connection) -> list[StoryDecision]:
    """Every editor's decision, oldest first."""
    return [
        StoryDecision(
            kind=r["kind"],
            story_id=r["story_id"],
            target_id=r["target_id"],
            article_ids=tuple(r["article_ids"]),
            decided_by=r["decided_by"],
            at=r["at"],
        )
        for r in conn.execute(_list_decisions_stmt(conn.dialect.name)).mappings()
    ]


def _delete_assignments_stmt(dialect: str) -> Delete:
    return delete(story_articles)


def _delete_stories_stmt(dialect: str) -> Delete:
    return delete(stories)


def clear_stories(conn: Connection) -> None:
    """Forget every machine assignment and story row (a recluster); the decisions stay."""
    conn.execute(_delete_assignments_stmt(conn.dialect.name))
    conn.execute(_delete_stories_stmt(conn.dialect.name))


def _reassign_stmt(dialect: str, old: str, new: str) -> Update:
    return update(story_articles).where(story_articles.c.story_id == old).values(story_id=new)


def reassign_story(conn: Connection, old: str, new: str) -> None:
    """Move every article of story ``old`` to story ``new`` (a merge)."""
    conn.execute(_reassign_stmt(conn.dialect.name, old, new))


def _set_flags_stmt(dialect: str, story_id: str, values: dict[str, Any]) -> Update:
    return update(stories).where(and_(stories.c.story_id == story_id)).values(**values)


def set_story_flags(conn: Connection, story_id: str, **values: Any) -> None:
    """Update some of a story's columns (``pinned``, ``hidden``, ``merged_into``, ...)."""
    unknown = set(values) - set(_STORY_COLUMNS)
    if unknown:
        raise ValueError(f"not a story column: {sorted(unknown)}")
    conn.execute(_set_flags_stmt(conn.dialect.name, story_id, values))
