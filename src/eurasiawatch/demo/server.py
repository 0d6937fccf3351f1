"""A loopback HTTP server for the sample sites, with conditional GET like a real news site."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from .site import Resource

__all__ = ["serve_site"]


def _handler(site: Mapping[str, Resource]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "ew-demo/1"

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            resource = site.get(path)
            if resource is None:
                self.send_error(404, "not found")
                return
            if self._not_modified(resource):
                self.send_response(304)
                self.send_header("ETag", resource.etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", resource.content_type)
            self.send_header("Content-Length", str(len(resource.body)))
            self.send_header("ETag", resource.etag)
            self.send_header(
                "Last-Modified", format_datetime(resource.last_modified.astimezone(UTC), usegmt=True)
            )
            self.end_headers()
            self.wfile.write(resource.body)

        def _not_modified(self, resource: Resource) -> bool:
            if self.headers.get("If-None-Match"):
                return self.headers["If-None-Match"] == resource.etag
            since = self.headers.get("If-Modified-Since")
            if since:
                try:
                    return parsedate_to_datetime(since) >= resource.last_modified.replace(microsecond=0)
                except (TypeError, ValueError):
                    return False
            return False

        def log_message(self, format: str, *args: object) -> None:
            return  # quiet: the ingest summary says what happened

    return Handler


@contextmanager
def serve_site(site: Mapping[str, Resource], host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``site`` in a background thread; yields the base URL (a free port unless given)."""
    server = ThreadingHTTPServer((host, port), _handler(site))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="ew-demo-server", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
