"""Every query function, on SQLite and on PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from eurasiawatch.errors import StoreError
from eurasiawatch.records import Article, Page, Source
from eurasiawatch.store import Database, SourceHealth, queries

T0 = datetime(2025, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)


def _article(n: int = 1, **changes: object) -> Article:
    base = Article(
        article_id=f"id{n}",
        url=f"https://news.example.kz/a/{n}?utm=x",
        canonical_url=f"https://news.example.kz/a/{n}",
        title=f"Заголовок {n}",
        text="Китай и Казахстан подписали соглашение. " * 5,
        authors=("Айгерим Н.", "J. Doe"),
        published=T0 - timedelta(days=n),
        language="ru",
        language_score=0.987654321,
        outlet="Example KZ",
        source="example-kz",
        lead_image="https://news.example.kz/i.jpg",
        description="desc",
        paragraphs=("p1", "p2"),
        extracted_at=T0,
        content_hash=f"hash{n}",
        sample=False,
    )
    return replace(base, **changes)


def _page(url: str = "https://news.example.kz/a/1", **changes: object) -> Page:
    base = Page(
        url=url,
        final_url=url + "#final",
        html="<html><body><p>Привет, 世界 — ok</p></body></html>",
        fetched_at=T0,
        source="example-kz",
        content_type="text/html; charset=utf-8",
        etag='"abc"',
        last_modified="Tue, 04 Mar 2025 05:06:07 GMT",
    )
    return replace(base, **changes)


def test_sources(fresh_db: Database) -> None:
    src = Source(name="example-kz", url="https://news.example.kz/rss", language="ru", outlet="Example KZ")
    with fresh_db.begin() as conn:
        assert queries.get_source(conn, "example-kz") is None
        queries.upsert_source(conn, src, now=T0)
        queries.upsert_source(
            conn, Source(name="aaa", url="https://a.example/feed", allow_private=True), now=T0
        )
        assert queries.get_source(conn, "example-kz") == src
    changed = replace(src, url="https://news.example.kz/feed", kind="sitemap")
    with fresh_db.begin() as conn:
        queries.mark_source_result(conn, "example-kz", ok=True, reason=None, at=T0, items=3)
        queries.upsert_source(conn, changed, now=T0 + timedelta(days=9))
        listed = queries.list_sources(conn)
    assert [h.name for h in listed] == ["aaa", "example-kz"]
    assert listed[0].source.allow_private is True
    health = listed[1]
    assert isinstance(health, SourceHealth)
    assert health.source == changed
    assert health.added_at == T0  # an update keeps the original registration and health
    assert health.items_total == 3
    with fresh_db.begin() as conn:
        assert queries.remove_source(conn, "aaa") is True
        assert queries.remove_source(conn, "aaa") is False
        assert [h.name for h in queries.list_sources(conn)] == ["example-kz"]


def test_mark_source_result_streaks(fresh_db: Database) -> None:
    due = T0 + timedelta(hours=1)
    with fresh_db.begin() as conn:
        queries.upsert_source(conn, Source(name="s", url="https://s.example/feed"), now=T0)
        queries.mark_source_result(conn, "s", ok=False, reason="HTTP 503", at=T0, next_due_at=due)
        queries.mark_source_result(conn, "s", ok=False, reason="timeout", at=T0 + timedelta(minutes=5))
        (h,) = queries.list_sources(conn)
    assert h.failure_streak == 2
    assert h.last_reason == "timeout"
    assert h.last_failure_at == T0 + timedelta(minutes=5)
    assert h.last_success_at is None
    assert not h.healthy
    with fresh_db.begin() as conn:
        queries.mark_source_result(
            conn, "s", ok=True, reason=None, at=T0 + timedelta(hours=2), items=4, next_due_at=due
        )
        queries.mark_source_result(conn, "s", ok=True, reason=None, at=T0 + timedelta(hours=3), items=1)
        queries.mark_source_result(conn, "not-registered", ok=True, reason=None, at=T0)  # no-op
        (h,) = queries.list_sources(conn)
    assert h.failure_streak == 0 and h.healthy
    assert h.items_total == 5
    assert h.last_success_at == T0 + timedelta(hours=3)
    assert h.last_attempt_at == T0 + timedelta(hours=3)
    assert h.last_failure_at == T0 + timedelta(minutes=5)


def test_fetch_log_and_failures(fresh_db: Database) -> None:
    with fresh_db.begin() as conn:
        queries.record_fetch(
            conn,
            source="s",
            url="https://s.example/",
            status=200,
            ok=True,
            reason=None,
            elapsed_ms=12,
            nbytes=3456,
            at=T0,
        )
        queries.record_fetch(
            conn,
            source=None,
            url="https://s.example/x",
            status=None,
            ok=False,
            reason="timeout",
            elapsed_ms=None,
            nbytes=None,
            at=T0,
        )
        queries.record_failure(
            conn, stage="extract", url="https://s.example/x", source="s", reason="too short", at=T0
        )
        logged = conn.exec_driver_sql(
            "SELECT url, status, ok, bytes, fetched_at FROM fetch_log ORDER BY id"
        ).all()
        failed = conn.exec_driver_sql("SELECT stage, reason FROM failures").all()
    assert [(r[0], r[1], bool(r[2]), r[3]) for r in logged] == [
        ("https://s.example/", 200, True, 3456),
        ("https://s.example/x", None, False, None),
    ]
    assert failed == [("extract", "too short")]


def test_pages(fresh_db: Database) -> None:
    with fresh_db.begin() as conn:
        assert queries.get_validators(conn, "https://news.example.kz/a/1") == (None, None)
        first = queries.save_page(conn, _page())
        second = queries.save_page(
            conn, _page(etag='"def"', last_modified=None, fetched_at=T0 + timedelta(hours=1))
        )
        other = queries.save_page(conn, _page("https://other.example/", html="<p>x</p>", etag=None))
        assert len({first, second, other}) == 3
        assert queries.get_validators(conn, "https://news.example.kz/a/1") == ('"def"', None)
        assert queries.get_validators(conn, "https://other.example/") == (
            None,
            "Tue, 04 Mar 2025 05:06:07 GMT",
        )
        assert queries.load_page_html(conn, first) == _page().html
        assert queries.load_page_html(conn, other) == "<p>x</p>"
        stored = conn.exec_driver_sql(f"SELECT html_gz, sha256 FROM pages WHERE id = {first}").one()
    assert bytes(stored[0])[:2] == b"\x1f\x8b"  # gzip
    assert len(stored[1]) == 64
    with pytest.raises(StoreError, match="no stored page"), fresh_db.begin() as conn:
        queries.load_page_html(conn, 99999)


def test_upsert_article_is_idempotent(fresh_db: Database) -> None:
    art = _article()
    with fresh_db.begin() as conn:
        page_id = queries.save_page(conn, _page())
        assert queries.upsert_article(conn, art, page_id=page_id, now=T0) == "new"
        assert queries.upsert_article(conn, art, page_id=page_id, now=T0 + timedelta(days=1)) == "unchanged"
        assert queries.count_articles(conn) == 1
        assert queries.get_article(conn, art.article_id) == art
        updated = replace(art, text="new text", content_hash="hash-new")
        assert queries.upsert_article(conn, updated, page_id=None, now=T0 + timedelta(days=2)) == "updated"
        assert queries.count_articles(conn) == 1
        assert queries.get_article(conn, art.article_id) == updated
        row = conn.exec_driver_sql(
            "SELECT page_id, first_seen_at, updated_at FROM articles WHERE article_id = 'id1'"
        ).one()
        assert queries.get_article(conn, "missing") is None
    assert row[0] == page_id  # an update without a page keeps the old one


def test_article_timestamps_round_trip(fresh_db: Database) -> None:
    plus5 = timezone(timedelta(hours=5))
    art = _article(published=datetime(2025, 1, 2, 20, 30, 0, 5, tzinfo=plus5), extracted_at=None)
    with fresh_db.begin() as conn:
        queries.upsert_article(conn, art, page_id=None, now=T0)
        back = queries.get_article(conn, art.article_id)
    assert back is not None and back.published is not None
    assert back.published == art.published
    assert back.published.tzinfo == UTC
    assert back.published.isoformat() == "2025-01-02T15:30:00.000005+00:00"
    assert back.extracted_at is None


def test_known_urls(fresh_db: Database) -> None:
    with fresh_db.begin() as conn:
        for n in (1, 2):
            queries.upsert_article(conn, _article(n), page_id=None, now=T0)
        many = [f"https://unknown.example/{i}" for i in range(1000)]
        asked = [*many, _article(1).url, _article(2).canonical_url, _article(2).canonical_url]
        assert queries.known_urls(conn, asked) == {_article(1).url, _article(2).canonical_url}
        assert queries.known_urls(conn, []) == set()
        assert queries.known_urls(conn, iter([_article(1).canonical_url])) == {_article(1).canonical_url}


def test_list_and_count_articles(fresh_db: Database) -> None:
    undated = _article(9, published=None, source="other")
    with fresh_db.begin() as conn:
        assert queries.list_articles(conn) == []
        for n in (3, 1, 2):
            queries.upsert_article(conn, _article(n), page_id=None, now=T0)
        queries.upsert_article(conn, undated, page_id=None, now=T0 - timedelta(days=30))
        assert queries.count_articles(conn) == 4
        assert [a.article_id for a in queries.list_articles(conn)] == ["id1", "id2", "id3", "id9"]
        assert [a.article_id for a in queries.list_articles(conn, limit=2)] == ["id1", "id2"]
        assert queries.list_articles(conn, source="other") == [undated]


def test_transaction_rolls_back_on_error(fresh_db: Database) -> None:
    with pytest.raises(RuntimeError), fresh_db.begin() as conn:
        queries.upsert_article(conn, _article(), page_id=None, now=T0)
        raise RuntimeError("boom")
    with fresh_db.begin() as conn:
        assert queries.count_articles(conn) == 0


def test_foreign_key_enforced(fresh_db: Database) -> None:
    with pytest.raises(StoreError, match="database error"), fresh_db.begin() as conn:
        queries.upsert_article(conn, _article(), page_id=424242, now=T0)
