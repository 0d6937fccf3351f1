"""The SSRF guard: addresses refused, one DNS lookup per hop, and connections only to what was checked.

"The internet" here is a loopback server behind ``InternetBackend``: the fetcher's transport asks
it to dial a (pretend public) address, it records the address and connects to the loopback server
instead. A stub resolver plays DNS, including a hostile one that changes its answer between
lookups (DNS rebinding).
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path

import httpcore
import httpx
import pytest

from eurasiawatch.errors import PermanentFetchError
from eurasiawatch.ingest import Fetcher, FetchPolicy, check_address
from eurasiawatch.ingest.addresses import refusal_reason
from eurasiawatch.ingest.pinning import PinnedTransport

from ..loopback import Reply, Site, _handler, serve

PUBLIC = "93.184.215.14"
TLS_DIR = Path(__file__).parent / "data" / "tls"
POLICY = FetchPolicy(user_agent="ew-test/1", timeout=2.0, retries=0, per_host_delay=0.0)


class InternetBackend(httpcore.AsyncNetworkBackend):
    """Records every address the transport dials and connects it to a loopback port instead."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.dials: list[tuple[str, int]] = []
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.dials.append((host, port))
        return await self._inner.connect_tcp("127.0.0.1", self.port, timeout=timeout)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AssertionError("no unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class StubDNS:
    """Answers from a table: each host has a list of answers given in turn, the last one repeating.

    IP literals resolve to themselves, as getaddrinfo does.
    """

    def __init__(self, answers: dict[str, list[list[str]]]) -> None:
        self.answers = answers
        self.calls: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        try:
            ipaddress.ip_address(host)
        except ValueError:
            pass
        else:
            return [host]
        turns = self.answers[host]
        asked = self.calls.count(host)
        return turns[min(asked, len(turns)) - 1]


def run_fetches(
    backend: InternetBackend,
    dns: StubDNS,
    urls: list[str],
    *,
    allow_private: bool = False,
    policy: FetchPolicy = POLICY,
    ssl_context: ssl.SSLContext | None = None,
) -> list[object]:
    """Fetch URLs in turn through one Fetcher; each outcome is the result or the exception."""

    async def go() -> list[object]:
        transport = PinnedTransport(network_backend=backend, ssl_context=ssl_context)
        outcomes: list[object] = []
        async with Fetcher(policy, transport=transport, resolver=dns) as f:
            for url in urls:
                try:
                    outcomes.append(await f.fetch(url, allow_private=allow_private))
                except PermanentFetchError as exc:
                    outcomes.append(exc)
        return outcomes

    return asyncio.run(go())


def test_dns_rebinding_second_answer_is_never_dialled() -> None:
    dns = StubDNS({"news.example": [[PUBLIC], ["127.0.0.1"]]})
    with serve() as site:
        site.routes["/robots.txt"] = Reply(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"})
        site.routes["/a"] = Reply(200, b"public page", {"Content-Type": "text/html"})
        site.routes["/b"] = Reply(200, b"internal page", {"Content-Type": "text/html"})
        backend = InternetBackend(int(site.base.rsplit(":", 1)[1]))
        first, second = run_fetches(backend, dns, ["http://news.example/a", "http://news.example/b"])
    # first fetch: one lookup served both robots.txt and the page, dialled at the checked address
    assert getattr(first, "body", None) == b"public page"
    assert isinstance(second, PermanentFetchError) and "non-public address 127.0.0.1" in str(second)
    assert dns.calls == ["news.example", "news.example"]
    assert backend.dials and all(dial == (PUBLIC, 80) for dial in backend.dials)
    assert site.hits["/b"] == 0
    assert {headers["host"] for _, headers in site.requests} == {"news.example"}


def test_the_transport_never_looks_a_name_up() -> None:
    dns = StubDNS({"news.example": [[PUBLIC, "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]]})
    with serve() as site:
        site.routes["/a"] = Reply(200, b"ok")
        backend = InternetBackend(int(site.base.rsplit(":", 1)[1]))
        (result,) = run_fetches(backend, dns, ["http://news.example:8080/a"])
    assert getattr(result, "body", None) == b"ok"
    # robots.txt and the page: each dial went to the first checked address; no name reached it
    assert backend.dials and set(backend.dials) == {(PUBLIC, 8080)}


def test_a_request_without_checked_addresses_is_not_sent() -> None:
    backend = InternetBackend(9)

    async def go() -> None:
        async with httpx.AsyncClient(transport=PinnedTransport(network_backend=backend)) as client:
            await client.get("http://news.example/")

    with pytest.raises(httpx.ConnectError, match="no checked address"):
        asyncio.run(go())
    assert backend.dials == []


@pytest.mark.parametrize(
    "location",
    [
        "http://internal.example/secret",
        "http://127.0.0.1/secret",
        "http://[::1]/secret",
        "http://[::ffff:127.0.0.1]/secret",
        "http://169.254.169.254/latest/meta-data/",
        "http://[64:ff9b::a00:5]/secret",
        "http://[2002:a9fe:a9fe::1]/secret",
        "http://0.0.0.0/secret",
        "http://100.64.1.1/secret",
    ],
)
def test_redirect_from_a_public_host_to_a_private_address_is_refused(location: str) -> None:
    dns = StubDNS({"news.example": [[PUBLIC]], "internal.example": [["10.0.0.5"]]})
    with serve() as site:
        site.routes["/go"] = Reply(302, b"", {"Location": location})
        site.routes["/secret"] = Reply(200, b"secret")
        backend = InternetBackend(int(site.base.rsplit(":", 1)[1]))
        (outcome,) = run_fetches(backend, dns, ["http://news.example/go"])
    assert isinstance(outcome, PermanentFetchError) and "non-public" in str(outcome)
    assert site.hits["/go"] == 1 and site.hits["/secret"] == 0
    assert {host for host, _ in backend.dials} == {PUBLIC}


def test_a_host_with_one_private_address_among_public_ones_is_refused() -> None:
    dns = StubDNS({"mixed.example": [[PUBLIC, "10.0.0.1"]]})
    backend = InternetBackend(9)
    (outcome,) = run_fetches(backend, dns, ["http://mixed.example/"])
    assert isinstance(outcome, PermanentFetchError) and "10.0.0.1" in str(outcome)
    assert backend.dials == []


def test_connections_opened_for_local_sources_are_not_reused_for_public_ones() -> None:
    dns = StubDNS({"news.example": [["127.0.0.1"], [PUBLIC]]})
    with serve() as site:
        site.routes["/a"] = Reply(200, b"ok")
        backend = InternetBackend(int(site.base.rsplit(":", 1)[1]))

        async def go() -> None:
            transport = PinnedTransport(network_backend=backend)
            policy = FetchPolicy(user_agent="t", retries=0, per_host_delay=0.0, respect_robots=False)
            async with Fetcher(policy, transport=transport, resolver=dns) as f:
                await f.fetch("http://news.example/a", allow_private=True)  # kept alive afterwards
                await f.fetch("http://news.example/a")

        asyncio.run(go())
    assert backend.dials == [("127.0.0.1", 80), (PUBLIC, 80)]


def test_loopback_is_fetched_only_for_sources_marked_local() -> None:
    async def go(url: str, allow_private: bool) -> bytes:
        async with Fetcher(POLICY) as f:  # the real transport and the system resolver
            return (await f.fetch(url, allow_private=allow_private)).body

    with serve() as site:
        site.routes["/a"] = Reply(200, b"local")
        with pytest.raises(PermanentFetchError, match=r"non-public address 127\.0\.0\.1"):
            asyncio.run(go(site.url("/a"), False))
        assert site.hits["/a"] == 0 and site.hits["/robots.txt"] == 0
        assert asyncio.run(go(site.url("/a"), True)) == b"local"


@contextmanager
def serve_tls() -> Iterator[tuple[Site, int, list[str | None]]]:
    """The loopback server over TLS with a certificate for news.example; yields the SNI names seen."""
    site = Site()
    names: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(TLS_DIR / "server.pem", TLS_DIR / "server.key")
    context.sni_callback = lambda _sock, name, _ctx: names.append(name)  # type: ignore[assignment,misc]
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site, server.server_address[1], names
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_https_verifies_the_certificate_against_the_host_name_not_the_address() -> None:
    client_context = ssl.create_default_context(cafile=str(TLS_DIR / "ca.pem"))
    dns = StubDNS({"news.example": [[PUBLIC]], "other.example": [[PUBLIC]]})
    with serve_tls() as (site, port, names):
        site.routes["/a"] = Reply(200, b"over tls", {"Content-Type": "text/html"})
        backend = InternetBackend(port)
        good, bad = run_fetches(
            backend,
            dns,
            ["https://news.example/a", "https://other.example/a"],
            ssl_context=client_context,
        )
    assert getattr(good, "body", None) == b"over tls"
    assert isinstance(bad, PermanentFetchError) and "certificate" in str(bad)
    assert "news.example" in names and "other.example" in names  # SNI carried the name
    assert {dial for dial in backend.dials} == {(PUBLIC, 443)}
    assert site.hits["/a"] == 1


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.255.0.1",
        "10.1.2.3",
        "172.31.0.1",
        "192.168.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "100.127.255.254",
        "0.0.0.0",
        "0.1.2.3",
        "192.0.0.8",
        "192.0.2.1",
        "198.18.0.1",
        "198.51.100.7",
        "203.0.113.9",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "::",
        "::1",
        "fe80::1",
        "fe80::1%eth0",
        "fc00::1",
        "fd12:3456::1",
        "fec0::1",
        "ff02::1",
        "ff0e::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "::127.0.0.1",  # IPv4-compatible (deprecated)
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "64:ff9b:1::1",  # local-use NAT64
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2002:c0a8:101::1",  # 6to4 of 192.168.1.1
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
        "2001:db8::1",
        "100::1",
    ],
)
def test_special_addresses_are_refused(address: str) -> None:
    assert refusal_reason(address) is not None
    with pytest.raises(PermanentFetchError, match="non-public"):
        check_address(address, allow_private=False)
    check_address(address, allow_private=True)  # sources marked local may use anything


@pytest.mark.parametrize(
    "address",
    [
        "93.184.215.14",
        "8.8.8.8",
        "100.128.0.1",  # just above the CGNAT range
        "172.32.0.1",  # just above 172.16/12
        "2606:2800:21f:cb07:6820:80da:af6b:8b2c",
        "2a00:1450:4001:82b::200e",
        "::ffff:93.184.215.14",
        "64:ff9b::5db8:d70e",  # NAT64 of a public address
        "2002:5db8:d70e::1",  # 6to4 of a public address
    ],
)
def test_public_addresses_pass(address: str) -> None:
    assert refusal_reason(address) is None
    check_address(address, allow_private=False)


def test_refusal_names_the_embedded_address() -> None:
    assert refusal_reason("64:ff9b::7f00:1") == "loopback (in NAT64 64:ff9b::7f00:1)"
    assert refusal_reason("2002:a00:1::") == "private (in 6to4 2002:a00:1::)"
