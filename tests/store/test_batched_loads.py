"""Articles and annotations read in batches (``queries.get_articles``, ``annotations.load_annotations``).

What the story ranking and clustering read (``analyzing._load_pairs``) must be exactly what reading
one article at a time gives, in the caller's order, however many ids are asked for; and the number
of statements grows with the number of batches, not with the number of articles.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

import eurasiawatch.store.annotations as annotations
from eurasiawatch import analyzing
from eurasiawatch.extract import content_hash
from eurasiawatch.records import Annotation, Article, Event, Mention
from eurasiawatch.store import Database, queries

NOW = datetime(2024, 7, 9, 12, tzinfo=UTC)


def _article(n: int) -> Article:
    text = f"Article {n} about the railway from Xi'an to Almaty and what it carries."
    return Article(
        article_id=f"art{n:03d}",
        url=f"https://e.org/{n}",
        canonical_url=f"https://e.org/{n}",
        title=f"Title {n}",
        text=text,
        published=NOW - timedelta(hours=n),
        language="en",
        outlet="Outlet",
        source="s",
        content_hash=content_hash(text),
    )


def _annotation(n: int) -> Annotation:
    aid = f"art{n:03d}"
    # mentions stored in a non-alphabetical order, so an order by key would show
    keys = [("KZ", "Kazakhstan"), ("CN", "China"), ("UZ", "Uzbekistan")][: 1 + n % 3]
    return Annotation(
        article_id=aid,
        language="en",
        china_related=n % 2 == 0,
        countries=tuple(k for k, _ in keys),
        themes=("trade", "energy")[: 1 + n % 2],
        mentions=tuple(
            Mention(article_id=aid, kind="country", key=k, name=name, start=i, end=i + 2)
            for i, (k, name) in enumerate(keys)
        ),
        events=tuple(
            Event(
                article_id=aid,
                type=("AGREE", "VISIT")[i],
                mode="planned",
                date=f"2024-07-1{i}",
                actors=(("CN", "Xi Jinping"), ("KZ", None)),
                evidence=f"Evidence {i} of {n}.",
                upcoming=True,
            )
            for i in range(n % 3)
        ),
        kb_version="kb",
        model_version="lexicon",
    )


@pytest.fixture
def stored(fresh_db: Database) -> Database:
    """Eleven articles; all but art003 and art007 annotated."""
    with fresh_db.begin() as conn:
        for n in range(11):
            queries.upsert_article(conn, _article(n), page_id=None, now=NOW)
            if n not in (3, 7):
                annotations.save_annotation(conn, _annotation(n), now=NOW)
    return fresh_db


@contextmanager
def _counting(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


# ids out of order, with a repeat and two unknown ones
IDS = ["art010", "art000", "nope", "art003", "art005", "art000", "art007", "art001", "art009", "x", "art002"]


@pytest.mark.parametrize("chunk", [400, 3])
def test_batched_reads_equal_single_reads(stored: Database, chunk: int, monkeypatch) -> None:
    monkeypatch.setattr(queries, "_CHUNK", chunk)
    monkeypatch.setattr(annotations, "_CHUNK", chunk)
    with stored.begin() as conn:
        one_by_one = {i: queries.get_article(conn, i) for i in IDS}
        notes_one = {i: annotations.load_annotation(conn, i) for i in IDS}
        many = queries.get_articles(conn, IDS)
        notes_many = annotations.load_annotations(conn, IDS)
    assert many == {i: a for i, a in one_by_one.items() if a is not None}
    assert set(many) == {f"art{n:03d}" for n in (0, 1, 2, 3, 5, 7, 9, 10)}
    assert notes_many == {i: n for i, n in notes_one.items() if n is not None}
    assert "art003" not in notes_many and "art007" not in notes_many
    # stored order kept: KZ, CN, UZ for art002; two events for art005 in the order saved
    assert [m.key for m in notes_many["art002"].mentions] == ["KZ", "CN", "UZ"]
    assert [e.type for e in notes_many["art005"].events] == ["AGREE", "VISIT"]
    assert notes_many["art005"] == _annotation(5)


@pytest.mark.parametrize("chunk", [400, 3])
def test_load_pairs_keeps_order_and_counts_batches_not_articles(
    stored: Database, chunk: int, monkeypatch
) -> None:
    monkeypatch.setattr(queries, "_CHUNK", chunk)
    monkeypatch.setattr(annotations, "_CHUNK", chunk)
    with stored.begin() as conn, _counting(stored) as statements:
        pairs = analyzing._load_pairs(conn, IDS)
    known = [i for i in IDS if i not in ("nope", "x")]
    assert [a.article_id for a, _ in pairs] == known
    assert [a == _article(int(a.article_id[3:])) for a, _ in pairs] == [True] * len(known)
    assert [n is None for _, n in pairs] == [i in ("art003", "art007") for i in known]
    assert all(n == _annotation(int(a.article_id[3:])) for a, n in pairs if n is not None)
    # articles: one per chunk of 10 distinct ids; annotations, mentions, events: one each per chunk
    # of the 8 stored ones (before: four statements per article, 40 here)
    batches = -(-10 // chunk) + 3 * -(-8 // chunk)
    assert len(statements) <= batches, statements
