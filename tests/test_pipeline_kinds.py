"""Every source kind end to end through ``pipeline.ingest`` on SQLite and PostgreSQL.

JSON Feed and sitemaps are served from a loopback server; WARC files are written here with warcio;
folders live in tmp_path. Each broken thing is one failure line with its reason, the rest is stored,
and a second run stores nothing twice.
"""

from __future__ import annotations

import gzip
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from eurasiawatch.cli import app
from eurasiawatch.clock import Clock
from eurasiawatch.config import Settings
from eurasiawatch.pipeline import IngestReport, ingest
from eurasiawatch.records import Source
from eurasiawatch.store import Database, queries

from .loopback import Reply, Site, serve

CLOCK = Clock(datetime(2024, 7, 9, 12, 0, tzinfo=UTC))
SETTINGS = Settings(fetch_per_host_delay=0.0, fetch_retries=0, fetch_timeout=5.0)
HTML = {"Content-Type": "text/html; charset=utf-8"}

TOPICS = {
    "railway": "Kyrgyz railway deal signed in Beijing",
    "summit": "Leaders gather in Astana for the summit",
    "gas": "Gas talks drag on without a price",
    "port": "Port of Piraeus expands its container terminal",
    "bridge": "New bridge over the Danube opens to traffic",
    "plant": "Solar plant in Uzbekistan starts production",
}


def story(key: str) -> str:
    title = TOPICS[key]
    return "\n\n".join(
        f"{title}: paragraph {i} reports what officials said about the schedule, the financing and "
        f"the next steps of the {key} project, which analysts in the region described as uncertain."
        for i in range(4)
    )


def article_html(key: str, published: str = "2024-07-08T10:00:00+00:00") -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in story(key).split("\n\n"))
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{TOPICS[key]}</title>"
        f"<meta property='article:published_time' content='{published}'></head><body>"
        f"<nav><a href='/'>Home</a></nav><article><h1>{TOPICS[key]}</h1>{paragraphs}</article></body></html>"
    ).encode()


def run(db: Database, *sources: Source, transport: object | None = None) -> IngestReport:
    with db.begin() as conn:
        for s in sources:
            queries.upsert_source(conn, s, now=CLOCK.now())
    return ingest(db, SETTINGS, CLOCK, sources=list(sources), transport=transport)


def stored(db: Database) -> dict[str, str]:
    with db.begin() as conn:
        return {a.url: a.title or "" for a in queries.list_articles(conn, limit=100)}


def assert_one_line_each(report: IngestReport) -> None:
    for failure in report.failures:
        assert failure.reason and "\n" not in failure.reason and "Traceback" not in failure.reason


def no_network() -> httpx.MockTransport:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"a local source touched the network: {request.url}")

    return httpx.MockTransport(refuse)


# -- feed (JSON Feed) and page -----------------------------------------------------------------------


def build_json_feeds(site: Site) -> None:
    for key in ("railway", "summit"):
        site.routes[f"/news/{key}"] = Reply(200, article_html(key), HTML)
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Steppe Courier",
        "language": "en",
        "items": [
            {"id": "1", "url": site.url("/news/railway"), "title": TOPICS["railway"]},
            {"id": "2", "url": "/news/summit", "authors": [{"name": "Daniyar Omarov"}]},
            {"id": "3", "title": "An item without a link"},
        ],
    }
    # served as plain JSON, without a feed content type: the leading "{" is enough
    site.routes["/feed.json"] = Reply(200, json.dumps(feed).encode(), {"Content-Type": "application/json"})
    site.routes["/broken.json"] = Reply(
        200, b'{"version": "https://jsonfeed.org/version/1.1", "items": [', {"Content-Type": "text/plain"}
    )
    site.routes["/single"] = Reply(200, article_html("gas"), HTML)


def test_json_feed_and_page_sources(fresh_db: Database) -> None:
    with serve() as site:
        build_json_feeds(site)
        sources = (
            Source(name="courier", url=site.url("/feed.json"), allow_private=True),
            Source(name="broken", url=site.url("/broken.json"), allow_private=True),
            Source(name="one-page", url=site.url("/single"), kind="page", allow_private=True),
        )
        first = run(fresh_db, *sources)
        second = run(fresh_db, *sources)
    assert first.counts["new"] == 3 and first.exit_code == 1
    assert set(stored(fresh_db).values()) == {TOPICS["railway"], TOPICS["summit"], TOPICS["gas"]}
    failures = sorted((f.source, f.stage, f.reason) for f in first.failures)
    assert failures == [
        ("broken", "feed", "not a JSON Feed: invalid JSON at line 1 column 59 (Expecting value)"),
        ("courier", "feed", "item 'An item without a link' has no http(s) url"),
    ]
    assert_one_line_each(first)
    assert second.counts["new"] == 0 and second.counts["fetched"] == 0
    assert len(stored(fresh_db)) == 3
    with fresh_db.begin() as conn:
        health = {h.name: h for h in queries.list_sources(conn)}
    assert health["broken"].failure_streak == 2 and health["one-page"].failure_streak == 0


# -- sitemap -------------------------------------------------------------------------------------------


def build_sitemaps(site: Site) -> None:
    for key in ("port", "bridge", "plant"):
        site.routes[f"/a/{key}"] = Reply(200, article_html(key), HTML)
    news = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        + "".join(
            f"<url><loc>{site.url('/a/' + key)}</loc><news:news><news:publication><news:name>D</news:name>"
            f"<news:language>en</news:language></news:publication>"
            f"<news:publication_date>{day}</news:publication_date><news:title>{TOPICS[key]}</news:title>"
            "</news:news></url>"
            for key, day in (("port", "2024-07-08T08:00:00Z"), ("plant", "2024-05-02T08:00:00Z"))
        )
        + "<url><loc>mailto:desk@e.org</loc></url></urlset>"
    )
    plain = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{site.url('/a/bridge')}</loc><lastmod>2024-07-07</lastmod></url>"
        f"<url><loc>{site.url('/a/missing')}</loc><lastmod>2024-07-06</lastmod></url></urlset>"
    )
    site.routes["/sitemap-news.xml"] = Reply(200, news.encode(), {"Content-Type": "application/xml"})
    site.routes["/sitemap-pages.xml.gz"] = Reply(200, gzip.compress(plain.encode()))
    children = ("/sitemap-news.xml", "/sitemap-pages.xml.gz", "/sitemap-gone.xml")
    index = (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<sitemap><loc>{site.url(c)}</loc></sitemap>" for c in children)
        + f"<sitemap><loc>{site.url('/sitemap-2023.xml')}</loc><lastmod>2023-12-31</lastmod></sitemap>"
        + "</sitemapindex>"
    )
    site.routes["/sitemap.xml"] = Reply(200, index.encode(), {"Content-Type": "application/xml"})


def test_sitemap_index_with_news_and_plain_children(fresh_db: Database) -> None:
    with serve() as site:
        build_sitemaps(site)
        source = Source(name="daily", url=site.url("/sitemap.xml"), kind="sitemap", allow_private=True)
        first = run(fresh_db, source)
        second = run(fresh_db, source)
        hits = dict(site.hits)
    assert first.counts["new"] == 2
    assert set(stored(fresh_db).values()) == {TOPICS["port"], TOPICS["bridge"]}
    reasons = sorted((f.stage, f.reason.replace(site.base, "")) for f in first.failures)
    assert reasons == [
        ("fetch", "HTTP 404 from /a/missing"),
        ("sitemap", "child sitemap /sitemap-gone.xml: HTTP 404 from /sitemap-gone.xml"),
        ("sitemap", "sitemap entry 3 has no http(s) <loc> ('mailto:desk@e.org')"),
    ]
    assert_one_line_each(first)
    # outside the 7-day window: neither the May article nor the 2023 sitemap is fetched
    assert "/a/plant" not in hits and "/sitemap-2023.xml" not in hits
    assert second.counts["new"] == 0 and len(stored(fresh_db)) == 2


# -- warc ----------------------------------------------------------------------------------------------


def write_warc(path: Path) -> None:
    records = [
        ("https://news.example.kz/railway", "text/html; charset=utf-8", article_html("railway")),
        ("https://news.example.kz/chart.pdf", "application/pdf", b"%PDF-1.4 " + bytes(200)),
        ("https://news.example.kz/summit", "text/html", article_html("summit", "2024-06-30T09:00:00Z")),
        ("https://news.example.kz/gas", "text/html", article_html("gas")),
    ]
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for uri, content_type, body in records:
        http = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            uri, "response", payload=io.BytesIO(body), length=len(body), http_headers=http,
            warc_headers_dict={"WARC-Date": "2024-07-08T23:59:00Z"},
        )  # fmt: skip
        writer.write_record(record)
    path.write_bytes(buffer.getvalue()[:-25])  # the last gzip member is cut off


def test_warc_file_non_html_record_and_truncated_member(fresh_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "CC-NEWS-20240708.warc.gz"
    write_warc(path)
    source = Source(name="cc-news", url=str(path), kind="warc", outlet="CC")
    first = run(fresh_db, source, transport=no_network())
    second = run(fresh_db, source, transport=no_network())
    assert first.counts["new"] == 2 and first.exit_code == 1
    titles = stored(fresh_db)
    assert titles == {
        "https://news.example.kz/railway": TOPICS["railway"],
        "https://news.example.kz/summit": TOPICS["summit"],
    }
    reasons = sorted((f.stage, f.url, f.reason) for f in first.failures)
    assert [r[:2] for r in reasons] == [
        ("warc", "https://news.example.kz/chart.pdf"),
        ("warc", "https://news.example.kz/gas"),
    ]
    assert reasons[0][2] == "not an HTML page (application/pdf) in the archive"
    assert reasons[1][2].startswith("truncated WARC record")
    assert_one_line_each(first)
    with fresh_db.begin() as conn:
        summit = next(a for a in queries.list_articles(conn) if a.url.endswith("summit"))
    assert summit.published == datetime(2024, 6, 30, 9, 0, tzinfo=UTC) and summit.outlet == "CC"
    assert second.counts["new"] == 0 and second.counts["unchanged"] == 2 and len(stored(fresh_db)) == 2


def test_missing_local_source_fails_the_source_only(fresh_db: Database, tmp_path: Path) -> None:
    source = Source(name="gone", url=str(tmp_path / "gone.warc.gz"), kind="warc")
    report = run(fresh_db, source, transport=no_network())
    assert [(f.stage, f.reason) for f in report.failures] == [
        ("warc", f"WARC file {str(tmp_path / 'gone.warc.gz')!r} does not exist")
    ]
    assert report.exit_code == 2


# -- folder --------------------------------------------------------------------------------------------


def test_folder_of_html_text_and_jsonl(fresh_db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    (folder / "2024").mkdir(parents=True)
    (folder / "railway.html").write_bytes(article_html("railway"))
    (folder / "2024" / "summit.html.gz").write_bytes(gzip.compress(article_html("summit")))
    (folder / "gas.txt").write_text(TOPICS["gas"] + "\n" + story("gas"), encoding="utf-8")
    lines = [
        {
            "url": "https://e.org/port",
            "title": TOPICS["port"],
            "text": story("port"),
            "published": "2024-07-01",
        },
        {"title": TOPICS["bridge"], "html": article_html("bridge").decode(), "language": "en"},
        {"title": "Nothing to read"},
    ]
    (folder / "batch.jsonl").write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    (folder / "latin.txt").write_bytes(b"Titre\n\xe9t\xe9 " * 50)
    (folder / "notes.md").write_text("not read")
    source = Source(name="desk", url=folder.as_uri(), kind="folder", language="en")
    first = run(fresh_db, source, transport=no_network())
    second = run(fresh_db, source, transport=no_network())
    assert first.counts["new"] == 5 and first.exit_code == 1
    titles = stored(fresh_db)
    assert set(titles.values()) == {TOPICS[k] for k in ("railway", "summit", "gas", "port", "bridge")}
    assert titles["https://e.org/port"] == TOPICS["port"]
    assert titles[(folder / "gas.txt").as_uri()] == TOPICS["gas"]
    reasons = sorted((Path(f.url.split("#")[0]).name, f.stage, f.reason) for f in first.failures)
    assert reasons == [
        ("batch.jsonl", "folder", "line 3: neither 'text' nor 'html' holds a non-empty string"),
        ("latin.txt", "folder", "undecodable: not UTF-8 text (invalid continuation byte at byte 6)"),
    ]
    assert_one_line_each(first)
    with fresh_db.begin() as conn:
        port = queries.get_article(
            conn, next(a for a in queries.list_articles(conn) if a.url.endswith("port")).article_id
        )
    assert port is not None and port.language == "en" and port.paragraphs and len(port.paragraphs) == 4
    assert port.published == datetime(2024, 7, 1, tzinfo=UTC) and port.source == "desk"
    assert (
        second.counts["new"] == 0 and second.counts["unchanged"] == 5 and len(titles) == len(stored(fresh_db))
    )


def test_unknown_kind_is_one_failure(fresh_db: Database) -> None:
    report = run(fresh_db, Source(name="odd", url="https://e.org/", kind="podcast"), transport=no_network())
    assert [(f.stage, f.reason) for f in report.failures] == [
        ("source", "unknown source kind 'podcast' (known: feed, page, sitemap, warc, folder)")
    ]


# -- the command line ----------------------------------------------------------------------------------


def test_sources_add_accepts_local_paths_and_ingest_reads_them(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EURASIAWATCH_DATA_DIR", str(tmp_path / "data"))
    assert cli.invoke(app, ["db", "upgrade"]).exit_code == 0
    warc = tmp_path / "CC-NEWS-20240708.warc.gz"
    write_warc(warc)
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "gas.txt").write_text(TOPICS["gas"] + "\n" + story("gas"), encoding="utf-8")

    added = cli.invoke(app, ["sources", "add", str(warc), "--kind", "warc"])
    assert added.exit_code == 0, added.output
    assert (
        cli.invoke(app, ["sources", "add", folder.as_uri(), "--kind", "folder", "--name", "desk"]).exit_code
        == 0
    )
    listed = {s["name"]: s for s in json.loads(cli.invoke(app, ["sources", "list", "--json"]).output)}
    assert listed["CC-NEWS-20240708.warc.gz"]["url"] == str(warc) and listed["desk"]["url"] == str(folder)
    assert listed["desk"]["kind"] == "folder"

    for args, message in (
        ([str(folder), "--kind", "feed"], "is not an http(s) URL"),
        ([str(tmp_path / "nope"), "--kind", "folder"], "does not exist"),
        ([str(warc), "--kind", "folder"], "is not a directory"),
        (["https://e.org/", "--kind", "podcast"], "unknown source kind 'podcast'"),
    ):
        refused = cli.invoke(app, ["sources", "add", *args])
        assert refused.exit_code == 2 and message in refused.output, refused.output

    first = cli.invoke(app, ["--as-of", "2024-07-09", "ingest"])
    assert first.exit_code == 1, first.output  # two records of the WARC are broken on purpose
    assert "truncated WARC record" in first.output and "application/pdf" in first.output
    again = cli.invoke(app, ["--as-of", "2024-07-09", "ingest"])
    assert again.exit_code == 1  # the same two records, and nothing stored twice
    listed = {s["name"]: s for s in json.loads(cli.invoke(app, ["sources", "list", "--json"]).output)}
    assert listed["desk"]["items_total"] == 1 and listed["CC-NEWS-20240708.warc.gz"]["items_total"] == 2


def test_one_url_twice_in_a_local_source_is_stored_once(fresh_db: Database, tmp_path: Path) -> None:
    line = {"url": "https://e.org/port", "title": TOPICS["port"], "text": story("port")}
    (tmp_path / "a.jsonl").write_text(json.dumps(line) + "\n" + json.dumps(line) + "\n", encoding="utf-8")
    report = run(fresh_db, Source(name="twice", url=str(tmp_path), kind="folder"), transport=no_network())
    assert report.counts["new"] == 1 and report.counts["unchanged"] == 1 and report.exit_code == 0
