"""A scriptable HTTP server on 127.0.0.1 for tests: each path maps to a handler of our own.

A route is either a ``Reply`` (fixed status, headers, body) or a callable taking the request
headers and the number of times the path was requested, returning a ``Reply``.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Reply:
    """A canned HTTP reply."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    chunks: int = 1  # > 1: send the body in this many pieces without Content-Length


Route = Reply | Callable[[dict[str, str], int], Reply]


class Site:
    """Routes plus a log of what was requested."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.base = ""

    def url(self, path: str) -> str:
        """Absolute URL of a path on this server."""
        return self.base + path


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            headers = {k.lower(): v for k, v in self.headers.items()}
            site.hits[path] += 1
            site.requests.append((path, headers))
            route = site.routes.get(path)
            if route is None:
                reply = Reply(404, b"not found", {"Content-Type": "text/plain"})
            elif isinstance(route, Reply):
                reply = route
            else:
                reply = route(headers, site.hits[path])
            if reply.delay:
                time.sleep(reply.delay)
            self.send_response(reply.status)
            for key, value in reply.headers.items():
                self.send_header(key, value)
            if reply.chunks > 1:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                size = max(1, len(reply.body) // reply.chunks)
                for i in range(0, len(reply.body), size):
                    piece = reply.body[i : i + size]
                    try:
                        self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                    except (BrokenPipeError, ConnectionResetError):
                        return
                self.wfile.write(b"0\r\n\r\n")
                return
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            try:
                self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                return

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


@contextmanager
def serve() -> Iterator[Site]:
    """Start a server on a free loopback port; yields its ``Site`` (fill ``routes`` before requests)."""
    site = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
