"""The SYNTHETIC desk database and a signed-in desk session, shared by the desk benchmarks.

``bench/desk_load.py`` (the open-loop load test) and ``bench/dashboard.py`` (the dashboard's parts,
one at a time) run over the same file: ``bench/make_synthetic_db.py``'s articles and search index,
plus a desk layer derived from each article's index facets — annotations (70 % China-related),
country and entity mentions, themes, an upcoming event on one article in 500, 30 sources (three
failing), and stories of five articles for the last 30 days. Built once and cached as
``<data dir>/bench/desk_<N>.db`` (``./ew-data`` unless ``EURASIAWATCH_DATA_DIR`` says otherwise).
Nothing in it is real reporting.
"""

from __future__ import annotations

import json
import random
import sqlite3
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import make_synthetic_db

from eurasiawatch import accounts
from eurasiawatch.accounts import AccountPolicy
from eurasiawatch.config import Settings
from eurasiawatch.credentials import totp_code
from eurasiawatch.deliver.crypto import Crypto
from eurasiawatch.store import open_database

SEED = 20241129
PASSWORD = "synthetic load benchmark password"
SECRET = "desk-load-benchmark-secret-" + "x" * 32
STORY_SIZE = 5
SOURCES = 30


def ms(seconds: float) -> str:
    """Seconds as ``1,234 ms``."""
    return f"{seconds * 1000:,.0f} ms"


def desk_database(data_dir: Path, articles: int) -> tuple[Path, datetime]:
    """The cached database of ``articles`` synthetic articles (built when missing or incomplete).

    Returns:
        Its path and the newest article's publication time (naive UTC).
    """
    path = data_dir / "bench" / f"desk_{articles}.db"
    make_synthetic_db.make(path, articles)
    return path, add_desk_layer(path, articles)


def bench_settings(path: Path, data_dir: Path) -> Settings:
    """Settings over the benchmark database: its own server secret, cheap argon2 for the sign-in."""
    return Settings(
        data_dir=str(data_dir), database_url=f"sqlite:///{path}", web_secret_key=SECRET,
        desk_argon2_memory_kib=1024, desk_argon2_time_cost=1,
    )  # fmt: skip


def signed_in_session(settings: Settings, now: datetime, prefix: str = "bench") -> str:
    """A new editor, signed in with password and code through the accounts library; the session id."""
    policy, crypto = AccountPolicy.from_settings(settings), Crypto.from_settings(settings, create=True)
    name = f"{prefix}{int(time.time() * 1000)}"
    with open_database(settings) as db:
        db.upgrade()  # the cached file may predate a migration
        with db.begin() as conn:
            enrolment = accounts.add_user(conn, crypto, policy, name, PASSWORD, role="editor", now=now)
        with db.begin() as conn:
            pending = accounts.check_password(conn, policy, name, PASSWORD, now=now)
            assert pending.session_id, "password refused"
            full = accounts.check_code(
                conn, crypto, policy, pending.session_id, totp_code(enrolment.secret, now), now=now
            )
            assert full.session_id, "code refused"
    return full.session_id


def stamp(moment: datetime) -> str:
    """A naive UTC timestamp as the store writes it."""
    return moment.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def add_desk_layer(path: Path, count: int) -> datetime:
    """Annotations, mentions, themes, events, sources and stories from the index facets (once)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        done = conn.execute("SELECT count(*) FROM annotations").fetchone()[0] == count
        last = datetime.fromisoformat(conn.execute("SELECT max(published) FROM articles").fetchone()[0])
        if done:
            return last
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        for table in (
            "annotations",
            "mentions",
            "article_themes",
            "events",
            "sources",
            "stories",
            "story_articles",
        ):
            conn.execute(f"DELETE FROM {table}")  # a half-built layer from an interrupted run
        rng = random.Random(SEED)
        started = time.perf_counter()
        rows = conn.execute("SELECT doc_id, article_id, language, published, facets FROM search_documents")
        mention_id = 0
        while True:
            chunk = rows.fetchmany(50_000)
            if not chunk:
                break
            anns, ments, themes, events = [], [], [], []
            for doc_id, aid, language, published, facets in chunk:
                tags = json.loads(facets)
                countries = sorted({t.split(":", 1)[1] for t in tags if t.startswith("country:")})
                topics = sorted({t.split(":", 1)[1] for t in tags if t.startswith("theme:")})
                entities = sorted({t.split(":", 1)[1] for t in tags if t.startswith("entity:")})
                china = rng.random() < 0.7
                anns.append((aid, language, int(china), json.dumps(countries), json.dumps(topics), published))
                for key in countries:
                    mention_id += 1
                    ments.append((mention_id, aid, "country", key, key))
                for key in entities:
                    mention_id += 1
                    ments.append((mention_id, aid, "entity", key, f"Synthetic actor {key}"))
                themes.extend((aid, t) for t in topics)
                if doc_id % 500 == 0 and countries:
                    day = (datetime.fromisoformat(published) + timedelta(days=rng.randint(2, 25))).date()
                    actors = json.dumps([["CN", None], [countries[0], None]])
                    events.append(
                        (aid, "CONSULT", "planned", day.isoformat(), 1, actors, "Synthetic City",
                         "A synthetic meeting is planned.")
                    )  # fmt: skip
            conn.execute("BEGIN")
            conn.executemany(
                "INSERT INTO annotations (article_id, language, china_related, countries, themes, "
                "kb_version, model_version, annotated_at) "
                "VALUES (?, ?, ?, ?, ?, 'synthetic', 'synthetic', ?)",
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
            print(f"  desk layer: {len(anns):,} more annotated", file=sys.stderr)
        conn.execute("BEGIN")
        conn.execute(f"UPDATE articles SET source = printf('synthetic-%02d', rowid % {SOURCES})")
        for i in range(SOURCES):
            failing = i < 3
            conn.execute(
                "INSERT INTO sources (name, url, kind, outlet, added_at, last_attempt_at, last_success_at, "
                "failure_streak, last_reason, items_total) VALUES (?, ?, 'feed', ?, ?, ?, ?, ?, ?, 0)",
                (
                    f"synthetic-{i:02d}",
                    f"https://synthetic.invalid/feed/{i}",
                    f"Synthetic outlet {i}",
                    stamp(datetime(2023, 1, 1)),
                    stamp(last),
                    stamp(last - timedelta(days=2 if failing else 0)),
                    4 if failing else 0,
                    "HTTP 503" if failing else None,
                ),
            )
        recent = conn.execute(
            "SELECT article_id, published FROM articles WHERE published >= ? ORDER BY published, article_id",
            (stamp(last - timedelta(days=30)),),
        ).fetchall()
        stories: dict[str, list[tuple[str, str]]] = {}
        for i, (aid, published) in enumerate(recent):
            stories.setdefault(f"syn{i // STORY_SIZE:08d}", []).append((aid, published))
        conn.executemany(
            "INSERT INTO stories (story_id, title, first_day, last_day, articles, pinned, hidden, "
            "updated_at) VALUES (?, ?, ?, ?, ?, 0, 0, ?)",
            [
                (sid, f"Synthetic story {sid}", m[0][1][:10], m[-1][1][:10], len(m), stamp(last))
                for sid, m in stories.items()
            ],
        )
        conn.executemany(
            "INSERT INTO story_articles (article_id, story_id, by_editor, assigned_at) VALUES (?, ?, 0, ?)",
            [(aid, sid, stamp(last)) for sid, m in stories.items() for aid, _ in m],
        )
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
        print(f"  desk layer built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        return last
    finally:
        conn.close()
