"""Benchmark ``annotate_text``: quality on the gold sets, speed against extraction, KB load, memory.

Quality: every gold set present (``../shared/eval/annotate/dev.jsonl``, the sample corpus's
``labels.jsonl``, ``tests/eval/gold.jsonl``) is annotated and scored by the shared ``score.py``; its
last line is printed per set. Speed, per language, in this one process, over the sample corpus's
pages as the demo serves them: annotating an article vs ``trafilatura.extract`` on its page (target:
under 0.5×), and the same for matching, countries and entities alone (themes and events excluded). Also the
knowledge-base load time in a fresh process (target under 1 s), the matcher build time, and the peak
RSS of this process (target under 400 MB).

    .venv/bin/python bench/annotate.py [--repeat 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import trafilatura

from eurasiawatch.annotate import annotate_text, annotation_record, get_matcher, load_gazetteer, load_kb
from eurasiawatch.annotate.countries import ArticleContext, resolve_countries
from eurasiawatch.annotate.entities import resolve_entities
from eurasiawatch.annotate.normalize import prepare_text, tokenize

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "eval" / "annotate"
GOLD_SETS = {
    "dev": SHARED / "dev.jsonl",
    "sample-corpus": ROOT / "src" / "eurasiawatch" / "data" / "demo" / "labels.jsonl",
    "tests-eval": ROOT / "tests" / "eval" / "gold.jsonl",
}
MAX_SPEED_RATIO = 0.5
MAX_KB_LOAD = 1.0
MAX_RSS_MB = 400


def read_cases(path: Path) -> list[dict]:
    """The cases of a gold file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def predict(cases: list[dict]) -> list[dict]:
    """The ``annotate --format jsonl`` record of every case (language detected, as the CLI does)."""
    out = []
    for case in cases:
        ann = annotate_text(
            case["text"], title=case.get("title"), published=case.get("published"), article_id=case["id"]
        )
        out.append(annotation_record(ann))
    return out


def score(gold: Path, predictions: list[dict], keep: Path | None) -> str:
    """The last line of the shared scorer for these predictions."""
    with tempfile.TemporaryDirectory() as tmp:
        pred = (keep or Path(tmp)) / f"{gold.stem}.pred.jsonl"
        pred.parent.mkdir(parents=True, exist_ok=True)
        pred.write_text(
            "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in predictions), encoding="utf-8"
        )
        result = subprocess.run(
            [sys.executable, str(SHARED / "score.py"), str(gold), str(pred)],
            capture_output=True,
            text=True,
            check=False,
        )
    lines = result.stdout.strip().splitlines()
    return lines[-1] if lines else result.stderr.strip()


def sample_pages() -> list[tuple[str, str, str, str, str]]:
    """(language, title, text, published, page HTML) of every sample-corpus article, as the demo serves it."""
    from eurasiawatch.demo.corpus import load_corpus
    from eurasiawatch.demo.site import article_path, build_site

    corpus = load_corpus()
    site = build_site(corpus, "http://127.0.0.1:8000")
    return [
        (a.language, a.title, a.text, a.published.date().isoformat(), site[article_path(a)].body.decode())
        for a in corpus.articles
    ]


def _names_only(text: str, title: str, language: str) -> None:
    """Matching, countries and entities, without themes and events (written separately)."""
    kb = load_kb()
    doc = prepare_text(f"{title}\n\n{text}")
    tokens = tokenize(doc)
    ctx = ArticleContext.build(tokens, language, get_matcher(kb, language).match(tokens))
    countries = resolve_countries(ctx, kb, gazetteer=load_gazetteer())
    resolve_entities(ctx, kb, countries=frozenset(m.key for m in countries))


def speed(repeat: int) -> dict[str, tuple[int, float, float, float]]:
    """Per language: (articles, annotate s, names-only s, trafilatura s), best of ``repeat`` runs."""
    by_lang: dict[str, list[tuple[str, str, str, str, str]]] = defaultdict(list)
    for row in sample_pages():
        by_lang[row[0]].append(row)
    out = {}
    for lang, group in sorted(by_lang.items()):
        best = [float("inf")] * 3
        for _ in range(repeat):
            t0 = time.perf_counter()
            for _, title, text, published, _page in group:
                annotate_text(text, title=title, language=lang, published=published)
            t1 = time.perf_counter()
            for _, title, text, _published, _page in group:
                _names_only(text, title, lang)
            t2 = time.perf_counter()
            for *_, page in group:
                trafilatura.extract(page)
            t3 = time.perf_counter()
            best = [min(b, x) for b, x in zip(best, (t1 - t0, t2 - t1, t3 - t2), strict=True)]
        out[lang] = (len(group), *best)
    return out


def kb_load_seconds() -> float:
    """Loading the knowledge base in a fresh process (nothing cached)."""
    code = "import time; t=time.perf_counter(); from eurasiawatch.annotate import load_kb; load_kb(); "
    code += "print(time.perf_counter()-t)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(result.stdout.strip())


def main() -> int:
    """Run the benchmark and print its figures; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the prediction files in this folder")
    args = parser.parse_args()
    ok = True
    load = kb_load_seconds()
    kb = load_kb()
    t = time.perf_counter()
    load_gazetteer()
    gazetteer_s = time.perf_counter() - t
    t = time.perf_counter()
    for lang in ("en", "ru", "uk", "kk", "hu", "ro"):
        get_matcher(kb, lang)
    build_s = time.perf_counter() - t
    print(f"knowledge base load (fresh process): {load:.2f} s (target < {MAX_KB_LOAD} s)")
    print(f"gazetteer load: {gazetteer_s:.2f} s; matchers built (6 rule families): {build_s:.2f} s")
    ok &= load < MAX_KB_LOAD
    for name, path in GOLD_SETS.items():
        if not path.exists():
            print(f"{name}: {path} not present, skipped")
            continue
        cases = read_cases(path)
        print(f"{name}: {score(path, predict(cases), args.keep)}")
    print("speed per language (sample corpus pages): annotate vs trafilatura.extract on the article's page")
    for lang, (n, ann_s, names_s, traf_s) in speed(args.repeat).items():
        ratio, names_ratio = ann_s / traf_s, names_s / traf_s
        print(
            f"  {lang}: {n:3d} articles, trafilatura {1000 * traf_s / n:5.2f} ms, "
            f"annotate {1000 * ann_s / n:6.2f} ms ({ratio:5.2f}x), "
            f"names only {1000 * names_s / n:5.2f} ms ({names_ratio:4.2f}x)"
        )
        ok &= ratio < MAX_SPEED_RATIO
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {rss:.0f} MB (target < {MAX_RSS_MB} MB)")
    ok &= rss < MAX_RSS_MB
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
