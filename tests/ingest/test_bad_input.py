"""Bad input on the ingest path: each case ends in one clear failure line, and the run goes on.

Every test serves one good article next to the bad thing from a loopback server, runs the real
pipeline, and checks that (a) exactly one failure is reported, naming the URL with a readable
reason, and (b) the good article is stored anyway.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from eurasiawatch.clock import Clock
from eurasiawatch.config import Settings
from eurasiawatch.pipeline import Failure, IngestReport, ingest
from eurasiawatch.records import Source
from eurasiawatch.store import Database, open_database, queries

from ..loopback import Reply, Site, serve

CLOCK = Clock(datetime(2024, 7, 9, 12, 0, tzinfo=UTC))
HTML = {"Content-Type": "text/html; charset=utf-8"}
GOOD_TEXT = (
    "The governments of China, Kyrgyzstan and Uzbekistan signed the agreement on the railway that "
    "will link Kashgar with Andijan, officials said, after more than two decades of talks. "
)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLite database (bad-input handling does not depend on the backend)."""
    database = open_database(Settings(data_dir=str(tmp_path / "data")))
    database.upgrade()
    try:
        yield database
    finally:
        database.dispose()


def _settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "fetch_per_host_delay": 0.0,
        "fetch_retries": 0,
        "fetch_timeout": 2.0,
        "fetch_respect_robots": False,
    }
    return Settings(**(values | overrides))  # type: ignore[arg-type]


def _article(title: str, text: str = GOOD_TEXT, charset: str = "utf-8") -> str:
    paragraphs = "".join(f"<p>{text} Paragraph {i} gives more detail on the plans.</p>" for i in range(4))
    meta = f"<meta charset='{charset}'>" if charset else ""
    return (
        f"<!DOCTYPE html><html><head>{meta}<title>{title}</title></head>"
        f"<body><article><h1>{title}</h1>{paragraphs}</article></body></html>"
    )


def _feed(site: Site, paths: list[str]) -> bytes:
    links = "".join(
        f"<item><title>{p}</title><link>{p if '://' in p else site.url(p)}</link></item>" for p in paths
    )
    return (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>{links}</channel></rss>".encode()
    )


def _run(
    site: Site, db: Database, bad: str | list[str], settings: Settings | None = None
) -> tuple[IngestReport, list[str]]:
    """Serve a feed of the good article plus ``bad``; ingest it; return the report and stored titles."""
    site.routes["/good.html"] = Reply(200, _article("Railway deal signed").encode(), HTML)
    site.routes["/feed.xml"] = Reply(
        200,
        _feed(site, ["/good.html", *([bad] if isinstance(bad, str) else bad)]),
        {"Content-Type": "application/rss+xml"},
    )
    source = Source(name="outlet", url=site.url("/feed.xml"), allow_private=True)
    report = ingest(db, settings or _settings(), CLOCK, sources=[source])
    with db.begin() as conn:
        titles = [a.title or "" for a in queries.list_articles(conn)]
    return report, titles


def _one_failure(report: IngestReport, url_end: str, pattern: str) -> Failure:
    assert len(report.failures) == 1, report.failures
    failure = report.failures[0]
    assert failure.url.endswith(url_end), failure
    assert re.search(pattern, failure.reason, re.IGNORECASE), failure.reason
    assert "\n" not in failure.reason and len(failure.reason) < 300  # one clear line
    return failure


def test_non_html_body(db: Database) -> None:
    with serve() as site:
        site.routes["/photo.jpg"] = Reply(
            200, b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40, {"Content-Type": "image/jpeg"}
        )
        report, titles = _run(site, db, "/photo.jpg")
    _one_failure(report, "/photo.jpg", r"not an? HTML|image/jpeg")
    assert titles == ["Railway deal signed"]
    assert report.exit_code == 1


def test_binary_body_labelled_html(db: Database) -> None:
    with serve() as site:
        site.routes["/blob.html"] = Reply(200, bytes(range(256)) * 64, HTML)
        report, titles = _run(site, db, "/blob.html")
    _one_failure(report, "/blob.html", r"not HTML|binary")
    assert titles == ["Railway deal signed"]


def test_body_over_the_size_cap(db: Database) -> None:
    with serve() as site:
        huge = _article("Huge", GOOD_TEXT * 400).encode()
        site.routes["/huge.html"] = Reply(200, huge, HTML, chunks=20)  # no Content-Length: streamed cap
        report, titles = _run(site, db, "/huge.html", _settings(fetch_max_bytes=100_000))
    _one_failure(report, "/huge.html", r"cap|too large|exceeds")
    assert titles == ["Railway deal signed"]


RUSSIAN = (
    "Правительства Китая, Киргизии и Узбекистана подписали межправительственное соглашение о "
    "железной дороге, которая соединит Кашгар с Андижаном. Финансирование остаётся открытым "
    "вопросом, сообщили чиновники в Бишкеке."
)


@pytest.mark.parametrize(
    ("content_type", "meta"),
    [
        ("text/html; charset=utf-8", ""),  # wrong charset in the header, none in the page
        ("text/html", ""),  # no charset anywhere
        ("text/html; charset=utf-8", "windows-1251"),  # header wrong, page right
        ("text/html; charset=iso-8859-1", "windows-1251"),  # a server default that is wrong
    ],
)
def test_cp1251_page_decodes_whatever_the_headers_say(db: Database, content_type: str, meta: str) -> None:
    with serve() as site:
        body = _article("Железная дорога", RUSSIAN, charset=meta).encode("cp1251")
        site.routes["/ru.html"] = Reply(200, body, {"Content-Type": content_type})
        report, _ = _run(site, db, "/ru.html")
    assert not report.failures, report.failures
    with db.begin() as conn:
        (ru,) = [a for a in queries.list_articles(conn) if a.url.endswith("/ru.html")]
    assert "Кашгар с Андижаном" in ru.text
    assert ru.language == "ru"


BOMB_ENTITIES = '<!ENTITY a "lol">' + "".join(
    f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)
)


@pytest.mark.parametrize(
    "doctype",
    [
        f"<!DOCTYPE rss [{BOMB_ENTITIES}]>",  # billion laughs: 10⁹ "lol"s if expanded
        '<!DOCTYPE rss [<!ENTITY big "' + "x" * 50_000 + '">]>',  # quadratic blow-up
        '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',  # external entity
    ],
    ids=["billion-laughs", "quadratic", "external"],
)
def test_xml_entity_bombs_do_not_expand(db: Database, doctype: str) -> None:
    ref = {"billion-laughs": "&j;", "quadratic": "&big;" * 2000, "external": "&xxe;"}
    name = "external" if "SYSTEM" in doctype else "quadratic" if "big" in doctype else "billion-laughs"
    with serve() as site:
        site.routes["/good.html"] = Reply(200, _article("Railway deal signed").encode(), HTML)
        feed = (
            f"<?xml version='1.0'?>{doctype}<rss version='2.0'><channel><title>{ref[name]}</title>"
            f"<item><title>{ref[name]}</title><description>{ref[name]}</description>"
            f"<link>{site.url('/good.html')}</link></item></channel></rss>"
        ).encode()
        site.routes["/feed.xml"] = Reply(200, feed, {"Content-Type": "application/rss+xml"})
        source = Source(name="outlet", url=site.url("/feed.xml"), allow_private=True)
        report = ingest(db, _settings(), CLOCK, sources=[source])
    assert report.counts["feeds_ok"] + len(report.failures) >= 1
    assert len(report.failures) <= 1
    with db.begin() as conn:
        for article in queries.list_articles(conn):
            assert "root:" not in article.text and len(article.title or "") < 1000
            assert "lollollol" not in (article.title or "")


def test_redirect_loop(db: Database) -> None:
    with serve() as site:
        site.routes["/loop-a"] = Reply(302, b"", {"Location": "/loop-b"})
        site.routes["/loop-b"] = Reply(302, b"", {"Location": "/loop-a"})
        report, titles = _run(site, db, "/loop-a")
    _one_failure(report, "/loop-a", r"redirect")
    assert titles == ["Railway deal signed"]


@pytest.mark.parametrize("status", [404, 410, 500])
def test_http_errors(db: Database, status: int) -> None:
    with serve() as site:
        site.routes["/gone.html"] = Reply(status, b"no", {"Content-Type": "text/plain"})
        report, titles = _run(site, db, "/gone.html")
    _one_failure(report, "/gone.html", rf"\b{status}\b")
    assert titles == ["Railway deal signed"]


def test_timeout(db: Database) -> None:
    with serve() as site:
        site.routes["/slow.html"] = Reply(200, _article("Slow").encode(), HTML, delay=1.5)
        report, titles = _run(site, db, "/slow.html", _settings(fetch_timeout=0.3))
    _one_failure(report, "/slow.html", r"timed out|timeout")
    assert titles == ["Railway deal signed"]


def test_private_address_refused_for_a_public_source(db: Database) -> None:
    with serve() as site:
        site.routes["/good.html"] = Reply(200, _article("Railway deal signed").encode(), HTML)
        site.routes["/feed.xml"] = Reply(
            200, _feed(site, ["/good.html"]), {"Content-Type": "application/rss+xml"}
        )
        public = Source(name="public", url=site.url("/feed.xml"))  # not marked local
        report = ingest(db, _settings(), CLOCK, sources=[public])
        assert site.hits["/feed.xml"] == 0  # refused before any connection
    _one_failure(report, "/feed.xml", r"non-public|private|loopback|refused")
    assert report.exit_code == 2


@pytest.mark.parametrize(
    "link",
    [
        "http://a..b/x",
        "http://127.0.0.1:99999/x",
        "http://[::1/x",
    ],
    ids=["bad-host", "bad-port", "bad-ipv6"],
)
def test_invalid_item_url(db: Database, link: str) -> None:
    with serve() as site:
        report, titles = _run(site, db, link)
    assert len(report.failures) == 1, report.failures
    assert re.search(r"invalid (URL|link)|cannot resolve|no http", report.failures[0].reason), report.failures
    assert titles == ["Railway deal signed"]


def test_invalid_source_url(db: Database) -> None:
    report = ingest(
        db, _settings(), CLOCK, sources=[Source(name="bad", url="htp//nowhere", allow_private=True)]
    )
    _one_failure(report, "htp//nowhere", r"invalid URL")
    assert report.exit_code == 2


@pytest.mark.parametrize(
    "body",
    [b"", b"<?xml version='1.0'?><rss version='2.0'><channel><title>Quiet</title></channel></rss>"],
    ids=["empty-body", "no-items"],
)
def test_empty_feed(db: Database, body: bytes) -> None:
    with serve() as site:
        site.routes["/feed.xml"] = Reply(200, body, {"Content-Type": "application/rss+xml"})
        source = Source(name="quiet", url=site.url("/feed.xml"), allow_private=True)
        report = ingest(db, _settings(), CLOCK, sources=[source])
    if body:
        assert not report.failures and report.exit_code == 0  # a feed with nothing new is fine
    else:
        _one_failure(report, "/feed.xml", r"not a feed")
        assert report.exit_code == 2


def test_feed_whose_items_all_fail(db: Database) -> None:
    with serve() as site:
        paths = ["/missing-1.html", "/missing-2.html", "/missing-3.html"]
        site.routes["/feed.xml"] = Reply(200, _feed(site, paths), {"Content-Type": "application/rss+xml"})
        source = Source(name="broken", url=site.url("/feed.xml"), allow_private=True)
        with db.begin() as conn:
            queries.upsert_source(conn, source, now=CLOCK.now())
        report = ingest(db, _settings(), CLOCK, sources=[source])
    assert sorted(f.url.rsplit("/", 1)[1] for f in report.failures) == [p[1:] for p in paths]
    assert all("404" in f.reason for f in report.failures)
    with db.begin() as conn:
        (health,) = queries.list_sources(conn)
        assert queries.count_articles(conn) == 0
    assert health.failure_streak == 1 and "all 3 items failed" in (health.last_reason or "")
    assert report.exit_code == 1  # the feed itself worked
