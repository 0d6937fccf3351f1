"""The fetch client against a real loopback server: limits, validators, retries, refusals."""

from __future__ import annotations

import asyncio
import gzip
import re
import socket
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate

import brotli
import pytest

from eurasiawatch.config import Settings, load_settings
from eurasiawatch.errors import ConfigError, PermanentFetchError, TransientFetchError
from eurasiawatch.ingest import Fetcher, FetchPolicy, check_address
from eurasiawatch.ingest.fetch import _retry_after, content_type_problem

from ..loopback import Reply, serve

POLICY = FetchPolicy(
    user_agent="ew-test/1", timeout=2.0, max_bytes=50_000, retries=2, per_host_delay=0.0, backoff_base=0.01
)


def fetch(url: str, policy: FetchPolicy = POLICY, **kw: object):
    async def go():
        async with Fetcher(policy) as f:
            return await f.fetch(url, allow_private=True, **kw)

    return asyncio.run(go())


def test_plain_fetch_sends_user_agent_and_returns_body() -> None:
    with serve() as site:
        site.routes["/a"] = Reply(200, b"<html>hi</html>", {"Content-Type": "text/html"})
        result = fetch(site.url("/a"))
        assert result.body == b"<html>hi</html>"
        assert result.status == 200
        assert site.requests[0][1]["user-agent"] == "ew-test/1"


def test_gzip_body_is_decoded() -> None:
    with serve() as site:
        site.routes["/z"] = Reply(
            200, gzip.compress(b"<p>zipped</p>"), {"Content-Encoding": "gzip", "Content-Type": "text/html"}
        )
        assert fetch(site.url("/z")).body == b"<p>zipped</p>"


def test_conditional_get_gives_not_modified() -> None:
    def route(headers: dict[str, str], n: int) -> Reply:
        if headers.get("if-none-match") == '"v1"':
            return Reply(304)
        return Reply(200, b"feed", {"ETag": '"v1"', "Last-Modified": "Mon, 01 Jul 2024 10:00:00 GMT"})

    with serve() as site:
        site.routes["/feed"] = route
        first = fetch(site.url("/feed"))
        assert first.etag == '"v1"' and first.last_modified
        second = fetch(site.url("/feed"), etag=first.etag, last_modified=first.last_modified)
        assert second.not_modified and second.status == 304


def test_body_over_the_cap_is_refused_while_streaming() -> None:
    with serve() as site:
        site.routes["/big"] = Reply(200, b"x" * 200_000, {"Content-Type": "text/html"}, chunks=20)
        with pytest.raises(PermanentFetchError, match="cap"):
            fetch(site.url("/big"))


def test_declared_length_over_the_cap_is_refused() -> None:
    with serve() as site:
        site.routes["/big"] = Reply(200, b"x" * 60_000, {"Content-Type": "text/html"})
        with pytest.raises(PermanentFetchError, match="exceeds"):
            fetch(site.url("/big"))


def test_redirects_are_followed_and_loops_stopped() -> None:
    with serve() as site:
        site.routes["/old"] = Reply(301, b"", {"Location": "/new"})
        site.routes["/new"] = Reply(200, b"moved", {"Content-Type": "text/html"})
        site.routes["/loop"] = Reply(302, b"", {"Location": "/loop"})
        result = fetch(site.url("/old"))
        assert result.body == b"moved" and result.final_url.endswith("/new")
        with pytest.raises(PermanentFetchError, match="redirects"):
            fetch(site.url("/loop"))


def test_429_is_retried_after_the_servers_delay() -> None:
    def route(headers: dict[str, str], n: int) -> Reply:
        return Reply(429, b"slow down", {"Retry-After": "1"}) if n == 1 else Reply(200, b"ok")

    with serve() as site:
        site.routes["/busy"] = route
        started = time.monotonic()
        assert fetch(site.url("/busy")).body == b"ok"
        assert time.monotonic() - started >= 0.9
        assert site.hits["/busy"] == 2


def test_persistent_5xx_becomes_transient_error_after_retries() -> None:
    with serve() as site:
        site.routes["/down"] = Reply(503, b"down")
        with pytest.raises(TransientFetchError, match="503"):
            fetch(site.url("/down"))
        assert site.hits["/down"] == 3  # first try + 2 retries


def test_404_is_permanent_and_not_retried() -> None:
    with serve() as site:
        with pytest.raises(PermanentFetchError, match="404"):
            fetch(site.url("/missing"))
        assert site.hits["/missing"] == 1


def test_timeout_is_transient() -> None:
    policy = FetchPolicy(user_agent="t", timeout=0.3, retries=0, per_host_delay=0.0)
    with serve() as site:
        site.routes["/slow"] = Reply(200, b"late", delay=1.0)
        with pytest.raises(TransientFetchError, match="timed out"):
            fetch(site.url("/slow"), policy)


def test_loopback_refused_unless_source_allows_it() -> None:
    async def go(url: str):
        async with Fetcher(POLICY) as f:
            return await f.fetch(url)

    with serve() as site:
        site.routes["/a"] = Reply(200, b"x")
        with pytest.raises(PermanentFetchError, match="non-public"):
            asyncio.run(go(site.url("/a")))
        assert site.hits["/a"] == 0


@pytest.mark.parametrize("url", ["ftp://example.org/x", "not a url", "http://", "javascript:alert(1)"])
def test_invalid_urls_are_refused(url: str) -> None:
    with pytest.raises(PermanentFetchError, match="invalid URL"):
        fetch(url)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.1",
        "172.16.5.4",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "::ffff:127.0.0.1",
        "0.0.0.0",
        "100.64.0.1",
        "fc00::1",
        "224.0.0.1",
    ],
)
def test_private_and_special_addresses_are_refused(address: str) -> None:
    with pytest.raises(PermanentFetchError):
        check_address(address, allow_private=False)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])
def test_public_addresses_pass(address: str) -> None:
    check_address(address, allow_private=False)


def test_per_host_delay_spaces_request_starts() -> None:
    policy = FetchPolicy(user_agent="t", timeout=2.0, per_host_delay=0.2, per_host_concurrency=4)

    async def go(urls: list[str]) -> None:
        async with Fetcher(policy) as f:
            await asyncio.gather(*(f.fetch(u, allow_private=True) for u in urls))

    with serve() as site:
        for i in range(4):
            site.routes[f"/p{i}"] = Reply(200, b"x")
        started = time.monotonic()
        asyncio.run(go([site.url(f"/p{i}") for i in range(4)]))
        assert time.monotonic() - started >= 0.55  # 4 starts, 0.2 s apart


def test_brotli_and_deflate_bodies_are_decoded() -> None:
    with serve() as site:
        site.routes["/br"] = Reply(200, brotli.compress(b"<p>brotli</p>"), {"Content-Encoding": "br"})
        site.routes["/df"] = Reply(200, zlib.compress(b"<p>deflate</p>"), {"Content-Encoding": "deflate"})
        assert fetch(site.url("/br")).body == b"<p>brotli</p>"
        assert fetch(site.url("/df")).body == b"<p>deflate</p>"


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_a_corrupt_compressed_body_is_a_clear_permanent_error(encoding: str) -> None:
    good = gzip.compress(b"<p>hello</p>" * 50) if encoding == "gzip" else brotli.compress(b"<p>hi</p>" * 50)
    with serve() as site:
        site.routes["/bad"] = Reply(200, good[:12] + b"\x00garbage" * 20, {"Content-Encoding": encoding})
        with pytest.raises(PermanentFetchError, match=f"is not valid {encoding}"):
            fetch(site.url("/bad"))
        assert site.hits["/bad"] == 1  # not retried


def test_a_gzip_bomb_hits_the_cap_on_decoded_bytes() -> None:
    bomb = gzip.compress(b"\0" * 5_000_000)  # ~5 KB on the wire, 5 MB decoded; the cap is 50 KB
    assert len(bomb) < POLICY.max_bytes
    with serve() as site:
        site.routes["/bomb"] = Reply(200, bomb, {"Content-Encoding": "gzip"}, chunks=4)
        with pytest.raises(PermanentFetchError, match="cap"):
            fetch(site.url("/bomb"))


@pytest.mark.parametrize(
    ("content_type", "expect"),
    [
        ("image/png", "html"),
        ("application/octet-stream", "html"),
        ("video/mp4", "html"),
        ("application/pdf", "html"),
        ("application/rss+xml", "html"),
        ("image/jpeg", "feed"),
        ("application/octet-stream", "feed"),
        ("video/webm", "feed"),
        ("audio/mpeg", "feed"),
        ("application/zip", "feed"),
    ],
)
def test_content_types_that_cannot_be_what_was_expected_are_refused(content_type: str, expect: str) -> None:
    with serve() as site:
        site.routes["/x"] = Reply(200, b"\x89PNG...", {"Content-Type": content_type})
        with pytest.raises(
            PermanentFetchError, match=f"expected an? .*got Content-Type {re.escape(content_type)}:"
        ):
            fetch(site.url("/x"), expect=expect)
        assert fetch(site.url("/x")).body == b"\x89PNG..."  # expect="any" (the default) takes it


@pytest.mark.parametrize(
    ("content_type", "expect"),
    [
        ("text/html; charset=utf-8", "html"),
        ("application/xhtml+xml", "html"),
        ("text/plain", "html"),
        (None, "html"),
        ("application/rss+xml", "feed"),
        ("application/atom+xml; charset=utf-8", "feed"),
        ("text/xml", "feed"),
        ("application/xml", "feed"),
        ("application/feed+json", "feed"),
        ("text/html", "feed"),  # sites serve feeds as text/html; the parser decides
        (None, "feed"),
    ],
)
def test_expected_content_types_pass(content_type: str | None, expect: str) -> None:
    assert content_type_problem(content_type, expect) is None  # type: ignore[arg-type]


def test_an_unknown_expectation_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="expect"):
        fetch("http://127.0.0.1/", expect="pdf")


def test_retry_after_as_an_http_date_is_honoured() -> None:
    def route(headers: dict[str, str], n: int) -> Reply:
        if n == 1:
            return Reply(503, b"busy", {"Retry-After": formatdate(time.time() + 2, usegmt=True)})
        return Reply(200, b"ok")

    with serve() as site:
        site.routes["/busy"] = route
        started = time.monotonic()
        assert fetch(site.url("/busy")).body == b"ok"
        assert time.monotonic() - started >= 0.9  # the date has one-second resolution
        assert site.hits["/busy"] == 2


def test_retry_after_parsing() -> None:
    assert _retry_after("7") == 7.0
    assert _retry_after(formatdate(time.time() - 3600, usegmt=True)) == 0.0
    assert 25 < (_retry_after(formatdate(time.time() + 30, usegmt=True)) or 0) <= 30
    assert 25 < (_retry_after(formatdate(time.time() + 30)) or 0) <= 30  # a "-0000" date
    assert _retry_after("soon") is None and _retry_after("") is None and _retry_after(None) is None


def test_a_retry_after_longer_than_a_minute_gives_up_at_once() -> None:
    with serve() as site:
        site.routes["/later"] = Reply(429, b"", {"Retry-After": "3600"})
        started = time.monotonic()
        with pytest.raises(TransientFetchError, match="asks to wait 3600s"):
            fetch(site.url("/later"))
        assert time.monotonic() - started < 10.0 and site.hits["/later"] == 1  # not an hour


@contextmanager
def drip_server(interval: float) -> Iterator[str]:
    """A server that answers 200 and then sends one body byte every ``interval`` seconds, forever."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)
    stop = threading.Event()

    def run() -> None:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n")
            while not stop.is_set():
                try:
                    conn.sendall(b"1\r\nx\r\n")
                except OSError:
                    return
                time.sleep(interval)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/drip"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def test_a_slow_drip_body_is_cut_off_at_the_deadline() -> None:
    policy = FetchPolicy(
        user_agent="t", timeout=1.0, deadline=0.6, retries=2, per_host_delay=0.0, respect_robots=False
    )
    with drip_server(0.05) as url:
        started = time.monotonic()
        with pytest.raises(TransientFetchError, match=r"0\.6s deadline"):
            fetch(url, policy)
        elapsed = time.monotonic() - started
    assert 0.5 < elapsed < 1.75  # the deadline stopped it once; three tries would take 1.8 s or more


def test_deadline_setting_reaches_the_policy_and_must_be_positive() -> None:
    assert FetchPolicy.from_settings(Settings(fetch_deadline=12.5)).deadline == 12.5
    assert load_settings(environ={}).fetch_deadline == 60.0
    with pytest.raises(ConfigError, match=r"fetch\.deadline"):
        load_settings(environ={"EURASIAWATCH_FETCH__DEADLINE": "0"})


@pytest.mark.parametrize("limit", [2, 3])
def test_per_host_concurrency_caps_requests_in_flight(limit: int) -> None:
    lock = threading.Lock()
    in_flight = 0
    peak = 0

    def route(headers: dict[str, str], n: int) -> Reply:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        time.sleep(0.15)
        with lock:
            in_flight -= 1
        return Reply(200, b"x")

    policy = FetchPolicy(user_agent="t", timeout=2.0, per_host_delay=0.0, per_host_concurrency=limit)

    async def go(urls: list[str]) -> None:
        async with Fetcher(policy) as f:
            await asyncio.gather(*(f.fetch(u, allow_private=True) for u in urls))

    with serve() as site:
        for i in range(8):
            site.routes[f"/p{i}"] = route
        asyncio.run(go([site.url(f"/p{i}") for i in range(8)]))
    assert peak == limit


@pytest.mark.parametrize("url", ["http://exa mple.invalid/x", "http://example.org:99999/x"])
def test_bad_hosts_and_ports_are_invalid_urls(url: str) -> None:
    with pytest.raises(PermanentFetchError, match="invalid URL"):
        fetch(url)
