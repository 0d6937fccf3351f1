"""Every form on the desk's explore, editor and correction pages carries the CSRF token, is refused
without it, and lives on a page only a signed-in editor gets; no page holds inline script or style."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from eurasiawatch.config import Settings
from eurasiawatch.render.sample import sample_edition
from eurasiawatch.store import Database, browse
from eurasiawatch.store import editions as store
from eurasiawatch.watching import add_watchlist, read_watchlist

from .conftest import NOW, page
from .desk_seed import corpus, sign_in


@pytest.fixture
def web_settings(web_settings: Settings) -> Settings:
    return dataclasses.replace(web_settings, desk_argon2_memory_kib=1024, desk_argon2_time_cost=1)


@pytest.fixture
def desk(app: FastAPI, web_settings: Settings, fresh_db: Database) -> Iterator[TestClient]:
    corpus(fresh_db)
    with fresh_db.begin() as conn:
        store.save_edition(conn, sample_edition(), now=NOW)
    add_watchlist(fresh_db, read_watchlist("kz", countries=["KZ"]), now=NOW)
    with TestClient(app) as client:
        yield sign_in(client, web_settings, fresh_db)


def test_every_form_needs_its_token(desk: TestClient, fresh_db: Database, app: FastAPI) -> None:
    with fresh_db.begin() as conn:
        story = browse.article_context(conn, "a1")["story_id"]
    edition = sample_edition()
    pages = [
        "/desk/search?q=railway",
        "/desk/countries/KZ",
        "/desk/entities/khorgos-gateway",
        f"/desk/stories/{story}",
        "/desk/articles/a1",
        "/desk/editions",
        f"/desk/editions/{edition.edition_id}",
        f"/desk/editions/{edition.edition_id}/blocks/{edition.blocks[0].block_id}",
        "/desk/watchlists",
        "/desk/watchlists/kz/edit",
        "/desk/watchlists/kz/remove",
        "/desk/indicators",
    ]
    actions: set[str] = set()
    for path in pages:
        r = desk.get(path)
        assert r.status_code == 200, path
        doc = page(r.text)
        assert not doc.xpath("//script[not(@src)] | //*[@style] | //style"), path
        for form in doc.xpath("//main//form[@method='post']"):
            assert form.xpath(".//input[@type='hidden'][@name='csrf_token']/@value"), (
                path,
                form.get("action"),
            )
            actions.add(form.get("action"))
    assert {
        f"/desk/stories/{story}/split",
        f"/desk/stories/{story}/merge",
        "/desk/articles/a1/themes",
        "/desk/articles/a1/countries",
        "/desk/articles/a1/entities",
        f"/desk/editions/{edition.edition_id}/redraft",
        f"/desk/editions/{edition.edition_id}/test-send",
        f"/desk/editions/{edition.edition_id}/approve",
        f"/desk/editions/{edition.edition_id}/blocks/{edition.blocks[0].block_id}",
        "/desk/editions/new",
        "/desk/watchlists",
        "/desk/watchlists/kz/edit",
        "/desk/watchlists/kz/remove",
    } <= actions
    for action in sorted(actions):
        refused = desk.post(
            action, data={"others": "x", "theme": "energy", "text": "x"}, follow_redirects=False
        )
        assert refused.status_code == 403, action
        assert "expired" in refused.text, action
    # and an anonymous browser is sent to sign in for every page
    anonymous = TestClient(app)
    for path in pages:
        r = anonymous.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/desk/sign-in"), path
