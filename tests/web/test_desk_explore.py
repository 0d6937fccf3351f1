"""Country, entity and story pages of the desk; merging and splitting stories (audited)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from eurasiawatch.config import Settings
from eurasiawatch.store import Database, browse
from eurasiawatch.store import desk as desk_store

from .conftest import csrf_token, page
from .desk_seed import corpus, sign_in


@pytest.fixture
def web_settings(web_settings: Settings) -> Settings:
    return dataclasses.replace(web_settings, desk_argon2_memory_kib=1024, desk_argon2_time_cost=1)


@pytest.fixture
def desk(app: FastAPI, web_settings: Settings, fresh_db: Database) -> Iterator[TestClient]:
    corpus(fresh_db)
    with TestClient(app) as client:
        yield sign_in(client, web_settings, fresh_db)


def _story_of(db: Database, article_id: str) -> str:
    with db.begin() as conn:
        story = browse.article_context(conn, article_id)["story_id"]
    assert story
    return str(story)


def _section(html: str, heading_id: str) -> str:
    return str(page(html).xpath(f"//section[h2[@id='{heading_id}']]")[0].text_content())


@pytest.mark.parametrize(
    "path", ["/desk/countries/KZ", "/desk/entities/khorgos-gateway", "/desk/stories/x", "/desk/search"]
)
def test_pages_need_a_signed_in_editor(client: TestClient, path: str) -> None:
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/desk/sign-in?next=")


def test_country_page(desk: TestClient) -> None:
    r = desk.get("/desk/countries/KZ")
    assert r.status_code == 200, r.text
    doc = page(r.text)
    assert doc.xpath("//h1")[0].text_content() == "Kazakhstan"
    assert "named in 4 stored articles" in doc.xpath("//p[@class='lead']")[0].text_content()
    assert "2024-07: 4" not in r.text  # the timeline is a table, not a list
    rows = [
        [c.text_content() for c in tr.xpath("./*")]
        for tr in doc.xpath("//section[h2[@id='timeline-h']]//tbody/tr")
    ]
    assert rows == [["2024-07", "4"]]
    assert doc.xpath("//section[h2[@id='timeline-h']]//*[local-name()='svg']")
    languages = _section(r.text, "languages-h")
    assert "en: 3" in languages and "ru: 1" in languages
    actors = doc.xpath("//section[h2[@id='actors-h']]//a")
    assert [(a.text_content(), a.get("href")) for a in actors] == [
        ("Khorgos Gateway", "/desk/entities/khorgos-gateway")
    ]
    events = _section(r.text, "events-h")
    assert "CONSULT" in events and "The leaders will meet in Astana on 20 July." in events
    articles = doc.xpath("//section[h2[@id='articles-h']]//ol/li/a/@href")
    assert sorted(articles) == [
        "/desk/articles/a1",
        "/desk/articles/a2",
        "/desk/articles/a3",
        "/desk/articles/a5",
    ]
    assert desk.get("/desk/countries/kz", follow_redirects=False).headers["location"] == "/desk/countries/KZ"
    assert desk.get("/desk/countries/FR").status_code == 404


def test_entity_page(desk: TestClient) -> None:
    r = desk.get("/desk/entities/khorgos-gateway")
    assert r.status_code == 200, r.text
    doc = page(r.text)
    assert "named in 3 stored articles" in doc.xpath("//p[@class='lead']")[0].text_content()
    named = [a.text_content() for a in doc.xpath("//section[h2[@id='countries-h']]//a")]
    assert named[0] == "Kazakhstan" and "China" in named
    assert "The leaders will meet in Astana" in _section(r.text, "events-h")
    assert desk.get("/desk/entities/nobody-at-all").status_code == 404


def test_hostile_article_text_is_escaped_on_country_page(desk: TestClient) -> None:
    r = desk.get("/desk/countries/KZ")
    assert "<script>alert" not in r.text and "&lt;script&gt;" in r.text
    assert not page(r.text).xpath("//main//script")


def test_story_page(desk: TestClient, fresh_db: Database) -> None:
    story = _story_of(fresh_db, "a1")
    assert _story_of(fresh_db, "a2") == story
    r = desk.get(f"/desk/stories/{story}")
    assert r.status_code == 200, r.text
    doc = page(r.text)
    hrefs = doc.xpath("//section[h2[@id='articles-h']]//tbody//a/@href")
    assert set(hrefs) >= {"/desk/articles/a1", "/desk/articles/a2"}
    languages = _section(r.text, "languages-h")
    assert "en: " in languages and "ru: 1" in languages
    assert "Kazinform Daily" in _section(r.text, "outlets-h")
    assert "The leaders will meet in Astana on 20 July." in _section(r.text, "events-h")
    assert "Khorgos Gateway" in _section(r.text, "actors-h")
    assert _section(r.text, "reprints-h")
    assert desk.get("/desk/stories/no-such-story").status_code == 404


def test_split_and_merge_are_done_and_audited(desk: TestClient, fresh_db: Database) -> None:
    story = _story_of(fresh_db, "a1")
    form = desk.get(f"/desk/stories/{story}")
    token = csrf_token(form.text)
    # without the CSRF token nothing happens
    refused = desk.post(f"/desk/stories/{story}/split", data={"article": "a2"}, follow_redirects=False)
    assert refused.status_code == 403
    assert _story_of(fresh_db, "a2") == story
    r = desk.post(
        f"/desk/stories/{story}/split", data={"article": "a2", "csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    new = r.headers["location"].split("/desk/stories/")[1].split("?")[0]
    assert new != story and _story_of(fresh_db, "a2") == new
    shown = desk.get(r.headers["location"])
    assert "Articles split into this new story." in shown.text
    r = desk.post(
        f"/desk/stories/{story}/merge", data={"others": new, "csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303
    assert _story_of(fresh_db, "a2") == story
    with fresh_db.begin() as conn:
        rows = desk_store.audit_for_targets(conn, ["article:a2", f"story:{story}", f"story:{new}"])
    actions = [(row["action"], row["username"], row["target"]) for row in rows]
    assert ("story.split", "editor1", "article:a2") in actions
    assert ("story.merge", "editor1", f"story:{new}") in actions
    # a bad merge is reported on the page, nothing changes
    bad = desk.post(f"/desk/stories/{story}/merge", data={"others": "nope", "csrf_token": token})
    assert bad.status_code == 400 and "Nothing merged" in bad.text


def test_pin_and_hide_are_kept_and_audited(desk: TestClient, fresh_db: Database) -> None:
    story = _story_of(fresh_db, "a1")
    token = csrf_token(desk.get(f"/desk/stories/{story}").text)
    r = desk.post(
        f"/desk/stories/{story}/flag", data={"kind": "pin", "csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303
    shown = desk.get(r.headers["location"])
    assert "Pinned: it ranks first." in shown.text
    assert page(shown.text).xpath("//input[@name='kind']/@value") == ["unpin", "hide"]
    assert "Pinned." in page(shown.text).xpath("//p[@class='lead']")[0].text_content()
    r = desk.post(f"/desk/stories/{story}/flag", data={"kind": "explode", "csrf_token": token})
    assert r.status_code == 422
    with fresh_db.begin() as conn:
        rows = desk_store.audit_for_targets(conn, [f"story:{story}"])
    assert [(row["action"], row["username"]) for row in rows] == [("story.pin", "editor1")]
