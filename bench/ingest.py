"""Benchmark the whole ingest path against bare trafilatura, and its memory on 10,000 pages.

1. Throughput. The scrapinghub benchmark pages (``../shared/bench/extraction/scrapinghub``) are
   served from a loopback HTTP server behind one RSS feed, and ``pipeline.ingest`` takes them all
   the way: fetch → extract → language → near-duplicates → store (a fresh SQLite file). The
   baseline is bare ``trafilatura.extract`` over the same HTML, in the same process, one page at a
   time. Both sides run in this one process (the server is a thread of it); the ratio is
   ingest pages/s ÷ trafilatura pages/s, and the gate is ≥ 0.7.
2. Memory. A child process ingests 10,000 generated pages (SYNTHETIC: the sample corpus scaled up
   by ``demo.synthetic``, each page marked as sample content) served from its own loopback server
   behind 50 feeds of 200 items, and reports its peak RSS from ``resource.getrusage``. The gate is
   < 500 MB.

    .venv/bin/python bench/ingest.py [--pages 10000] [--data DIR] [--skip-memory] [--skip-throughput]

Exits 1 when a gate is missed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import trafilatura

from eurasiawatch.clock import Clock
from eurasiawatch.config import Settings
from eurasiawatch.extract import extract_article, fingerprint
from eurasiawatch.pipeline import ingest
from eurasiawatch.records import Page, Source
from eurasiawatch.store import open_database, queries

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "bench" / "extraction" / "scrapinghub"
MIN_SPEED_RATIO = 0.7
MAX_RSS_MB = 500
FEEDS = 50
CLOCK = Clock(datetime(2024, 7, 9, 12, 0, tzinfo=UTC))

Responder = Callable[[str], tuple[int, str, bytes]]  # path -> (status, content type, body)


def _serve_forever(kind: str, arg: str, ready: multiprocessing.Queue[str]) -> None:
    """Child process: serve the benchmark pages ("bench", a folder) or synthetic pages ("synthetic",
    a count) on a free 127.0.0.1 port, behind feeds; put the base URL on ``ready`` and serve on."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    respond = _bench_site(Path(arg), base) if kind == "bench" else _synthetic_site(int(arg), base)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            status, content_type, body = respond(urlsplit(self.path).path)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server.RequestHandlerClass = Handler
    server.daemon_threads = True
    ready.put(base)
    server.serve_forever()


@contextmanager
def loopback(kind: str, arg: str) -> Iterator[str]:
    """Run the "remote" sites in their own process, so serving costs the ingest side nothing."""
    context = multiprocessing.get_context("spawn")
    ready: multiprocessing.Queue[str] = context.Queue()
    server = context.Process(target=_serve_forever, args=(kind, arg, ready), daemon=True)
    server.start()
    try:
        yield ready.get(timeout=120)
    finally:
        server.terminate()
        server.join(timeout=10)


def rss(base: str, paths: list[str]) -> bytes:
    """An RSS 2.0 feed linking ``paths`` on ``base``."""
    items = "".join(f"<item><title>{p}</title><link>{base}{p}</link></item>" for p in paths)
    return (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>b</title>{items}</channel></rss>".encode()
    )


def settings_for(data_dir: str, items_per_feed: int) -> Settings:
    """Settings for a loopback run: no politeness delay, no retries, every page kept."""
    return Settings(
        data_dir=data_dir,
        fetch_per_host_delay=0.0,
        fetch_retries=0,
        fetch_timeout=30.0,
        fetch_respect_robots=False,
        fetch_per_host_concurrency=4,
        ingest_min_text_chars=0,
        ingest_max_items_per_feed=items_per_feed,
    )


# -- 1. throughput ---------------------------------------------------------------------------------


def load_pages(folder: Path) -> dict[str, str]:
    """page id -> HTML for the benchmark set."""
    return {
        path.name.removesuffix(".html.gz"): gzip.decompress(path.read_bytes()).decode("utf-8")
        for path in sorted((folder / "html").glob("*.html.gz"))
    }


def bare_speed(pages: dict[str, str]) -> float:
    """Pages/s of bare ``trafilatura.extract`` (comments off), one warm-up call excluded."""
    first = next(iter(pages.values()))
    trafilatura.extract(first, include_comments=False)
    start = time.perf_counter()
    for html in pages.values():
        trafilatura.extract(html, include_comments=False)
    return len(pages) / (time.perf_counter() - start)


def _bench_site(folder: Path, base: str) -> Responder:
    """The benchmark pages at /p/<id>.html behind /feed.xml."""
    bodies = {f"/p/{page_id}.html": html.encode("utf-8") for page_id, html in load_pages(folder).items()}
    feed = rss(base, list(bodies))

    def respond(path: str) -> tuple[int, str, bytes]:
        if path == "/feed.xml":
            return 200, "application/rss+xml", feed
        if path in bodies:
            return 200, "text/html; charset=utf-8", bodies[path]
        return 404, "text/plain", b"not found"

    return respond


def ingest_speed(folder: Path, pages: dict[str, str]) -> tuple[float, dict[str, int]]:
    """Pages/s of the whole ingest path over the benchmark pages, into a fresh SQLite database."""
    with tempfile.TemporaryDirectory() as tmp, loopback("bench", str(folder)) as base:
        settings = settings_for(tmp, len(pages))
        db = open_database(settings)
        db.upgrade()
        # warm-up outside the timing, as for the baseline: model loading and one extraction
        first_id, first_html = next(iter(pages.items()))
        url = f"{base}/p/{first_id}.html"
        extract_article(Page(url=url, final_url=url, html=first_html, fetched_at=CLOCK.now()))
        fingerprint(first_html)
        start = time.perf_counter()
        report = ingest(db, settings, CLOCK, sources=[_source(base + "/feed.xml")])
        elapsed = time.perf_counter() - start
        with db.begin() as conn:
            stored = queries.count_articles(conn)
        db.dispose()
    counts = dict(report.counts) | {"stored": stored}
    return len(pages) / elapsed, counts


def _source(url: str) -> Source:
    return Source(name="bench", url=url, allow_private=True)


# -- 2. memory on 10,000 synthetic pages -----------------------------------------------------------


def synthetic_page(record: dict[str, object]) -> bytes:
    """An article page for one synthetic record, marked as sample content and as synthetic."""
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in str(record["text"]).split("\n\n") if p.strip())
    title = escape(str(record["title"]))
    return (
        f"<!DOCTYPE html><html lang='{record['language']}'><head><meta charset='utf-8'>"
        f"<title>{title}</title><meta name='eurasiawatch:sample' content='true'>"
        f"<meta name='description' content='SYNTHETIC benchmark page {escape(str(record['id']))}'>"
        f"<meta property='article:published_time' content='{record['published']}'></head>"
        f"<body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{paragraphs}</article>"
        f"<footer>Synthetic page generated for a benchmark; not real reporting.</footer></body></html>"
    ).encode()


def _synthetic_site(count: int, base: str) -> Responder:
    """``count`` synthetic pages at /s/<n>.html behind ``FEEDS`` feeds at /feed/<k>.xml."""
    from eurasiawatch.demo.corpus import load_corpus
    from eurasiawatch.demo.synthetic import synthetic_articles

    records = list(synthetic_articles(load_corpus(), count))
    paths = [f"/s/{n}.html" for n in range(len(records))]
    per_feed = -(-len(paths) // FEEDS)
    feeds = {f"/feed/{k}.xml": rss(base, paths[k * per_feed : (k + 1) * per_feed]) for k in range(FEEDS)}

    def respond(path: str) -> tuple[int, str, bytes]:
        if path in feeds:
            return 200, "application/rss+xml", feeds[path]
        number = path[3:-5] if path.startswith("/s/") and path.endswith(".html") else ""
        if number.isdigit() and int(number) < len(records):
            return 200, "text/html; charset=utf-8", synthetic_page(records[int(number)])
        return 404, "text/plain", b"not found"

    return respond


def _memory_child(count: int, out: multiprocessing.Queue[str]) -> None:
    """Ingest ``count`` synthetic pages; put a JSON line with peak RSS, time and counts."""
    per_feed = -(-count // FEEDS)
    with tempfile.TemporaryDirectory() as tmp, loopback("synthetic", str(count)) as base:
        sources = [
            Source(name=f"synthetic-{k}", url=f"{base}/feed/{k}.xml", allow_private=True)
            for k in range(FEEDS)
        ]
        settings = settings_for(tmp, per_feed)
        db = open_database(settings)
        db.upgrade()
        start = time.perf_counter()
        report = ingest(db, settings, CLOCK, sources=sources)
        elapsed = time.perf_counter() - start
        with db.begin() as conn:
            stored = queries.count_articles(conn)
            linked = queries.count_near_duplicates(conn)
        db.dispose()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    out.put(
        json.dumps(
            {
                "peak_rss_mb": peak_kb / 1024,
                "seconds": elapsed,
                "stored": stored,
                "linked": linked,
                "failed": len(report.failures),
                "pages": count,
            }
        )
    )


def memory_run(count: int) -> dict[str, float]:
    """Run the synthetic ingest in a fresh child process and return what it reported."""
    context = multiprocessing.get_context("spawn")  # a clean interpreter: nothing inherited
    queue: multiprocessing.Queue[str] = context.Queue()
    child = context.Process(target=_memory_child, args=(count, queue))
    child.start()
    result = json.loads(queue.get())
    child.join()
    return result  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print the comparison; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder holding html/*.html.gz")
    parser.add_argument("--pages", type=int, default=10_000, help="synthetic pages for the memory run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating throughput rounds")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args(argv)
    ok = True
    if not args.skip_throughput:
        pages = load_pages(args.data)
        # Alternate the two sides and keep each one's best round: on a shared machine that is the
        # figure least disturbed by other load, and both sides get the same chance.
        base = mine = 0.0
        counts: dict[str, int] = {}
        for _ in range(args.rounds):
            base = max(base, bare_speed(pages))
            speed, counts = ingest_speed(args.data, pages)
            mine = max(mine, speed)
        ratio = mine / base
        print(f"{len(pages)} pages from {args.data}, best of {args.rounds} alternating rounds")
        print(f"bare trafilatura.extract        {base:7.1f} pages/s")
        print(f"ingest (fetch→extract→store)    {mine:7.1f} pages/s   {counts}")
        print(f"speed ratio {ratio:.2f}x (gate {MIN_SPEED_RATIO}x)")
        ok &= ratio >= MIN_SPEED_RATIO
    if not args.skip_memory:
        result = memory_run(args.pages)
        print(
            f"{result['pages']} SYNTHETIC pages: {result['stored']} stored "
            f"({result['linked']} linked as near-duplicates), {result['failed']} failed, "
            f"{result['seconds']:.0f} s ({result['pages'] / result['seconds']:.0f} pages/s), "
            f"peak RSS {result['peak_rss_mb']:.0f} MB (gate {MAX_RSS_MB} MB)"
        )
        ok &= result["peak_rss_mb"] < MAX_RSS_MB
    if not ok:
        print("FAIL: below a gate", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
