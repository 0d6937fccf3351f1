"""Extracted articles are committed in batches (``pipeline.STORE_BATCH``), each batch one transaction.

Fewer commits than articles, the same articles stored, and an article the store refuses fails alone:
the rest of its batch is still stored, and the refused one leaves no page or fetch-log row behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, func, select

from eurasiawatch import pipeline
from eurasiawatch.errors import StoreError
from eurasiawatch.pipeline import ingest
from eurasiawatch.records import Source
from eurasiawatch.store import Database, queries
from eurasiawatch.store.tables import fetch_log, pages

from .loopback import Reply, Site, serve
from .test_pipeline import CLOCK, SETTINGS, page

PAGES = 19


def _site(site: Site) -> None:
    items = ""
    for n in range(PAGES):
        path = f"/news/{n}.html"
        lead = f"Story {n} on the railway from Kashgar to Andijan, its cost and its schedule."
        body = page(f"Story {n}", "Reporter", "2024-07-01T10:00:00+06:00", lead)
        site.routes[path] = Reply(200, body, {"Content-Type": "text/html; charset=utf-8"})
        items += f"<item><title>Story {n}</title><link>{site.url(path)}</link></item>"
    feed = f"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>{items}</channel></rss>"
    site.routes["/feed.xml"] = Reply(200, feed.encode(), {"Content-Type": "application/rss+xml"})


@pytest.fixture
def batches(fresh_db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Articles inserted per committed transaction, in order (batches of 5, no time limit)."""
    monkeypatch.setattr(pipeline, "STORE_BATCH", 5)
    monkeypatch.setattr(pipeline, "STORE_BATCH_SECONDS", 600.0)
    committed: list[int] = []
    current = [0]

    def on_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO ARTICLES"):
            current[0] += 1

    def on_commit(conn: Any) -> None:
        if current[0]:
            committed.append(current[0])
        current[0] = 0

    def on_rollback(conn: Any) -> None:
        current[0] = 0

    event.listen(fresh_db.engine, "before_cursor_execute", on_execute)
    event.listen(fresh_db.engine, "commit", on_commit)
    event.listen(fresh_db.engine, "rollback", on_rollback)
    yield committed
    event.remove(fresh_db.engine, "before_cursor_execute", on_execute)
    event.remove(fresh_db.engine, "commit", on_commit)
    event.remove(fresh_db.engine, "rollback", on_rollback)


def _ingest(db: Database) -> pipeline.IngestReport:
    with serve() as site:
        _site(site)
        source = Source(name="outlet", url=site.url("/feed.xml"), allow_private=True)
        with db.begin() as conn:
            queries.upsert_source(conn, source, now=CLOCK.now())
        return ingest(db, SETTINGS, CLOCK)


def test_articles_are_committed_in_batches(fresh_db: Database, batches: list[int]) -> None:
    report = _ingest(fresh_db)
    assert report.counts["new"] == PAGES and not report.failures
    assert batches == [5, 5, 5, 4]  # the last, partial batch at the end of the source
    with fresh_db.begin() as conn:
        assert queries.count_articles(conn) == PAGES
        assert conn.execute(select(func.count()).select_from(fetch_log)).scalar_one() == PAGES + 1
        health = {h.name: h for h in queries.list_sources(conn)}
    assert health["outlet"].items_total == PAGES


def test_an_article_the_store_refuses_fails_alone(
    fresh_db: Database, batches: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    upsert = queries.upsert_article

    def refusing(conn: Any, article: Any, **kwargs: Any) -> str:
        if article.url.endswith("/news/7.html"):
            raise StoreError("refused for the test")
        return upsert(conn, article, **kwargs)

    monkeypatch.setattr(queries, "upsert_article", refusing)
    report = _ingest(fresh_db)
    assert [(f.url.rsplit("/", 1)[1], f.stage, f.reason) for f in report.failures] == [
        ("7.html", "store", "refused for the test")
    ]
    assert report.counts["new"] == PAGES - 1 and report.exit_code == 1
    # the batch holding story 7 was rolled back, then stored article by article
    assert sum(batches) == PAGES - 1 and 1 in batches
    with fresh_db.begin() as conn:
        assert queries.count_articles(conn) == PAGES - 1
        urls = set(conn.execute(select(pages.c.url)).scalars())
        logged = set(conn.execute(select(fetch_log.c.url)).scalars())
    assert not any(u.endswith("/news/7.html") for u in urls | logged)
    assert len(urls) == PAGES  # 18 article pages and the feed
