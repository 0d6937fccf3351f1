"""The desk's editor pages in Chromium: axe-core finds nothing (light and dark), and screenshots.

The pages need a signed-in editor, which the shared ``axe_check.mjs`` cannot be; so each page is
fetched with a signed-in ``TestClient`` (SQLite, the week of ``tests/web/desk_seed``, the sample
edition, a watchlist and an indicator series) and saved as a file whose ``/static/`` links point at
the packaged stylesheets and whose chart ``<img>`` points at the chart saved beside it. axe runs on
those files. Screenshots go to ``<data dir>/screenshots/desk-<page>-<light|dark>.png``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from eurasiawatch.clock import Clock
from eurasiawatch.config import Settings, load_settings
from eurasiawatch.render.sample import sample_edition
from eurasiawatch.store import browse, open_database
from eurasiawatch.store import editions as store
from eurasiawatch.store import indicators as store_indicators
from eurasiawatch.store import kb_suggestions as store_kb
from eurasiawatch.store import watchlists as store_watchlists
from eurasiawatch.web.app import STATIC_DIR, create_app
from tests.web.conftest import NOW
from tests.web.desk_seed import corpus, sign_in

from .test_browser import _run, node_tools  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """Each desk page as a file: name -> path."""
    data = tmp_path_factory.mktemp("desk-pages")
    settings = dataclasses.replace(
        Settings(data_dir=str(data / "data")),
        web_secret_key="s" * 40,
        deliver_scheduler=False,
        desk_argon2_memory_kib=1024,
        desk_argon2_time_cost=1,
    )
    db = open_database(settings)
    db.upgrade()
    corpus(db)
    edition = sample_edition()
    with db.begin() as conn:
        store.save_edition(conn, edition, now=NOW)
        store_watchlists.insert_watchlist(
            conn,
            {
                "name": "kazakhstan",
                "query": None,
                "countries": ("KZ",),
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
            source="Test customs office",
            synthetic=True,
            points=[(f"2023-{m:02d}", 100.0 + m, None) for m in range(1, 13)]
            + [(f"2024-{m:02d}", 120.0 + m, None) for m in range(1, 6)],
            now=NOW,
        )
        story = browse.article_context(conn, "a1")["story_id"]
        for kind, alias in (("add_alias", "Khorgos logistics hub"), ("drop_alias", "Khorgos dry port")):
            store_kb.add_suggestion(
                conn,
                kind=kind,
                actor_id="khorgos-gateway",
                alias=alias,
                language="en",
                article_ids=["a1", "a3"],
                proposed_by="editor1" if kind == "add_alias" else None,
                now=NOW,
            )
    paths = {
        "search": "/desk/search?q=Khorgos",
        "country": "/desk/countries/KZ",
        "entity": "/desk/entities/khorgos-gateway",
        "story": f"/desk/stories/{story}",
        "article": "/desk/articles/a1",
        "editions": "/desk/editions",
        "edition": f"/desk/editions/{edition.edition_id}",
        "block": f"/desk/editions/{edition.edition_id}/blocks/{edition.blocks[1].block_id}",
        "watchlists": "/desk/watchlists",
        "indicators": "/desk/indicators",
        "indicator": "/desk/indicators/S1",
        "kb": "/desk/kb",
    }
    out: dict[str, Path] = {}
    static = STATIC_DIR.resolve().as_uri() + "/"
    with TestClient(create_app(settings, database=db, clock=Clock(NOW))) as client:
        sign_in(client, settings, db)
        chart = client.get("/desk/indicators/S1/chart.svg")
        assert chart.status_code == 200
        (data / "chart.svg").write_bytes(chart.content)
        for name, path in paths.items():
            r = client.get(path)
            assert r.status_code == 200, (path, r.text[:500])
            html = r.text.replace('"/static/', f'"{static}').replace(
                '"/desk/indicators/S1/chart.svg"', f'"{(data / "chart.svg").as_uri()}"'
            )
            (data / f"{name}.html").write_text(html, encoding="utf-8")
            out[name] = data / f"{name}.html"
    db.dispose()
    yield out


def test_axe_finds_no_violations_on_the_desk_pages(
    node_tools: Path,  # noqa: F811
    saved: dict[str, Path],
) -> None:
    code, report = _run(node_tools, "axe", *(str(p) for p in saved.values()))
    problems = [
        (r["target"], r["scheme"], v["id"], v["nodes"]) for r in report["results"] for v in r["violations"]
    ]
    assert problems == [] and report["blocked"] == [] and code == 0
    assert len(report["results"]) == 2 * len(saved)


@pytest.mark.parametrize("name", ["search", "country", "story", "article", "edition", "indicator", "kb"])
def test_screenshots_of_the_desk_pages(
    node_tools: Path,  # noqa: F811
    saved: dict[str, Path],
    name: str,
) -> None:
    folder = (load_settings().data_path / "screenshots").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        out = folder / f"desk-{name}-{scheme}.png"
        code, report = _run(node_tools, "shot", str(saved[name]), str(out), scheme, "1000")
        assert code == 0 and report["blocked"] == []
        assert out.read_bytes().startswith(b"\x89PNG")
