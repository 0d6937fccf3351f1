"""Queries for stored annotations: save (replacing the previous one), load, and find stale articles.

Builders follow the ``_*_stmt(dialect, ...)`` convention of ``queries`` so a test compiles every
statement for SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Delete, Insert, RowMapping, Select, delete, func, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from ..records import Annotation, Event, Mention
from .tables import annotations_table as annotations_t
from .tables import article_themes, articles, events, mentions

__all__ = [
    "china_related_count",
    "count_annotations",
    "load_annotation",
    "load_annotations",
    "mention_counts",
    "save_annotation",
    "stale_article_ids",
    "theme_counts",
]

_CHILDREN = (mentions, article_themes, events)
# SQLite allows 32766 bound parameters per statement (999 before 3.32); one id each, far below both.
_CHUNK = 400


def _upsert_annotation_stmt(dialect: str, a: Annotation, now: datetime) -> Insert:
    values = {
        "article_id": a.article_id,
        "language": a.language,
        "china_related": a.china_related,
        "countries": a.countries,
        "themes": a.themes,
        "kb_version": a.kb_version,
        "model_version": a.model_version,
        "annotated_at": now,
    }
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(annotations_t).values(**values)
    update = {k: stmt.excluded[k] for k in values if k != "article_id"}
    return stmt.on_conflict_do_update(index_elements=["article_id"], set_=update)


def _delete_children_stmt(dialect: str, table_name: str, article_id: str) -> Delete:
    table = next(t for t in _CHILDREN if t.name == table_name)
    return delete(table).where(table.c.article_id == article_id)


def _insert_mentions_stmt(dialect: str) -> Insert:
    return insert(mentions)


def _insert_themes_stmt(dialect: str) -> Insert:
    return insert(article_themes)


def _insert_events_stmt(dialect: str) -> Insert:
    return insert(events)


def _mention_row(m: Mention, article_id: str) -> dict[str, Any]:
    return {
        "article_id": article_id,
        "kind": m.kind,
        "key": m.key,
        "name": m.name,
        "start_offset": m.start,
        "end_offset": m.end,
        "wikidata": m.wikidata,
        "country": m.country,
        "entity_type": m.entity_type,
    }


def _event_row(e: Event, article_id: str) -> dict[str, Any]:
    return {
        "article_id": article_id,
        "type": e.type,
        "mode": e.mode,
        "date": e.date,
        "end_date": e.end_date,
        "upcoming": e.upcoming,
        "actors": json.dumps([list(a) for a in e.actors], ensure_ascii=False),
        "location": e.location,
        "evidence": e.evidence,
    }


def save_annotation(conn: Connection, annotation: Annotation, *, now: datetime) -> None:
    """Store an article's annotation, replacing whatever an earlier run stored for it.

    Args:
        conn: a connection inside a transaction.
        annotation: the annotation; its ``article_id`` must name a stored article.
        now: when it was made (the run's clock).
    """
    dialect = conn.dialect.name
    article_id = annotation.article_id
    for table in _CHILDREN:
        conn.execute(_delete_children_stmt(dialect, table.name, article_id))
    conn.execute(_upsert_annotation_stmt(dialect, annotation, now))
    if annotation.mentions:
        conn.execute(
            _insert_mentions_stmt(dialect), [_mention_row(m, article_id) for m in annotation.mentions]
        )
    if annotation.themes:
        conn.execute(
            _insert_themes_stmt(dialect),
            [{"article_id": article_id, "theme": t} for t in dict.fromkeys(annotation.themes)],
        )
    if annotation.events:
        conn.execute(_insert_events_stmt(dialect), [_event_row(e, article_id) for e in annotation.events])


def _load_annotations_stmt(dialect: str, article_ids: list[str]) -> Select[Any]:
    return select(annotations_t).where(annotations_t.c.article_id.in_(article_ids))


def _load_children_stmt(dialect: str, table_name: str, article_ids: list[str]) -> Select[Any]:
    table = next(t for t in _CHILDREN if t.name == table_name)
    order = table.c.id if "id" in table.c else table.c.theme
    return select(table).where(table.c.article_id.in_(article_ids)).order_by(table.c.article_id, order)


def _to_mention(r: RowMapping) -> Mention:
    return Mention(
        article_id=r["article_id"],
        kind=r["kind"],
        key=r["key"],
        name=r["name"],
        start=r["start_offset"],
        end=r["end_offset"],
        wikidata=r["wikidata"],
        country=r["country"],
        entity_type=r["entity_type"],
    )


def _to_event(r: RowMapping) -> Event:
    return Event(
        article_id=r["article_id"],
        type=r["type"],
        mode=r["mode"],
        date=r["date"],
        end_date=r["end_date"],
        upcoming=bool(r["upcoming"]),
        actors=tuple((a[0], a[1]) for a in json.loads(r["actors"])),
        location=r["location"],
        evidence=r["evidence"],
    )


def load_annotations(conn: Connection, article_ids: Iterable[str]) -> dict[str, Annotation]:
    """Article id → stored annotation, for those of ``article_ids`` that have one.

    Three queries (annotations, mentions, events) per ``_CHUNK`` ids, whatever the number of
    articles; each article's mentions and events keep the order they were stored in.
    """
    dialect = conn.dialect.name
    wanted = list(dict.fromkeys(article_ids))
    out: dict[str, Annotation] = {}
    for start in range(0, len(wanted), _CHUNK):
        rows = conn.execute(_load_annotations_stmt(dialect, wanted[start : start + _CHUNK])).mappings().all()
        if not rows:
            continue
        found = [r["article_id"] for r in rows]
        found_mentions: dict[str, list[Mention]] = defaultdict(list)
        for r in conn.execute(_load_children_stmt(dialect, "mentions", found)).mappings():
            found_mentions[r["article_id"]].append(_to_mention(r))
        found_events: dict[str, list[Event]] = defaultdict(list)
        for r in conn.execute(_load_children_stmt(dialect, "events", found)).mappings():
            found_events[r["article_id"]].append(_to_event(r))
        for row in rows:
            article_id = row["article_id"]
            out[article_id] = Annotation(
                article_id=article_id,
                language=row["language"],
                china_related=bool(row["china_related"]),
                countries=tuple(row["countries"]),
                mentions=tuple(found_mentions.get(article_id, ())),
                themes=tuple(row["themes"]),
                events=tuple(found_events.get(article_id, ())),
                kb_version=row["kb_version"],
                model_version=row["model_version"],
            )
    return out


def load_annotation(conn: Connection, article_id: str) -> Annotation | None:
    """The stored annotation of an article, or None when it has none."""
    return load_annotations(conn, [article_id]).get(article_id)


def _stale_stmt(
    dialect: str, kb_version: str, model_version: str, since: datetime | None, force: bool, limit: int
) -> Select[Any]:
    stmt = select(articles.c.article_id).select_from(
        articles.outerjoin(annotations_t, annotations_t.c.article_id == articles.c.article_id)
    )
    if not force:
        stmt = stmt.where(
            or_(
                annotations_t.c.article_id.is_(None),
                annotations_t.c.kb_version != kb_version,
                annotations_t.c.model_version != model_version,
            )
        )
    if since is not None:
        stmt = stmt.where(or_(articles.c.published >= since, articles.c.first_seen_at >= since))
    return stmt.order_by(articles.c.article_id).limit(limit)


def stale_article_ids(
    conn: Connection,
    *,
    kb_version: str,
    model_version: str,
    since: datetime | None = None,
    force: bool = False,
    after: str | None = None,
    limit: int = 500,
) -> list[str]:
    """Articles without an annotation from this KB and model version (all of them with ``force``).

    Args:
        conn: a connection.
        kb_version: the knowledge base version annotations_t must carry.
        model_version: the theme model version annotations_t must carry.
        since: only articles published or first seen from this instant on.
        force: every article, whatever its annotation (``reannotate --all``).
        after: continue after this article id (batches of a forced run, which stay "stale").
        limit: at most this many ids, in id order.
    """
    stmt = _stale_stmt(conn.dialect.name, kb_version, model_version, since, force, limit)
    if after is not None:
        stmt = stmt.where(articles.c.article_id > after)
    return list(conn.execute(stmt).scalars())


def _count_annotations_stmt(dialect: str) -> Select[Any]:
    return select(func.count()).select_from(annotations_t)


def count_annotations(conn: Connection) -> int:
    """How many articles have an annotation."""
    return int(conn.execute(_count_annotations_stmt(conn.dialect.name)).scalar_one())


def _mention_counts_stmt(dialect: str, kind: str, limit: int) -> Select[Any]:
    articles_n = func.count(func.distinct(mentions.c.article_id)).label("articles")
    return (
        select(mentions.c.key, func.min(mentions.c.name).label("name"), articles_n)
        .where(mentions.c.kind == kind)
        .group_by(mentions.c.key)
        .order_by(articles_n.desc(), mentions.c.key)
        .limit(limit)
    )


def mention_counts(conn: Connection, kind: str, *, limit: int = 10) -> list[tuple[str, str, int]]:
    """The most mentioned countries or entities: (key, name, number of articles), most first."""
    rows = conn.execute(_mention_counts_stmt(conn.dialect.name, kind, limit))
    return [(r.key, r.name, int(r.articles)) for r in rows]


def _theme_counts_stmt(dialect: str) -> Select[Any]:
    n = func.count().label("n")
    return (
        select(article_themes.c.theme, n)
        .group_by(article_themes.c.theme)
        .order_by(n.desc(), article_themes.c.theme)
    )


def theme_counts(conn: Connection) -> list[tuple[str, int]]:
    """Articles per theme, most first."""
    return [(r.theme, int(r.n)) for r in conn.execute(_theme_counts_stmt(conn.dialect.name))]


def _china_related_count_stmt(dialect: str) -> Select[Any]:
    return select(func.count()).select_from(annotations_t).where(annotations_t.c.china_related.is_(True))


def china_related_count(conn: Connection) -> int:
    """How many annotated articles are about China, Chinese actors or Chinese activity."""
    return int(conn.execute(_china_related_count_stmt(conn.dialect.name)).scalar_one())
