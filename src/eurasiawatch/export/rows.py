"""Export layouts: the columns of each kind and how a stored row becomes an exported one.

Events take a flat PLOVER-style layout that loads next to POLECAT: one row per event, the first
actor as ``actor``, the second as ``recipient``, any further ones in ``other_actors`` (JSON), each
with its country (ISO 3166-1 alpha-2) and Wikidata id where the knowledge base has one. The column
list of every kind is documented in ``docs/data-formats.md``; a test keeps the two equal.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["COLUMNS", "event_id", "event_row", "plain_row"]

# (name, type): string | timestamp | date | bool | float | int | list
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "articles": (
        ("article_id", "string"), ("url", "string"), ("canonical_url", "string"), ("title", "string"),
        ("published", "timestamp"), ("first_seen_at", "timestamp"), ("language", "string"),
        ("language_score", "float"), ("outlet", "string"), ("source", "string"), ("authors", "list"),
        ("description", "string"), ("text", "string"), ("content_hash", "string"),
        ("china_related", "bool"), ("countries", "list"), ("themes", "list"),
    ),
    "mentions": (
        ("article_id", "string"), ("kind", "string"), ("key", "string"), ("name", "string"),
        ("wikidata", "string"), ("country", "string"), ("entity_type", "string"),
        ("start_offset", "int"), ("end_offset", "int"), ("published", "timestamp"),
        ("language", "string"), ("outlet", "string"), ("url", "string"),
    ),
    "events": (
        ("event_id", "string"), ("event_date", "string"), ("end_date", "string"), ("event_type", "string"),
        ("event_mode", "string"), ("upcoming", "bool"), ("actor_name", "string"),
        ("actor_country", "string"), ("actor_wikidata", "string"), ("recipient_name", "string"),
        ("recipient_country", "string"), ("recipient_wikidata", "string"), ("other_actors", "string"),
        ("location", "string"), ("evidence", "string"), ("article_id", "string"),
        ("source_url", "string"), ("outlet", "string"), ("language", "string"),
        ("published", "timestamp"),
    ),
    "stories": (
        ("story_id", "string"), ("story_title", "string"), ("first_day", "date"), ("last_day", "date"),
        ("story_articles", "int"), ("pinned", "bool"), ("article_id", "string"), ("by_editor", "bool"),
        ("url", "string"), ("title", "string"), ("outlet", "string"), ("language", "string"),
        ("published", "timestamp"),
    ),
}  # fmt: skip


def plain_row(kind: str, row: Any) -> dict[str, Any]:
    """A stored row of ``articles``, ``mentions`` or ``stories`` in its export columns."""
    out = {name: row.get(name) for name, _ in COLUMNS[kind]}
    for name, kind_of in COLUMNS[kind]:
        if kind_of == "list":
            out[name] = list(out[name] or ())
        elif kind_of == "bool" and out[name] is not None:
            out[name] = bool(out[name])
    return out


def event_id(article_id: str, ordinal: int, event_type: str, evidence: str) -> str:
    """A stable id for an event: the same article, place in it, type and sentence give the same id."""
    digest = hashlib.sha1(f"{article_id}\x1f{ordinal}\x1f{event_type}\x1f{evidence}".encode()).hexdigest()
    return f"ew-{digest[:20]}"


def _actor(pair: list[Any] | None, wikidata: Mapping[str, str]) -> tuple[str | None, str | None, str | None]:
    """(name, country, Wikidata id) of an actor pair ``[country, entity or None]``."""
    if not pair:
        return None, None, None
    country, name = pair[0], pair[1] if len(pair) > 1 else None
    qid = wikidata.get(name) if name else wikidata.get(country) if country else None
    return name or country, country, qid


def event_row(row: Mapping[str, Any], ordinal: int, wikidata: Mapping[str, str]) -> dict[str, Any]:
    """A stored event (joined with its article) in the flat PLOVER-style layout.

    Args:
        row: the ``events`` row with the article's url, outlet, language and published.
        ordinal: the event's place among its article's events (for the stable id).
        wikidata: what the article mentions, name or country code → Wikidata id.
    """
    actors = json.loads(row["actors"] or "[]")
    first = _actor(actors[0] if actors else None, wikidata)
    second = _actor(actors[1] if len(actors) > 1 else None, wikidata)
    others = [
        dict(zip(("name", "country", "wikidata"), _actor(a, wikidata), strict=True)) for a in actors[2:]
    ]
    return {
        "event_id": event_id(row["article_id"], ordinal, row["type"], row["evidence"]),
        "event_date": row["date"],
        "end_date": row["end_date"],
        "event_type": row["type"],
        "event_mode": row["mode"],
        "upcoming": bool(row["upcoming"]),
        "actor_name": first[0],
        "actor_country": first[1],
        "actor_wikidata": first[2],
        "recipient_name": second[0],
        "recipient_country": second[1],
        "recipient_wikidata": second[2],
        "other_actors": json.dumps(others, ensure_ascii=False) if others else None,
        "location": row["location"],
        "evidence": row["evidence"],
        "article_id": row["article_id"],
        "source_url": row["url"],
        "outlet": row["outlet"],
        "language": row["language"],
        "published": row["published"],
    }
