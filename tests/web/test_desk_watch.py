"""``/desk/watchlists`` and ``/desk/indicators``: matches, series pages with an SVG chart served as a file."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from eurasiawatch.config import Settings
from eurasiawatch.store import Database
from eurasiawatch.store import indicators as store_indicators
from eurasiawatch.store import watchlists as store_watchlists

from .conftest import NOW, page
from .desk_seed import corpus, sign_in


@pytest.fixture
def web_settings(web_settings: Settings) -> Settings:
    return dataclasses.replace(web_settings, desk_argon2_memory_kib=1024, desk_argon2_time_cost=1)


@pytest.fixture
def desk(app: FastAPI, web_settings: Settings, fresh_db: Database) -> Iterator[TestClient]:
    corpus(fresh_db)
    with fresh_db.begin() as conn:
        store_watchlists.insert_watchlist(
            conn,
            {
                "name": "hungary",
                "query": None,
                "countries": ("HU",),
                "entities": (),
                "themes": (),
                "created_at": NOW,
            },
        )
        store_indicators.save_series(
            conn,
            identity={
                "dataset": "test",
                "reporter": "CN",
                "partner": "KZ",
                "measure": "exports",
                "hs_code": "",
                "unit": "USD million",
            },
            source="Test customs <b>office</b>",
            synthetic=True,
            points=[(f"2023-{m:02d}", 100.0 + m, None) for m in range(1, 13)]
            + [(f"2024-{m:02d}", 120.0 + m, None) for m in range(1, 6)],
            now=NOW,
        )
    with TestClient(app) as client:
        yield sign_in(client, web_settings, fresh_db)


def test_pages_need_sign_in(client: TestClient) -> None:
    for path in (
        "/desk/watchlists",
        "/desk/indicators",
        "/desk/indicators/S1",
        "/desk/indicators/S1/chart.svg",
    ):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303, path


def test_watchlists_show_their_matches(desk: TestClient) -> None:
    r = desk.get("/desk/watchlists")
    assert r.status_code == 200, r.text
    section = page(r.text).xpath("//section[h2='hungary']")[0]
    assert [a.get("href") for a in section.xpath(".//ul/li/a")] == ["/desk/articles/a4"]
    assert "new" in section.xpath(".//ul/li")[0].text_content()


def test_indicator_page_with_chart_and_source(desk: TestClient) -> None:
    listing = desk.get("/desk/indicators")
    href = page(listing.text).xpath("//section[h2[@id='series-h']]//tbody//a/@href")[0]
    r = desk.get(href)
    assert r.status_code == 200, r.text
    doc = page(r.text)
    img = doc.xpath("//figure[@class='chart']/img")[0]
    assert img.get("alt")
    assert doc.xpath("//figcaption")[0].text_content() == "Source: Test customs <b>office</b>"
    assert not doc.xpath("//figcaption/b")
    assert [td.text_content() for td in doc.xpath("//tbody/tr[1]/td")] == ["2024-05", "125.00"]
    svg = desk.get(img.get("src"))
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    assert svg.text.lstrip().startswith(("<svg", "<?xml")) and "<script" not in svg.text
    assert desk.get("/desk/indicators/S999").status_code == 404
