"""An httpx transport that connects only to the addresses the fetcher already checked.

Checking a host's addresses and then letting the HTTP library look the name up again to connect
leaves a gap: a hostile DNS server can answer a public address to the check and ``127.0.0.1`` to
the connection ("DNS rebinding"). Here the name is never looked up again. The fetcher resolves
the host once, checks every address, and attaches a ``Pin`` (host, port, addresses) to the
request; the transport's network backend dials those addresses and nothing else, and refuses to
connect when a request carries no pin or a pin for another host.

Everything else stays as a normal connection to the host name: the ``Host`` header, TLS SNI and
certificate verification all use the name, because the connection pool is keyed by the URL's
origin and only the TCP dial is redirected. Requests from sources marked ``allow_private`` use a
separate pool, so a kept-alive connection opened for a local source is never reused for a public
one.
"""

from __future__ import annotations

import contextvars
import ssl
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpcore
import httpx

from .addresses import refusal_reason

__all__ = ["PIN_EXTENSION", "Pin", "PinnedTransport", "PinningBackend"]

PIN_EXTENSION = "eurasiawatch.pin"

_CURRENT_PIN: contextvars.ContextVar[Pin | None] = contextvars.ContextVar("eurasiawatch_pin", default=None)


@dataclass(frozen=True, slots=True)
class Pin:
    """The checked addresses one request may connect to.

    ``host`` is the URL's host as sent on the wire (IDNA-encoded ASCII, IPv6 without brackets)
    and ``port`` the effective port.
    """

    host: str
    port: int
    addresses: tuple[str, ...]
    allow_private: bool = False


class PinningBackend(httpcore.AsyncNetworkBackend):
    """A network backend that dials the current request's pinned addresses instead of the name."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Connect to the first pinned address that answers; never resolves ``host``."""
        pin = _CURRENT_PIN.get()
        if pin is None or pin.host != host or pin.port != port or not pin.addresses:
            raise httpcore.ConnectError(f"no checked address for {host}:{port}; refusing to look it up")
        failure: Exception | None = None
        for address in pin.addresses:
            reason = None if pin.allow_private else refusal_reason(address)
            if reason is not None:  # defence in depth: the fetcher has already refused these
                raise httpcore.ConnectError(f"refused non-public address {address} ({reason})")
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Refused: sources are fetched over TCP only."""
        raise httpcore.ConnectError("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        """Delegate to the inner backend."""
        await self._inner.sleep(seconds)


# httpcore's exceptions and the httpx ones callers catch, most specific first.
_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextmanager
def _httpx_errors(request: httpx.Request) -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for core, mapped in _ERRORS:
            if isinstance(exc, core):
                raise mapped(str(exc), request=request) from exc
        raise


class _Body(httpx.AsyncByteStream):
    """The response body, with httpcore errors raised as their httpx equivalents."""

    def __init__(self, stream: Iterable[bytes] | AsyncIterable[bytes], request: httpx.Request) -> None:
        self._stream = stream
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if not isinstance(self._stream, AsyncIterable):  # pragma: no cover - async pools stream async
            raise TypeError("expected an async response stream")
        with _httpx_errors(self._request):
            async for part in self._stream:
                yield part

    async def aclose(self) -> None:
        closer = getattr(self._stream, "aclose", None)
        if closer is not None:
            with _httpx_errors(self._request):
                await closer()


class PinnedTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 over connections dialled to each request's ``Pin`` (see the module docstring).

    Args:
        ssl_context: for https; the default verifies certificates against the system/certifi store.
        network_backend: the backend that really dials (tests pass one that records the dials).
        max_connections: connections open at once, per pool.
    """

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        network_backend: httpcore.AsyncNetworkBackend | None = None,
        max_connections: int = 100,
    ) -> None:
        context = ssl_context or httpx.create_ssl_context()
        backend = PinningBackend(network_backend)
        self._pools = {
            allow_private: httpcore.AsyncConnectionPool(
                ssl_context=context,
                network_backend=backend,
                max_connections=max_connections,
                max_keepalive_connections=20,
                keepalive_expiry=5.0,
            )
            for allow_private in (False, True)
        }

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send one request through the pool matching its pin."""
        pin = request.extensions.get(PIN_EXTENSION)
        host = request.url.raw_host.decode("ascii")
        port = request.url.port or (443 if request.url.scheme == "https" else 80)
        if not isinstance(pin, Pin) or pin.host != host or pin.port != port:
            raise httpx.ConnectError(f"request to {host}:{port} carries no checked address", request=request)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,  # type: ignore[arg-type]
            extensions={k: v for k, v in request.extensions.items() if k != PIN_EXTENSION},
        )
        token = _CURRENT_PIN.set(pin)
        try:
            with _httpx_errors(request):
                response = await self._pools[pin.allow_private].handle_async_request(core_request)
        finally:
            _CURRENT_PIN.reset(token)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response.stream, request),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        """Close both connection pools."""
        for pool in self._pools.values():
            await pool.aclose()
