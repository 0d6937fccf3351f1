"""The first path end to end: a loopback feed → fetch → extract → store, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

from eurasiawatch.clock import Clock
from eurasiawatch.config import Settings
from eurasiawatch.pipeline import ingest
from eurasiawatch.records import Source
from eurasiawatch.store import Database, queries

from .loopback import Reply, Site, serve

CLOCK = Clock(datetime(2024, 7, 9, 12, 0, tzinfo=UTC))
SETTINGS = Settings(fetch_per_host_delay=0.0, fetch_retries=0, fetch_timeout=5.0)

STORIES = {
    "/news/railway.html": (
        "Kyrgyz railway deal signed in Beijing",
        "Aigerim Sadykova",
        "2024-06-06T10:00:00+06:00",
        "The governments of China, Kyrgyzstan and Uzbekistan signed the intergovernmental "
        "agreement on the railway that will link Kashgar with Andijan.",
    ),
    "/news/summit.html": (
        "Leaders gather in Astana for the SCO summit",
        "Daniyar Omarov",
        "2024-07-03T09:00:00+05:00",
        "Heads of state of the Shanghai Cooperation Organisation met in Astana, where Belarus "
        "became the organisation's tenth member.",
    ),
    "/news/gas.html": (
        "Gas talks drag on without a price",
        "Nina Volkova",
        "2024-06-20T15:30:00+03:00",
        "Negotiators again failed to agree on the price of gas for the Power of Siberia 2 "
        "pipeline, people familiar with the talks said.",
    ),
}


def page(title: str, author: str, published: str, lead: str) -> bytes:
    body = "".join(
        f"<p>{lead} Paragraph {i} adds detail on the schedule, the financing and what officials said "
        f"about the next steps, which several analysts described as uncertain.</p>"
        for i in range(5)
    )
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"<meta property='article:published_time' content='{published}'>"
        f"<meta name='author' content='{author}'>"
        f"</head><body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>{title}</h1><p class='byline'>By {author}</p>{body}</article>"
        f"<footer>© Test Outlet</footer></body></html>"
    ).encode()


def rss(site: Site, paths: list[str]) -> bytes:
    items = "".join(
        f"<item><title>{STORIES.get(p, ('Item',))[0]}</title><link>{site.url(p)}</link>"
        f"<pubDate>{format_datetime(datetime(2024, 7, 1, tzinfo=UTC))}</pubDate></item>"
        for p in paths
    )
    return (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>{items}</channel></rss>".encode()
    )


def build(site: Site) -> None:
    for path, story in STORIES.items():
        site.routes[path] = Reply(200, page(*story), {"Content-Type": "text/html; charset=utf-8"})
    site.routes["/news/image.html"] = Reply(
        200, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10, {"Content-Type": "image/png"}
    )
    site.routes["/news/empty.html"] = Reply(
        200, b"<html><body><p>Short.</p></body></html>", {"Content-Type": "text/html"}
    )
    feed = rss(site, [*STORIES, "/news/missing.html", "/news/image.html", "/news/empty.html"])

    def feed_route(headers: dict[str, str], n: int) -> Reply:
        if headers.get("if-none-match") == '"feed-v1"':
            return Reply(304, b"", {"ETag": '"feed-v1"'})
        return Reply(200, feed, {"Content-Type": "application/rss+xml", "ETag": '"feed-v1"'})

    site.routes["/feed.xml"] = feed_route
    site.routes["/broken.xml"] = Reply(500, b"oops")


def register(db: Database, *sources: Source) -> None:
    with db.begin() as conn:
        for s in sources:
            queries.upsert_source(conn, s, now=CLOCK.now())


def test_feed_to_stored_articles_with_failures_reported(fresh_db: Database) -> None:
    with serve() as site:
        build(site)
        source = Source(
            name="test-outlet", url=site.url("/feed.xml"), outlet="Test Outlet", allow_private=True
        )
        register(fresh_db, source)
        report = ingest(fresh_db, SETTINGS, CLOCK)

    assert report.counts["new"] == 3
    reasons = {f.url.rsplit("/", 1)[1]: (f.stage, f.reason) for f in report.failures}
    assert reasons["missing.html"][0] == "fetch" and "404" in reasons["missing.html"][1]
    assert reasons["image.html"][0] == "fetch" and "not an HTML page" in reasons["image.html"][1]
    assert reasons["empty.html"][0] == "extract"
    assert report.exit_code == 1

    with fresh_db.begin() as conn:
        stored = {a.title: a for a in queries.list_articles(conn, limit=10)}
        health = {h.name: h for h in queries.list_sources(conn)}
    assert set(stored) == {t for t, *_ in STORIES.values()}
    railway = stored["Kyrgyz railway deal signed in Beijing"]
    assert railway.authors == ("Aigerim Sadykova",)
    assert railway.language == "en"
    assert railway.outlet == "Test Outlet"
    assert railway.published is not None and railway.published.date().isoformat() == "2024-06-06"
    assert "Kashgar" in railway.text and "Home" not in railway.text.split("\n")[0]
    assert health["test-outlet"].items_total == 3


def test_second_run_stores_nothing_twice_and_uses_conditional_get(fresh_db: Database) -> None:
    with serve() as site:
        build(site)
        register(fresh_db, Source(name="t", url=site.url("/feed.xml"), allow_private=True))
        ingest(fresh_db, SETTINGS, CLOCK)
        with fresh_db.begin() as conn:
            first = queries.count_articles(conn)
        again = ingest(fresh_db, SETTINGS, CLOCK)
        feed_requests = [h for p, h in site.requests if p == "/feed.xml"]
    with fresh_db.begin() as conn:
        assert queries.count_articles(conn) == first == 3
    assert again.counts["new"] == 0
    assert feed_requests[-1].get("if-none-match") == '"feed-v1"'
    assert again.exit_code == 0


def test_failing_source_is_flagged_with_reason_and_nothing_worked_is_exit_2(fresh_db: Database) -> None:
    with serve() as site:
        build(site)
        register(fresh_db, Source(name="broken", url=site.url("/broken.xml"), allow_private=True))
        report = ingest(fresh_db, SETTINGS, CLOCK)
    assert report.exit_code == 2
    assert "HTTP 500" in report.failures[0].reason
    with fresh_db.begin() as conn:
        health = queries.list_sources(conn)[0]
    assert health.failure_streak == 1 and "500" in (health.last_reason or "")


def test_private_source_not_marked_local_is_refused(fresh_db: Database) -> None:
    with serve() as site:
        build(site)
        register(fresh_db, Source(name="sneaky", url=site.url("/feed.xml")))
        report = ingest(fresh_db, SETTINGS, CLOCK)
        assert site.hits["/feed.xml"] == 0
    assert report.exit_code == 2
    assert "non-public address" in report.failures[0].reason
