"""The REST API under ``/api/v1`` as a client sees it: tokens, every endpoint, filters, pages, errors.

Runs on SQLite and PostgreSQL over sample-corpus articles (sample content written for the project),
annotated, clustered and indexed (``api_seed``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, get_args
from urllib.parse import parse_qsl

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from eurasiawatch.annotate.events import EVENT_TYPES
from eurasiawatch.annotate.themes import THEMES
from eurasiawatch.config import Settings
from eurasiawatch.deliver.crypto import Crypto
from eurasiawatch.deliver.subscribers import add_subscriber
from eurasiawatch.store import Database
from eurasiawatch.web.api import PUBLIC_PATHS as API_PUBLIC_PATHS
from eurasiawatch.web.api.common import MAX_LIMIT
from eurasiawatch.web.api.models import EventType, Theme
from eurasiawatch.web.auth import PUBLIC_PATHS

from .api_seed import Seeded, cheap_settings, seed
from .conftest import NOW


@pytest.fixture
def web_settings(web_settings: Settings) -> Settings:
    return cheap_settings(web_settings)


@pytest.fixture
def seeded(fresh_db: Database, web_settings: Settings, tmp_path) -> Seeded:  # type: ignore[no-untyped-def]
    return seed(fresh_db, web_settings, tmp_path)


@pytest.fixture
def anon(app: FastAPI, seeded: Seeded) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def api(app: FastAPI, seeded: Seeded) -> Iterator[TestClient]:
    with TestClient(app, headers={"Authorization": f"Bearer {seeded.token}"}) as client:
        yield client


def _ok(client: TestClient, path: str, **params: Any) -> Any:
    r = client.get(path, params=params)
    assert r.status_code == 200, (path, params, r.status_code, r.text[:500])
    assert r.headers["content-type"].startswith("application/json")
    return r.json()


def _error(client: TestClient, path: str, expect: int, code: str, **params: Any) -> dict[str, Any]:
    r = client.get(path, params=params)
    assert r.status_code == expect, (path, params, r.status_code, r.text[:500])
    error = r.json()["error"]
    assert error["code"] == code and error["status"] == expect and error["message"]
    return dict(error)


def _all(client: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a list, following ``next`` links (``path`` may hold a query already)."""
    path, _, query = path.partition("?")
    body = _ok(client, path, **{**dict(parse_qsl(query)), **params})
    items = list(body["items"])
    while body["next"]:
        r = client.get(body["next"])
        assert r.status_code == 200
        body = r.json()
        items += body["items"]
    return items


# -- the document and access control -----------------------------------------------------------------


def test_openapi_document_describes_every_endpoint(anon: TestClient) -> None:
    doc = _ok(anon, "/api/v1/openapi.json")
    assert doc["openapi"].startswith("3.1")
    assert set(doc["paths"]) == {
        "/api/v1/articles",
        "/api/v1/articles/{article_id}",
        "/api/v1/events",
        "/api/v1/search",
        "/api/v1/stories",
        "/api/v1/stories/{story_id}",
        "/api/v1/entities",
        "/api/v1/entities/{key}",
        "/api/v1/countries",
        "/api/v1/countries/{code}",
        "/api/v1/editions",
        "/api/v1/editions/{edition_id}",
        "/api/v1/indicators",
        "/api/v1/indicators/figures",
        "/api/v1/indicators/{series_id}",
    }
    assert doc["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    for path, operations in doc["paths"].items():
        assert "subscriber" not in path
        for method, op in operations.items():
            assert method == "get", path  # read-only
            ok = op["responses"]["200"]["content"]["application/json"]["schema"]
            assert "$ref" in ok, (path, ok)  # a Pydantic model, so responses can be checked
            for status in ("401", "422"):
                assert op["responses"][status]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ErrorResponse"
                }, (path, status)
            public = path.startswith("/api/v1/editions")
            assert op["security"] == ([{}] if public else []) + [{"HTTPBearer": []}], path
    # the desk pages stay out of the API's document
    assert not any(p.startswith("/desk") for p in doc["paths"])
    assert set(get_args(Theme)) == set(THEMES) and set(get_args(EventType)) == set(EVENT_TYPES)
    assert set(API_PUBLIC_PATHS) <= PUBLIC_PATHS


def _filled(path: str, seeded: Seeded, story_id: str) -> str:
    values = {
        "{article_id}": seeded.pairs[0][0].article_id,
        "{story_id}": story_id,
        "{key}": next(m.key for _, n in seeded.pairs for m in n.mentions if m.kind == "entity"),
        "{code}": "KZ",
        "{edition_id}": seeded.draft_edition,
        "{series_id}": "S1",
    }
    for name, value in values.items():
        path = path.replace(name, value)
    return path


def test_every_endpoint_needs_a_token_except_published_editions(
    anon: TestClient, api: TestClient, seeded: Seeded
) -> None:
    story_id = _ok(api, "/api/v1/stories", days=366)["items"][0]["story_id"]
    paths = _ok(anon, "/api/v1/openapi.json")["paths"]
    for template in paths:
        path = _filled(template, seeded, story_id)
        params = {"q": "Китай"} if template.endswith("/search") else {}
        if template.startswith("/api/v1/editions"):
            continue  # below
        r = anon.get(path, params=params)
        assert r.status_code == 401, (path, r.status_code)
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert r.json()["error"]["code"] == "unauthorized"
        bad = anon.get(path, params=params, headers={"Authorization": "Bearer ew_not-a-token"})
        assert bad.status_code == 401 and "not valid" in bad.json()["error"]["message"]
        assert api.get(path, params=params).status_code == 200, path
    # editions: published ones are open, drafts need the token and stay hidden (404) without it
    assert [e["edition_id"] for e in _ok(anon, "/api/v1/editions")["items"]] == [seeded.public_edition]
    assert _ok(anon, f"/api/v1/editions/{seeded.public_edition}")["status"] == "sent"
    _error(anon, f"/api/v1/editions/{seeded.draft_edition}", 404, "not_found")
    _error(anon, "/api/v1/editions", 401, "unauthorized", status="draft")
    bad = anon.get("/api/v1/editions", headers={"Authorization": "Bearer ew_wrong"})
    assert bad.status_code == 401  # a token that is sent must be valid, even where none is needed


def test_no_subscriber_data_through_the_api(
    api: TestClient, seeded: Seeded, web_settings: Settings, fresh_db: Database
) -> None:
    with fresh_db.begin() as conn:
        add_subscriber(
            conn,
            Crypto.from_settings(web_settings),
            "reader@example.org",
            source="test",
            now=NOW,
            consent_at=NOW,
        )
    story_id = _ok(api, "/api/v1/stories", days=366)["items"][0]["story_id"]
    for template in _ok(api, "/api/v1/openapi.json")["paths"]:
        params = {"q": "reader"} if template.endswith("/search") else {}
        r = api.get(_filled(template, seeded, story_id), params=params)
        assert r.status_code == 200 and "reader@example.org" not in r.text
    _error(api, "/api/v1/subscribers", 404, "not_found")


# -- articles ----------------------------------------------------------------------------------------


def test_articles_filters_pages_and_next_links(api: TestClient, seeded: Seeded) -> None:
    everything = _all(api, "/api/v1/articles", limit=7)
    assert len(everything) == len(seeded.pairs) == _ok(api, "/api/v1/articles")["total"]
    assert len({a["article_id"] for a in everything}) == len(everything)  # pages do not overlap
    published = [a["published"] for a in everything]
    assert published == sorted(published, reverse=True)
    first = _ok(api, "/api/v1/articles", limit=7)
    assert first["next"].startswith("/api/v1/articles?") and "offset=7" in first["next"]
    last = _ok(api, "/api/v1/articles", limit=7, offset=(len(everything) - 1) // 7 * 7)
    assert last["next"] is None

    annotations = {a.article_id: n for a, n in seeded.pairs}
    articles = {a.article_id: a for a, _ in seeded.pairs}
    kz = _all(api, "/api/v1/articles", country="KZ", limit=100)
    assert kz and {a["article_id"] for a in kz} == {i for i, n in annotations.items() if "KZ" in n.countries}
    assert all("KZ" in a["countries"] for a in kz)
    two = _all(api, "/api/v1/articles", country=["KZ", "RS"], limit=100)
    assert len(two) >= len(kz)
    theme = next(t for n in annotations.values() for t in n.themes)
    themed = _all(api, "/api/v1/articles", theme=theme, limit=100)
    assert {a["article_id"] for a in themed} == {i for i, n in annotations.items() if theme in n.themes}
    ru = _all(api, "/api/v1/articles", language="ru", limit=100)
    assert ru and all(a["language"].startswith("ru") for a in ru)
    source = seeded.pairs[0][0].source
    assert {a["source"] for a in _all(api, "/api/v1/articles", source=source)} == {source}
    outlet = seeded.pairs[0][0].outlet
    assert {a["outlet"] for a in _all(api, "/api/v1/articles", outlet=outlet)} == {outlet}
    china = _ok(api, "/api/v1/articles", china_related="true")["total"]
    other = _ok(api, "/api/v1/articles", china_related="false")["total"]
    assert china + other == len(everything) and china == sum(n.china_related for n in annotations.values())
    window = _all(api, "/api/v1/articles", since="2024-06-01", until="2024-06-30", limit=100)
    assert all("2024-06-01" <= a["published"][:10] <= "2024-06-30" for a in window)
    assert len(window) == sum(
        1
        for a in articles.values()
        if a.published and "2024-06-01" <= a.published.isoformat()[:10] <= "2024-06-30"
    )
    found = _all(api, "/api/v1/articles", q="Китай", limit=100)
    assert found and len(found) < len(everything)
    assert _ok(api, "/api/v1/articles", q="Китай", language="en")["total"] == 0


def test_article_errors_are_json(api: TestClient) -> None:
    error = _error(api, "/api/v1/articles", 422, "invalid_request", limit=MAX_LIMIT + 1)
    assert error["details"] and error["details"][0]["field"] == "limit"
    _error(api, "/api/v1/articles", 422, "invalid_request", country="Kazakhstan")
    _error(api, "/api/v1/articles", 422, "invalid_request", theme="weather")
    _error(api, "/api/v1/articles", 422, "invalid_request", since="yesterday")
    _error(api, "/api/v1/articles", 422, "invalid_request", offset=-1)
    _error(api, "/api/v1/articles", 400, "bad_request", q="-only -excluded")
    _error(api, "/api/v1/articles/no-such-article", 404, "not_found")
    unknown = _error(api, "/api/v1/articles", 422, "invalid_request", countries="KZ")  # misspelt filter
    assert unknown["details"] == [{"field": "countries", "message": "unknown query parameter"}]
    _error(api, "/api/v1/articles", 422, "invalid_request", outlet="a\x00b")
    _error(api, "/api/v1/countries", 422, "invalid_request", since="1718000000")  # not a Unix time
    r = api.post("/api/v1/articles")
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"


def test_article_detail_with_annotation_story_and_events(api: TestClient, seeded: Seeded) -> None:
    article, annotation = next((a, n) for a, n in seeded.pairs if n.events and n.mentions)
    body = _ok(api, f"/api/v1/articles/{article.article_id}")
    assert body["title"] == article.title and body["text"] == article.text and body["sample"] is True
    got = body["annotation"]
    assert got["countries"] == list(annotation.countries) and got["themes"] == list(annotation.themes)
    assert [(m["kind"], m["key"], m["start"]) for m in got["mentions"]] == [
        (m.kind, m.key, m.start) for m in annotation.mentions
    ]
    event = got["events"][0]
    assert event["type"] == annotation.events[0].type and event["evidence"] == annotation.events[0].evidence
    assert body["story_id"] and body["story_id"].startswith("s")
    story = _ok(api, f"/api/v1/stories/{body['story_id']}")
    assert article.article_id in [a["article_id"] for a in story["article_list"]]


# -- stories, entities, countries, events -----------------------------------------------------------


def test_stories_ranked_with_articles_and_reprint_chains(api: TestClient, seeded: Seeded) -> None:
    ranked = _all(api, "/api/v1/stories", days=366, limit=5)
    assert ranked and len(ranked) == _ok(api, "/api/v1/stories", days=366)["total"]
    scores = [s["score"] for s in ranked if not s["pinned"]]
    assert scores == sorted(scores, reverse=True)
    assert sum(s["articles"] for s in ranked) == len(seeded.pairs)
    assert _ok(api, "/api/v1/stories", days=1)["total"] < len(ranked)  # NOW is after the corpus ends
    with_reprints = next(s for s in ranked if s["reprints"])
    detail = _ok(api, with_reprints["href"])
    assert len(detail["reprint_chains"]) == with_reprints["reprints"]
    assert {r["article_id"] for r in detail["reprint_chains"]} <= {
        a["article_id"] for a in detail["article_list"]
    }
    assert len(detail["article_list"]) == detail["articles"] and detail["first"]["article_id"]
    outlets = {a["outlet"] for a in detail["article_list"]}
    assert set(detail["outlets"]) == outlets and set(detail["languages"]) == {
        a["language"] for a in detail["article_list"]
    }
    _error(api, "/api/v1/stories/s000000000000", 404, "not_found")
    _error(api, "/api/v1/stories", 422, "invalid_request", days=0)


def test_entities_search_and_detail(api: TestClient, seeded: Seeded) -> None:
    entities = _all(api, "/api/v1/entities", limit=100)
    counts = [e["articles"] for e in entities]
    assert entities and counts == sorted(counts, reverse=True)
    top = entities[0]
    named = [a for a, n in seeded.pairs if any(m.key == top["key"] for m in n.mentions if m.kind == "entity")]
    assert top["articles"] == len(named)
    found = _ok(api, "/api/v1/entities", q=top["name"][:5].upper())["items"]
    assert top["key"] in [e["key"] for e in found]
    detail = _ok(api, top["href"], interval="month")
    assert sum(p["articles"] for p in detail["timeline"]) == top["articles"]
    assert detail["co_occurring"] and top["key"] not in [c["key"] for c in detail["co_occurring"]]
    assert detail["countries_named"] and detail["themes"]
    assert detail["aliases"], "a knowledge-base actor has aliases"
    listed = _all(api, detail["articles_href"], limit=100)
    assert {a["article_id"] for a in listed} == {a.article_id for a in named}
    _error(api, "/api/v1/entities/nobody-at-all", 404, "not_found")
    _error(api, "/api/v1/entities/x", 422, "invalid_request", interval="week")


def test_countries_with_counts_and_detail(api: TestClient, seeded: Seeded) -> None:
    countries = _all(api, "/api/v1/countries", limit=100)
    kz = next(c for c in countries if c["code"] == "KZ")
    assert kz["name"] and kz["articles"] == sum(1 for _, n in seeded.pairs if "KZ" in n.countries)
    assert kz["china_related"] == sum(1 for _, n in seeded.pairs if "KZ" in n.countries and n.china_related)
    detail = _ok(api, "/api/v1/countries/KZ")
    assert detail["capital"] and detail["actors"] and detail["themes"]
    assert sum(p["articles"] for p in detail["timeline"]) == kz["articles"]
    june = _ok(api, "/api/v1/countries", since="2024-06-01", until="2024-06-30")
    assert june["total"] <= len(countries)
    _error(api, "/api/v1/countries/ZZ", 404, "not_found")
    _error(api, "/api/v1/countries/kz", 422, "invalid_request")


def test_events_filters(api: TestClient, seeded: Seeded) -> None:
    events = _all(api, "/api/v1/events", limit=50)
    assert len(events) == sum(len(n.events) for _, n in seeded.pairs)
    upcoming = _all(api, "/api/v1/events", upcoming="true")
    assert upcoming and all(e["upcoming"] for e in upcoming)
    dates = [e["date"] for e in upcoming if e["date"]]
    assert dates == sorted(dates)
    kind = events[0]["type"]
    typed = _all(api, "/api/v1/events", type=kind)
    assert typed and {e["type"] for e in typed} == {kind}
    kz = _all(api, "/api/v1/events", country="KZ")
    assert all(any(a["country"] == "KZ" for a in e["actors"]) for e in kz)
    dated = _all(api, "/api/v1/events", since="2024-06-01", until="2024-06-30")
    assert all("2024-06-01" <= e["date"] <= "2024-06-30" for e in dated)
    assert all(e["evidence"] and e["article_url"].startswith("https://sample.invalid/") for e in events)
    _error(api, "/api/v1/events", 422, "invalid_request", type="HUG")


# -- search, editions, indicators --------------------------------------------------------------------


def test_search_with_facets_and_pages(api: TestClient) -> None:
    body = _ok(api, "/api/v1/search", q="Китай", limit=3)
    assert body["total"] > 3 and len(body["items"]) == 3 and body["next"]
    assert set(body["facets"]) == {"country", "theme", "entity", "language", "outlet"}
    assert body["engine"] in ("sqlite", "postgresql")
    hit = body["items"][0]
    start, end = hit["highlights"][0]
    assert hit["snippet"][start:end] and hit["href"] == f"/api/v1/articles/{hit['article_id']}"
    rest = _all(api, body["next"].split("?")[0], q="Китай", limit=3, offset=3)
    assert len(rest) + 3 == body["total"]
    language = body["facets"]["language"][0]
    narrowed = _ok(api, "/api/v1/search", q="Китай", language=language["value"])
    assert narrowed["total"] == language["count"]
    _error(api, "/api/v1/search", 422, "invalid_request")  # q is required
    _error(api, "/api/v1/search", 400, "bad_request", q="-nothing")
    _error(api, "/api/v1/search", 400, "bad_request", q="Китай", since="2024-07-01", until="2024-06-01")


def test_editions_blocks_and_citations(api: TestClient, seeded: Seeded) -> None:
    listed = _ok(api, "/api/v1/editions")["items"]
    assert [e["edition_id"] for e in listed] == [seeded.draft_edition, seeded.public_edition]
    drafts = _ok(api, "/api/v1/editions", status="draft")["items"]
    assert [e["status"] for e in drafts] == ["draft"]
    draft = _ok(api, f"/api/v1/editions/{seeded.draft_edition}")
    assert draft["headline"] == "Draft <b>edition</b>"  # JSON carries text as is; clients escape it
    block = draft["blocks"][0]
    assert block["citations"][0]["article_id"] == seeded.pairs[0][0].article_id and "[1]" in block["text"]
    _error(api, "/api/v1/editions/1999-01-01", 404, "not_found")


def test_indicators_series_and_figures(api: TestClient) -> None:
    series = _ok(api, "/api/v1/indicators")["items"]
    assert len(series) == 1 and series[0]["synthetic"] is True and series[0]["points"] == 17
    detail = _ok(api, series[0]["href"])
    assert detail["points"][0] == ["2023-01", 101.0] and detail["frequency"] == "monthly"
    assert detail["change"]["basis"] == "year_to_date" and detail["change"]["sentence"]
    figures = _all(api, "/api/v1/indicators/figures", limit=100)
    assert figures and all(f["source"] for f in figures) and any(f["shipped"] for f in figures)
    one = figures[0]["dataset"]
    assert {f["dataset"] for f in _all(api, "/api/v1/indicators/figures", dataset=one)} == {one}
    _error(api, "/api/v1/indicators/S999", 404, "not_found")
    _error(api, "/api/v1/indicators/abc", 422, "invalid_request")
