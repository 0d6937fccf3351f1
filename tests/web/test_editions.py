"""The public archive served by the app: home, index, edition pages, charts, Atom feed."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import lxml.etree
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.dialects import postgresql, sqlite

from eurasiawatch.records import Block, Edition
from eurasiawatch.render import web_path
from eurasiawatch.render.sample import sample_edition
from eurasiawatch.store import Database
from eurasiawatch.store import editions as store
from eurasiawatch.store.editions import _published_editions_stmt

from .conftest import NOW, page

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _publish(db: Database, edition: Edition, status: str = "approved") -> Edition:
    with db.begin() as conn:
        store.save_edition(conn, edition, now=NOW)
        store.set_edition_status(conn, edition.edition_id, status, now=NOW, slot=NOW, approved_by="ed")
    return edition


@pytest.fixture
def sample(fresh_db: Database) -> Edition:
    return _publish(fresh_db, sample_edition())


def test_published_editions_query_compiles_for_both_databases() -> None:
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        sql = str(_published_editions_stmt(dialect.name, date(2024, 1, 1), 5).compile(dialect=dialect))
        assert "status IN" in sql and "send_date <=" in sql


def test_home_says_nothing_is_out_when_the_archive_is_empty(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and "No edition has been published yet" in r.text
    assert "No edition has been published yet" in client.get("/editions/").text


def test_home_shows_the_latest_edition_and_index_links_it(client: TestClient, sample: Edition) -> None:
    home = page(client.get("/").text)
    assert home.xpath("//h1")[0].text_content() == sample.headline
    index = client.get("/editions/")
    links = page(index.text).xpath("//ol[@class='editions']//a/@href")
    assert links == ["/" + web_path(sample).removesuffix("index.html")]
    r = client.get(links[0])
    assert r.status_code == 200
    doc = page(r.text)
    assert doc.xpath("//h1")[0].text_content() == sample.headline
    assert doc.xpath("/html/@lang") == [sample.language]
    # without the slash it redirects, so relative chart links resolve
    assert client.get(links[0].rstrip("/"), follow_redirects=False).status_code == 308


def test_charts_are_served_as_sanitized_svg(client: TestClient, sample: Edition) -> None:
    href = "/" + web_path(sample).removesuffix("index.html")
    doc = page(client.get(href).text)
    sources = doc.xpath("//main//img/@src")
    assert sources, "the sample edition has a chart"
    for src in sources:
        r = client.get(href + src)
        assert r.status_code == 200 and r.headers["content-type"] == "image/svg+xml"
        assert b"<svg" in r.content and b"<script" not in r.content
    assert client.get(href + "nope.svg").status_code == 404
    # the home page points at the same files inside the edition's folder
    home_sources = page(client.get("/").text).xpath("//main//img/@src")
    assert all(client.get(s).status_code == 200 for s in home_sources)


def test_drafts_and_future_editions_are_not_public(client: TestClient, fresh_db: Database) -> None:
    base = sample_edition()
    draft = dataclasses.replace(base, edition_id="draft-1", headline="A draft nobody should see", slug="d")
    with fresh_db.begin() as conn:
        store.save_edition(conn, draft, now=NOW)
    future = dataclasses.replace(
        base, edition_id="future-1", headline="Next week", slug="f", send_date=NOW.date() + timedelta(days=5)
    )
    _publish(fresh_db, future)
    assert "A draft nobody" not in client.get("/editions/").text
    assert "Next week" not in client.get("/editions/").text
    for e in (draft, future):
        assert client.get("/" + web_path(e).removesuffix("index.html")).status_code == 404
    assert client.get("/editions/2024/02/31/x/").status_code == 404


def test_atom_feed_lists_editions_with_absolute_links(client: TestClient, sample: Edition) -> None:
    r = client.get("/editions/atom.xml")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    feed = lxml.etree.fromstring(r.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    (entry,) = feed.findall("a:entry", ns)
    assert entry.findtext("a:title", namespaces=ns) == sample.headline
    link = entry.find("a:link", ns).get("href")
    assert link == "http://testserver/" + web_path(sample).removesuffix("index.html")
    assert client.get(link.removeprefix("http://testserver")).status_code == 200


def test_hostile_edition_content_is_escaped(client: TestClient, fresh_db: Database) -> None:
    base = sample_edition()
    block = Block(block_id="evil", section="lead", kind="paragraph", text=HOSTILE)
    evil = dataclasses.replace(
        base,
        edition_id="evil-1",
        headline="Title " + HOSTILE,
        dek="Dek " + HOSTILE,
        slug="evil",
        blocks=(*base.blocks, block),
    )
    _publish(fresh_db, evil)
    for path in ("/", "/editions/", "/" + web_path(evil).removesuffix("index.html")):
        html = client.get(path).text
        doc = page(html)
        assert doc.xpath("//script") == [], path
        assert doc.xpath("//@onerror") == [], path
        assert "Title <script>" in doc.xpath("//title")[0].text_content() or path == "/editions/"
    feed = client.get("/editions/atom.xml").content
    assert b"<script>" not in feed


def test_feed_entry_matches_the_static_archive_entry() -> None:
    from eurasiawatch.render import RenderOptions, archive_entry
    from eurasiawatch.web.routes.editions import _feed_entry

    edition = sample_edition()
    options = RenderOptions(site_url="http://testserver/")
    ours, theirs = _feed_entry(edition, options), archive_entry(edition, options)
    assert ours.content_html == theirs.content_html and "http://testserver/editions/" in ours.content_html
    assert (ours.web_path, ours.headline, ours.atom_id) == (theirs.web_path, theirs.headline, theirs.atom_id)
