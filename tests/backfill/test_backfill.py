"""Backfill: WARC and JSON Lines files → extract → language → annotate → store and Parquet, resumable."""

from __future__ import annotations

import inspect
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from eurasiawatch.backfill import find_inputs, run_backfill
from eurasiawatch.clock import Clock
from eurasiawatch.errors import ConfigError, SourceError
from eurasiawatch.store import Database, queries
from eurasiawatch.store import backfill as store_backfill
from eurasiawatch.store.annotations import count_annotations, load_annotation
from eurasiawatch.store.tables import articles, backfill_files, mentions

from .hooks import KillWorkerOnce
from .warcs import news_page, write_news_jsonl, write_news_warc, write_news_warcs

CLOCK = Clock(datetime(2024, 7, 10, 12, 0, tzinfo=UTC))


def _checkpoints(db: Database) -> dict[str, tuple[str, int]]:
    with db.begin() as conn:
        rows = conn.execute(select(backfill_files.c.path, backfill_files.c.status, backfill_files.c.attempts))
        return {Path(r.path).name: (r.status, r.attempts) for r in rows}


def _article_count(db: Database) -> int:
    with db.begin() as conn:
        return queries.count_articles(conn)


def test_local_backfill_stores_annotates_and_resumes(fresh_db: Database, tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    write_news_warcs(inputs, 24, 3)
    report = run_backfill(fresh_db, fresh_db.settings, str(inputs), engine="local", clock=CLOCK, batch=5)
    assert report.exit_code == 0 and report.files == 3 and report.skipped == 0
    assert report.total("new") == 24 and report.total("records") == 24
    assert _article_count(fresh_db) == 24
    with fresh_db.begin() as conn:
        assert count_annotations(conn) == 24
        url, _, published = news_page(0)
        article = next(a for a in queries.list_articles(conn, limit=50) if a.url == url)
        assert article.language == "en" and article.published == published
        annotation = load_annotation(conn, article.article_id)
        assert annotation is not None and annotation.model_version == "lexicon"
        assert "CN" in annotation.countries
    assert set(_checkpoints(fresh_db).values()) == {("done", 1)}

    again = run_backfill(fresh_db, fresh_db.settings, str(inputs), engine="local", clock=CLOCK)
    assert again.skipped == 3 and again.results == [] and again.exit_code == 0

    # a changed file is done again; the upserts leave one row per article
    write_news_warc(inputs / "news-0000.warc.gz", [*range(8), 100, 101])
    os.utime(inputs / "news-0000.warc.gz", ns=(1, 1))
    third = run_backfill(fresh_db, fresh_db.settings, str(inputs), engine="local", clock=CLOCK)
    assert third.skipped == 2 and third.total("unchanged") == 8 and third.total("new") == 2
    assert _article_count(fresh_db) == 26
    assert _checkpoints(fresh_db)["news-0000.warc.gz"] == ("done", 2)

    redo = run_backfill(fresh_db, fresh_db.settings, str(inputs), engine="local", clock=CLOCK, redo=True)
    assert redo.skipped == 0 and redo.total("unchanged") == 26 and _article_count(fresh_db) == 26


def test_failures_are_kept_with_reasons_and_not_doubled(fresh_db: Database, tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    dump = write_news_jsonl(inputs / "dump.jsonl", range(3))
    with dump.open("a", encoding="utf-8") as out:
        out.write("not json\n")
        out.write(json.dumps({"url": "https://e.kz/short", "text": "Too short."}) + "\n")
    (inputs / "notes.txt").write_text("ignored: not an archive", encoding="utf-8")
    for _ in range(2):
        report = run_backfill(
            fresh_db, fresh_db.settings, str(inputs), engine="local", clock=CLOCK, redo=True
        )
        assert report.exit_code == 1 and report.total("new") + report.total("unchanged") == 3
    with fresh_db.begin() as conn:
        failures = store_backfill.list_backfill_failures(conn)
    assert [(Path(p).name, stage) for p, _, stage, _ in failures] == [
        ("dump.jsonl", "read"),
        ("dump.jsonl", "extract"),
    ]
    assert "line 4: not a JSON object" in failures[0][3]
    assert failures[0][1].endswith("dump.jsonl#line=4")
    assert "too little text" in failures[1][3]


def test_find_inputs_takes_files_folders_and_globs(tmp_path: Path) -> None:
    write_news_warcs(tmp_path, 4, 2)
    write_news_jsonl(tmp_path / "d.jsonl", range(2))
    (tmp_path / "x.html").write_text("<p>no</p>", encoding="utf-8")
    assert [i.name for i in find_inputs(str(tmp_path))] == [
        "d.jsonl",
        "news-0000.warc.gz",
        "news-0001.warc.gz",
    ]
    assert [i.kind for i in find_inputs(str(tmp_path / "*.warc.gz"))] == ["warc", "warc"]
    assert len(find_inputs(str(tmp_path / "news-0001.warc.gz"))) == 1
    with pytest.raises(SourceError, match=r"no \.warc"):
        find_inputs(str(tmp_path / "*.gz.none"))


def test_bad_engine_is_a_config_error(fresh_db: Database, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--engine 'spark'"):
        run_backfill(fresh_db, fresh_db.settings, str(tmp_path), engine="spark")


def test_parquet_output_is_partitioned_by_date_and_language_and_overwritten_on_redo(
    fresh_db: Database, tmp_path: Path
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow.dataset as ds

    inputs = tmp_path / "in"
    write_news_warcs(inputs, 12, 2)
    out = tmp_path / "parquet"
    for redo in (False, True):
        run_backfill(
            fresh_db, fresh_db.settings, str(inputs), engine="local", clock=CLOCK, parquet_dir=str(out),
            redo=redo,
        )  # fmt: skip
    table = ds.dataset(out, format="parquet", partitioning="hive").to_table()
    assert table.num_rows == 12  # the redo overwrote its files instead of adding copies
    assert set(table.column("language").to_pylist()) == {"en", "ru"}
    assert set(table.column("date").to_pylist()) == {f"2024-07-0{d}" for d in range(1, 6)}
    one = pq.read_table(next(out.rglob("*.parquet")))
    assert any("CN" in c for c in one.column("countries").to_pylist())


def test_every_backfill_query_compiles_for_both_databases() -> None:
    builders = {
        n: f for n, f in inspect.getmembers(store_backfill, inspect.isfunction) if n.endswith("_stmt")
    }
    samples = {
        "_file_checkpoints_stmt": (["/a.warc.gz"],),
        "_start_file_stmt": ("/a.warc.gz", 10, 20, "tcp://w", CLOCK.now()),
        "_finish_file_stmt": ("/a.warc.gz", {"status": "done", "finished_at": CLOCK.now()}),
        "_backfill_status_stmt": (),
        "_record_item_failures_stmt": (),
        "_list_failures_stmt": (10,),
        "_existing_hashes_stmt": (["a", "b"],),
        "_upsert_articles_stmt": (),
        "_delete_children_stmt": ("mentions", ["a"]),
        "_upsert_annotations_stmt": (),
        "_insert_children_stmt": ("events",),
        "_copy_children_stmt": ("article_themes",),
    }
    assert set(builders) == set(samples), "add sample arguments for every new builder"
    for name, builder in builders.items():
        for dialect, module in (("sqlite", sqlite), ("postgresql", postgresql)):
            str(builder(dialect, *samples[name]).compile(dialect=module.dialect()))


@pytest.mark.dask
def test_dask_backfill_survives_a_worker_killed_mid_file(
    fresh_db: Database, tmp_path: Path, dask_client: object
) -> None:
    inputs = tmp_path / "in"
    write_news_warcs(inputs, 40, 4)  # pages 0-9 in news-0000, 10-19 in news-0001 …
    flag = tmp_path / "killed"
    hook = KillWorkerOnce(marker="/story-17", flag=str(flag))  # second batch of news-0001
    seen: list[str] = []
    report = run_backfill(
        fresh_db, fresh_db.settings, str(inputs), engine="dask", client=dask_client, clock=CLOCK, batch=5,
        on_record=hook, on_dashboard=seen.append,
    )  # fmt: skip
    assert flag.exists(), "the hook never killed a worker"
    assert seen and seen[0].startswith("http")
    assert report.exit_code == 0, [r.error for r in report.results]
    assert report.files == 4 and len(report.results) == 4
    checkpoints = _checkpoints(fresh_db)
    assert {name: status for name, (status, _) in checkpoints.items()} == dict.fromkeys(
        (f"news-{n:04d}.warc.gz" for n in range(4)), "done"
    )
    assert checkpoints["news-0001.warc.gz"][1] == 2  # redone after the worker died
    killed = next(r for r in report.results if r.path.endswith("news-0001.warc.gz"))
    assert killed.unchanged == 5 and killed.new == 5  # the first batch had been committed
    with fresh_db.begin() as conn:
        assert conn.execute(select(func.count()).select_from(articles)).scalar_one() == 40
        assert count_annotations(conn) == 40
        per_article = conn.execute(
            select(mentions.c.article_id, mentions.c.kind, mentions.c.key, func.count().label("n"))
            .group_by(mentions.c.article_id, mentions.c.kind, mentions.c.key, mentions.c.start_offset)
            .having(func.count() > 1)
        ).all()
        assert per_article == []  # the redo replaced the lost worker's mentions, not doubled them
    workers = dask_client.run(os.getpid)  # type: ignore[attr-defined]
    assert int(flag.read_text()) not in workers.values()

    again = run_backfill(fresh_db, fresh_db.settings, str(inputs), engine="dask", client=dask_client)
    assert again.skipped == 4 and again.results == []
