"""Search benchmark on a SYNTHETIC SQLite database: our ``search`` against a bare FTS5 MATCH, same run.

The database comes from ``bench/make_synthetic_db.py`` (synthetic articles, cached under
``bench/.cache/``). The query mix is fixed by a seed: words of the sample corpus's vocabulary binned
by how many synthetic articles they match — rare (≤ 0.1% of articles), mid (0.5%–3%) and common
(≥ 10%) — each alone and with filters (country + theme, language, a date range). For every query
both sides run the same stemmed MATCH expression with the same bm25 weights:

- **bare**: ``SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY bm25(…) LIMIT 20``;
- **ours**: ``analyze.search.search`` — parse and stem the query, the best 1,000 hits with their
  facet values, the exact total when there are more, facets, 20 articles' text and snippets.

Prints p50/p95 per class and overall, and the ratio of the p95s (target: ours within 2× of bare).
Usage: ``.venv/bin/python bench/search.py [--articles 1000000] [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_synthetic_db import default_path, make, vocabulary

from eurasiawatch.analyze.search import SearchFilters, parse_query, search
from eurasiawatch.config import Settings
from eurasiawatch.store import open_database
from eurasiawatch.store import search as store

SEED = 7
PER_CLASS = 8  # words per frequency class


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _query_mix(conn, articles: int) -> list[tuple[str, str, SearchFilters]]:
    """(class, word, filters): the fixed mix, binned by real match counts."""
    rng = random.Random(SEED)
    bins: dict[str, list[str]] = {"rare": [], "mid": [], "common": []}
    candidates = [(lang, w) for lang, (words, _) in vocabulary().items() for w in words if len(w) > 3]
    rng.shuffle(candidates)
    for _lang, word in candidates:
        if all(len(v) >= PER_CLASS for v in bins.values()):
            break
        try:
            n = store.count_matches(conn, parse_query(word))
        except Exception:  # a "word" with no letters
            continue
        share = n / articles
        kind = (
            "rare"
            if 0 < share <= 0.001
            else "mid"
            if 0.005 <= share <= 0.03
            else "common"
            if share >= 0.1
            else ""
        )
        if kind and len(bins[kind]) < PER_CLASS:
            bins[kind].append(word)
    filters = (
        ("", SearchFilters()),
        ("+country,theme", SearchFilters(countries=("KZ",), themes=("energy",))),
        ("+language", SearchFilters(languages=("ru",))),
        ("+dates", SearchFilters(since=date(2024, 3, 15), until=date(2024, 6, 30))),
    )
    return [(kind + label, word, f) for kind, words in bins.items() for word in words for label, f in filters]


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    path = make(default_path(args.articles), args.articles)
    db = open_database(Settings(data_dir=str(path.parent), database_url=f"sqlite:///{path}"))
    with db.engine.connect() as conn:
        mix = _query_mix(conn, args.articles)
        ours: dict[str, list[float]] = {}
        bare: dict[str, list[float]] = {}
        totals: dict[str, list[int]] = {}
        for _ in range(args.repeat + 1):  # the first round warms the page cache and is dropped
            for kind, word, filters in mix:
                query = parse_query(word, filters)
                t0 = time.perf_counter()
                store.bare_match(conn, query, limit=20)
                t1 = time.perf_counter()
                result = search(conn, word, filters=filters, limit=20)
                t2 = time.perf_counter()
                bare.setdefault(kind, []).append((t1 - t0) * 1000)
                ours.setdefault(kind, []).append((t2 - t1) * 1000)
                totals.setdefault(kind, []).append(result.total)
        drop = len(mix)
    db.dispose()
    print(f"SYNTHETIC data: {args.articles:,} articles ({path.name}), {len(mix)} queries × {args.repeat}")
    print(
        f"{'class':<22}{'hits (median)':>14}{'bare p50':>10}{'bare p95':>10}{'ours p50':>10}{'ours p95':>10}"
    )
    for kind in ours:
        o, b = (
            ours[kind][len(ours[kind]) // (args.repeat + 1) :],
            bare[kind][len(bare[kind]) // (args.repeat + 1) :],
        )
        print(
            f"{kind:<22}{statistics.median(totals[kind]):>14,.0f}"
            f"{_p(b, 0.5):>10.1f}{_p(b, 0.95):>10.1f}{_p(o, 0.5):>10.1f}{_p(o, 0.95):>10.1f}"
        )
    all_ours = [v for k in ours for v in ours[k][len(ours[k]) // (args.repeat + 1) :]]
    all_bare = [v for k in bare for v in bare[k][len(bare[k]) // (args.repeat + 1) :]]
    ratio = _p(all_ours, 0.95) / _p(all_bare, 0.95)
    print(
        f"overall: bare p95 {_p(all_bare, 0.95):.1f} ms, ours p95 {_p(all_ours, 0.95):.1f} ms, "
        f"ratio {ratio:.2f} (target ≤ 2.0); {drop} warm-up queries dropped"
    )


if __name__ == "__main__":
    main()
