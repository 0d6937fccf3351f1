"""The polite HTTP client every source kind fetches through.

One ``Fetcher`` per run holds the httpx client and the per-host limits (requests in flight and the
delay between request starts), so nothing lives at module level. It refuses private, loopback and
link-local addresses unless the source is explicitly marked local, caps body size while streaming,
sends conditional GET validators, and retries timeouts, 429 and 5xx replies with backoff that
honours ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from ..config import Settings
from ..errors import PermanentFetchError, SourceError, TransientFetchError
from ..records import FetchResult

__all__ = ["FetchPolicy", "Fetcher", "check_address"]

Resolver = Callable[[str, int], Awaitable[list[str]]]

_RETRY_STATUSES = {429, 500, 502, 503, 504}
_REDIRECT_STATUSES = {301, 302, 303, 307, 308}
_MAX_RETRY_AFTER = 60.0


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Limits for one run, taken from settings."""

    user_agent: str
    timeout: float = 20.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    retries: int = 2
    per_host_concurrency: int = 2
    per_host_delay: float = 1.0
    backoff_base: float = 0.5

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchPolicy:
        """Build the policy from the effective settings."""
        return cls(
            user_agent=settings.fetch_user_agent,
            timeout=settings.fetch_timeout,
            max_bytes=settings.fetch_max_bytes,
            max_redirects=settings.fetch_max_redirects,
            retries=settings.fetch_retries,
            per_host_concurrency=settings.fetch_per_host_concurrency,
            per_host_delay=settings.fetch_per_host_delay,
        )


async def _system_resolver(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def check_address(address: str, *, allow_private: bool) -> None:
    """Refuse addresses a public news source cannot have.

    Raises:
        PermanentFetchError: the address is private, loopback, link-local, multicast or reserved
            (IPv4, IPv6 and IPv4-mapped IPv6 alike) and the source is not marked local.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if allow_private:
        return
    if not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local:
        raise PermanentFetchError(f"refused non-public address {ip}")


@dataclass
class _Host:
    semaphore: asyncio.Semaphore
    next_start: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Fetcher:
    """Fetches URLs within per-host limits; use as ``async with Fetcher(policy) as f``."""

    def __init__(
        self,
        policy: FetchPolicy,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        self.policy = policy
        self._transport = transport
        self._resolver = resolver or _system_resolver
        self._hosts: dict[str, _Host] = {}
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Fetcher:
        self._client = httpx.AsyncClient(
            transport=self._transport,
            timeout=httpx.Timeout(self.policy.timeout),
            follow_redirects=False,  # we follow by hand so every hop is checked
            headers={"User-Agent": self.policy.user_agent, "Accept-Encoding": "gzip, deflate, br"},
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _host(self, host: str) -> _Host:
        if host not in self._hosts:
            self._hosts[host] = _Host(asyncio.Semaphore(self.policy.per_host_concurrency))
        return self._hosts[host]

    async def _pace(self, state: _Host) -> None:
        async with state.lock:
            now = time.monotonic()
            wait = state.next_start - now
            state.next_start = max(now, state.next_start) + self.policy.per_host_delay
        if wait > 0:
            await asyncio.sleep(wait)

    async def _check_url(self, url: str, allow_private: bool) -> httpx.URL:
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise PermanentFetchError(f"invalid URL {url!r}: {exc}") from None
        if parsed.scheme not in {"http", "https"} or not parsed.host:
            raise PermanentFetchError(f"invalid URL {url!r}: only http(s) URLs with a host are fetched")
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        try:
            addresses = await self._resolver(parsed.host, port)
        except (OSError, UnicodeError) as exc:
            raise TransientFetchError(f"cannot resolve {parsed.host}: {exc}") from None
        if not addresses:
            raise TransientFetchError(f"cannot resolve {parsed.host}: no addresses")
        for address in addresses:
            check_address(address, allow_private=allow_private)
        return parsed

    async def fetch(
        self,
        url: str,
        *,
        allow_private: bool = False,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    ) -> FetchResult:
        """GET a URL within the limits, following redirects by hand.

        Args:
            url: absolute http(s) URL.
            allow_private: allow loopback/private addresses (sources marked local only).
            etag: validator from the last fetch, sent as If-None-Match.
            last_modified: validator from the last fetch, sent as If-Modified-Since.
            accept: Accept header.

        Returns:
            The result; ``not_modified`` is set on a 304.

        Raises:
            TransientFetchError: timeouts, connection errors, 429/5xx after retries.
            PermanentFetchError: bad URL, refused address, 4xx, too many redirects, too large.
        """
        if self._client is None:
            raise RuntimeError("Fetcher used outside 'async with'")
        attempt = 0
        while True:
            try:
                return await self._fetch_once(url, allow_private, etag, last_modified, accept)
            except _Retry as retry:
                attempt += 1
                if attempt > self.policy.retries:
                    raise TransientFetchError(retry.reason) from None
                delay = (
                    retry.after if retry.after is not None else self.policy.backoff_base * 2 ** (attempt - 1)
                )
                await asyncio.sleep(min(delay, _MAX_RETRY_AFTER))

    async def _fetch_once(
        self, url: str, allow_private: bool, etag: str | None, last_modified: str | None, accept: str
    ) -> FetchResult:
        assert self._client is not None
        current = url
        for _hop in range(self.policy.max_redirects + 1):
            parsed = await self._check_url(current, allow_private)
            headers = {"Accept": accept}
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            state = self._host(parsed.host)
            async with state.semaphore:
                await self._pace(state)
                try:
                    async with self._client.stream("GET", parsed, headers=headers) as response:
                        if response.status_code in _REDIRECT_STATUSES:
                            location = response.headers.get("location")
                            if not location:
                                raise PermanentFetchError(f"redirect without Location from {current}")
                            current = urljoin(str(response.url), location)
                            continue
                        return await self._read(url, response)
                except httpx.TimeoutException:
                    raise _Retry(f"timed out after {self.policy.timeout:g}s fetching {current}") from None
                except httpx.TransportError as exc:
                    raise _Retry(f"connection failed for {current}: {exc.__class__.__name__}") from None
        raise PermanentFetchError(f"more than {self.policy.max_redirects} redirects from {url}")

    async def _read(self, url: str, response: httpx.Response) -> FetchResult:
        status = response.status_code
        final = str(response.url)
        if status == 304:
            return FetchResult(url=url, final_url=final, status=304, not_modified=True)
        if status in _RETRY_STATUSES:
            raise _Retry(f"HTTP {status} from {final}", _retry_after(response.headers.get("retry-after")))
        if status >= 400:
            raise PermanentFetchError(f"HTTP {status} from {final}")
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.policy.max_bytes:
            raise PermanentFetchError(
                f"body of {declared} bytes exceeds the {self.policy.max_bytes}-byte cap: {final}"
            )
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.policy.max_bytes:
                    raise PermanentFetchError(f"body exceeds the {self.policy.max_bytes}-byte cap: {final}")
                chunks.append(chunk)
        except httpx.DecodingError as exc:
            raise PermanentFetchError(f"undecodable content encoding from {final}: {exc}") from None
        return FetchResult(
            url=url,
            final_url=final,
            status=status,
            body=b"".join(chunks),
            content_type=response.headers.get("content-type"),
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )


class _Retry(SourceError):
    """Internal: this attempt failed in a retryable way."""

    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.after = after


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def host_of(url: str) -> str:
    """The host part of a URL, lower-cased ('' when there is none)."""
    return (urlsplit(url).hostname or "").lower()
