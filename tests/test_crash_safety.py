"""``kill -9`` in the middle of ``eurasiawatch ingest`` loses and duplicates nothing.

A loopback server plays one outlet with 100 articles, each page served after a short delay. The
real command runs in a subprocess and is killed with SIGKILL at random moments, again and again.
After every kill the database must be consistent: the article count never goes down, no canonical
URL is stored twice, every article points at its stored page, SQLite's integrity check passes.
A final run without a kill completes the rest.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from eurasiawatch.config import Settings
from eurasiawatch.records import Source
from eurasiawatch.store import Database, open_database, queries
from eurasiawatch.store.tables import articles, pages

from .loopback import Reply, Site, serve

ARTICLES = 100
KILLS = 12
PAGE_DELAY = 0.12  # seconds per article page; two in flight per host → ~6 s of fetching in all


def _page(n: int) -> bytes:
    body = "".join(
        f"<p>Story {n}: officials in Astana and Beijing discussed the railway, the border crossing and "
        f"the logistics hub; paragraph {i} of story {n} adds what each side wanted next.</p>"
        for i in range(4)
    )
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Story {n}</title></head>"
        f"<body><article><h1>Story {n}</h1>{body}</article></body></html>"
    ).encode()


def _build(site: Site) -> None:
    items = ""
    for n in range(ARTICLES):
        path = f"/news/{n}.html"
        site.routes[path] = Reply(
            200, _page(n), {"Content-Type": "text/html; charset=utf-8"}, delay=PAGE_DELAY
        )
        # a tracking parameter: the canonical URL must still be stored once
        items += f"<item><title>Story {n}</title><link>{site.url(path)}?utm_source=rss</link></item>"
    feed = f"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>{items}</channel></rss>"
    site.routes["/feed.xml"] = Reply(200, feed.encode(), {"Content-Type": "application/rss+xml"})


def _page_hits(site: Site) -> int:
    return sum(n for path, n in list(site.hits.items()) if path.startswith("/news/"))


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EURASIAWATCH_")}
    env |= {
        "EURASIAWATCH_DATA_DIR": str(data_dir),
        "EURASIAWATCH_FETCH__PER_HOST_DELAY": "0",
        "EURASIAWATCH_FETCH__RETRIES": "0",
        "EURASIAWATCH_FETCH__TIMEOUT": "10",
        "EURASIAWATCH_FETCH__RESPECT_ROBOTS": "false",
    }
    return env


def _check(db: Database) -> int:
    """Assert the invariants; return the article count."""
    with db.begin() as conn:
        count = queries.count_articles(conn)
        canonical = Counter(conn.execute(select(articles.c.canonical_url)).scalars())
        assert not [url for url, n in canonical.items() if n > 1], "a canonical URL is stored twice"
        orphans = conn.execute(
            select(func.count())
            .select_from(articles.outerjoin(pages, articles.c.page_id == pages.c.id))
            .where(pages.c.id.is_(None))
        ).scalar_one()
        assert orphans == 0, f"{orphans} articles without their page"
        assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    return count


@pytest.mark.slow
def test_kill_9_during_ingest_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    settings = Settings(data_dir=str(data_dir))
    rng = random.Random(20240709)
    with serve() as site:
        _build(site)
        db = open_database(settings)
        try:
            db.upgrade()
            with db.begin() as conn:
                queries.upsert_source(
                    conn,
                    Source(name="outlet", url=site.url("/feed.xml"), allow_private=True),
                    now=datetime.now(UTC),
                )
            command = [sys.executable, "-m", "eurasiawatch", "ingest"]
            counts = [0]
            mid_run = 0
            for _ in range(KILLS):
                log = (tmp_path / "run.log").open("ab")
                proc = subprocess.Popen(command, cwd=tmp_path, env=_env(data_dir), stdout=log, stderr=log)
                # kill after a random number of this run's page fetches, then a random short moment:
                # counted in pages rather than seconds, so a loaded machine (slow start-up, slow
                # extraction) still sees kills spread across the run
                target = _page_hits(site) + rng.randint(1, 10)
                deadline = time.monotonic() + 90
                while _page_hits(site) < target and proc.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.02)
                time.sleep(rng.uniform(0.0, 0.4))
                if proc.poll() is None:
                    os.kill(proc.pid, signal.SIGKILL)
                    mid_run += 1
                proc.wait(timeout=30)
                log.close()
                counts.append(_check(db))
                assert counts[-1] >= counts[-2], f"article count went down: {counts}"
            assert mid_run >= 10, f"only {mid_run} runs were killed before they finished"
            assert sum(b > a for a, b in pairwise(counts)) >= 5, counts  # progress
            assert counts[-1] < ARTICLES, f"the kills came too late to test anything: {counts}"
            final = subprocess.run(
                command, cwd=tmp_path, env=_env(data_dir), capture_output=True, timeout=120
            )
            assert final.returncode == 0, final.stderr.decode(errors="replace")[-2000:]
            assert _check(db) == ARTICLES
            fetched = _page_hits(site)
            print(f"article counts after each kill: {counts}; pages fetched: {fetched}")
        finally:
            db.dispose()
    # pages stored before a kill are not fetched again; only those in flight at a kill are
    assert fetched <= ARTICLES + 2 * mid_run * 2, (fetched, counts)
