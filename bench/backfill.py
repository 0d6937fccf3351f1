"""Benchmark the Dask backfill: generated news pages in WARC files into PostgreSQL, 2 workers vs 1.

The pages are generated (tests/backfill/warcs.py: invented English and Russian news about the region
and China), written once into ``--files`` WARC.gz files under ``bench/.cache/`` (git-ignored). Each
run backfills them into a fresh PostgreSQL schema through a LocalCluster of 1, then 2, single-threaded
worker processes (started before the clock runs, and reused across runs); the median of ``--runs``
wall times per worker count is printed with the pages per second per worker and the 2-vs-1 scaling
(target ≥ 1.7×), then each worker's peak resident memory (target < 1 GB).

    .venv/bin/python bench/backfill.py [--pages 20000] [--files 40] [--runs 3] [--pg-url URL]
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.backfill.warcs

from tests.backfill.warcs import write_news_warcs

from eurasiawatch.backfill import run_backfill
from eurasiawatch.config import Settings
from eurasiawatch.store import open_database

CACHE = Path(__file__).resolve().parent / ".cache"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _inputs(pages: int, files: int) -> Path:
    folder = CACHE / f"backfill-{pages}-{files}"
    if len(list(folder.glob("*.warc.gz"))) != min(files, pages):
        write_news_warcs(folder, pages, files)
    return folder


def _one_run(pg_url: str, inputs: Path, client: object) -> tuple[float, int]:
    schema = f"ew_bench_{secrets.token_hex(4)}"
    settings = Settings(data_dir=str(CACHE / "data"), database_url=pg_url, database_schema=schema)
    db = open_database(settings)
    admin = create_engine(pg_url)
    try:
        db.upgrade()
        started = time.perf_counter()
        report = run_backfill(db, settings, str(inputs), engine="dask", client=client)
        elapsed = time.perf_counter() - started
        assert report.exit_code == 0, [r.error for r in report.failed_files]
        return elapsed, report.total("new")
    finally:
        db.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg-url", default=os.environ.get("EURASIAWATCH_TEST_PG_URL") or DEFAULT_PG)
    args = parser.parse_args()
    from distributed import Client, LocalCluster

    inputs = _inputs(args.pages, args.files)
    print(f"{args.pages} generated pages in {args.files} WARC.gz files; {os.cpu_count()} CPUs; PostgreSQL")
    medians: dict[int, float] = {}
    peaks: dict[int, list[float]] = {}
    for workers in (1, 2):
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, memory_limit="1GiB",
            dashboard_address=":0",
        )  # fmt: skip
        client = Client(cluster)
        try:
            client.wait_for_workers(workers)
            times = []
            for run in range(args.runs):
                elapsed, new = _one_run(args.pg_url, inputs, client)
                times.append(elapsed)
                print(f"  {workers} worker(s), run {run + 1}: {elapsed:.1f} s, {new} articles")
            medians[workers] = statistics.median(times)
            peaks[workers] = sorted(client.run(_peak_rss_mb).values())
        finally:
            client.close()
            cluster.close()
    for workers, seconds in medians.items():
        rate = args.pages / seconds
        print(
            f"{workers} worker(s): median {seconds:.1f} s = {rate:.1f} pages/s "
            f"({rate / workers:.1f} per worker); peak RSS per worker "
            + ", ".join(f"{mb:.0f} MB" for mb in peaks[workers])
        )
    scaling = medians[1] / medians[2]
    print(f"scaling 2 vs 1 workers: {scaling:.2f}x (target >= 1.7x)")
    worst = max(max(p) for p in peaks.values())
    print(f"peak memory per worker: {worst:.0f} MB (target < 1024 MB)")


if __name__ == "__main__":
    main()
