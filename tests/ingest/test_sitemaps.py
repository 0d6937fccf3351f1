"""Sitemaps into FeedItems: news sitemaps, plain ones, indexes, the window, the cap and hostile XML."""

from __future__ import annotations

import asyncio
import gzip
from datetime import UTC, datetime, timedelta

import pytest

from eurasiawatch.config import Settings
from eurasiawatch.errors import SourceError
from eurasiawatch.ingest import Fetcher, FetchPolicy, expand_sitemaps, parse_sitemap, sitemap_since

from ..loopback import Reply, serve

NOW = datetime(2024, 7, 9, 12, 0, tzinfo=UTC)
SINCE = NOW - timedelta(days=7)

NEWS = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://daily.example.rs/vesti/pruga</loc>
    <news:news><news:publication><news:name>Dnevnik</news:name><news:language>sr-Latn</news:language></news:publication>
      <news:publication_date>2024-07-08T09:00:00+02:00</news:publication_date>
      <news:title>Pruga Beograd-Budimpešta</news:title></news:news></url>
  <url><loc>/vesti/stara</loc>
    <news:news><news:publication><news:name>Dnevnik</news:name><news:language>sr</news:language></news:publication>
      <news:publication_date>2024-06-01</news:publication_date><news:title>Old</news:title></news:news></url>
  <url><loc>https://daily.example.rs/vesti/most</loc><lastmod>2024-07-09T06:00:00Z</lastmod></url>
  <url><loc>https://daily.example.rs/o-nama</loc></url>
  <url><loc>ftp://daily.example.rs/file</loc></url>
  <url><lastmod>2024-07-09</lastmod></url>
</urlset>""".encode()


def test_news_sitemap_entries_in_the_window_newest_first() -> None:
    result = parse_sitemap(NEWS, source="s", base_url="https://daily.example.rs/sitemap.xml", since=SINCE)
    assert [i.url for i in result.items] == [
        "https://daily.example.rs/vesti/most",  # lastmod 2024-07-09
        "https://daily.example.rs/vesti/pruga",  # 2024-07-08
        "https://daily.example.rs/o-nama",  # undated entries come last
    ]
    pruga = result.items[1]
    assert pruga.title == "Pruga Beograd-Budimpešta"
    assert pruga.language == "sr"
    assert pruga.published == datetime(2024, 7, 8, 7, 0, tzinfo=UTC)
    assert result.too_old == 1
    assert len(result.problems) == 2 and all("no http(s) <loc>" in p for p in result.problems)
    assert not result.is_index


def test_cap_and_no_window() -> None:
    result = parse_sitemap(NEWS, source="s", base_url="https://daily.example.rs/", limit=2, language="sr")
    assert len(result.items) == 2 and result.too_old == 0
    every = parse_sitemap(NEWS, source="s", base_url="https://daily.example.rs/")
    assert "https://daily.example.rs/vesti/stara" in {i.url for i in every.items}


def test_index_lists_children_in_the_window_newest_first() -> None:
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>https://e.org/s-2024-05.xml</loc><lastmod>2024-05-31</lastmod></sitemap>
      <sitemap><loc>https://e.org/s-news.xml</loc><lastmod>2024-07-09T10:00:00Z</lastmod></sitemap>
      <sitemap><loc>https://e.org/s-pages.xml</loc></sitemap>
      <sitemap><loc>https://e.org/s-07.xml</loc><lastmod>2024-07</lastmod></sitemap>
    </sitemapindex>"""
    result = parse_sitemap(index, source="s", base_url="https://e.org/", since=SINCE)
    assert result.is_index and not result.items
    assert result.sitemaps == ("https://e.org/s-news.xml", "https://e.org/s-pages.xml")
    assert result.too_old == 2  # May, and "2024-07" which means the 1st of July


def test_gzipped_sitemap_and_gzip_bomb() -> None:
    result = parse_sitemap(gzip.compress(NEWS), source="s", base_url="https://daily.example.rs/", since=SINCE)
    assert len(result.items) == 3
    with pytest.raises(SourceError, match="more than 1000 bytes once decompressed"):
        parse_sitemap(gzip.compress(b" " * 5000), source="s", base_url="https://e.org/", max_bytes=1000)
    with pytest.raises(SourceError, match="truncated"):
        parse_sitemap(gzip.compress(NEWS)[:-30], source="s", base_url="https://e.org/")


def test_a_feed_listed_as_sitemap_is_read_as_a_feed() -> None:
    rss = b"""<rss version="2.0"><channel><title>t</title>
      <item><link>https://e.org/new</link><pubDate>Mon, 08 Jul 2024 10:00:00 +0000</pubDate></item>
      <item><link>https://e.org/old</link><pubDate>Mon, 03 Jun 2024 10:00:00 +0000</pubDate></item>
    </channel></rss>"""
    result = parse_sitemap(rss, source="s", base_url="https://e.org/", since=SINCE)
    assert [i.url for i in result.items] == ["https://e.org/new"] and result.too_old == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html><body>hello</body></html>", "root element is <html>"),
        (b"<urlset><url><loc>https://e.org/</loc></urlset>", "XML error at line 1"),
        (b"", "XML error"),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&x;</loc></url></urlset>',
            None,
        ),
    ],
)
def test_not_sitemaps_and_entities(body: bytes, message: str | None) -> None:
    if message is None:  # an external entity is never expanded: the entry simply has no usable <loc>
        result = parse_sitemap(body, source="s", base_url="https://e.org/")
        assert not result.items and "root:" not in " ".join(result.problems)
        return
    with pytest.raises(SourceError, match=message):
        parse_sitemap(body, source="s", base_url="https://e.org/")


def test_window_from_settings_or_the_default() -> None:
    assert sitemap_since(Settings(), NOW) == NOW - timedelta(days=7)


def _urlset(*paths: str, day: str = "2024-07-08") -> bytes:
    entries = "".join(f"<url><loc>{p}</loc><lastmod>{day}</lastmod></url>" for p in paths)
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'.encode()


def test_expand_follows_children_reports_broken_ones_and_caps() -> None:
    with serve() as site:
        xml = {"Content-Type": "text/xml"}
        site.routes["/a.xml"] = Reply(200, _urlset(site.url("/1"), site.url("/2")), xml)
        site.routes["/b.xml.gz"] = Reply(200, gzip.compress(_urlset(site.url("/3"), site.url("/1"))))
        site.routes["/c.xml"] = Reply(200, b"<oops", xml)
        children = ("/a.xml", "/b.xml.gz", "/c.xml", "/gone.xml")
        index = (
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(f"<sitemap><loc>{site.url(p)}</loc></sitemap>" for p in children)
            + "</sitemapindex>"
        ).encode()
        top = parse_sitemap(index, source="s", base_url=site.url("/index.xml"), since=SINCE)

        async def run() -> object:
            async with Fetcher(FetchPolicy(user_agent="t", per_host_delay=0.0, retries=0)) as fetcher:
                return await expand_sitemaps(
                    fetcher, top, source="s", allow_private=True, since=SINCE, limit=10
                )

        result = asyncio.run(run())
    assert sorted(i.url for i in result.items) == [site.url("/1"), site.url("/2"), site.url("/3")]  # type: ignore[attr-defined]
    problems = result.problems  # type: ignore[attr-defined]
    assert len(problems) == 2
    assert any("c.xml: not a sitemap: XML error" in p for p in problems)
    assert any("gone.xml: HTTP 404" in p for p in problems)
