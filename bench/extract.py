"""Benchmark ``extract_article`` against bare trafilatura on the shared extraction benchmark.

Both run in this one process, one page at a time (a single-core figure), over the same pages;
the F1 comes from the shared scorer (``score.py``). Exits 1 when our F1 is more than 0.005 below
trafilatura's or our speed is under 0.7× trafilatura's.

    .venv/bin/python bench/extract.py [--data ../shared/bench/extraction] [--split all|tune|holdout]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.util
import json
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import trafilatura

from eurasiawatch.errors import ExtractionError
from eurasiawatch.extract import extract_article
from eurasiawatch.records import Page

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "bench" / "extraction"
MIN_F1_MARGIN = -0.005
MIN_SPEED_RATIO = 0.7


def load_scorer(data: Path) -> ModuleType:
    """Import the shared ``score.py`` from the benchmark folder."""
    spec = importlib.util.spec_from_file_location("_extraction_score", data / "score.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"no score.py in {data}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def in_split(page_id: str, split: str) -> bool:
    """Deterministic half split by a hash of the page id: 'tune' and 'holdout' are disjoint."""
    if split == "all":
        return True
    even = int(hashlib.sha256(page_id.encode()).hexdigest(), 16) % 2 == 0
    return even if split == "tune" else not even


def load_pages(folder: Path, split: str) -> tuple[dict[str, str], dict[str, str]]:
    """(page_id -> html, page_id -> url) for the pages in the split."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages, urls = {}, {}
    for path in sorted((folder / "html").glob("*.html.gz")):
        page_id = path.name.removesuffix(".html.gz")
        if in_split(page_id, split):
            pages[page_id] = gzip.decompress(path.read_bytes()).decode("utf-8")
            urls[page_id] = (truth.get(page_id) or {}).get("url") or ""
    return pages, urls


def timed(
    fn: Callable[[str, str], str], pages: dict[str, str], urls: dict[str, str]
) -> tuple[dict[str, str], float]:
    """Run an extractor over all pages; returns outputs and pages/second (one warm-up call excluded)."""
    first = next(iter(pages))
    fn(pages[first], urls[first])
    out: dict[str, str] = {}
    start = time.perf_counter()
    for page_id, html in pages.items():
        out[page_id] = fn(html, urls[page_id])
    return out, len(pages) / (time.perf_counter() - start)


def ours(html: str, url: str) -> str:
    """Our extractor, text only; a page we refuse counts as empty output."""
    page = Page(url=url or "https://example.invalid/", final_url=url or "", html=html, fetched_at=_NOW)
    try:
        return extract_article(page).text
    except ExtractionError:
        return ""


def bare(html: str, url: str) -> str:
    """trafilatura with default settings and comments off: the baseline."""
    return trafilatura.extract(html, url=url or None, include_comments=False) or ""


_NOW = datetime(2024, 1, 1, tzinfo=UTC)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the comparison; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="benchmark folder holding score.py")
    parser.add_argument(
        "--set", default="scrapinghub", help="data set inside --data (html/ + ground-truth.json)"
    )
    parser.add_argument("--split", choices=("all", "tune", "holdout"), default="all")
    parser.add_argument("--out", type=Path, help="write per-page outputs (<id>.txt) under this folder")
    args = parser.parse_args(argv)
    scorer = load_scorer(args.data)
    folder = args.data / args.set
    truth = {
        k: v for k, v in scorer.load_truth(folder / "ground-truth.json").items() if in_split(k, args.split)
    }
    pages, urls = load_pages(folder, args.split)
    results = {}
    for name, fn in (("trafilatura", bare), ("eurasiawatch", ours)):
        out, speed = timed(fn, pages, urls)
        results[name] = (scorer.score(truth, out), speed)
        if args.out:
            target = args.out / name
            target.mkdir(parents=True, exist_ok=True)
            for page_id, text in out.items():
                (target / f"{page_id}.txt").write_text(text, encoding="utf-8")
    print(f"{len(pages)} pages ({args.split}) from {folder}")
    print(scorer.HEADER + f"{'pages/s':>9}")
    for name, (metrics, speed) in results.items():
        print(scorer.format_row(name, metrics, f"{speed:>9.1f}"))
    (base, base_speed), (mine, my_speed) = results["trafilatura"], results["eurasiawatch"]
    delta, ratio = mine["F1"] - base["F1"], my_speed / base_speed
    print(f"F1 difference {delta:+.4f}   speed ratio {ratio:.2f}x")
    if delta < MIN_F1_MARGIN or ratio < MIN_SPEED_RATIO:
        print("FAIL: below the gate (F1 within 0.005 of trafilatura, speed at least 0.7x)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
