"""Load the desk at a fixed arrival rate: dashboard (signed in) and search over 1,000,000 articles.

Every article is SYNTHETIC: the database is ``bench/desk_db.py``'s (``bench/make_synthetic_db.py``'s
texts and search index plus a desk layer of annotations, mentions, events, sources and stories),
built once and cached as ``<data dir>/bench/desk_<N>.db``; ``bench/dashboard.py`` uses the same file.

Then ``eurasiawatch serve`` runs in its own process on a free loopback port (``--as-of`` one
minute after the newest article), a desk user is signed in through the accounts library, and an
open-loop client (asyncio streams, keep-alive) starts requests on a fixed schedule whether or not earlier ones
have finished; latency counts from the scheduled start, so a server that falls behind is charged
for the queue. Half the requests are ``GET /desk/`` (the dashboard, a 14-day window — the
per-window cache is warm after the first), half a search with a filter (``/desk/search`` when the
desk has it, else ``/api/v1/search`` with the same session) over a fixed list of queries.

Printed: errors, p50/p95/p99 per endpoint at 20 requests/s for 60 s; a baseline (``/healthz`` and a
static file from the same server at the same rate, same run) and the ratio to it; then the rate
is stepped up (shorter steps) to find the highest rate whose p95 stays under 500 ms.

    .venv/bin/python bench/desk_load.py [--articles 1000000] [--rate 20] [--seconds 60]
                                        [--step-seconds 20] [--max-rate 320] [--fresh-searches]

The ten queries repeat, so after the first minute the server answers most searches from its
memory of recent ones (``analyze/search_cache.py``); ``--fresh-searches`` makes each one new
(an extra excluded word that occurs nowhere: same results) to measure the uncached cost.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from desk_db import SECRET, bench_settings, desk_database, ms, signed_in_session

from eurasiawatch.config import load_settings

# (words, filters): searches an editor might type; filters use the facets the index holds
QUERIES = (
    ("Китай", {"country": "KZ"}),
    ("China", {"theme": "energy"}),
    ("railway", {"country": "UZ"}),
    ("loan", {}),
    ("Si", {"country": "RS", "theme": "investment"}),
    ("Кытай", {}),
    ("pipeline", {"theme": "energy"}),
    ("Belgrade", {"country": "RS"}),
    ("bank", {"theme": "trade"}),
    ("Xi", {"country": "HU"}),
)
P95_LIMIT = 0.5


# --------------------------------------------------------------------------------------------------
# the server


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    base: str
    cookie: str


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(path: Path, data_dir: Path, now: datetime) -> Server:
    """``eurasiawatch serve`` in a child process over the database; a signed-in session for it."""
    env = {
        **os.environ,
        "EURASIAWATCH_DATA_DIR": str(data_dir),
        "EURASIAWATCH_DATABASE_URL": f"sqlite:///{path}",
        "EURASIAWATCH_WEB__SECRET_KEY": SECRET,
        "EURASIAWATCH_DELIVER__SCHEDULER": "false",
        "EURASIAWATCH_LOG_LEVEL": "WARNING",  # no access log line per request
        "EURASIAWATCH_DESK__ARGON2_MEMORY_KIB": "1024",
        "EURASIAWATCH_DESK__ARGON2_TIME_COST": "1",
    }
    session = signed_in_session(bench_settings(path, data_dir), now, prefix="load")
    port = _free_port()
    exe = Path(sys.executable).with_name("eurasiawatch")
    log = (data_dir / "desk_load-serve.log").open("ab")  # never a pipe nobody reads: it would fill and block
    proc = subprocess.Popen(
        [str(exe), "--as-of", now.isoformat(), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = (data_dir / "desk_load-serve.log").read_text(errors="replace")[-2000:]
            raise SystemExit(f"serve exited: {tail}")
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code in (200, 503):
                return Server(proc, base, session)
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("serve did not start in 120 s")


# --------------------------------------------------------------------------------------------------
# the load


@dataclass
class Result:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    late_starts: int = 0  # requests the client itself started more than 50 ms behind schedule

    def p(self, name: str, q: float) -> float:
        values = sorted(self.latencies[name])
        if not values:
            return float("nan")
        return values[min(len(values) - 1, int(q * len(values)))]

    def all(self) -> list[float]:
        return [v for values in self.latencies.values() for v in values]


def _targets(kind: str, search_path: str) -> list[tuple[str, str, dict[str, str]]]:
    """(name, path, query params) in the order the schedule cycles through them."""
    if kind == "desk":
        out = []
        for words, filters in QUERIES:
            out.append(("dashboard", "/desk/", {}))
            out.append(("search", search_path, {"q": words, **filters}))
        return out
    return [("healthz", "/healthz", {}), ("static", "/static/desk.css", {})]


class RawClient:
    """A lean HTTP/1.1 client on asyncio streams with keep-alive connections.

    httpx costs a few milliseconds of CPU per request; on a crowded machine that alone made the
    client fall behind its own schedule. This one writes the request line and headers itself and
    reads ``Content-Length`` or chunked bodies; enough for loopback GETs to this server.
    """

    def __init__(self, base: str, cookie: str, timeout: float = 30.0) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.cookie, self.timeout = cookie, timeout
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def get(self, path: str, params: dict[str, str]) -> int:
        """GET the path; returns the status (the body is read and dropped)."""
        target = path + ("?" + urlencode(params) if params else "")
        while self.idle:  # a kept-alive connection the server may have closed meanwhile: retry afresh
            conn = self.idle.pop()
            try:
                return await self._on(conn, target)
            except (asyncio.IncompleteReadError, ConnectionError):
                continue
        return await self._on(await asyncio.open_connection(self.host, self.port), target)

    async def _on(self, conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], target: str) -> int:
        reader, writer = conn
        try:
            status = await asyncio.wait_for(self._exchange(reader, writer, target), self.timeout)
        except BaseException:
            writer.close()
            raise
        self.idle.append(conn)
        return status

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, target: str) -> int:
        writer.write(
            f"GET {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Cookie: ew_session={self.cookie}\r\nConnection: keep-alive\r\n\r\n".encode()
        )
        await writer.drain()
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split()[1])
        fields = {
            k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:] if line)
        }
        if "content-length" in fields:
            await reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await reader.readexactly(size + 2)
                if size == 0:
                    break
        return status

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


_FRESH = itertools.count()


async def run_load(
    server: Server, kind: str, rate: float, seconds: float, search_path: str, *, fresh: bool = False
) -> Result:
    """Open loop: request i starts at t0 + i/rate, whatever happened to the earlier ones.

    ``fresh``: every search excludes a different word that occurs nowhere (``-zq17``), so its
    results are the same but the server's memory of recent searches never has it.
    """
    result = Result()
    targets = _targets(kind, search_path)
    client = RawClient(server.base, server.cookie)

    async def one(i: int, scheduled: float) -> None:
        name, path, params = targets[i % len(targets)]
        if fresh and name == "search":
            params = {**params, "q": f"{params['q']} -zq{next(_FRESH)}"}
        try:
            status = await client.get(path, params)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            result.errors[name].append(type(exc).__name__)
            return
        if status != 200:
            result.errors[name].append(f"HTTP {status}")
            return
        result.latencies[name].append(time.perf_counter() - scheduled)

    total = int(rate * seconds)
    t0 = time.perf_counter() + 0.2
    tasks = []
    for i in range(total):
        scheduled = t0 + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -0.05:
            result.late_starts += 1
        tasks.append(asyncio.create_task(one(i, scheduled)))
    await asyncio.gather(*tasks)
    client.close()
    return result


def report(label: str, result: Result, rate: float, seconds: float) -> None:
    errors = sum(len(e) for e in result.errors.values())
    print(
        f"{label}: {rate:g} requests/s for {seconds:g} s, {errors} errors, {result.late_starts} late starts"
    )
    for name in sorted(result.latencies):
        values = result.latencies[name]
        print(
            f"  {name:<10} n={len(values):>5}  p50 {ms(result.p(name, 0.50)):>8}  "
            f"p95 {ms(result.p(name, 0.95)):>8}  p99 {ms(result.p(name, 0.99)):>8}  "
            f"max {ms(max(values)):>8}"
        )
    for name, errs in result.errors.items():
        print(f"  {name}: errors {sorted(set(errs))[:5]} ×{len(errs)}")


def _p95(result: Result) -> float:
    values = sorted(result.all())
    return values[min(len(values) - 1, int(0.95 * len(values)))] if values else float("inf")


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--step-seconds", type=float, default=20.0)
    parser.add_argument("--max-rate", type=float, default=320.0)
    parser.add_argument("--data-dir", type=Path, default=None, help="default: the configured data dir")
    parser.add_argument(
        "--fresh-searches",
        action="store_true",
        help="make every search new to the server (same results, never from its memory of recent ones)",
    )
    args = parser.parse_args()

    root = args.data_dir or load_settings().data_path
    data_dir = root / "bench"
    started = time.perf_counter()
    path, last = desk_database(root, args.articles)
    last = last.replace(tzinfo=UTC)
    took = time.perf_counter() - started
    print(f"SYNTHETIC database {path} ({args.articles:,} articles, ready in {took:.0f} s)")
    now = last + timedelta(minutes=1)
    server = start_server(path, data_dir, now)
    try:
        cookies = {"ew_session": server.cookie}
        probe = httpx.get(server.base + "/desk/search", params={"q": "China"}, cookies=cookies, timeout=120)
        search_path = "/desk/search" if probe.status_code == 200 else "/api/v1/search"
        print(
            f"search endpoint: {search_path}"
            + ("" if probe.status_code == 200 else " (no desk search page yet)")
        )
        t = time.perf_counter()
        first = httpx.get(server.base + "/desk/", cookies=cookies, timeout=300)
        assert first.status_code == 200, first.text[:300]
        print(f"first GET /desk/ (builds the window's panels): {ms(time.perf_counter() - t)}")

        base_result = asyncio.run(run_load(server, "baseline", args.rate, args.step_seconds, search_path))
        report("baseline (/healthz, /static/desk.css)", base_result, args.rate, args.step_seconds)
        desk = asyncio.run(
            run_load(server, "desk", args.rate, args.seconds, search_path, fresh=args.fresh_searches)
        )
        label = "desk (dashboard, search" + (", every search new)" if args.fresh_searches else ")")
        report(label, desk, args.rate, args.seconds)
        base_p95 = _p95(base_result)
        print(
            f"ratio p95 desk / p95 baseline: {_p95(desk) / base_p95:.1f}x "
            f"({ms(_p95(desk))} / {ms(base_p95)}); "
            f"p50 {statistics.median(desk.all()) / statistics.median(base_result.all()):.1f}x"
        )

        def passes(result: Result) -> bool:
            return _p95(result) < P95_LIMIT and not result.errors

        # step up from the fixed rate while p95 stays under the limit; if it does not hold at the
        # fixed rate, step down instead, halving, to 1 request/s
        best, rate = (args.rate, args.rate * 2) if passes(desk) else (0.0, args.rate / 2)
        going_up = best > 0
        while 1 <= rate <= args.max_rate:
            step = asyncio.run(
                run_load(server, "desk", rate, args.step_seconds, search_path, fresh=args.fresh_searches)
            )
            report("step", step, rate, args.step_seconds)
            if going_up:
                if not passes(step):
                    break
                best = rate
                rate *= 1.5 if rate >= 80 else 2
            else:
                if passes(step):
                    best = rate
                    break
                rate /= 2
        print(
            f"highest rate tried with p95 under {ms(P95_LIMIT)} and no errors: "
            + (f"{best:g} requests/s" if best else "none (not even 1 request/s)")
        )
    finally:
        server.proc.terminate()
        try:
            server.proc.wait(20)
        except subprocess.TimeoutExpired:
            server.proc.kill()


if __name__ == "__main__":
    main()
