"""Error analysis for themes: precision, recall and F1 per theme and set, and each error with its scores.

Annotates every case of the gold sets as ``eurasiawatch annotate`` does (language detected), then
re-scores themes with the lexicon alone, so a lexicon edit is seen without re-running the rest
(``--cache FILE`` keeps the annotated text, language and mentions between runs; delete it after a
change to the knowledge base or the text preparation). Prints micro F1 per set (as the shared
``score.py`` counts it), per theme F1 with false positives / false negatives, and with ``--show``
each error with the theme's score, the threshold it had to reach and the terms that matched.

    .venv/bin/python bench/themes_errors.py [--set dev|sample|gold ...] [--show] [--theme energy]
"""

from __future__ import annotations

import argparse
import json
import pickle
from collections import Counter
from pathlib import Path

from eurasiawatch.annotate import annotate_text
from eurasiawatch.annotate import themes as th
from eurasiawatch.annotate.lexicons import load_lexicon
from eurasiawatch.annotate.normalize import prepare_text

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "eval" / "annotate"
SETS = {
    "dev": SHARED / "dev.jsonl",
    "sample": ROOT / "src" / "eurasiawatch" / "data" / "demo" / "labels.jsonl",
    "gold": ROOT / "tests" / "eval" / "gold.jsonl",
}


def _prepared(name: str, cache: dict) -> list[tuple[dict, str, str, tuple]]:  # type: ignore[type-arg]
    """(case, document text, language, mentions) per case, annotated once."""
    rows = []
    for line in SETS[name].read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        case = json.loads(line)
        key = (name, case["id"])
        if key not in cache:
            ann = annotate_text(case["text"], title=case.get("title"), article_id=case["id"])
            title = prepare_text(case["title"].strip()) if (case.get("title") or "").strip() else ""
            body = prepare_text(case["text"])
            doc = f"{title}\n\n{body}" if title else body
            cache[key] = (doc, ann.language, ann.mentions)
        rows.append((case, *cache[key]))
    return rows


def _terms(doc: str, lang: str, theme: str) -> str:
    """The strong and weak words that matched for ``theme`` (after "not" phrases)."""
    found = th._scan(doc, th._lang(lang))
    if found is None:
        return "?"
    i = th.THEMES.index(theme)
    strong, weak, neg = found[3 * i : 3 * i + 3]
    strong, weak = th._outside(strong, neg), th._outside(weak, neg)
    return f"strong {sorted({s for *_, s in strong})} weak {sorted({s for *_, s in weak})}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", action="append", choices=sorted(SETS))
    ap.add_argument("--show", action="store_true", help="print every error with its score and terms")
    ap.add_argument("--theme", help="only this theme's errors")
    ap.add_argument("--cache", type=Path, help="keep annotations here between runs")
    a = ap.parse_args()
    cache: dict = {}  # type: ignore[type-arg]
    if a.cache and a.cache.exists():
        cache = pickle.loads(a.cache.read_bytes())  # a file this script wrote
    lex = load_lexicon("themes")
    for name in a.set or ["dev", "sample", "gold"]:
        counts: dict[str, Counter[str]] = {t: Counter() for t in th.THEMES}
        errors = []
        for case, doc, lang, mentions in _prepared(name, cache):
            gold = set(case["gold"]["themes"])
            pred = set(th.lexicon_themes(doc, lang, mentions))
            scores = th.theme_scores(doc, lang, mentions)
            factor = th.length_factor(len(doc))
            for t in th.THEMES:
                kind = "tp" if t in gold and t in pred else "fp" if t in pred else "fn" if t in gold else ""
                if kind:
                    counts[t][kind] += 1
                if kind in ("fp", "fn") and (a.theme in (None, t)):
                    need = factor * float(lex.get("thresholds", {}).get(t, lex["threshold"]))
                    errors.append(
                        f"  {kind} {t:11} {case['id']:10} {lang} score {scores[t]:.1f} need {need:.1f} "
                        f"({len(doc)} ch) {_terms(doc, lang, t)}"
                    )
        total = sum((c for c in counts.values()), Counter())
        p = total["tp"] / max(total["tp"] + total["fp"], 1)
        r = total["tp"] / max(total["tp"] + total["fn"], 1)
        print(f"{name}: themes F1 {2 * p * r / max(p + r, 1e-9):.3f} (P {p:.3f} R {r:.3f})")
        for t, c in counts.items():
            f = 2 * c["tp"] / max(2 * c["tp"] + c["fp"] + c["fn"], 1)
            print(f"  {t:11} F1 {f:.2f} ({c['fp']}/{c['fn']})  tp {c['tp']}")
        if a.show:
            print("\n".join(errors))
    if a.cache:
        a.cache.write_bytes(pickle.dumps(cache))


if __name__ == "__main__":
    main()
