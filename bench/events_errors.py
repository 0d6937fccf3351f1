"""Error analysis for PLOVER events: false positives and misses per type, with the evidence sentence.

Annotates every case of the gold sets (as ``eurasiawatch annotate`` does: language detected), matches
events with the shared scorer's own ``event_match`` (type, mode where the gold sets one, actors, date),
and prints per set: the events F1 (recall over required events, precision over predictions matching
any gold event), counts of false positives and misses per type, and, with ``--show``, each error with
the reason it failed (wrong type, mode, actors or date) and the sentence it came from.

    .venv/bin/python bench/events_errors.py [--set dev|sample|gold ...] [--show fp,fn] [--type AGREE]
    .venv/bin/python bench/events_errors.py --speed   # CPU time of extract_events vs trafilatura.extract

``--speed`` times ``extract_events`` alone (mentions found beforehand) against ``trafilatura.extract``
on the same sample-corpus pages, per language, in CPU time (best of 3; wall time on a shared machine
swings too much to compare).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path

from eurasiawatch.annotate import annotate_text, annotation_record

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "eval" / "annotate"
SETS = {
    "dev": SHARED / "dev.jsonl",
    "sample": ROOT / "src" / "eurasiawatch" / "data" / "demo" / "labels.jsonl",
    "gold": ROOT / "tests" / "eval" / "gold.jsonl",
}


def _scorer():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("ew_score", SHARED / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _why(pred: dict, gold_events: list[dict], match) -> str:  # type: ignore[no-untyped-def]
    """Why a predicted event matches no gold event: the nearest gold event of its type and what differs."""
    same = [g for g in gold_events if g["type"] == pred["type"]]
    if not same:
        return "type not in gold " + str(sorted({g["type"] for g in gold_events}))
    reasons = []
    for g in same:
        bits = []
        if "mode" in g and (pred.get("mode") or "asserted") != g["mode"]:
            bits.append(f"mode {pred.get('mode')}≠{g['mode']}")
        actors = {a["country"] for a in pred["actors"]}
        if not set(g["actors"]) <= actors and len(set(g["actors"]) & actors) < 2:
            bits.append(f"actors {sorted(actors)}≠{g['actors']}")
        if g["date"] and (pred.get("date") or "")[:10] != g["date"]:
            bits.append(f"date {pred.get('date')}≠{g['date']}")
        reasons.append(", ".join(bits))
    return " | ".join(reasons)


def speed() -> None:
    """Per language: CPU ms per article of event extraction and of trafilatura on its page."""
    import time
    from collections import defaultdict
    from datetime import date

    import trafilatura

    from eurasiawatch.annotate.events import extract_events
    from eurasiawatch.annotate.normalize import prepare_text

    sys.path.insert(0, str(ROOT / "bench"))
    from annotate import sample_pages  # the pages as the demo serves them

    rows: dict[str, list[tuple[str, str, date, tuple]]] = defaultdict(list)  # type: ignore[type-arg]
    pages: dict[str, list[str]] = defaultdict(list)
    for lang, title, text, published, html in sample_pages():
        ann = annotate_text(text, title=title, language=lang, published=published)
        doc = f"{prepare_text(title.strip())}\n\n{prepare_text(text)}"
        rows[lang].append((doc, lang, date.fromisoformat(published), ann.mentions))
        pages[lang].append(html)

    def best(fn, items) -> float:  # type: ignore[no-untyped-def]
        times = []
        for _ in range(3):
            t0 = time.process_time()
            for item in items:
                fn(item)
            times.append(time.process_time() - t0)
        return 1000 * min(times) / len(items)

    for lang in sorted(rows):
        events_ms = best(lambda a: extract_events(*a), rows[lang])
        extract_ms = best(trafilatura.extract, pages[lang])
        print(
            f"{lang}: {len(rows[lang]):3d} articles, trafilatura {extract_ms:.2f} ms, "
            f"events {events_ms:.2f} ms ({events_ms / extract_ms:.2f}x)"
        )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--speed", action="store_true", help="time event extraction against trafilatura")
    ap.add_argument("--set", action="append", choices=sorted(SETS), help="default: all three")
    ap.add_argument("--show", default="", help="fp, fn or fp,fn: print each error")
    ap.add_argument("--type", help="only errors of this PLOVER type")
    ap.add_argument("--id", help="only this case")
    a = ap.parse_args()
    if a.speed:
        speed()
        return 0
    score = _scorer()
    show = set(filter(None, a.show.split(",")))
    for name in a.set or list(SETS):
        path = SETS[name]
        if not path.exists():
            print(f"{name}: {path} missing", file=sys.stderr)
            continue
        cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        fp_by: Counter[str] = Counter()
        fn_by: Counter[str] = Counter()
        why_by: Counter[str] = Counter()
        req = hit = npred = ok = 0
        for case in cases:
            if a.id and case["id"] != a.id:
                continue
            ann = annotate_text(
                case["text"], title=case.get("title"), published=case.get("published"), article_id=case["id"]
            )
            rec = annotation_record(ann)
            gold = case["gold"]["events"]
            for p in rec["events"]:
                npred += 1
                if any(score.event_match(p, g) for g in gold):
                    ok += 1
                    continue
                fp_by[p["type"]] += 1
                why = _why(p, gold, score.event_match)
                why_by[why.split(" ")[0] if why.startswith("type") else "attrs"] += 1
                if "fp" in show and (not a.type or a.type == p["type"]):
                    actors = [x["country"] for x in p["actors"]]
                    print(f"FP {case['id']} {p['type']} {p['mode']} {p['date']} {actors} — {why}")
                    print(f"     {p['evidence'][:300]}")
            for g in gold:
                if not g["required"]:
                    continue
                req += 1
                if any(score.event_match(p, g) for p in rec["events"]):
                    hit += 1
                    continue
                fn_by[g["type"]] += 1
                if "fn" in show and (not a.type or a.type == g["type"]):
                    got = [
                        (p["type"], p["mode"], p["date"], [x["country"] for x in p["actors"]])
                        for p in rec["events"]
                    ]
                    mode = g.get("mode", "")
                    print(f"FN {case['id']} {g['type']} {mode} {g['date']} {g['actors']}; got {got}")
        r = hit / req if req else 1.0
        p = ok / npred if npred else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        print(f"== {name}: events F1 {f:.3f} (P {p:.3f} {ok}/{npred}, R {r:.3f} {hit}/{req})")
        print(f"   FP by type {dict(fp_by.most_common())}; FP why {dict(why_by)}")
        print(f"   FN by type {dict(fn_by.most_common())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
