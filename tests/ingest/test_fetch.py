"""The fetch client against a real loopback server: limits, validators, retries, refusals."""

from __future__ import annotations

import asyncio
import gzip
import time

import pytest

from eurasiawatch.errors import PermanentFetchError, TransientFetchError
from eurasiawatch.ingest import Fetcher, FetchPolicy, check_address

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
