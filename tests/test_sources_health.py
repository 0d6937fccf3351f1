"""Source health: backoff and flags, health queries on both databases, `sources list` and `sources check`."""

from __future__ import annotations

import inspect
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from eurasiawatch.cli import app
from eurasiawatch.ingest.probe import describe_document
from eurasiawatch.ingest.schedule import FAILING_AFTER, backoff_delay, health_status, next_due
from eurasiawatch.pipeline import ingest
from eurasiawatch.records import Source
from eurasiawatch.store import Database, health, queries

from .loopback import Reply, serve
from .test_pipeline import CLOCK, SETTINGS, build, register

NOW = datetime(2025, 1, 1, tzinfo=UTC)
HEALTH_SAMPLES = {
    "_due_sources_stmt": (NOW,),
    "_next_due_at_stmt": (),
    "_set_next_due_stmt": ("s", NOW),
    "_attempted_since_stmt": (NOW,),
    "_articles_since_stmt": (NOW,),
    "_last_attempt_stmt": (),
}


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "postgresql"])
def test_every_health_statement_compiles(dialect) -> None:
    builders = {
        name: fn
        for name, fn in inspect.getmembers(health, inspect.isfunction)
        if name.endswith("_stmt") and fn.__module__ == health.__name__
    }
    assert set(builders) == set(HEALTH_SAMPLES)
    for name, args in HEALTH_SAMPLES.items():
        assert str(builders[name](dialect.name, *args).compile(dialect=dialect)).strip()


def test_backoff_doubles_per_failure_and_caps_at_a_day() -> None:
    assert backoff_delay(900, 0) == 900
    assert [backoff_delay(900, n) for n in (1, 2, 3)] == [1800, 3600, 7200]
    assert backoff_delay(900, 7) == 86_400  # 900 × 128 > one day
    assert backoff_delay(900, 10_000) == 86_400  # no overflow
    assert backoff_delay(2 * 86_400, 3) == 2 * 86_400  # the cap never shortens the base interval
    assert next_due(NOW, 60, 2) == NOW + timedelta(minutes=4)
    with pytest.raises(ValueError):
        backoff_delay(0, 1)
    with pytest.raises(ValueError):
        backoff_delay(60, -1)


def test_health_status_flags() -> None:
    assert health_status(streak=0, last_attempt_at=None) == "new"
    assert health_status(streak=0, last_attempt_at=NOW) == "ok"
    assert health_status(streak=FAILING_AFTER - 1, last_attempt_at=NOW) == "failing"
    assert health_status(streak=FAILING_AFTER, last_attempt_at=NOW) == "FAILING"


def test_health_queries(fresh_db: Database) -> None:
    with serve() as site:
        build(site)
        good = Source(name="good", url=site.url("/feed.xml"), allow_private=True)
        broken = Source(name="broken", url=site.url("/broken.xml"), allow_private=True)
        register(fresh_db, good, broken)
        with fresh_db.begin() as conn:
            assert {s.name for s in health.due_sources(conn, CLOCK.now())} == {"good", "broken"}
            assert health.next_due_at(conn) is None
        for _ in range(FAILING_AFTER):
            ingest(fresh_db, SETTINGS, CLOCK)
    with fresh_db.begin() as conn:
        tried = health.attempted_since(conn, CLOCK.now() - timedelta(seconds=1))
        assert tried == {"good": (0, CLOCK.now()), "broken": (FAILING_AFTER, CLOCK.now())}
        assert health.attempted_since(conn, CLOCK.now() + timedelta(seconds=1)) == {}
        later = CLOCK.now() + timedelta(hours=2)
        health.set_next_due(conn, "good", later)
        health.set_next_due(conn, "broken", CLOCK.now() + timedelta(hours=1))
        assert health.next_due_at(conn) == CLOCK.now() + timedelta(hours=1)
        assert [s.name for s in health.due_sources(conn, CLOCK.now())] == []
        assert [s.name for s in health.due_sources(conn, later)] == ["broken", "good"]
        assert health.articles_since(conn, CLOCK.now() - timedelta(days=7)) == {"good": 3}
        assert health.articles_since(conn, CLOCK.now() + timedelta(days=1)) == {}
        rows = {h.name: h for h in queries.list_sources(conn)}
    assert rows["broken"].failure_streak == FAILING_AFTER and "500" in (rows["broken"].last_reason or "")


def test_run_once_backs_off_a_failing_source_and_list_flags_it(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("EURASIAWATCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("EURASIAWATCH_FETCH__PER_HOST_DELAY", "0")
    monkeypatch.setenv("EURASIAWATCH_FETCH__RETRIES", "0")
    assert cli.invoke(app, ["db", "upgrade"]).exit_code == 0
    start = datetime(2024, 7, 9, 12, 0, tzinfo=UTC)
    with serve() as site:
        build(site)
        for name, path in (("good", "/feed.xml"), ("broken", "/broken.xml")):
            added = cli.invoke(app, ["sources", "add", site.url(path), "--name", name, "--allow-private"])
            assert added.exit_code == 0, added.output
        for n in range(FAILING_AFTER + 1):
            at = (start + timedelta(days=n)).isoformat()
            done = cli.invoke(app, ["--as-of", at, "run", "--once", "--interval", "60"])
            assert done.exit_code in (1, 2), done.output  # the broken source fails every time
            shown = cli.invoke(app, ["--as-of", at, "sources", "list", "--json"])
            listed = {s["name"]: s for s in json.loads(shown.output)}
            broken = listed["broken"]
            assert broken["failure_streak"] == n + 1
            due = datetime.fromisoformat(str(broken["next_due_at"]))
            assert due - datetime.fromisoformat(at) == timedelta(seconds=60 * 2 ** (n + 1))
        good_due = datetime.fromisoformat(str(listed["good"]["next_due_at"]))
        assert good_due - datetime.fromisoformat(at) == timedelta(seconds=60)
        # half a minute later nothing is due yet: no pass, nothing fetched
        hits = dict(site.hits)
        soon = datetime.fromisoformat(at) + timedelta(seconds=30)
        quiet = cli.invoke(app, ["--as-of", soon.isoformat(), "run", "--once"])
        assert quiet.exit_code == 0 and "0 passes" in quiet.output
        assert dict(site.hits) == hits
    assert broken["status"] == "FAILING" and "HTTP 500" in broken["last_reason"]
    assert listed["good"]["status"] == "ok" and listed["good"]["items_total"] == 3
    # three articles in the last week, from a source added (by the real clock) "after" the replayed day
    assert listed["good"]["items_per_day"] == pytest.approx(3.0)
    table = cli.invoke(app, ["--as-of", at, "sources", "list"])
    assert "FAILING" in table.output and "items/day" in table.output and "next due" in table.output


CF_CHALLENGE = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    b"<script src='/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1'></script></body></html>"
)
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:a</id><updated>2024-07-02T00:00:00Z</updated>
<entry><title>One</title><id>urn:1</id><link href="https://a.example/1"/><updated>2024-07-01T08:00:00Z</updated></entry>
<entry><title>Two</title><id>urn:2</id><link href="https://a.example/2"/><updated>2024-07-02T08:00:00Z</updated></entry>
</feed>"""
JSON_FEED = json.dumps(
    {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "J",
        "items": [
            {"id": "1", "url": "https://j.example/1", "date_published": "2024-06-30T10:00:00Z"},
            {"id": "2", "url": "https://j.example/2", "date_published": "2024-07-03T10:00:00+02:00"},
        ],
    }
).encode()
HTML_WITH_FEED = (
    b"<html><head><title>Home</title>"
    b"<link rel='alternate' type='application/rss+xml' href='/feed.xml'></head><body>News</body></html>"
)


def test_describe_document_kinds() -> None:
    atom = describe_document(ATOM, "application/atom+xml", "https://a.example/")
    assert (atom.kind, atom.items) == ("Atom", 2)
    assert atom.newest == datetime(2024, 7, 2, 8, tzinfo=UTC)
    jf = describe_document(JSON_FEED, "application/feed+json", "https://j.example/")
    assert (jf.kind, jf.items, jf.newest) == ("JSON Feed", 2, datetime(2024, 7, 3, 8, tzinfo=UTC))
    html = describe_document(HTML_WITH_FEED, "text/html", "https://h.example/")
    assert html.kind == "HTML" and html.feed_links == ("https://h.example/feed.xml",) and html.wall is None
    wall = describe_document(CF_CHALLENGE, "text/html", "https://w.example/")
    assert wall.wall == "Cloudflare challenge"
    assert describe_document(b"\x89PNG\r\n", "image/png", "https://i.example/").kind == "other"
    assert describe_document(b'{"a": 1}', "application/json", "https://x.example/").kind == "other"


def test_sources_check_command(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("EURASIAWATCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("EURASIAWATCH_FETCH__PER_HOST_DELAY", "0")
    monkeypatch.setenv("EURASIAWATCH_FETCH__RETRIES", "0")
    assert cli.invoke(app, ["db", "upgrade"]).exit_code == 0
    with serve() as site:
        build(site)
        site.routes["/atom.xml"] = Reply(200, ATOM, {"Content-Type": "application/atom+xml"})
        site.routes["/feed.json"] = Reply(200, JSON_FEED, {"Content-Type": "application/feed+json"})
        site.routes["/home.html"] = Reply(200, HTML_WITH_FEED, {"Content-Type": "text/html"})
        site.routes["/walled.xml"] = Reply(
            200, CF_CHALLENGE, {"Content-Type": "text/html", "Server": "cloudflare"}
        )
        rows = [
            ("rss", "/feed.xml"),
            ("atom", "/atom.xml"),
            ("json", "/feed.json"),
            ("home", "/home.html"),
            ("walled", "/walled.xml"),
            ("gone", "/gone.xml"),
        ]
        csv = "name,url\n" + "".join(f"{n},{site.url(p)}\n" for n, p in rows)
        (tmp_path / "list.csv").write_text(csv, encoding="utf-8")
        imported = cli.invoke(app, ["sources", "import", str(tmp_path / "list.csv"), "--allow-private"])
        assert imported.exit_code == 0, imported.output
        done = cli.invoke(app, ["sources", "check", "--json"])
        assert done.exit_code == 1, done.output
        results = {r["name"]: r for r in json.loads(done.stdout)}
        one = cli.invoke(app, ["sources", "check", "atom"])
        assert one.exit_code == 0 and "Atom" in one.output
        assert cli.invoke(app, ["sources", "check", "nope"]).exit_code == 2
    assert (results["rss"]["ok"], results["rss"]["kind"], results["rss"]["items"]) == (True, "RSS", 6)
    assert results["rss"]["newest"].startswith("2024-07-01")
    assert (results["atom"]["kind"], results["atom"]["items"]) == ("Atom", 2)
    assert (results["json"]["kind"], results["json"]["items"]) == ("JSON Feed", 2)
    assert not results["home"]["ok"] and results["home"]["kind"] == "HTML"
    assert "advertises" in results["home"]["reason"] and site.url("/feed.xml") in results["home"]["reason"]
    assert results["walled"]["reason"] == "anti-bot wall (Cloudflare challenge)"
    assert not results["gone"]["ok"] and "404" in results["gone"]["reason"]
    # checking stores nothing and changes no health record
    listed = json.loads(cli.invoke(app, ["sources", "list", "--json"]).output)
    assert all(s["last_attempt_at"] is None and s["status"] == "new" for s in listed)


def test_pipeline_names_an_anti_bot_wall_in_the_reason(fresh_db: Database) -> None:
    with serve() as site:
        build(site)
        site.routes["/walled-feed.xml"] = Reply(200, CF_CHALLENGE, {"Content-Type": "text/html"})
        story = site.url("/news/railway.html")
        site.routes["/walled-items.xml"] = Reply(
            200,
            f"<?xml version='1.0'?><rss version='2.0'><channel><title>W</title>"
            f"<item><title>Walled</title><link>{site.url('/news/walled.html')}</link></item>"
            f"<item><title>Open</title><link>{story}</link></item></channel></rss>".encode(),
            {"Content-Type": "application/rss+xml"},
        )
        site.routes["/news/walled.html"] = Reply(200, CF_CHALLENGE, {"Content-Type": "text/html"})
        register(
            fresh_db,
            Source(name="walled", url=site.url("/walled-feed.xml"), allow_private=True),
            Source(name="items", url=site.url("/walled-items.xml"), allow_private=True),
        )
        report = ingest(fresh_db, SETTINGS, CLOCK)
    reasons = {f.url.rsplit("/", 1)[1]: f.reason for f in report.failures}
    assert reasons["walled-feed.xml"].startswith("anti-bot wall (Cloudflare challenge)")
    assert reasons["walled.html"].startswith("anti-bot wall (Cloudflare challenge)")
    assert report.counts["new"] == 1  # the open article is stored all the same
    with fresh_db.begin() as conn:
        rows = {h.name: h for h in queries.list_sources(conn)}
    assert (rows["walled"].last_reason or "").startswith("anti-bot wall (Cloudflare challenge)")
    assert rows["walled"].failure_streak == 1 and rows["items"].failure_streak == 0


def test_a_wall_served_with_403_or_503_is_named(fresh_db: Database) -> None:
    settings = SETTINGS  # no retries: a 503 fails at once
    with serve() as site:
        site.routes["/forbidden.xml"] = Reply(
            403, CF_CHALLENGE, {"Content-Type": "text/html", "Server": "cloudflare"}
        )
        site.routes["/busy.xml"] = Reply(
            503, CF_CHALLENGE, {"Content-Type": "text/html", "Server": "cloudflare"}
        )
        register(
            fresh_db,
            Source(name="forbidden", url=site.url("/forbidden.xml"), allow_private=True),
            Source(name="busy", url=site.url("/busy.xml"), allow_private=True),
        )
        report = ingest(fresh_db, settings, CLOCK)
    reasons = {f.url.rsplit("/", 1)[1]: f.reason for f in report.failures}
    assert reasons["forbidden.xml"].startswith("anti-bot wall"), reasons
    assert "HTTP 403" in reasons["forbidden.xml"]
    assert reasons["busy.xml"].startswith("anti-bot wall"), reasons
