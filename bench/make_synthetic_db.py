"""Make a large SYNTHETIC SQLite database for the search benchmark (``bench/search.py``).

Every article is synthetic: short texts of 30-70 words drawn, with their corpus frequencies, from the
vocabulary of the bundled sample corpus (``src/eurasiawatch/data/demo/articles``) in that article's
language; random outlets, dates (2023-2024), countries, themes and entities. URLs are
``https://synthetic.invalid/…`` and every row has ``sample = 1``. The index is built with the same
``analyze.search.search_document`` the program uses; the rows are then written with plain
``executemany`` in large transactions, bypassing the per-article code path for speed.

Usage: ``.venv/bin/python bench/make_synthetic_db.py [--articles 1000000] [--out bench/.cache/...]``.
The file is cached: an existing one with the right row count is kept.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from multiprocessing import Pool
from pathlib import Path

import yaml

from eurasiawatch.analyze.search import search_document, tokens
from eurasiawatch.config import Settings
from eurasiawatch.records import Annotation, Article, Mention
from eurasiawatch.store import open_database
from eurasiawatch.store.search import _FTS_DDL

CACHE = Path(__file__).resolve().parent / ".cache"
CORPUS = Path(__file__).resolve().parents[1] / "src" / "eurasiawatch" / "data" / "demo" / "articles"
SEED = 20240501
COUNTRIES = ("KZ", "UZ", "KG", "TJ", "TM", "RS", "HU", "UA", "RU", "BY", "GE", "AM", "AZ", "PL", "CN")
THEMES = ("diplomacy", "security", "trade", "energy", "investment", "technology", "information", "society")
ENTITIES = tuple(f"Q{1000 + i}" for i in range(300))
CHUNK = 20_000


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, tuple[list[str], list[int]]]:
    """Words of the sample corpus per language with their counts (the source of every synthetic text)."""
    counts: dict[str, Counter[str]] = {}
    for path in sorted(CORPUS.glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")):
            language = str(item["language"]).split("-")[0]
            words = [w for w in str(item.get("body", "")).split() if w.strip(".,;:«»\"'()!?—-")]
            counts.setdefault(language, Counter()).update(w.strip(".,;:«»\"'()!?") for w in words)
    return {lang: (list(c), list(c.values())) for lang, c in sorted(counts.items()) if len(c) > 200}


def _rows(args: tuple[int, int, int]) -> list[tuple[tuple, tuple, tuple]]:
    """Article, search-document and FTS rows for articles ``start`` … ``stop`` (a worker's share)."""
    start, stop, seed = args
    vocab = vocabulary()
    languages = sorted(vocab)
    cumulative = {lang: _cumulate(vocab[lang][1]) for lang in languages}
    rng = random.Random(seed * 1_000_003 + start)
    base = datetime(2023, 1, 1, tzinfo=UTC)
    out = []
    for n in range(start, stop):
        language = languages[n % len(languages)]
        words, cum = vocab[language][0], cumulative[language]
        body = " ".join(rng.choices(words, cum_weights=cum, k=rng.randint(30, 70)))
        title = " ".join(rng.choices(words, cum_weights=cum, k=rng.randint(4, 9)))
        published = base + timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
        aid = f"syn{n:08d}"
        outlet = f"Synthetic {language} {n % 7}"
        article = Article(
            article_id=aid,
            url=f"https://synthetic.invalid/{aid}",
            canonical_url=f"https://synthetic.invalid/{aid}",
            title=title,
            text=body,
            language=language,
            outlet=outlet,
            published=published,
            content_hash=aid,
        )
        annotation = Annotation(
            article_id=aid,
            language=language,
            china_related=True,
            countries=tuple(sorted(set(rng.sample(COUNTRIES, rng.randint(1, 3))))),
            themes=tuple(sorted(set(rng.sample(THEMES, rng.randint(1, 2))))),
            mentions=tuple(
                Mention(article_id=aid, kind="entity", key=k, name=k)
                for k in sorted(set(rng.choices(ENTITIES, k=rng.randint(0, 3))))
            ),
        )
        doc = search_document(article, annotation)
        stamp = published.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        article_row = (
            aid,
            article.url,
            article.url,
            title,
            body,
            "[]",
            "[]",
            stamp,
            language,
            outlet,
            aid,
            stamp,
        )
        doc_row = (n + 1, aid, language, outlet, stamp, json.dumps(list(doc.facets)), stamp)
        fts_row = (n + 1, " ".join(doc.title), " ".join(doc.body), " ".join(doc.alt), " ".join(doc.tags))
        out.append((article_row, doc_row, fts_row))
    return out


def _cumulate(weights: list[int]) -> list[int]:
    total, out = 0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def make(path: Path, articles: int, *, workers: int = 2) -> Path:
    """Create (or keep, if complete) the synthetic database at ``path``; returns the path."""
    if path.exists():
        with sqlite3.connect(path) as conn:
            try:
                if conn.execute("SELECT count(*) FROM search_documents").fetchone()[0] == articles:
                    return path
            except sqlite3.Error:
                pass
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open_database(Settings(data_dir=str(path.parent), database_url=f"sqlite:///{path}")) as db:
        db.upgrade()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute(_FTS_DDL)
    started = time.perf_counter()
    jobs = [(s, min(s + CHUNK, articles), SEED) for s in range(0, articles, CHUNK)]
    with Pool(workers) as pool:
        for done, rows in enumerate(pool.imap(_rows, jobs), 1):
            conn.execute("BEGIN")
            conn.executemany(
                "INSERT INTO articles (article_id, url, canonical_url, title, text, authors, paragraphs, "
                "published, language, outlet, content_hash, sample, first_seen_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
                [(*a, a[7]) for a, _, _ in rows],
            )
            conn.executemany(
                "INSERT INTO search_documents (doc_id, article_id, language, outlet, published, facets, "
                "indexed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [d for _, d, _ in rows],
            )
            conn.executemany(
                "INSERT INTO search_fts (rowid, title, body, alt, tags) VALUES (?, ?, ?, ?, ?)",
                [f for _, _, f in rows],
            )
            conn.execute("COMMIT")
            if done % 10 == 0 or done == len(jobs):
                rate = done * CHUNK / (time.perf_counter() - started)
                print(
                    f"  {min(done * CHUNK, articles):,} synthetic articles ({rate:,.0f}/s)", file=sys.stderr
                )
    conn.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")
    conn.execute("ANALYZE")
    conn.close()
    return path


def default_path(articles: int) -> Path:
    """Where the cached database of this size lives."""
    return CACHE / f"search_synthetic_{articles}.db"


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    started = time.perf_counter()
    path = make(args.out or default_path(args.articles), args.articles, workers=args.workers)
    print(f"SYNTHETIC database: {path} ({args.articles:,} articles, {time.perf_counter() - started:.0f} s)")
    assert tokens("x")  # the same tokenizer as the program


if __name__ == "__main__":
    main()
