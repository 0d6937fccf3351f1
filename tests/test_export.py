"""Exports: articles, mentions, events (flat PLOVER-style) and stories as CSV, JSON Lines and Parquet."""

from __future__ import annotations

import csv
import inspect
import io
import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from eurasiawatch.backfill import run_backfill
from eurasiawatch.cli import app
from eurasiawatch.clock import Clock
from eurasiawatch.config import Settings
from eurasiawatch.demo.corpus import EVENT_TYPES
from eurasiawatch.errors import ConfigError
from eurasiawatch.export import COLUMNS, ExportFilters, export_data
from eurasiawatch.store import Database, open_database
from eurasiawatch.store import export as store_export
from eurasiawatch.store.tables import stories, story_articles

from .backfill.warcs import write_news_warcs

CLOCK = Clock(datetime(2024, 7, 10, 12, 0, tzinfo=UTC))
DOC = Path(__file__).resolve().parents[1] / "docs" / "data-formats.md"


def _fill(db: Database, tmp_path: Path, pages: int = 16) -> None:
    write_news_warcs(tmp_path / "in", pages, 2)
    assert run_backfill(db, db.settings, str(tmp_path / "in"), clock=CLOCK).exit_code == 0


def _jsonl(db: Database, kind: str, filters: ExportFilters | None = None) -> list[dict[str, object]]:
    buf = io.StringIO()
    count = export_data(db, kind, "jsonl", filters or ExportFilters(), stdout=buf)
    rows = [json.loads(line) for line in buf.getvalue().splitlines()]
    assert len(rows) == count
    return rows


def test_every_format_writes_every_row_with_the_documented_columns(
    fresh_db: Database, tmp_path: Path
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    _fill(fresh_db, tmp_path)
    for kind in ("articles", "mentions", "events"):
        rows = _jsonl(fresh_db, kind)
        assert rows and list(rows[0]) == [name for name, _ in COLUMNS[kind]]
        out = tmp_path / f"{kind}.csv"
        assert export_data(fresh_db, kind, "csv", ExportFilters(), out=str(out)) == len(rows)
        with out.open(encoding="utf-8", newline="") as handle:
            assert len(list(csv.DictReader(handle))) == len(rows)
        parquet = tmp_path / f"{kind}.parquet"
        assert export_data(fresh_db, kind, "parquet", ExportFilters(), out=str(parquet)) == len(rows)
        table = pq.read_table(parquet)
        assert table.num_rows == len(rows) and table.column_names == [n for n, _ in COLUMNS[kind]]
    assert not list(tmp_path.glob(".*.part"))


def test_events_are_flat_plover_rows_with_countries_and_wikidata_ids(
    fresh_db: Database, tmp_path: Path
) -> None:
    _fill(fresh_db, tmp_path)
    events = _jsonl(fresh_db, "events")
    assert events
    assert all(e["event_type"] in EVENT_TYPES for e in events)
    with_china = [e for e in events if "CN" in (e["actor_country"], e["recipient_country"])]
    assert with_china
    event = with_china[0]
    assert event["source_url"].startswith("https://") and event["evidence"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", event["event_date"])
    qid = event["actor_wikidata"] if event["actor_country"] == "CN" else event["recipient_wikidata"]
    assert qid == "Q148"
    assert len({e["event_id"] for e in events}) == len(events)
    assert [e["event_id"] for e in _jsonl(fresh_db, "events")] == [e["event_id"] for e in events]  # stable


def test_filters_by_day_country_and_theme(fresh_db: Database, tmp_path: Path) -> None:
    _fill(fresh_db, tmp_path)
    everything = _jsonl(fresh_db, "articles")
    day = _jsonl(fresh_db, "articles", ExportFilters(since=date(2024, 7, 2), until=date(2024, 7, 2)))
    assert day and all(r["published"].startswith("2024-07-02") for r in day)
    assert len(day) < len(everything)
    kz = _jsonl(fresh_db, "articles", ExportFilters(country="kz"))
    assert kz and all("KZ" in r["countries"] for r in kz) and len(kz) < len(everything)
    energy = _jsonl(fresh_db, "articles", ExportFilters(theme="energy"))
    assert all("energy" in r["themes"] for r in energy)
    events = _jsonl(fresh_db, "events", ExportFilters(since=date(2024, 7, 3)))
    assert all(e["event_date"] is None or e["event_date"] >= "2024-07-03" for e in events)


def test_stories_export_one_row_per_story_article(fresh_db: Database, tmp_path: Path) -> None:
    _fill(fresh_db, tmp_path, pages=4)
    ids = [r["article_id"] for r in _jsonl(fresh_db, "articles")]
    with fresh_db.begin() as conn:
        conn.execute(
            stories.insert(),
            [
                {"story_id": "s1", "title": "Rail deal", "first_day": date(2024, 7, 1),
                 "last_day": date(2024, 7, 3), "articles": 2, "hidden": False, "updated_at": CLOCK.now()},
                {"story_id": "s2", "title": "Hidden", "first_day": None, "last_day": None,
                 "articles": 1, "hidden": True, "updated_at": CLOCK.now()},
            ],
        )  # fmt: skip
        conn.execute(
            story_articles.insert(),
            [
                {"article_id": ids[0], "story_id": "s1", "assigned_at": CLOCK.now()},
                {"article_id": ids[1], "story_id": "s1", "assigned_at": CLOCK.now()},
                {"article_id": ids[2], "story_id": "s2", "assigned_at": CLOCK.now()},
            ],
        )
    rows = _jsonl(fresh_db, "stories")
    assert [(r["story_id"], r["story_title"], r["first_day"]) for r in rows] == [
        ("s1", "Rail deal", "2024-07-01")
    ] * 2
    assert _jsonl(fresh_db, "stories", ExportFilters(since=date(2024, 7, 4))) == []


def test_bad_usage_is_a_config_error(fresh_db: Database) -> None:
    with pytest.raises(ConfigError, match="Parquet needs a file"):
        export_data(fresh_db, "articles", "parquet", ExportFilters())
    with pytest.raises(ConfigError, match="cannot export"):
        export_data(fresh_db, "sources", "csv", ExportFilters())


def test_every_column_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for kind, columns in COLUMNS.items():
        section = text.split(f"## {kind}", 1)[1].split("\n## ", 1)[0]
        documented = re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.MULTILINE)
        assert documented == [name for name, _ in columns], kind


def test_every_export_query_compiles_for_both_databases() -> None:
    builders = {n: f for n, f in inspect.getmembers(store_export, inspect.isfunction) if n.endswith("_stmt")}
    full = ExportFilters(since=date(2024, 1, 1), until=date(2024, 2, 1), country="KZ", theme="energy")
    samples = {
        "_articles_stmt": (full,),
        "_mentions_stmt": (full,),
        "_events_stmt": (full,),
        "_stories_stmt": (full,),
        "_entity_wikidata_stmt": (["a", "b"],),
    }
    assert set(builders) == set(samples), "add sample arguments for every new builder"
    for name, builder in builders.items():
        for dialect, module in (("sqlite", sqlite), ("postgresql", postgresql)):
            str(builder(dialect, *samples[name]).compile(dialect=module.dialect()))


def test_export_and_backfill_commands(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("EURASIAWATCH_DATA_DIR", str(tmp_path / "data"))
    db = open_database(Settings(data_dir=str(tmp_path / "data")))
    db.upgrade()
    write_news_warcs(tmp_path / "in", 6, 2)
    result = cli.invoke(app, ["backfill", str(tmp_path / "in"), "--batch", "3"])
    assert result.exit_code == 0, result.output
    assert "2 files (0 already done): 6 records, 6 new" in result.output
    again = cli.invoke(app, ["backfill", str(tmp_path / "in")])
    assert again.exit_code == 0 and "2 files (2 already done)" in again.output
    result = cli.invoke(app, ["export", "articles", "--format", "csv", "--out", str(tmp_path / "a.csv")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "a.csv").read_text(encoding="utf-8").startswith("article_id,url,")
    result = cli.invoke(app, ["export", "events", "--since", "July"])
    assert result.exit_code == 2
    db.dispose()
