"""`eurasiawatch run`: continuous ingest in a subprocess, stopped by SIGTERM, consistent, resumable."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from eurasiawatch.cli import app

from .loopback import Reply, Site, serve
from .test_pipeline import page

N_ARTICLES = 10
PAGE_DELAY = 0.25  # seconds the server takes per article page, so a pass is long enough to interrupt


def _build(site: Site) -> None:
    paths = [f"/news/story-{i}.html" for i in range(N_ARTICLES)]
    for i, path in enumerate(paths):
        body = page(
            f"Story {i}: corridor talks continue in Almaty",
            "Aruzhan Bekova",
            "2024-07-01T09:00:00+05:00",
            f"Officials from Kazakhstan and China met for round {i} of talks on the transport corridor "
            f"that would carry freight from Khorgos to the Caspian ports.",
        )
        site.routes[path] = Reply(200, body, {"Content-Type": "text/html; charset=utf-8"}, delay=PAGE_DELAY)
    when = format_datetime(datetime(2024, 7, 1, tzinfo=UTC))
    items = "".join(
        f"<item><title>Story {i}</title><link>{site.url(p)}</link><pubDate>{when}</pubDate></item>"
        for i, p in enumerate(paths)
    )
    site.routes["/feed.xml"] = Reply(
        200,
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>{items}</channel></rss>".encode(),
        {"Content-Type": "application/rss+xml"},
    )


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EURASIAWATCH_")}
    env.update(
        {
            "EURASIAWATCH_DATA_DIR": str(tmp_path),
            "EURASIAWATCH_FETCH__PER_HOST_DELAY": "0",
            "EURASIAWATCH_FETCH__PER_HOST_CONCURRENCY": "1",
            "EURASIAWATCH_FETCH__RETRIES": "0",
            "EURASIAWATCH_FETCH__TIMEOUT": "10",
        }
    )
    return env


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "eurasiawatch", *args], env=env, capture_output=True, text=True, timeout=120
    )


def _count(db: Path, sql: str) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        return int(conn.execute(sql).fetchone()[0])


def _assert_consistent(db: Path, feed_url: str) -> None:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # every article points at a stored page, every article page has its article
    assert (
        _count(db, "SELECT count(*) FROM articles a LEFT JOIN pages p ON p.id = a.page_id WHERE p.id IS NULL")
        == 0
    )
    orphans = (
        "SELECT count(*) FROM pages p WHERE p.url != ? "
        "AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.page_id = p.id)"
    )
    with sqlite3.connect(db) as conn:
        assert conn.execute(orphans, (feed_url,)).fetchone()[0] == 0
        # a logged successful article fetch always has its article
        logged = (
            "SELECT count(*) FROM fetch_log f WHERE f.ok AND f.url != ? "
            "AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.url = f.url)"
        )
        assert conn.execute(logged, (feed_url,)).fetchone()[0] == 0


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_run_stops_cleanly_on_a_signal_and_run_once_completes_the_rest(tmp_path: Path, signum: int) -> None:
    env = _env(tmp_path)
    db = tmp_path / "eurasiawatch.db"
    assert _cli(env, "db", "upgrade").returncode == 0
    with serve() as site:
        _build(site)
        feed = site.url("/feed.xml")
        added = _cli(env, "sources", "add", feed, "--name", "corridor", "--allow-private")
        assert added.returncode == 0, added.stderr
        proc = subprocess.Popen(
            [sys.executable, "-m", "eurasiawatch", "run", "--interval", "900"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            stored = 0
            while time.monotonic() < deadline and proc.poll() is None:
                stored = _count(db, "SELECT count(*) FROM articles")
                if stored:
                    break
                time.sleep(0.05)
            assert stored >= 1, "no article was stored before the deadline"
            proc.send_signal(signum)
            out, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        assert proc.returncode == 0, (out, err)
        assert f"stopped by {signal.Signals(signum).name}" in out, out
        assert "cut short" in out
        assert "Traceback" not in err, err
        partial = _count(db, "SELECT count(*) FROM articles")
        assert 1 <= partial < N_ARTICLES
        _assert_consistent(db, feed)

        second = _cli(env, "run", "--once")
        assert second.returncode == 0, (second.stdout, second.stderr)
        assert "done" in second.stdout
    assert _count(db, "SELECT count(*) FROM articles") == N_ARTICLES
    _assert_consistent(db, feed)
    # each article page was fetched once: the interrupted ones were abandoned, not half-stored
    assert _count(db, "SELECT count(*) FROM pages WHERE url LIKE '%/news/%'") == N_ARTICLES
    # the source is now scheduled about one interval ahead
    with sqlite3.connect(db) as conn:
        due = conn.execute("SELECT next_due_at, failure_streak FROM sources").fetchone()
    assert due[1] == 0
    when = datetime.fromisoformat(due[0]).replace(tzinfo=UTC)
    assert timedelta(seconds=800) < when - datetime.now(UTC) <= timedelta(seconds=900)


def test_run_once_with_nothing_due_and_bad_usage(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("EURASIAWATCH_DATA_DIR", str(tmp_path))
    assert cli.invoke(app, ["db", "upgrade"]).exit_code == 0
    done = cli.invoke(app, ["run", "--once"])
    assert done.exit_code == 0, done.output
    assert "0 passes" in done.output and "0 articles added" in done.output
    assert cli.invoke(app, ["run", "--interval", "0"]).exit_code == 2
    assert cli.invoke(app, ["--as-of", "2024-07-09", "run"]).exit_code == 2
