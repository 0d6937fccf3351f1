"""Benchmark drafting an edition: a 14-day window over a large SYNTHETIC database.

Reuses ``bench/make_synthetic_db.py``'s cached database (built if missing) and copies it once to
``bench/.cache/compose_<N>.db`` (the search benchmark's file is left as it is), migrates the copy,
and groups the window's articles into stories of about five (``stories``/``story_articles`` rows
written directly: clustering a million articles is ``bench/cluster.py``'s job, not this one's).
Then it times ``compose.gather.draft_stored`` end to end — ranking the window's stories, loading
their articles, drafting, storing the blocks — and, as the baseline measured in the same run, the
same draft over the bundled sample corpus (210 articles). Every article is synthetic.

    .venv/bin/python bench/compose.py [--articles 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from eurasiawatch.clock import Clock
from eurasiawatch.compose.gather import draft_stored
from eurasiawatch.config import Settings
from eurasiawatch.store import open_database

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_synthetic_db import CACHE, default_path, make

STORY_SIZE = 5


def prepare(articles: int) -> tuple[Path, date]:
    """The migrated copy with stories for the last 14 days; returns its path and the window's last day."""
    source = make(default_path(articles), articles)
    path = CACHE / f"compose_{articles}.db"
    if not path.exists():
        print(f"  copying {source.name} to {path.name}", file=sys.stderr)
        shutil.copyfile(source, path)
    settings = Settings(data_dir=str(CACHE), database_url=f"sqlite:///{path}")
    db = open_database(settings)
    db.upgrade()
    db.dispose()
    conn = sqlite3.connect(path, isolation_level=None)
    last = conn.execute("SELECT max(published) FROM articles").fetchone()[0]
    end = datetime.fromisoformat(last[:19]).date()
    start = end - timedelta(days=13)
    if not conn.execute("SELECT count(*) FROM story_articles").fetchone()[0]:
        rows = conn.execute(
            "SELECT article_id, published, title FROM articles WHERE published >= ? "
            "ORDER BY published, article_id",
            (start.isoformat(),),
        ).fetchall()
        now = datetime.now(UTC).isoformat()
        conn.execute("BEGIN")
        groups: dict[str, list[tuple[str, str, str]]] = {}
        for i, (article_id, published, title) in enumerate(rows):
            groups.setdefault(f"syn{i // STORY_SIZE:08d}", []).append((article_id, published, title))
        conn.executemany(
            "INSERT INTO story_articles (article_id, story_id, by_editor, assigned_at) VALUES (?, ?, 0, ?)",
            [(a, sid, now) for sid, members in groups.items() for a, _, _ in members],
        )
        conn.executemany(
            "INSERT INTO stories (story_id, title, first_day, last_day, articles, pinned, hidden, "
            "updated_at) VALUES (?, ?, ?, ?, ?, 0, 0, ?)",
            [(sid, m[0][2] or "", m[0][1][:10], m[-1][1][:10], len(m), now) for sid, m in groups.items()],
        )
        conn.execute("COMMIT")
    conn.close()
    return path, end


def time_draft(settings: Settings, end: date, repeat: int) -> tuple[float, int]:
    """Best wall time of ``repeat`` drafts of the 14 days ending on ``end``, and the block count."""
    db = open_database(settings)
    best, blocks = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        edition, _ = draft_stored(
            db,
            settings,
            Clock(datetime(end.year, end.month, end.day, 23, 59, 59, tzinfo=UTC)),
            start=end - timedelta(days=13),
            end=end,
            send_date=end + timedelta(days=1),
        )
        best = min(best, time.perf_counter() - started)
        blocks = len(edition.blocks)
    db.dispose()
    return best, blocks


def baseline(repeat: int) -> float:
    """Drafting the sample corpus's window (210 articles), in a temporary database."""
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.compose.conftest import store_corpus

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=tmp)
        db = open_database(settings)
        db.upgrade()
        store_corpus(db, settings)
        db.dispose()
        seconds, _ = time_draft(settings, date(2024, 7, 9), repeat)
    return seconds


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path, end = prepare(args.articles)
    conn = sqlite3.connect(path)
    window = conn.execute("SELECT count(*) FROM story_articles").fetchone()[0]
    conn.close()
    settings = Settings(data_dir=str(CACHE / "compose-data"), database_url=f"sqlite:///{path}")
    seconds, blocks = time_draft(settings, end, args.repeat)
    base = baseline(args.repeat)
    print(
        f"SYNTHETIC {args.articles:,} articles, {window:,} in the 14-day window ending {end}: "
        f"draft_stored {seconds:.2f} s ({blocks} blocks; target < 3 s)\n"
        f"baseline: sample corpus (210 articles) {base:.2f} s; ratio {seconds / base:.1f}x"
    )


if __name__ == "__main__":
    main()
