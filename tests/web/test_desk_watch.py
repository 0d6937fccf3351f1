"""``/desk/watchlists`` and ``/desk/indicators``: matches; adding, editing and removing watchlists from
the desk (seen by ``watchlist list`` too); series pages with an SVG chart served as a file."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from eurasiawatch.cli import app as cli_app
from eurasiawatch.config import Settings
from eurasiawatch.store import Database
from eurasiawatch.store import desk as desk_store
from eurasiawatch.store import indicators as store_indicators
from eurasiawatch.store import watchlists as store_watchlists

from .conftest import NOW, csrf_token, page
from .desk_seed import HOSTILE, corpus, sign_in


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
        "/desk/watchlists/hungary/edit",
        "/desk/watchlists/hungary/remove",
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


@pytest.fixture
def watchlist_cli(cli: CliRunner, web_settings: Settings, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """``watchlist_cli()``: ``eurasiawatch watchlist list --json`` on the desk's database."""
    monkeypatch.setenv("EURASIAWATCH_DATA_DIR", web_settings.data_dir)
    if web_settings.database_url:
        monkeypatch.setenv("EURASIAWATCH_DATABASE_URL", web_settings.database_url)
        monkeypatch.setenv("EURASIAWATCH_DATABASE_SCHEMA", web_settings.database_schema)

    def listed() -> dict[str, dict[str, object]]:
        result = cli.invoke(cli_app, ["watchlist", "list", "--json"])
        assert result.exit_code == 0, result.output
        return {w["name"]: w for w in json.loads(result.output)}

    return listed


def _audit(db: Database, name: str) -> list[tuple[str, str]]:
    with db.begin() as conn:
        rows = desk_store.audit_for_targets(conn, [f"watchlist:{name}"])
    return sorted((r["action"], r["username"]) for r in rows)


def test_add_edit_remove_round_trip(desk: TestClient, fresh_db: Database, watchlist_cli) -> None:  # type: ignore[no-untyped-def]
    form = desk.get("/desk/watchlists")
    doc = page(form.text)
    # every control of the add form has a label
    for control in doc.xpath("//form[@action='/desk/watchlists']//input[@type!='hidden']"):
        assert doc.xpath(f"//label[@for='{control.get('id')}']"), control.get("name")
    token = csrf_token(form.text)
    r = desk.post(
        "/desk/watchlists",
        data={
            "name": "kz-rail",
            "query": "railway",
            "countries": "kz, uz",
            "entities": "khorgos-gateway",
            "themes": ["trade", "energy"],
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    shown = desk.get(r.headers["location"])
    assert "Watchlist added." in page(shown.text).xpath("//p[@role='status']")[0].text_content()
    section = page(shown.text).xpath("//section[h2='kz-rail']")[0]
    assert "Query “railway”" in section.text_content() and "KZ" in section.text_content()
    listed = watchlist_cli()
    assert listed["kz-rail"]["countries"] == ["KZ", "UZ"]
    assert listed["kz-rail"]["themes"] == ["trade", "energy"]
    assert listed["kz-rail"]["entities"] == ["khorgos-gateway"]

    # edit: the form comes filled; drop the query and a country, change the themes
    edit = desk.get("/desk/watchlists/kz-rail/edit")
    doc = page(edit.text)
    assert doc.xpath("//input[@name='query']/@value") == ["railway"]
    assert doc.xpath("//input[@name='countries']/@value") == ["KZ, UZ"]
    assert sorted(doc.xpath("//input[@name='themes'][@checked]/@value")) == ["energy", "trade"]
    r = desk.post(
        "/desk/watchlists/kz-rail/edit",
        data={"query": "", "countries": "KZ", "entities": "", "themes": ["trade"], "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    listed = watchlist_cli()
    assert listed["kz-rail"]["query"] is None and listed["kz-rail"]["countries"] == ["KZ"]
    assert listed["kz-rail"]["themes"] == ["trade"] and listed["kz-rail"]["entities"] == []
    section = page(desk.get("/desk/watchlists").text).xpath("//section[h2='kz-rail']")[0]
    assert "Query" not in section.xpath("p[@class='meta']")[0].text_content()
    # its matches follow the new definition: Kazakh trade articles
    assert {a.get("href") for a in section.xpath(".//ul/li/a")} >= {"/desk/articles/a3"}

    # remove: a confirmation page first; its button removes it
    confirm = desk.get("/desk/watchlists/kz-rail/remove")
    assert confirm.status_code == 200
    assert page(confirm.text).xpath("//main//form[@method='post']//button")[0].text_content() == (
        "Remove watchlist kz-rail"
    )
    assert "kz-rail" in watchlist_cli()  # opening the page removed nothing
    r = desk.post("/desk/watchlists/kz-rail/remove", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert "Watchlist removed." in desk.get(r.headers["location"]).text
    assert "kz-rail" not in watchlist_cli() and "hungary" in watchlist_cli()
    assert not page(desk.get("/desk/watchlists").text).xpath("//section[h2='kz-rail']")
    assert desk.get("/desk/watchlists/kz-rail/edit").status_code == 404
    assert _audit(fresh_db, "kz-rail") == [
        ("watchlist.add", "editor1"),
        ("watchlist.edit", "editor1"),
        ("watchlist.remove", "editor1"),
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "bad name", "countries": "KZ"}, "use letters, digits"),
        ({"name": "empty"}, "needs a query or countries, entities or themes"),
        ({"name": "kz", "countries": "Kazakhstan"}, "not a two-letter ISO code"),
        ({"name": "kz", "themes": ["weather"]}, "not one of diplomacy"),
        ({"name": "hungary", "countries": "HU"}, "a watchlist named 'hungary' exists"),
    ],
)
def test_add_refuses_what_the_cli_refuses(
    desk: TestClient,
    watchlist_cli,  # type: ignore[no-untyped-def]
    fields: dict[str, object],
    message: str,
) -> None:
    token = csrf_token(desk.get("/desk/watchlists").text)
    before = watchlist_cli()
    r = desk.post("/desk/watchlists", data={**fields, "csrf_token": token})
    assert r.status_code == 400
    doc = page(r.text)
    assert message in doc.xpath("//div[@role='alert']")[0].text_content()
    assert doc.xpath("//input[@name='name']/@value") == [fields["name"]]  # the form comes back filled
    assert watchlist_cli() == before
    # the CLI says the same
    cli_args = ["watchlist", "add", str(fields["name"])]
    if "countries" in fields:
        cli_args += ["--country", str(fields["countries"])]
    for theme in fields.get("themes", ()):  # type: ignore[attr-defined]
        cli_args += ["--theme", theme]
    result = CliRunner().invoke(cli_app, cli_args)
    assert result.exit_code == 2 and message in " ".join(result.output.split())


def test_edit_refuses_an_empty_watchlist_and_keeps_the_old_one(desk: TestClient, watchlist_cli) -> None:  # type: ignore[no-untyped-def]
    token = csrf_token(desk.get("/desk/watchlists/hungary/edit").text)
    r = desk.post("/desk/watchlists/hungary/edit", data={"countries": " , ", "csrf_token": token})
    assert r.status_code == 400
    assert "needs a query" in page(r.text).xpath("//div[@role='alert']")[0].text_content()
    assert watchlist_cli()["hungary"]["countries"] == ["HU"]


def test_watchlist_forms_refuse_a_missing_csrf_token(desk: TestClient, watchlist_cli) -> None:  # type: ignore[no-untyped-def]
    for path, data in (
        ("/desk/watchlists", {"name": "kz", "countries": "KZ"}),
        ("/desk/watchlists/hungary/edit", {"countries": "KZ"}),
        ("/desk/watchlists/hungary/remove", {}),
    ):
        assert desk.post(path, data=data, follow_redirects=False).status_code == 403, path
    assert set(watchlist_cli()) == {"hungary"} and watchlist_cli()["hungary"]["countries"] == ["HU"]


def test_hostile_watchlist_query_is_escaped(desk: TestClient) -> None:
    token = csrf_token(desk.get("/desk/watchlists").text)
    r = desk.post("/desk/watchlists", data={"name": "odd", "query": f"rail {HOSTILE}", "csrf_token": token})
    assert r.status_code == 200, r.text
    for path in ("/desk/watchlists", "/desk/watchlists/odd/edit", "/desk/watchlists/odd/remove"):
        text = desk.get(path).text
        assert "<script>alert" not in text and not page(text).xpath("//*[@onerror]"), path
