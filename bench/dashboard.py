"""Benchmark the desk dashboard (``/desk/``) over a large SYNTHETIC, annotated SQLite database.

The database is ``bench/desk_db.py``'s, the same file ``bench/desk_load.py`` loads
(``<data dir>/bench/desk_<N>.db``, built once): synthetic articles with their search index,
annotations (70 % China-related), country and entity mentions, themes, an upcoming event on one
article in 500, 30 sources (three failing), and stories of five articles for the last 30 days.
Nothing in it is real reporting.

Then it times, for the default window (the 14 days before the data's last article):

- each panel's query on its own and ``build_dashboard`` cold (what a cache miss costs);
- ``GET /desk/`` through the real app (session lookup, CSP middleware, template) with the cache
  warm, sequentially, and reports p50 / p95 / max.

    .venv/bin/python bench/dashboard.py [--articles 1000000] [--requests 200] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from desk_db import bench_settings, desk_database, ms, signed_in_session

from eurasiawatch.analyze.calendar import upcoming_calendar
from eurasiawatch.analyze.trends import compute_trends
from eurasiawatch.analyzing import rank_window
from eurasiawatch.clock import Clock
from eurasiawatch.config import load_settings
from eurasiawatch.dashboard import build_dashboard, parse_window_query
from eurasiawatch.store import dashboard as store_dashboard
from eurasiawatch.store import open_database
from eurasiawatch.web.app import create_app


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--data-dir", type=Path, default=None, help="default: the configured data dir")
    args = parser.parse_args()
    root = args.data_dir or load_settings().data_path
    started = time.perf_counter()
    path, last = desk_database(root, args.articles)
    last = last.replace(tzinfo=UTC)
    print(f"SYNTHETIC database {path}: {args.articles:,} articles ({time.perf_counter() - started:.0f} s)")
    now = last + timedelta(minutes=1)
    settings = bench_settings(path, root / "bench")
    session = signed_in_session(settings, now)
    db = open_database(settings)
    window = parse_window_query(now)
    with db.begin() as conn:
        in_window = conn.execute(store_dashboard._daily_total_stmt("sqlite", window.start, window.end)).all()
        print(f"window {window.label()}: {sum(r.n for r in in_window):,} China-related articles")
        start, end = window.start, window.end
        steps = [
            ("data_version", lambda: store_dashboard.data_version(conn)),
            ("per-country per-day counts", lambda: store_dashboard.daily_country_counts(conn, start, end)),
            ("per-theme per-day counts", lambda: store_dashboard.daily_theme_counts(conn, start, end)),
            ("articles per source", lambda: store_dashboard.source_counts(conn, start, end)),
            (
                "rising actors (trends, 5 windows)",
                lambda: compute_trends(conn, Clock(end), kind="entity", window=end - start, china_only=True),
            ),
            ("upcoming events", lambda: upcoming_calendar(conn, Clock(now), days=30)),
        ]
        for label, call in steps:
            t = time.perf_counter()
            call()
            print(f"  {label}: {ms(time.perf_counter() - t)}")
    t = time.perf_counter()
    rank_window(db, settings, Clock(window.end), days=window.days, candidates=25)
    print(f"  top stories (25 largest ranked): {ms(time.perf_counter() - t)}")
    t = time.perf_counter()
    build_dashboard(db, settings, window, today=now.date())
    print(f"build_dashboard, cold (a cache miss): {ms(time.perf_counter() - t)}")

    app = create_app(settings, database=db, clock=Clock(now))
    with TestClient(app) as client:
        client.cookies.set("ew_session", session)
        t = time.perf_counter()
        first = client.get("/desk/")
        assert first.status_code == 200, first.text[:500]
        print(f"GET /desk/ first (builds): {ms(time.perf_counter() - t)}, {len(first.content):,} bytes")
        times = []
        for _ in range(args.requests):
            t = time.perf_counter()
            response = client.get("/desk/")
            times.append(time.perf_counter() - t)
            assert response.status_code == 200
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    print(
        f"GET /desk/ warm, {len(times)} sequential: p50 {ms(statistics.median(times))}, "
        f"p95 {ms(p95)}, max {ms(times[-1])}"
    )
    db.dispose()


if __name__ == "__main__":
    main()
