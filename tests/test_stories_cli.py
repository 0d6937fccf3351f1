"""``eurasiawatch stories``: list, show, merge, split, pin, hide, reprints, recluster (SQLite).

Over a slice of the sample corpus (sample content written for the project).
"""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from eurasiawatch.analyzing import cluster_stored
from eurasiawatch.cli import app
from eurasiawatch.config import Settings
from eurasiawatch.demo.corpus import load_corpus
from eurasiawatch.store import open_database
from eurasiawatch.store import stories as store

from .test_stories_store import CLOCK, store_sample

AS_OF = "2024-06-30"


@pytest.fixture
def stored(cli, tmp_path, monkeypatch) -> Settings:
    """A database holding every sample article of June 2024, annotated and clustered."""
    monkeypatch.setenv("EURASIAWATCH_DATA_DIR", str(tmp_path))
    assert cli.invoke(app, ["db", "upgrade"]).exit_code == 0
    settings = Settings(data_dir=str(tmp_path))
    articles = [a for a in load_corpus().articles if a.published.strftime("%Y-%m") == "2024-06"]
    db = open_database(settings)
    try:
        store_sample(db, articles, settings)
        cluster_stored(db, settings, CLOCK)
    finally:
        db.dispose()
    return settings


def _assignments(settings: Settings) -> dict[str, str]:
    db = open_database(settings)
    try:
        with db.begin() as conn:
            return dict(store.clustered_since(conn, None))
    finally:
        db.dispose()


def _list(cli, *extra: str) -> list[dict]:
    result = cli.invoke(app, ["--as-of", AS_OF, "stories", "list", "--json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_list_show_and_reprints(cli, stored) -> None:
    rows = _list(cli, "--window", "30d")
    assert rows and [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    assert all(r["last_day"] >= "2024-06-01" for r in rows)
    assert {"outlets", "languages", "reprints", "first"} <= set(rows[0])
    table = cli.invoke(app, ["--as-of", AS_OF, "stories", "list", "--window", "30d"])
    assert table.exit_code == 0 and rows[0]["story_id"] in table.output
    assert cli.invoke(app, ["stories", "list", "--window", "soon"]).exit_code == 2
    with_reprints = next((r for r in rows if r["reprints"]), rows[0])
    shown = cli.invoke(app, ["stories", "show", with_reprints["story_id"], "--json"])
    assert shown.exit_code == 0, shown.output
    detail = json.loads(shown.stdout)
    assert detail["first"]["article_id"] in detail["article_ids"]
    assert len(detail["reprint_chains"]) == with_reprints["reprints"]
    text = cli.invoke(app, ["stories", "show", with_reprints["story_id"]])
    assert text.exit_code == 0 and "first:" in text.output
    assert cli.invoke(app, ["stories", "show", "s000000000000"]).exit_code == 2
    counts = cli.invoke(app, ["--as-of", AS_OF, "stories", "reprints", "--window", "30d", "--json"])
    assert counts.exit_code == 0, counts.output
    found = json.loads(counts.stdout)
    assert found["reprints"] == sum(found["per_outlet"].values()) == sum(found["per_country"].values())
    assert found["reprints"] == sum(r["reprints"] for r in _list(cli, "--window", "30d", "--hidden"))


def test_editing_commands_survive_recluster(cli, stored) -> None:
    before = _assignments(stored)
    members: dict[str, list[str]] = defaultdict(list)
    for article_id, story_id in sorted(before.items()):
        members[story_id].append(article_id)
    big, other = sorted(members, key=lambda s: (-len(members[s]), s))[:2]
    moved = members[big][:1]
    result = cli.invoke(app, ["stories", "split", big, *moved, "--by", "desk"])
    assert result.exit_code == 0, result.output
    new_id = result.output.split()[-1]
    assert cli.invoke(app, ["stories", "merge", big, other]).exit_code == 0
    assert cli.invoke(app, ["stories", "pin", new_id]).exit_code == 0
    assert cli.invoke(app, ["stories", "hide", big]).exit_code == 0
    # a merged story cannot be edited any more, and an unknown one never
    assert cli.invoke(app, ["stories", "pin", other]).exit_code == 2
    assert cli.invoke(app, ["stories", "split", big, "not-an-article"]).exit_code == 2

    def check() -> None:
        now = _assignments(stored)
        assert all(now[a] == new_id for a in moved)
        assert all(now[a] == big for a in members[other])
        ids = [r["story_id"] for r in _list(cli, "--window", "60d")]
        assert ids[0] == new_id and big not in ids and other not in ids
        assert big in [r["story_id"] for r in _list(cli, "--window", "60d", "--hidden")]

    check()
    result = cli.invoke(app, ["stories", "recluster"])
    assert result.exit_code == 0 and "reclustered" in result.output
    check()
    assert cli.invoke(app, ["stories", "unhide", big]).exit_code == 0
    assert cli.invoke(app, ["stories", "unpin", new_id]).exit_code == 0
    assert big in [r["story_id"] for r in _list(cli, "--window", "60d")]
