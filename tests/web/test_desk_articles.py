"""Corrections on ``/desk/articles/<id>``: themes, countries, entities; audited, kept across reannotate."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from eurasiawatch.analyze.search import SearchFilters, search
from eurasiawatch.annotating import annotate_stored
from eurasiawatch.clock import Clock
from eurasiawatch.config import Settings
from eurasiawatch.store import Database, queries
from eurasiawatch.store import desk as desk_store
from eurasiawatch.store.annotations import load_annotation

from .conftest import NOW, csrf_token, page
from .desk_seed import corpus, sign_in


@pytest.fixture
def web_settings(web_settings: Settings) -> Settings:
    return dataclasses.replace(web_settings, desk_argon2_memory_kib=1024, desk_argon2_time_cost=1)


@pytest.fixture
def desk(app: FastAPI, web_settings: Settings, fresh_db: Database) -> Iterator[TestClient]:
    corpus(fresh_db)
    with TestClient(app) as client:
        yield sign_in(client, web_settings, fresh_db)


def _post(desk: TestClient, path: str, data: dict[str, object]) -> object:
    token = csrf_token(desk.get("/desk/articles/a3").text)
    return desk.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def test_article_page_needs_sign_in(client: TestClient) -> None:
    r = client.get("/desk/articles/a1", follow_redirects=False)
    assert r.status_code == 303 and "/desk/sign-in" in r.headers["location"]


def test_article_page_shows_annotation_and_story(desk: TestClient) -> None:
    r = desk.get("/desk/articles/a1")
    assert r.status_code == 200, r.text
    doc = page(r.text)
    assert doc.xpath("//h1")[0].text_content().startswith("China and Kazakhstan plan Astana summit")
    assert doc.xpath("//input[@name='theme'][@value='diplomacy']/@checked")
    assert not doc.xpath("//input[@name='theme'][@value='energy']/@checked")
    assert doc.xpath("//a[starts-with(@href, '/desk/stories/')]")
    assert "The leaders will meet in Astana on 20 July." in r.text
    assert "No editor has changed this article." in r.text
    assert desk.get("/desk/articles/missing").status_code == 404


def test_hostile_article_is_escaped(desk: TestClient) -> None:
    r = desk.get("/desk/articles/a5")
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "&lt;script&gt;" in r.text
    assert not page(r.text).xpath("//main//script | //*[@onerror]")


def test_forms_need_the_csrf_token(desk: TestClient, fresh_db: Database) -> None:
    r = desk.post("/desk/articles/a3/themes", data={"theme": ["energy"]}, follow_redirects=False)
    assert r.status_code == 403
    with fresh_db.begin() as conn:
        assert load_annotation(conn, "a3").themes == ("trade",)  # type: ignore[union-attr]


def test_corrections_are_stored_audited_and_survive_reannotate(
    desk: TestClient, fresh_db: Database, web_settings: Settings
) -> None:
    r = _post(desk, "/desk/articles/a3/themes", {"theme": ["energy", "trade"]})
    assert r.status_code == 303  # type: ignore[attr-defined]
    r = _post(desk, "/desk/articles/a3/countries", {"add": "uz", "remove": ["KZ"]})
    assert r.status_code == 303  # type: ignore[attr-defined]
    r = _post(desk, "/desk/articles/a3/entities", {"add": "xi-jinping", "remove": ["khorgos-gateway"]})
    assert r.status_code == 303  # type: ignore[attr-defined]

    with fresh_db.begin() as conn:
        annotation = load_annotation(conn, "a3")
        label_rows = [r for r in queries.list_theme_corrections(conn) if r["article_id"] == "a3"]
        audit = desk_store.audit_for_targets(conn, ["article:a3"])
    assert annotation is not None
    assert set(annotation.themes) == {"energy", "trade"}
    assert annotation.countries == ("UZ",)
    assert {m.key for m in annotation.mentions if m.kind == "entity"} == {"xi-jinping"}
    # the theme correction took the path `eurasiawatch label` takes (the model trains on it)
    assert [(tuple(r["added"]), tuple(r["removed"]), r["editor"]) for r in label_rows] == [
        (("energy",), (), "editor1")
    ]
    assert [(a["action"], a["username"], a["detail"]) for a in audit] == [
        ("correction.entities", "editor1", "khorgos-gateway -> xi-jinping"),
        ("correction.countries", "editor1", "KZ -> UZ"),
        ("correction.themes", "editor1", "trade -> trade, energy"),
    ]
    shown = desk.get("/desk/articles/a3?done=themes")
    rows = page(shown.text).xpath("//section[h2[@id='audit-h']]//tbody/tr")
    assert [r.xpath("./td")[2].text_content() for r in rows] == [
        "correction.entities",
        "correction.countries",
        "correction.themes",
    ]
    assert "KZ -> UZ" in page(shown.text).text_content() and "Themes corrected." in shown.text

    # search sees the corrected countries at once
    with fresh_db.begin() as conn:
        found = search(conn, "Khorgos", filters=SearchFilters(countries=("UZ",)))
    assert [h.article_id for h in found.hits] == ["a3"]

    # re-annotating every article keeps the corrections over what the annotator finds
    report = annotate_stored(fresh_db, web_settings, Clock(NOW), force=True)
    assert report.annotated >= 5
    with fresh_db.begin() as conn:
        again = load_annotation(conn, "a3")
        other = load_annotation(conn, "a1")
    assert again is not None and other is not None
    assert "energy" in again.themes and "UZ" in again.countries and "KZ" not in again.countries
    entity_keys = {m.key for m in again.mentions if m.kind == "entity"}
    assert "xi-jinping" in entity_keys and "khorgos-gateway" not in entity_keys
    assert "KZ" in other.countries  # an article nobody corrected is the annotator's


def test_bad_corrections_are_refused(desk: TestClient) -> None:
    r = _post(desk, "/desk/articles/a3/themes", {"theme": ["trade"]})
    assert r.status_code == 400 and "unchanged" in r.text  # type: ignore[attr-defined]
    r = _post(desk, "/desk/articles/a3/themes", {"theme": ["gossip"]})
    assert r.status_code == 400 and "unknown theme" in r.text  # type: ignore[attr-defined]
    r = _post(desk, "/desk/articles/a3/countries", {"add": "QQ"})
    assert r.status_code == 400 and "unknown country code" in r.text  # type: ignore[attr-defined]
    r = _post(desk, "/desk/articles/a3/entities", {"add": "no-such-actor"})
    assert r.status_code == 400 and "knowledge base" in r.text  # type: ignore[attr-defined]
