"""The polite HTTP client every source kind fetches through.

One ``Fetcher`` per run holds the httpx client, the per-host limits (requests in flight and the
delay between request starts) and the robots.txt rules it has read, so nothing lives at module
level. For every request and every redirect hop it:

- resolves the host once and refuses private, loopback, link-local, CGNAT, multicast, reserved
  and unspecified addresses unless the source is marked local (``addresses.py``), then connects to
  exactly the addresses it checked (``pinning.py``: no second DNS lookup, so no DNS rebinding);
- obeys robots.txt for our User-Agent, read once per origin (``robots.py``), and slows down for a
  ``Crawl-delay``;
- waits for a free slot and the per-host delay, sends conditional GET validators;
- gives up after ``deadline`` seconds in all, even if the server keeps dripping bytes;
- refuses bodies over ``max_bytes`` while streaming (after gzip/brotli decoding) and, when asked,
  content types that cannot be what the caller expects (an image where a page was expected);
- retries timeouts, connection failures, 429 and 5xx with backoff that honours ``Retry-After``.

``docs/fetching.md`` explains each limit and its setting.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Literal, TypeVar
from urllib.parse import urljoin, urlsplit

import httpx

from ..config import Settings
from ..errors import PermanentFetchError, SourceError, TransientFetchError
from ..records import FetchResult
from .addresses import check_address
from .pinning import PIN_EXTENSION, Pin, PinnedTransport
from .robots import ROBOTS_MAX_BYTES, RobotsRules, parse_robots

__all__ = ["Expect", "FetchPolicy", "Fetcher", "check_address"]

Resolver = Callable[[str, int], Awaitable[list[str]]]
Expect = Literal["any", "html", "feed"]
_T = TypeVar("_T")
_E = TypeVar("_E", bound=BaseException)

_RETRY_STATUSES = {429, 500, 502, 503, 504}
_ERROR_BODY_BYTES = 65_536  # enough to recognise a challenge page; the rest of an error body is not read
_REDIRECT_STATUSES = {301, 302, 303, 307, 308}
_MAX_RETRY_AFTER = 60.0  # a server asking for a longer wait gets it: we give up until the next run
_MAX_CRAWL_DELAY = 60.0  # a larger Crawl-delay would stall a run; this many seconds is what we grant
_ROBOTS_REDIRECTS = 5  # RFC 9309 §2.3.1.2: follow at least five
_DEFAULT_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# Matches what pipeline._require_html accepts, so switching to expect="html" changes nothing else.
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
_HOSTNAME = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?")


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
    deadline: float = 60.0
    respect_robots: bool = True

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
            deadline=settings.fetch_deadline,
            respect_robots=settings.fetch_respect_robots,
        )


async def _system_resolver(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # keep getaddrinfo's order (RFC 6724 preference), so the address dialled first is the usual one
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True, slots=True)
class _Target:
    """One URL about to be requested, with the addresses its host was checked to have."""

    url: httpx.URL
    pin: Pin

    @property
    def origin(self) -> str:
        return f"{self.url.scheme}://{self.pin.host}:{self.pin.port}"


@dataclass
class _Host:
    semaphore: asyncio.Semaphore
    delay: float
    next_start: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Fetcher:
    """Fetches URLs within per-host limits; use as ``async with Fetcher(policy) as f``.

    Args:
        policy: the limits.
        transport: an httpx transport to use instead of the pinning one (tests); it receives the
            checked addresses in the request extension ``eurasiawatch.pin`` and must honour them
            itself, so only pass a ``PinnedTransport`` or a transport that never touches a network.
        resolver: ``async (host, port) -> [addresses]``, the system resolver by default.
    """

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
        self._robots: dict[str, RobotsRules] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Fetcher:
        self._client = httpx.AsyncClient(
            transport=self._transport or PinnedTransport(),
            timeout=httpx.Timeout(self.policy.timeout),
            follow_redirects=False,  # we follow by hand so every hop is checked
            trust_env=False,  # a proxy from the environment would resolve names behind our back
            headers={"User-Agent": self.policy.user_agent, "Accept-Encoding": "gzip, deflate, br"},
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def fetch(
        self,
        url: str,
        *,
        allow_private: bool = False,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = _DEFAULT_ACCEPT,
        expect: Expect = "any",
    ) -> FetchResult:
        """GET a URL within the limits, following redirects by hand.

        Args:
            url: absolute http(s) URL.
            allow_private: allow loopback/private addresses (sources marked local only).
            etag: validator from the last fetch, sent as If-None-Match.
            last_modified: validator from the last fetch, sent as If-Modified-Since.
            accept: Accept header.
            expect: ``"html"`` or ``"feed"`` refuse replies whose Content-Type cannot be one
                (images, video, audio, fonts, PDFs, archives, ``application/octet-stream``);
                ``"any"`` takes whatever comes.

        Returns:
            The result; ``not_modified`` is set on a 304.

        Raises:
            TransientFetchError: timeouts, connection errors, 429/5xx after retries, the deadline
                passed, robots.txt unreachable this run.
            PermanentFetchError: bad URL, refused address, 4xx, too many redirects, too large,
                wrong content type, undecodable body, disallowed by robots.txt, bad certificate.
        """
        if self._client is None:
            raise RuntimeError("Fetcher used outside 'async with'")
        if expect not in ("any", "html", "feed"):
            raise ValueError(f"expect must be 'any', 'html' or 'feed', not {expect!r}")
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return await self._retrying(lambda: self._fetch_once(url, allow_private, headers, expect))

    async def _retrying(self, attempt_once: Callable[[], Awaitable[_T]]) -> _T:
        """Run an attempt again after ``_Retry``, with backoff or the server's Retry-After."""
        attempt = 0
        while True:
            try:
                return await attempt_once()
            except _Retry as retry:
                attempt += 1
                if retry.after is not None and retry.after > _MAX_RETRY_AFTER:
                    raise TransientFetchError(
                        f"{retry.reason}; the server asks to wait {retry.after:.0f}s"
                    ) from None
                if attempt > self.policy.retries:
                    raise _copy_reply(retry, TransientFetchError(retry.reason)) from None
                delay = (
                    retry.after if retry.after is not None else self.policy.backoff_base * 2 ** (attempt - 1)
                )
                await asyncio.sleep(delay)

    async def _fetch_once(
        self, url: str, allow_private: bool, headers: dict[str, str], expect: Expect
    ) -> FetchResult:
        current = url
        for _hop in range(self.policy.max_redirects + 1):
            target = await self._target(current, allow_private)
            if self.policy.respect_robots:
                await self._obey_robots(target, allow_private)
            async with self._exchange(target, headers) as response:
                if response.status_code in _REDIRECT_STATUSES:
                    current = _location(response)
                    continue
                return await self._read(url, response, expect)
        raise PermanentFetchError(f"more than {self.policy.max_redirects} redirects from {url}")

    async def _target(self, url: str, allow_private: bool) -> _Target:
        """Parse a URL, resolve its host once and check every address it has."""
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise PermanentFetchError(f"invalid URL {url!r}: {exc}") from None
        if parsed.scheme not in {"http", "https"} or not parsed.host:
            raise PermanentFetchError(f"invalid URL {url!r}: only http(s) URLs with a host are fetched")
        host = parsed.raw_host.decode("ascii")  # the IDNA form httpx puts on the wire
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        if not _valid_host(host):
            raise PermanentFetchError(f"invalid URL {url!r}: {host!r} is not a host name or address")
        if not 0 < port < 65536:
            raise PermanentFetchError(f"invalid URL {url!r}: port {port} is out of range")
        try:
            async with asyncio.timeout(self.policy.timeout):
                found = await self._resolver(host, port)
        except TimeoutError:
            raise TransientFetchError(
                f"cannot resolve {host}: no answer in {self.policy.timeout:g}s"
            ) from None
        except (OSError, UnicodeError) as exc:
            raise TransientFetchError(f"cannot resolve {host}: {exc}") from None
        addresses = tuple(dict.fromkeys(found))
        if not addresses:
            raise TransientFetchError(f"cannot resolve {host}: no addresses")
        for address in addresses:  # one bad address refuses the host: we would not know which we get
            check_address(address, allow_private=allow_private)
        return _Target(parsed, Pin(host=host, port=port, addresses=addresses, allow_private=allow_private))

    @asynccontextmanager
    async def _exchange(self, target: _Target, headers: dict[str, str]) -> AsyncIterator[httpx.Response]:
        """One request within the host's limits and the deadline; yields the streaming response."""
        assert self._client is not None
        state = self._host(target.url.host)
        async with state.semaphore:
            await self._pace(state)
            try:
                async with (
                    asyncio.timeout(self.policy.deadline),
                    self._client.stream(
                        "GET", target.url, headers=headers, extensions={PIN_EXTENSION: target.pin}
                    ) as response,
                ):
                    yield response
            except TimeoutError:
                raise TransientFetchError(
                    f"gave up on {target.url} after the {self.policy.deadline:g}s deadline"
                ) from None
            except httpx.TimeoutException:
                raise _Retry(f"timed out after {self.policy.timeout:g}s fetching {target.url}") from None
            except httpx.TransportError as exc:
                problem = _certificate_problem(exc)
                if problem:
                    raise _BadCertificate(
                        f"TLS certificate of {target.url.host} not accepted: {problem}"
                    ) from None
                raise _Retry(f"connection failed for {target.url}: {exc.__class__.__name__}") from None

    def _host(self, host: str) -> _Host:
        if host not in self._hosts:
            self._hosts[host] = _Host(
                asyncio.Semaphore(self.policy.per_host_concurrency), self.policy.per_host_delay
            )
        return self._hosts[host]

    async def _pace(self, state: _Host) -> None:
        async with state.lock:
            now = time.monotonic()
            wait = state.next_start - now
            state.next_start = max(now, state.next_start) + state.delay
        if wait > 0:
            await asyncio.sleep(wait)

    async def _obey_robots(self, target: _Target, allow_private: bool) -> None:
        rules = await self._robots_for(target, allow_private)
        if rules.disallow_everything:
            raise TransientFetchError(
                f"robots.txt of {target.origin} could not be read ({rules.reason}); "
                f"nothing is fetched from it this run: {target.url}"
            )
        if not rules.allows(target.url.raw_path.decode("ascii")):
            raise PermanentFetchError(f"disallowed by robots.txt: {target.url}")

    async def _robots_for(self, target: _Target, allow_private: bool) -> RobotsRules:
        """The origin's rules, read on first use; concurrent callers wait for that one read."""
        lock = self._robots_locks.setdefault(target.origin, asyncio.Lock())
        async with lock:
            if target.origin not in self._robots:
                rules = await self._load_robots(target, allow_private)
                self._robots[target.origin] = rules
                if rules.crawl_delay:
                    state = self._host(target.url.host)
                    state.delay = max(state.delay, min(rules.crawl_delay, _MAX_CRAWL_DELAY))
            return self._robots[target.origin]

    async def _load_robots(self, target: _Target, allow_private: bool) -> RobotsRules:
        # same host and port as the page, so the page's checked addresses serve (no second lookup)
        url = target.url.copy_with(raw_path=b"/robots.txt", fragment=None, userinfo=b"")
        robots = _Target(url, target.pin)
        try:
            return await self._retrying(lambda: self._robots_once(robots, allow_private))
        except _BadCertificate:
            raise  # the page itself would fail the same way; say so rather than blame robots.txt
        except (TransientFetchError, PermanentFetchError) as exc:
            return RobotsRules.unavailable(str(exc))

    async def _robots_once(self, robots: _Target, allow_private: bool) -> RobotsRules:
        current = robots
        for _hop in range(_ROBOTS_REDIRECTS + 1):
            async with self._exchange(current, {"Accept": "text/plain"}) as response:
                status = response.status_code
                if status in _REDIRECT_STATUSES:
                    location = _location(response)
                elif status in _RETRY_STATUSES:
                    after = _retry_after(response.headers.get("retry-after"))
                    raise _Retry(f"HTTP {status} from {response.url}", after)
                elif status >= 500:
                    return RobotsRules.unavailable(f"HTTP {status} from {response.url}")
                elif 200 <= status < 300:
                    body = await _read_truncated(response, ROBOTS_MAX_BYTES)
                    return parse_robots(body.decode("utf-8", "replace"), self.policy.user_agent)
                else:  # 4xx (and oddities): there are no rules
                    return RobotsRules()
            current = await self._target(location, allow_private)
        return RobotsRules()  # RFC 9309: after five redirects robots.txt counts as unavailable (4xx)

    async def _read(self, url: str, response: httpx.Response, expect: Expect) -> FetchResult:
        status = response.status_code
        final = str(response.url)
        if status == 304:
            return FetchResult(url=url, final_url=final, status=304, not_modified=True)
        if status in _RETRY_STATUSES:
            retry = _Retry(f"HTTP {status} from {final}", _retry_after(response.headers.get("retry-after")))
            raise await _with_reply(retry, response)
        if status >= 400:
            raise await _with_reply(PermanentFetchError(f"HTTP {status} from {final}"), response)
        if not 200 <= status < 300:
            raise PermanentFetchError(f"unexpected HTTP {status} from {final}")
        content_type = response.headers.get("content-type")
        problem = content_type_problem(content_type, expect)
        if problem:
            raise PermanentFetchError(f"{problem}: {final}")
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.policy.max_bytes:
            raise PermanentFetchError(
                f"body of {declared} bytes exceeds the {self.policy.max_bytes}-byte cap: {final}"
            )
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in response.aiter_bytes():
                size += len(chunk)  # decoded bytes: a gzip bomb hits the cap too
                if size > self.policy.max_bytes:
                    raise PermanentFetchError(f"body exceeds the {self.policy.max_bytes}-byte cap: {final}")
                chunks.append(chunk)
        except httpx.DecodingError as exc:
            encoding = response.headers.get("content-encoding", "?")
            raise PermanentFetchError(
                f"body from {final} is not valid {encoding} (Content-Encoding): {exc}"
            ) from None
        return FetchResult(
            url=url,
            final_url=final,
            status=status,
            body=b"".join(chunks),
            content_type=content_type,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )


class _BadCertificate(PermanentFetchError):
    """Internal: the server's TLS certificate failed verification."""


class _Retry(SourceError):
    """Internal: this attempt failed in a retryable way."""

    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.after = after


def content_type_problem(content_type: str | None, expect: Expect) -> str | None:
    """Why a Content-Type cannot be what the caller expects, or None when it can.

    A missing Content-Type passes (the body decides). ``html`` takes HTML, XHTML and plain text;
    ``feed`` takes any ``text/*`` and any XML or JSON type.
    """
    if expect == "any" or not content_type:
        return None
    base = content_type.split(";", 1)[0].strip().lower()
    if expect == "html":
        ok = base in _HTML_TYPES
        wanted = "an HTML page"
    else:
        ok = (
            base.startswith("text/")
            or base.endswith(("/xml", "+xml", "/json", "+json"))
            or base in {"application/x-rss+xml", "application/x-atom+xml"}
        )
        wanted = "a feed"
    return None if ok else f"expected {wanted}, got Content-Type {base or repr(content_type)}"


def _valid_host(host: str) -> bool:
    """A DNS name (letters, digits, hyphens, underscores, dots) or an IP address literal."""
    if _HOSTNAME.fullmatch(host):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _location(response: httpx.Response) -> str:
    location = response.headers.get("location")
    if not location:
        raise PermanentFetchError(f"redirect without Location from {response.url}")
    return urljoin(str(response.url), location)


async def _with_reply(exc: _E, response: httpx.Response) -> _E:
    """Attach the refused reply (status, headers, first bytes of the body) to a fetch error.

    Callers use it to name what refused them, e.g. an anti-bot wall served with a 403 or 503
    (``ingest.walls.failure_reason``).
    """
    try:
        body = await _read_truncated(response, _ERROR_BODY_BYTES)
    except httpx.HTTPError:
        body = b""
    exc.status = response.status_code  # type: ignore[attr-defined]
    exc.headers = dict(response.headers)  # type: ignore[attr-defined]
    exc.body = body  # type: ignore[attr-defined]
    return exc


def _copy_reply(source: BaseException, target: _E) -> _E:
    """Carry the refused reply over when one error is turned into another."""
    for name in ("status", "headers", "body"):
        if hasattr(source, name):
            setattr(target, name, getattr(source, name))
    return target


async def _read_truncated(response: httpx.Response, limit: int) -> bytes:
    """At most ``limit`` decoded bytes of a body; the rest is not read."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(chunks)[:limit]


def _certificate_problem(exc: BaseException) -> str | None:
    """The certificate verification failure behind a connection error, if that is what it was."""
    seen: BaseException | None = exc
    for _ in range(10):  # a short chain; bounded in case of a cycle
        if seen is None:
            break
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen.verify_message or str(seen)
        seen = seen.__cause__ or seen.__context__
    return None


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" dates come back naive; HTTP dates are UTC
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - time.time())


def host_of(url: str) -> str:
    """The host part of a URL, lower-cased ('' when there is none)."""
    return (urlsplit(url).hostname or "").lower()
