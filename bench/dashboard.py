"""Benchmark the desk dashboard (``/desk/``) over a large SYNTHETIC, annotated SQLite database.

Builds (once; cached) ``bench/.cache/dashboard_<N>.db``: N synthetic articles spread evenly over
2023–2024 (``https://synthetic.invalid/…``, ``sample = 1``), each with an annotation (70 % China-
related), 1–3 country mentions and 0–3 entity mentions from fixed pools, 1–2 themes, an upcoming
event on one article in 500, 30 sources (three of them failing), and stories of five articles
for the last 30 days (clustering a million articles is ``bench/cluster.py``'s job). Rows are
written with plain ``executemany``. Nothing in it is real reporting.

Then it times, for the default window (the 14 days before the data's last article):

- each panel's query on its own and ``build_dashboard`` cold (what a cache miss costs);
- ``GET /desk/`` through the real app (session lookup, CSP middleware, template) with the cache
  warm, sequentially, and reports p50 / p95 / max.

    .venv/bin/python bench/dashboard.py [--articles 1000000] [--requests 200]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from eurasiawatch import accounts
from eurasiawatch.accounts import AccountPolicy
from eurasiawatch.analyze.calendar import upcoming_calendar
from eurasiawatch.analyze.trends import compute_trends
from eurasiawatch.analyzing import rank_window
from eurasiawatch.clock import Clock
from eurasiawatch.config import Settings
from eurasiawatch.credentials import totp_code
from eurasiawatch.dashboard import build_dashboard, parse_window_query
from eurasiawatch.deliver.crypto import Crypto
from eurasiawatch.store import dashboard as store_dashboard
from eurasiawatch.store import open_database
from eurasiawatch.web.app import create_app

CACHE = Path(__file__).resolve().parent / ".cache"
SEED = 20240712
BASE = datetime(2023, 1, 1)
SPAN = timedelta(days=730)
COUNTRIES = (
    "KZ", "UZ", "KG", "TJ", "TM", "RS", "HU", "UA", "RU", "BY", "GE", "AM", "AZ", "PL", "CZ",
    "SK", "RO", "BG", "MN", "AF", "PK", "IR", "TR", "MD", "ME", "BA", "AL", "MK", "XK", "CN",
)  # fmt: skip
THEMES = ("diplomacy", "security", "trade", "energy", "investment", "technology", "information", "society")
ENTITIES = tuple(f"Q{1000 + i}" for i in range(400))
CHUNK = 50_000
STORY_SIZE = 5
PASSWORD = "synthetic benchmark password 1"


def _stamp(moment: datetime) -> str:
    return moment.isoformat(sep=" ", timespec="microseconds")


def build(path: Path, count: int) -> datetime:
    """Create the database (unless complete already); returns the last article's publication time."""
    if path.exists():
        with sqlite3.connect(path) as conn:
            try:
                if conn.execute("SELECT count(*) FROM annotations").fetchone()[0] == count:
                    return datetime.fromisoformat(
                        conn.execute("SELECT max(published) FROM articles").fetchone()[0]
                    )
            except sqlite3.Error:
                pass
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open_database(Settings(data_dir=str(path.parent), database_url=f"sqlite:///{path}")) as db:
        db.upgrade()
    rng = random.Random(SEED)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    step = SPAN / count
    started = time.perf_counter()
    mention_id = 0
    for first in range(0, count, CHUNK):
        arts, anns, ments, themes, events = [], [], [], [], []
        for n in range(first, min(first + CHUNK, count)):
            aid = f"dsh{n:08d}"
            published = _stamp(BASE + step * n)
            source = f"synthetic-{n % 30:02d}"
            language = ("en", "ru", "kk", "uz", "sr", "hu", "uk")[n % 7]
            china = rng.random() < 0.7
            cs = sorted(set(rng.sample(COUNTRIES, rng.randint(1, 3))) | ({"CN"} if china else set()))
            ts = sorted(set(rng.sample(THEMES, rng.randint(1, 2))))
            es = sorted(set(rng.choices(ENTITIES, k=rng.randint(0, 3))))
            url = f"https://synthetic.invalid/{aid}"
            outlet = f"Synthetic outlet {n % 30}"
            title = f"Synthetic article {n}"
            arts.append(
                (
                    aid,
                    url,
                    url,
                    title,
                    "synthetic text",
                    "[]",
                    "[]",
                    published,
                    language,
                    outlet,
                    source,
                    aid,
                    published,
                    published,
                )
            )
            anns.append((aid, language, int(china), json.dumps(cs), json.dumps(ts), published))
            for key in cs:
                mention_id += 1
                ments.append((mention_id, aid, "country", key, key))
            for key in es:
                mention_id += 1
                ments.append((mention_id, aid, "entity", key, f"Synthetic actor {key}"))
            themes.extend((aid, t) for t in ts)
            if n % 500 == 0:
                day = (BASE + step * n + timedelta(days=rng.randint(2, 25))).date().isoformat()
                events.append((aid, "CONSULT", "planned", day, 1, json.dumps([["CN", None], [cs[0], None]]),
                               "Synthetic City", "A synthetic meeting is planned."))  # fmt: skip
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO articles (article_id, url, canonical_url, title, text, authors, paragraphs, "
            "published, language, outlet, source, content_hash, sample, first_seen_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
            arts,
        )
        conn.executemany(
            "INSERT INTO annotations (article_id, language, china_related, countries, themes, kb_version, "
            "model_version, annotated_at) VALUES (?, ?, ?, ?, ?, 'synthetic', 'synthetic', ?)",
            anns,
        )
        conn.executemany(
            "INSERT INTO mentions (id, article_id, kind, key, name, start_offset, end_offset) "
            "VALUES (?, ?, ?, ?, ?, -1, -1)",
            ments,
        )
        conn.executemany("INSERT INTO article_themes (article_id, theme) VALUES (?, ?)", themes)
        conn.executemany(
            "INSERT INTO events (article_id, type, mode, date, upcoming, actors, location, evidence) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            events,
        )
        conn.execute("COMMIT")
        done = min(first + CHUNK, count)
        print(f"  {done:,} articles ({done / (time.perf_counter() - started):,.0f}/s)", file=sys.stderr)
    last = BASE + step * (count - 1)
    conn.execute("BEGIN")
    for i in range(30):
        failing = i < 3
        conn.execute(
            "INSERT INTO sources (name, url, kind, outlet, added_at, last_attempt_at, last_success_at, "
            "failure_streak, last_reason, items_total) VALUES (?, ?, 'feed', ?, ?, ?, ?, ?, ?, 0)",
            (
                f"synthetic-{i:02d}",
                f"https://synthetic.invalid/feed/{i}",
                f"Synthetic outlet {i}",
                _stamp(BASE),
                _stamp(last),
                _stamp(last - timedelta(days=2 if failing else 0)),
                4 if failing else 0,
                "HTTP 503" if failing else None,
            ),
        )
    recent = conn.execute(
        "SELECT article_id, published FROM articles WHERE published >= ? ORDER BY published, article_id",
        (_stamp(last - timedelta(days=30)),),
    ).fetchall()
    stories: dict[str, list[tuple[str, str]]] = {}
    for i, (aid, published) in enumerate(recent):
        stories.setdefault(f"dsh{i // STORY_SIZE:08d}", []).append((aid, published))
    conn.executemany(
        "INSERT INTO stories (story_id, title, first_day, last_day, articles, pinned, hidden, updated_at) "
        "VALUES (?, ?, ?, ?, ?, 0, 0, ?)",
        [
            (sid, f"Synthetic story {sid}", m[0][1][:10], m[-1][1][:10], len(m), _stamp(last))
            for sid, m in stories.items()
        ],
    )
    conn.executemany(
        "INSERT INTO story_articles (article_id, story_id, by_editor, assigned_at) VALUES (?, ?, 0, ?)",
        [(aid, sid, _stamp(last)) for sid, m in stories.items() for aid, _ in m],
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    return last


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    path = CACHE / f"dashboard_{args.articles}.db"
    started = time.perf_counter()
    last = build(path, args.articles).replace(tzinfo=UTC)
    print(
        f"SYNTHETIC database {path.name}: {args.articles:,} articles ({time.perf_counter() - started:.0f} s)"
    )
    now = last + timedelta(minutes=1)
    settings = Settings(
        data_dir=str(CACHE), database_url=f"sqlite:///{path}", web_secret_key="b" * 48,
        desk_argon2_memory_kib=1024, desk_argon2_time_cost=1,
    )  # fmt: skip
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
            print(f"  {label}: {_ms(time.perf_counter() - t)}")
    t = time.perf_counter()
    rank_window(db, settings, Clock(window.end), days=window.days, candidates=25)
    print(f"  top stories (25 largest ranked): {_ms(time.perf_counter() - t)}")
    t = time.perf_counter()
    build_dashboard(db, settings, window, today=now.date())
    print(f"build_dashboard, cold (a cache miss): {_ms(time.perf_counter() - t)}")

    app = create_app(settings, database=db, clock=Clock(now))
    policy, crypto = AccountPolicy.from_settings(settings), Crypto.from_settings(settings, create=True)
    name = f"bench{int(time.time())}"
    with db.begin() as conn:
        enrolment = accounts.add_user(conn, crypto, policy, name, PASSWORD, role="editor", now=now)
    with db.begin() as conn:
        pending = accounts.check_password(conn, policy, name, PASSWORD, now=now)
        assert pending.session_id
        full = accounts.check_code(
            conn, crypto, policy, pending.session_id, totp_code(enrolment.secret, now), now=now
        )
        assert full.session_id
    with TestClient(app) as client:
        client.cookies.set("ew_session", full.session_id)
        t = time.perf_counter()
        first = client.get("/desk/")
        assert first.status_code == 200, first.text[:500]
        print(f"GET /desk/ first (builds): {_ms(time.perf_counter() - t)}, {len(first.content):,} bytes")
        times = []
        for _ in range(args.requests):
            t = time.perf_counter()
            response = client.get("/desk/")
            times.append(time.perf_counter() - t)
            assert response.status_code == 200
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    print(
        f"GET /desk/ warm, {len(times)} sequential: p50 {_ms(statistics.median(times))}, "
        f"p95 {_ms(p95)}, max {_ms(times[-1])}"
    )
    db.dispose()


if __name__ == "__main__":
    main()
