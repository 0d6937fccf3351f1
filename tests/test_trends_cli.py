"""The trends, engagement, calendar and indicators commands, on a SQLite database made for the test."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from eurasiawatch.cli import app
from eurasiawatch.config import Settings
from eurasiawatch.records import Event
from eurasiawatch.store import open_database
from tests.analyze.test_indicators import synthetic_csv
from tests.analyze.test_trends import store_article

END = datetime(2024, 7, 31, 23, 59, 59, tzinfo=UTC)


@pytest.fixture
def data_dir(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("EURASIAWATCH_DATA_DIR", str(tmp_path))
    assert cli.invoke(app, ["db", "upgrade"]).exit_code == 0
    db = open_database(Settings(data_dir=str(tmp_path)))
    with db.begin() as conn:
        for w in range(1, 5):
            for i in range(2):
                store_article(conn, f"kz{w}{i}", END - timedelta(days=14 * w + 2 + i), countries=("KZ", "CN"))
        for i in range(12):
            store_article(
                conn,
                f"now{i}",
                END - timedelta(days=1, hours=i),
                countries=("KZ", "CN"),
                themes=("energy",),
                events=(
                    Event(
                        article_id=f"now{i}",
                        type="AGREE",
                        date="2024-07-30",
                        actors=(("CN", None), ("KZ", None)),
                        evidence=f"China and Kazakhstan signed deal {i}.",
                    ),
                    Event(
                        article_id=f"now{i}",
                        type="CONSULT",
                        mode="planned",
                        date="2024-08-20",
                        upcoming=True,
                        actors=(("CN", None), ("KZ", None)),
                        location="Astana",
                        evidence="The leaders will meet in Astana on 20 August.",
                    ),
                ),
            )
    db.dispose()
    return tmp_path


def test_trends_table_and_json(cli, data_dir) -> None:
    result = cli.invoke(app, ["--as-of", "2024-07-31", "trends"])
    assert result.exit_code == 0, result.output
    assert "rising" in result.output and "KZ" in result.output
    data = json.loads(cli.invoke(app, ["trends", "--as-of", "2024-07-31", "--window", "2w", "--json"]).output)
    kz = next(t for t in data["trends"] if t["key"] == "KZ")
    assert kz["status"] == "rising" and kz["count"] == 12 and kz["previous"] == [2, 2, 2, 2]
    assert kz["baseline"] == 2 and kz["p_value"] < 1e-4 and data["test"] == "poisson"
    themes = json.loads(
        cli.invoke(app, ["trends", "--as-of", "2024-07-31", "--kind", "theme", "--json"]).output
    )
    assert themes["trends"][0]["key"] == "energy" and themes["trends"][0]["status"] == "new"
    z = json.loads(
        cli.invoke(app, ["trends", "--as-of", "2024-07-31", "--test", "z", "--all", "--json"]).output
    )
    assert z["test"] == "z" and z["keys_tested"] == 2
    for bad in (["--kind", "outlet"], ["--window", "soon"], ["--test", "t"], ["--baseline", "0"]):
        assert cli.invoke(app, ["trends", *bad]).exit_code == 2


def test_engagement_json_has_evidence(cli, data_dir) -> None:
    result = cli.invoke(
        app, ["engagement", "--as-of", "2024-07-31", "--weeks", "4", "--country", "KZ", "--json"]
    )
    assert result.exit_code == 0, result.output
    series = json.loads(result.output)
    total = next(s for s in series if s["theme"] == "all")
    last = total["points"][-1]
    assert last["articles"] == 12 and last["events"] == 12 and len(last["article_ids"]) == 12
    assert last["evidence"][0]["sentence"].startswith("China and Kazakhstan signed")
    table = cli.invoke(app, ["engagement", "--as-of", "2024-07-31", "--weeks", "4"])
    assert table.exit_code == 0 and "KZ" in table.output


def test_calendar(cli, data_dir) -> None:
    result = cli.invoke(app, ["calendar", "--as-of", "2024-07-31"])
    assert result.exit_code == 0, result.output
    assert "2024-08-20" in result.output and "Astana" in result.output and "outlet.example" in result.output
    days = json.loads(cli.invoke(app, ["calendar", "--as-of", "2024-07-31", "--json"]).output)
    assert len(days) == 1 and len(days[0]["entries"][0]["sources"]) == 12
    assert (
        "no upcoming events" in cli.invoke(app, ["calendar", "--as-of", "2024-07-31", "--days", "7"]).output
    )
    assert cli.invoke(app, ["calendar", "--days", "0"]).exit_code == 2


def test_indicators_commands(cli, data_dir, tmp_path) -> None:
    listed = cli.invoke(app, ["indicators", "list"])
    assert listed.exit_code == 0, listed.output
    assert "china-russia-chpl:1" in listed.output and "Carnegie" in listed.output
    shown = json.loads(cli.invoke(app, ["indicators", "show", "surveillance-cameras:17", "--json"]).output)
    assert (
        shown["subject"] == "Kazakhstan" and shown["value"] == "1,360,000" and "Kazinform" in shown["source"]
    )
    csv_file = tmp_path / "synthetic_chpl.csv"
    csv_file.write_text(synthetic_csv(), encoding="utf-8")
    imported = cli.invoke(app, ["indicators", "import", str(csv_file)])
    assert imported.exit_code == 0 and "imported 1 series" in imported.output
    shown = cli.invoke(app, ["indicators", "show", "S1", "--chart", str(tmp_path / "chart.png")])
    assert shown.exit_code == 0, shown.output
    assert "down 19% in January–May 2024 against the same months a year earlier" in shown.output
    assert "alt text:" in shown.output
    assert (tmp_path / "chart.png").read_bytes().startswith(b"\x89PNG") and (tmp_path / "chart.svg").is_file()
    data = json.loads(cli.invoke(app, ["indicators", "list", "--json"]).output)
    assert data["series"][0]["id"] == "S1" and data["series"][0]["synthetic"]
    assert cli.invoke(app, ["indicators", "show", "S9"]).exit_code == 2
    assert cli.invoke(app, ["indicators", "show", "nope:1"]).exit_code == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    assert cli.invoke(app, ["indicators", "import", str(bad)]).exit_code == 2
    assert cli.invoke(app, ["indicators", "import", str(tmp_path / "missing.csv")]).exit_code == 2
