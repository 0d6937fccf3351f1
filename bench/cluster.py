"""Benchmark story clustering: B-cubed quality on the labelled sets, held-out fits, and scale.

Quality: every labelled set present (the sample corpus's ``labels.jsonl``; ``tests/eval/stories.jsonl``)
goes through the same code as ``eurasiawatch cluster`` (annotate each article, then cluster) and
is scored with B-cubed precision, recall and F1 (target F1 >= 0.85), per set and pooled. Reprint
chains are scored against the corpus's ``reprint_of`` links.

``--fit``: refit the pair model's weights on story-grouped halves of the labelled sets (3 seeds x 2
folds), print the held-out B-cubed F1 of each fold at a few thresholds, then the weights fitted on
everything (what ``analyze.similarity.WEIGHTS`` holds, rounded).

Scale: ``--scale N`` (default 100,000) synthetic articles (``demo.synthetic``, labelled synthetic)
clustered incrementally, one at a time in publication order; annotations of the sample articles are
made once and reused for their synthetic copies (dates shifted with the copy), so the figure is the
clustering's own (signals from text included). Prints throughput and peak memory (target under 60 s).

    .venv/bin/python bench/cluster.py [--fit] [--scale 100000] [--no-scale]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import random
import resource
import time
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from eurasiawatch.analyze import similarity
from eurasiawatch.analyze.batch import article_signals, cluster_annotated
from eurasiawatch.analyze.reprints import find_reprints
from eurasiawatch.analyze.scores import bcubed, score_links
from eurasiawatch.analyze.similarity import idf_table, pair_features
from eurasiawatch.analyze.stories import DEFAULT_THRESHOLD, StoryClusterer, cluster_signals
from eurasiawatch.annotate import annotate_article, load_kb
from eurasiawatch.demo.corpus import load_corpus
from eurasiawatch.demo.synthetic import synthetic_articles
from eurasiawatch.errors import AnnotationError
from eurasiawatch.records import Annotation, Article

ROOT = Path(__file__).resolve().parent.parent
SETS = {
    "sample-corpus": ROOT / "src" / "eurasiawatch" / "data" / "demo" / "labels.jsonl",
    "tests-eval-stories": ROOT / "tests" / "eval" / "stories.jsonl",
}
TARGET_F1 = 0.85
TARGET_SECONDS = 60.0


def _published(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def read_set(path: Path) -> list[dict]:
    """The rows of a labelled JSON Lines set."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def annotated(rows: list[dict], kb) -> list[tuple[Article, Annotation | None]]:
    """Each row as an article with its annotation (as ``eurasiawatch cluster`` makes them)."""
    out = []
    for r in rows:
        article = Article(
            article_id=r["id"],
            url=r.get("url") or "",
            canonical_url=r.get("url") or "",
            title=r.get("title"),
            text=r.get("text") or "",
            published=_published(r.get("published")),
            language=r.get("language"),
            outlet=r.get("outlet"),
        )
        try:
            annotation = annotate_article(article, kb)
        except AnnotationError:  # a row the annotator rejects is clustered on text alone
            annotation = None
        out.append((article, annotation))
    return out


def quality(sets: dict[str, list[dict]], pairs: dict[str, list]) -> float:
    """Print B-cubed per set and pooled; return the pooled F1."""
    pooled_p = pooled_r = 0.0
    total = 0
    for name, rows in sets.items():
        result = cluster_annotated(pairs[name])
        pred = dict(result.assignments)
        gold = {r["id"]: r["story"] for r in rows}
        p, r, f = bcubed(pred, gold)
        print(
            f"{name:22s} articles={len(rows):4d} stories gold={len(set(gold.values())):3d} "
            f"found={len(result.stories):3d}  B3 P={p:.3f} R={r:.3f} F1={f:.3f}"
        )
        pooled_p += p * len(rows)
        pooled_r += r * len(rows)
        total += len(rows)
    p, r = pooled_p / total, pooled_r / total
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(
        f"{'pooled':22s} articles={total:4d}  B3 P={p:.3f} R={r:.3f} F1={f1:.3f}  "
        f"(target >= {TARGET_F1}) {'ok' if f1 >= TARGET_F1 else 'MISSED'}"
    )
    return f1


def reprint_quality(rows: list[dict], pairs: list) -> None:
    """Print reprint-chain precision and recall against the corpus's ``reprint_of`` links."""
    import yaml

    outlets = yaml.safe_load((ROOT / "src/eurasiawatch/data/demo/outlets.yaml").read_text(encoding="utf-8"))
    state_media = {o["id"]: o.get("state_media_entity") for o in outlets if o.get("kind") == "state-media"}
    result = cluster_annotated(pairs)
    signals = {a.article_id: article_signals(a, ann) for a, ann in pairs}
    texts = {a.article_id: a.text for a, _ in pairs}
    found = find_reprints(signals, dict(result.assignments), texts=texts, state_media_outlets=state_media)
    gold = {(r["id"], r["reprint_of"]) for r in rows if r.get("reprint_of")}
    p, r, f = score_links({(x.article_id, x.source_id) for x in found}, gold)
    print(f"reprints               gold links={len(gold)} found={len(found)}  P={p:.3f} R={r:.3f} F1={f:.3f}")


def _fit_pairs(signals, gold):
    import numpy as np

    df: Counter[str] = Counter()
    for s in signals:
        df.update(s.keys())
    idf = idf_table(df, len(signals))
    x, y = [], []
    for a, b in itertools.combinations(signals, 2):
        if abs(a.day - b.day) <= 14:
            x.append(pair_features(a, b, idf))
            y.append(gold[a.article_id] == gold[b.article_id])
    return np.array(x), np.array(y)


def fit(sets: dict[str, list[dict]], pairs: dict[str, list]) -> None:
    """Story-grouped held-out fits of the pair weights; print held-out F1 and the full fit."""
    from sklearn.linear_model import LogisticRegression

    signals, gold = [], {}
    for name, rows in sets.items():
        for (article, annotation), r in zip(pairs[name], rows, strict=True):
            signals.append(article_signals(article, annotation))
            gold[r["id"]] = f"{name}:{r['story']}"
    thresholds = (0.3, 0.4, 0.5, 0.6)
    held: dict[float, list[float]] = defaultdict(list)
    saved = similarity.WEIGHTS
    for seed in range(3):
        stories = sorted(set(gold.values()))
        random.Random(seed).shuffle(stories)
        for fold in range(2):
            train = set(stories[fold::2])
            tr = [s for s in signals if gold[s.article_id] in train]
            te = [s for s in signals if gold[s.article_id] not in train]
            x, y = _fit_pairs(tr, gold)
            model = LogisticRegression(C=1.0, max_iter=5000).fit(x, y)
            similarity.WEIGHTS = (*model.coef_[0], model.intercept_[0])
            for t in thresholds:
                pred = cluster_signals(te, threshold=t)
                held[t].append(bcubed(pred, {s.article_id: gold[s.article_id] for s in te})[2])
    for t in thresholds:
        print(
            f"held-out threshold={t:.1f}  F1 mean={sum(held[t]) / len(held[t]):.3f}  folds="
            + " ".join(f"{v:.3f}" for v in held[t])
        )
    x, y = _fit_pairs(signals, gold)
    model = LogisticRegression(C=1.0, max_iter=5000).fit(x, y)
    similarity.WEIGHTS = saved
    print("features:", ", ".join(similarity.FEATURES))
    print(
        "fitted weights (intercept last):",
        ", ".join(f"{w:.2f}" for w in (*model.coef_[0], model.intercept_[0])),
    )


def _shift_annotation(annotation: Annotation | None, days: int, article_id: str) -> Annotation | None:
    if annotation is None:
        return None

    def shifted(d: str | None) -> str | None:
        return (date.fromisoformat(d) + timedelta(days=days)).isoformat() if d else d

    events = tuple(replace(e, date=shifted(e.date), end_date=shifted(e.end_date)) for e in annotation.events)
    return replace(annotation, article_id=article_id, events=events)


def scale(count: int, kb) -> None:
    """Cluster ``count`` synthetic articles incrementally; print throughput, memory and B-cubed."""
    corpus = load_corpus()
    base: dict[str, tuple[Annotation | None, date]] = {}
    for a in corpus.articles:
        article = Article(
            article_id=a.id, url="", canonical_url="", title=a.title, text=a.text,
            published=a.published, language=a.language, outlet=a.outlet,
        )  # fmt: skip
        base[a.id] = (annotate_article(article, kb), a.published.date())
    rows = synthetic_articles(corpus, count)  # streamed: rounds come in date order already
    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    clusterer = StoryClusterer(threshold=DEFAULT_THRESHOLD)
    gold: dict[str, str] = {}
    cpu = time.process_time()
    for r in rows:
        gold[r["id"]] = r["story"]
        source_id = r["id"].split("-", 1)[1]
        annotation, original = base[source_id]
        published = _published(r["published"])
        shift = (published.date() - original).days
        article = Article(
            article_id=r["id"], url="", canonical_url="", title=r["title"], text=r["text"],
            published=published, language=r["language"], outlet=r["outlet"],
        )  # fmt: skip
        clusterer.add(article_signals(article, _shift_annotation(annotation, shift, r["id"])))
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pred = clusterer.assignments()
    p, r_, f = bcubed(pred, gold)
    print(
        f"scale (synthetic)      articles={count:,} stories={len(set(pred.values())):,} "
        f"time={elapsed:.1f}s wall, {cpu:.1f}s CPU ({count / elapsed:,.0f} articles/s; "
        f"target < {TARGET_SECONDS:.0f}s) "
        f"{'ok' if cpu < TARGET_SECONDS else 'MISSED'} (judged on CPU: the machine is shared)"
    )
    print(
        f"                       peak RSS={rss_after:.0f} MB "
        f"(before run {rss_before:.0f} MB)  B3 F1 on synthetic labels={f:.3f} (P={p:.3f} R={r_:.3f})"
    )


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="refit the pair weights on held-out splits")
    parser.add_argument("--scale", type=int, default=100_000, help="synthetic articles for the scale run")
    parser.add_argument("--no-scale", action="store_true", help="skip the scale run")
    args = parser.parse_args()
    kb = load_kb()
    sets = {name: read_set(path) for name, path in SETS.items() if path.is_file()}
    pairs = {name: annotated(rows, kb) for name, rows in sets.items()}
    quality(sets, pairs)
    if "sample-corpus" in sets:
        reprint_quality(sets["sample-corpus"], pairs["sample-corpus"])
    if args.fit:
        fit(sets, pairs)
    if not args.no_scale:
        scale(args.scale, kb)


if __name__ == "__main__":
    main()
