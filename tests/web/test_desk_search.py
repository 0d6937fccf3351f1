"""``/desk/search``: hits with highlights, facet counts as filter links, filters, pages, escaping."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from eurasiawatch.analyze.search import search_index_pending
from eurasiawatch.config import Settings
from eurasiawatch.store import Database

from .conftest import NOW, page
from .desk_seed import corpus, sign_in, store


@pytest.fixture
def web_settings(web_settings: Settings) -> Settings:
    return dataclasses.replace(web_settings, desk_argon2_memory_kib=1024, desk_argon2_time_cost=1)


@pytest.fixture
def desk(app: FastAPI, web_settings: Settings, fresh_db: Database) -> Iterator[TestClient]:
    corpus(fresh_db)
    with TestClient(app) as client:
        yield sign_in(client, web_settings, fresh_db)


def _titles(html: str) -> list[str]:
    return [a.text_content() for a in page(html).xpath("//ol[@class='results']/li/h3/a")]


def _facet(html: str, label: str) -> dict[str, str]:
    doc = page(html)
    links = doc.xpath(f"//aside[@class='facets']/h3[.='{label}']/following-sibling::ul[1]/li/a")
    return {a.text_content(): a.get("href") for a in links}


def test_anonymous_visitor_is_sent_to_sign_in(client: TestClient) -> None:
    r = client.get("/desk/search?q=railway", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/desk/sign-in?next=/desk/search")


def test_search_lists_hits_with_marks_and_facets(desk: TestClient) -> None:
    r = desk.get("/desk/search", params={"q": "Khorgos"})
    assert r.status_code == 200, r.text
    doc = page(r.text)
    assert doc.xpath("//h2[@id='hits-h']")[0].text_content() == "3 articles match"
    titles = _titles(r.text)
    assert len(titles) == 3 and all("Khorgos" in t for t in titles)
    assert doc.xpath("//ol[@class='results']//mark")[0].text_content() == "Khorgos"
    # each hit links its article page
    hrefs = doc.xpath("//ol[@class='results']/li/h3/a/@href")
    assert {h.rsplit("/", 1)[1] for h in hrefs} == {"a1", "a2", "a3"}
    assert _facet(r.text, "Language").keys() == {"en (2)", "ru (1)"}
    assert "Kazakhstan (3)" in _facet(r.text, "Country")
    assert _facet(r.text, "Actor").keys() == {"Khorgos Gateway (3)"}


def test_facet_link_narrows_and_active_filter_can_be_removed(desk: TestClient) -> None:
    first = desk.get("/desk/search", params={"q": "Khorgos"})
    href = _facet(first.text, "Language")["ru (1)"]
    assert ("language", "ru") in parse_qsl(urlsplit(href).query)
    narrowed = desk.get(href)
    assert _titles(narrowed.text) == ["Kazakhstan, China to hold Astana summit on Khorgos railway"]
    chip = page(narrowed.text).xpath("//ul[@class='chips']/li")[0]
    assert chip.text_content().startswith("Language: ru")
    # the form keeps the filter for the next query
    assert page(narrowed.text).xpath("//input[@type='hidden'][@name='language']/@value") == ["ru"]
    back = desk.get(chip.xpath("./a/@href")[0])
    assert len(_titles(back.text)) == 3


def test_filters_from_the_query_string(desk: TestClient) -> None:
    r = desk.get("/desk/search", params={"q": "railway", "country": "kz", "theme": "diplomacy"})
    assert sorted(_titles(r.text)) == [
        "China and Kazakhstan plan Astana summit on Khorgos railway",
        "Kazakhstan, China to hold Astana summit on Khorgos railway",
    ]
    r = desk.get("/desk/search", params={"q": "railway", "source": "Kazinform Daily"})
    assert len(_titles(r.text)) == 1
    since = (NOW - timedelta(days=2)).date().isoformat()
    r = desk.get("/desk/search", params={"q": "railway", "since": since})
    assert len(_titles(r.text)) == 2


def test_pages_of_twenty(desk: TestClient, fresh_db: Database) -> None:
    for i in range(23):
        store(fresh_db, f"p{i:02d}", NOW - timedelta(hours=i + 1), f"Pipeline report number {i}")
    with fresh_db.begin() as conn:
        search_index_pending(conn, now=NOW)
    r = desk.get("/desk/search", params={"q": "pipeline"})
    assert len(_titles(r.text)) == 20
    doc = page(r.text)
    assert not doc.xpath("//a[@rel='prev']")
    second = desk.get(doc.xpath("//a[@rel='next']/@href")[0])
    assert len(_titles(second.text)) == 3
    assert page(second.text).xpath("//ol[@class='results']/@start") == ["21"]
    assert not page(second.text).xpath("//a[@rel='next']")
    assert set(_titles(r.text)).isdisjoint(_titles(second.text))


def test_hostile_article_text_is_escaped(desk: TestClient) -> None:
    r = desk.get("/desk/search", params={"q": "timetable"})
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "<img src=x" not in r.text
    assert "&lt;script&gt;" in r.text
    assert not page(r.text).xpath("//main//script | //main//img")


def test_bad_input_is_reported(desk: TestClient) -> None:
    r = desk.get("/desk/search", params={"q": "-only"})
    assert r.status_code == 400
    assert "nothing to search for" in page(r.text).xpath("//div[@role='alert']")[0].text_content()
    r = desk.get("/desk/search", params={"q": "railway", "since": "yesterday"})
    assert r.status_code == 400 and "is not a date" in r.text
    empty = desk.get("/desk/search")
    assert empty.status_code == 200 and "Type some words" in empty.text


def test_filters_without_words_list_articles_newest_first(desk: TestClient) -> None:
    r = desk.get("/desk/search", params={"country": "KZ"})
    assert r.status_code == 200, r.text
    assert page(r.text).xpath("//h2[@id='hits-h']")[0].text_content() == "4 articles match"
    hrefs = page(r.text).xpath("//ol[@class='results']/li/h3/a/@href")
    assert [h.rsplit("/", 1)[1] for h in hrefs] == ["a1", "a2", "a5", "a3"]
    assert not page(r.text).xpath("//aside[@class='facets']")
    r = desk.get("/desk/search", params={"country": "KZ", "language": "ru"})
    assert [a.rsplit("/", 1)[1] for a in page(r.text).xpath("//ol[@class='results']/li/h3/a/@href")] == ["a2"]
    until = (NOW - timedelta(days=3)).date().isoformat()
    r = desk.get("/desk/search", params={"country": "KZ", "until": until})
    assert sorted(
        a.rsplit("/", 1)[1] for a in page(r.text).xpath("//ol[@class='results']/li/h3/a/@href")
    ) == [
        "a3",
        "a5",
    ]
