"""Benchmark ``compute_trends`` over 1,000,000 SYNTHETIC articles in SQLite (target: under 2 s).

The database is SYNTHETIC: every article is made up (title "SYNTHETIC …", URL
``https://synthetic.invalid/…``, ``sample = 1``), published uniformly over two years ending at the
benchmark's clock, with 1-3 countries (a skewed draw from the region), 0-2 entities and 1-2 themes,
and 30% of them China-related. It is written with plain ``executemany`` into a cached file under
``bench/.cache/`` (git-ignored) and reused while its row count matches.

Measured in the same run, best of ``--repeat``: our ``compute_trends`` for a 14-day window and
4 earlier windows (country, entity, theme), against a bare ``SELECT key, COUNT(*) … GROUP BY key``
over the same 14-day window (country mentions) — the least any trend count could cost. Printed as
seconds and as a ratio; the same bare count over all five windows is printed for context.

    .venv/bin/python bench/trends.py [--articles 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from eurasiawatch.analyze.trends import compute_trends
from eurasiawatch.clock import Clock
from eurasiawatch.config import Settings
from eurasiawatch.store import open_database

CACHE = Path(__file__).resolve().parent / ".cache"
CLOCK = Clock(datetime(2024, 12, 31, 23, 59, 59, tzinfo=UTC))
SPAN_DAYS = 730
SEED = 20241231
TARGET_SECONDS = 2.0
COUNTRIES = ("KZ", "UZ", "KG", "TJ", "TM", "RS", "HU", "UA", "RU", "BY", "GE", "AM", "AZ", "PL", "CN", "MD")
ENTITIES = tuple(f"synthetic-entity-{i}" for i in range(400))
THEMES = ("diplomacy", "security", "trade", "energy", "investment", "technology", "information", "society")
_FMT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores DateTime on SQLite


def _rows(n: int, rng: random.Random):
    """Yield (article, annotation, mentions, themes) rows for article ``i`` in batches."""
    now = CLOCK.now().replace(tzinfo=None)
    country_weights = [1 / (k + 1) for k in range(len(COUNTRIES))]
    entity_weights = [1 / (k + 1) ** 1.1 for k in range(len(ENTITIES))]
    for i in range(n):
        aid = f"syn{i:07d}"
        published = (now - timedelta(seconds=rng.random() * SPAN_DAYS * 86400)).strftime(_FMT)
        countries = sorted(set(rng.choices(COUNTRIES, country_weights, k=rng.randint(1, 3))))
        entities = sorted(set(rng.choices(ENTITIES, entity_weights, k=rng.randint(0, 2))))
        themes = sorted(set(rng.choices(THEMES, k=rng.randint(1, 2))))
        china = rng.random() < 0.3
        yield aid, published, countries, entities, themes, china


def build(path: Path, n: int) -> None:
    """Create the SYNTHETIC database (migrated schema, then bulk rows)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    settings = Settings(data_dir=str(path.parent), database_url=f"sqlite:///{path.as_posix()}")
    with open_database(settings) as db:
        db.upgrade()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA foreign_keys=OFF")
    rng = random.Random(SEED)
    stamp = CLOCK.now().replace(tzinfo=None).strftime(_FMT)
    articles, annotations, mentions, themes = [], [], [], []
    started = time.perf_counter()

    def flush() -> None:
        conn.executemany(
            "INSERT INTO articles (article_id, url, canonical_url, title, text, authors, paragraphs,"
            " published, language, outlet, content_hash, sample, first_seen_at, updated_at)"
            " VALUES (?, ?, ?, ?, 'SYNTHETIC', '[]', '[]', ?, 'en', ?, ?, 1, ?, ?)",
            articles,
        )
        conn.executemany(
            "INSERT INTO annotations (article_id, language, china_related, countries, themes, kb_version,"
            " model_version, annotated_at) VALUES (?, 'en', ?, '[]', '[]', 'synthetic', 'synthetic', ?)",
            annotations,
        )
        conn.executemany(
            "INSERT INTO mentions (article_id, kind, key, name, start_offset, end_offset)"
            " VALUES (?, ?, ?, ?, 0, 0)",
            mentions,
        )
        conn.executemany("INSERT INTO article_themes (article_id, theme) VALUES (?, ?)", themes)
        conn.commit()
        for batch in (articles, annotations, mentions, themes):
            batch.clear()

    for aid, published, countries, entities, themes_, china in _rows(n, rng):
        url = f"https://synthetic.invalid/{aid}"
        outlet = f"synthetic-outlet-{hash(aid) % 60}"
        articles.append((aid, url, url, f"SYNTHETIC {aid}", published, outlet, aid, stamp, stamp))
        annotations.append((aid, china, stamp))
        mentions.extend((aid, "country", c, c) for c in countries)
        mentions.extend((aid, "entity", e, e) for e in entities)
        themes.extend((aid, t) for t in themes_)
        if len(articles) >= 50_000:
            flush()
    flush()
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    print(f"built {n:,} SYNTHETIC articles in {time.perf_counter() - started:.1f} s: {path}")


def _count(path: Path) -> int:
    try:
        with sqlite3.connect(path) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return -1


def _best(fn, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def main(argv: list[str] | None = None) -> int:
    """Build or reuse the SYNTHETIC database, time trends against the bare count, print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    path = CACHE / f"synthetic-trends-{args.articles}.db"
    if _count(path) != args.articles:
        build(path, args.articles)
    settings = Settings(data_dir=str(CACHE), database_url=f"sqlite:///{path.as_posix()}")
    end = CLOCK.now()
    start = end - timedelta(days=14)
    bare = text(
        "SELECT m.key, COUNT(*) FROM mentions m JOIN articles a ON a.article_id = m.article_id"
        " WHERE m.kind = 'country' AND a.published >= :start AND a.published < :end GROUP BY m.key"
    )
    print(f"SYNTHETIC data: {args.articles:,} articles over {SPAN_DAYS} days; window 14 days + 4 earlier")
    failed = False
    with open_database(settings) as db, db.begin() as conn:
        params = {
            "start": start.replace(tzinfo=None).strftime(_FMT),
            "end": end.replace(tzinfo=None).strftime(_FMT),
        }
        baseline, rows = _best(lambda: conn.execute(bare, params).all(), args.repeat)
        print(f"baseline  bare GROUP BY over the window   {baseline:7.3f} s  ({len(rows)} keys)")
        # the same bare count over all five windows trends reads, to show what the per-window split costs
        span = dict(params, start=(end - timedelta(days=70)).replace(tzinfo=None).strftime(_FMT))
        span_seconds, _ = _best(lambda: conn.execute(bare, span).all(), args.repeat)
        print(f"context   bare GROUP BY over all 5 windows {span_seconds:6.3f} s")
        for kind in ("country", "entity", "theme"):
            seconds, report = _best(lambda k=kind: compute_trends(conn, CLOCK, kind=k), args.repeat)
            in_window = sum(t.count for t in report.trends)
            verdict = "ok" if seconds < TARGET_SECONDS else "OVER TARGET"
            print(
                f"trends    {kind:<8} {len(report.trends):4d} keys, {len(report.changed()):3d} changed"
                f"  {seconds:7.3f} s  ratio {seconds / baseline:5.1f}×"
                f"  (target < {TARGET_SECONDS:.0f} s: {verdict}; {in_window:,} article-keys in the window)"
            )
            failed = failed or seconds >= TARGET_SECONDS
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
