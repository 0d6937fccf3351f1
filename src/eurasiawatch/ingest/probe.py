"""Check sources once: fetch each through the polite ``Fetcher`` and say what came back.

``describe_document`` is the pure part — given the bytes and content type it names the kind of
document (RSS, Atom, JSON Feed, HTML, other), counts its items and finds the newest item's date, and
names an anti-bot wall if that is what was served. ``check_sources`` does the fetching; it writes
nothing anywhere, so it is safe to run against a production database's sources.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
from lxml import etree
from lxml import html as lxml_html

from ..errors import SourceError
from ..records import Source
from .feeds import parse_feed
from .fetch import Fetcher, FetchPolicy
from .walls import detect_wall, failure_reason, wall_reason

__all__ = ["CheckResult", "DocumentSummary", "check_sources", "describe_document"]

_FEED_ACCEPT = (
    "application/rss+xml,application/atom+xml,application/feed+json,"
    "application/xml;q=0.9,text/xml;q=0.8,*/*;q=0.5"
)
_FEED_LINK_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")
_LOCAL_KINDS = frozenset({"warc", "folder"})


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """What a fetched document is."""

    kind: str  # "RSS", "Atom", "JSON Feed", "HTML", "other"
    items: int = 0
    newest: datetime | None = None
    wall: str | None = None  # the anti-bot wall it is, if it is one
    feed_links: tuple[str, ...] = ()  # feeds an HTML page advertises with <link rel="alternate">


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of checking one source."""

    name: str
    url: str
    ok: bool
    status: int | None = None
    kind: str | None = None
    items: int = 0
    newest: datetime | None = None
    reason: str | None = None
    elapsed_ms: int = 0


def describe_document(
    body: bytes, content_type: str | None, url: str, *, status: int = 200
) -> DocumentSummary:
    """Name a document's kind, count its items and find the newest item's date.

    Args:
        body: the bytes as fetched.
        content_type: the Content-Type header, if any.
        url: where it came from (resolves relative links).
        status: the HTTP status it came with (for wall detection).

    Returns:
        The summary; ``wall`` is set when the document is an anti-bot challenge page.
    """
    ctype = (content_type or "").split(";")[0].strip().lower()
    head = body.lstrip()[:1]
    if ctype in {"application/feed+json", "application/json"} or head == b"{":
        summary = _json_feed(body)
        if summary is not None:
            return summary
    if head == b"<" or "xml" in ctype:
        try:
            parsed = parse_feed(body, source="check", base_url=url)
        except SourceError:
            parsed = None
        if parsed is not None and (parsed.items or _feed_root(body)):
            kind = "Atom" if _feed_root(body) == "feed" else "RSS"
            dates = [i.published for i in parsed.items if i.published]
            return DocumentSummary(kind=kind, items=len(parsed.items), newest=max(dates, default=None))
    wall = detect_wall(status, {"content-type": content_type or ""}, body)
    start = body.lstrip()[:1024].lower()
    if (
        ctype.startswith(("text/html", "application/xhtml"))
        or b"<html" in start
        or b"<!doctype html" in start
    ):
        return DocumentSummary(kind="HTML", wall=wall, feed_links=_advertised_feeds(body, url))
    return DocumentSummary(kind="other", wall=wall)


def _feed_root(body: bytes) -> str | None:
    """The local name of the XML root when it is a feed's (rss, RDF, feed), else None."""
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=True)
        root = etree.fromstring(body, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root is None:
        return None
    name = etree.QName(root).localname.lower()
    return name if name in {"rss", "rdf", "feed"} else None


def _json_feed(body: bytes) -> DocumentSummary | None:
    try:
        doc = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
        return None
    raw_items = doc.get("items")
    items: list[object] = raw_items if isinstance(raw_items, list) else []
    dates = []
    for item in items:
        if isinstance(item, dict):
            for key in ("date_published", "date_modified"):
                value = item.get(key)
                if isinstance(value, str):
                    try:
                        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
                    except ValueError:
                        continue
                    dates.append(when if when.tzinfo else when.replace(tzinfo=UTC))
                    break
    return DocumentSummary(kind="JSON Feed", items=len(items), newest=max(dates, default=None))


def _advertised_feeds(body: bytes, url: str) -> tuple[str, ...]:
    try:
        doc = lxml_html.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return ()
    found: list[str] = []
    for link in doc.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        if "alternate" in rel and (link.get("type") or "").lower() in _FEED_LINK_TYPES and link.get("href"):
            href = urljoin(url, link.get("href", "").strip())
            if urlsplit(href).scheme in {"http", "https"} and href not in found:
                found.append(href)
    return tuple(found)


async def _check_one(fetcher: Fetcher, source: Source) -> CheckResult:
    started = time.monotonic()

    def done(**values: object) -> CheckResult:
        elapsed = int((time.monotonic() - started) * 1000)
        return CheckResult(name=source.name, url=source.url, elapsed_ms=elapsed, **values)  # type: ignore[arg-type]

    if source.kind in _LOCAL_KINDS:
        path = Path(source.url.removeprefix("file://"))
        if path.exists():
            return done(ok=True, kind=f"local {source.kind}")
        return done(ok=False, kind=f"local {source.kind}", reason=f"no such file or folder: {path}")
    try:
        result = await fetcher.fetch(source.url, allow_private=source.allow_private, accept=_FEED_ACCEPT)
    except SourceError as exc:
        return done(ok=False, reason=failure_reason(exc))
    summary = describe_document(result.body, result.content_type, result.final_url, status=result.status)
    if summary.wall:
        return done(ok=False, status=result.status, kind=summary.kind, reason=wall_reason(summary.wall))
    if source.kind == "feed" and summary.kind not in {"RSS", "Atom", "JSON Feed"}:
        hint = f"; the page advertises {', '.join(summary.feed_links[:3])}" if summary.feed_links else ""
        return done(
            ok=False, status=result.status, kind=summary.kind, reason=f"not a feed ({summary.kind}){hint}"
        )
    return done(ok=True, status=result.status, kind=summary.kind, items=summary.items, newest=summary.newest)


async def _check_all(
    sources: list[Source], policy: FetchPolicy, transport: httpx.AsyncBaseTransport | None
) -> list[CheckResult]:
    async with Fetcher(policy, transport=transport) as fetcher:
        return list(await asyncio.gather(*(_check_one(fetcher, s) for s in sources)))


def check_sources(
    sources: list[Source], policy: FetchPolicy, *, transport: httpx.AsyncBaseTransport | None = None
) -> list[CheckResult]:
    """Fetch each source once (no conditional GET, nothing stored) and describe what came back.

    Args:
        sources: the sources to check.
        policy: the fetch limits (per-host pacing applies, so many sources on one host take time).
        transport: an ``httpx.AsyncBaseTransport`` instead of the network (tests).

    Returns:
        One result per source, in the given order.
    """
    if not sources:
        return []
    return asyncio.run(_check_all(list(sources), policy, transport))
