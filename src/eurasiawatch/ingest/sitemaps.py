"""Sitemaps → ``FeedItem`` records: news sitemaps, plain sitemaps and sitemap indexes.

A news sitemap (``xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"``) lists a site's
articles of the last two days with ``news:publication_date``, ``news:title`` and the publication's
``news:language``; a plain sitemap gives only ``loc`` and maybe ``lastmod``; an index lists other
sitemaps. Only entries dated inside the window (``since``) are kept, newest first, then the undated
ones in document order, up to a cap: a whole-site sitemap can list a million URLs, and we want this
week's news, not the archive.

Sitemaps are untrusted XML: entities are not expanded, no DTD or network access, gzip is
decompressed with a size cap, and a document that is an RSS/Atom feed after all (some sites list
their feed as a sitemap) is read as one.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

from lxml import etree

from ..config import Settings
from ..errors import SourceError
from ..records import FeedItem
from .feeds import parse_feed, resolve_link
from .fetch import Fetcher

__all__ = ["SITEMAP_DAYS", "SitemapParseResult", "expand_sitemaps", "parse_sitemap", "sitemap_since"]

#: Default window in days, for callers without settings (``ingest.sitemap_days`` overrides it);
#: ``sitemap_since`` reads the setting when ``Settings`` has it.
SITEMAP_DAYS = 7
#: The sitemap protocol caps a document at 50 MB uncompressed.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
#: Child sitemaps fetched for one source and run (an index can list thousands of archive months).
MAX_CHILD_SITEMAPS = 20
#: Indexes are followed this many levels deep (the protocol allows one; some sites nest).
MAX_DEPTH = 2

_SITEMAP_ACCEPT = "application/xml,text/xml;q=0.9,application/gzip;q=0.8,*/*;q=0.5"
_FEED_ROOTS = frozenset({"rss", "feed", "RDF"})


@dataclass(frozen=True, slots=True)
class SitemapParseResult:
    """What one sitemap (or an index with its children) held.

    ``items`` are the entries inside the window, newest first then undated, capped; ``sitemaps``
    the child sitemaps an index lists (inside the window, newest first); ``problems`` one line per
    entry or child that could not be used; ``too_old`` how many entries fell outside the window.
    """

    items: tuple[FeedItem, ...] = ()
    sitemaps: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    too_old: int = 0
    is_index: bool = False


def sitemap_since(settings: Settings | None, now: datetime) -> datetime:
    """Start of the sitemap window: ``ingest.sitemap_days`` (default ``SITEMAP_DAYS``) before ``now``."""
    days = settings.ingest_sitemap_days if settings is not None else SITEMAP_DAYS
    return now - timedelta(days=float(days))


def _gunzip(body: bytes, max_bytes: int) -> bytes:
    """Decompress a gzip body, refusing more than ``max_bytes`` of output (a gzip bomb)."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise SourceError(f"not a sitemap: broken gzip data ({exc})") from None
    if len(out) > max_bytes:
        raise SourceError(f"not a sitemap: more than {max_bytes} bytes once decompressed")
    if not inflater.eof:
        raise SourceError("not a sitemap: the gzip data is truncated")
    return out


def _when(value: str | None) -> datetime | None:
    """A W3C datetime (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or a full timestamp), as UTC."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        if len(value) == 4 and value.isdigit():
            moment = datetime(int(value), 1, 1, tzinfo=UTC)
        elif len(value) == 7:
            moment = datetime.combine(date.fromisoformat(value + "-01"), time(), tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _child_text(element: etree._Element, path: str) -> str | None:
    found = element.find(path)
    text = found.text if found is not None else None
    return text.strip() if text and text.strip() else None


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _newest_first(items: list[FeedItem]) -> list[FeedItem]:
    """Dated entries newest first, then undated ones in their original order."""
    dated = sorted((i for i in items if i.published), key=lambda i: i.published or 0, reverse=True)
    return dated + [i for i in items if not i.published]


def _parse_xml(body: bytes) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise SourceError(f"not a sitemap: XML error at line {exc.lineno}: {exc.msg}") from None
    if root is None:
        raise SourceError("not a sitemap: empty document")
    return root


def parse_sitemap(
    body: bytes,
    *,
    source: str,
    base_url: str,
    since: datetime | None = None,
    language: str | None = None,
    limit: int | None = None,
    max_bytes: int = MAX_SITEMAP_BYTES,
) -> SitemapParseResult:
    """Parse one sitemap, news sitemap or sitemap index (gzipped or not).

    Args:
        body: the raw bytes as fetched.
        source: name of the source, stamped on each item.
        base_url: the sitemap's URL, to resolve relative locations.
        since: keep only entries (and child sitemaps) dated at or after this; undated ones are kept.
        language: the source's declared language, used when an entry gives none.
        limit: keep at most this many entries.
        max_bytes: largest accepted document once decompressed.

    Returns:
        The items in the window (or, for an index, the child sitemaps) and the problems.

    Raises:
        SourceError: the body is not a sitemap, an index or a feed.
    """
    if body[:2] == b"\x1f\x8b":
        body = _gunzip(body, max_bytes)
    elif len(body) > max_bytes:
        raise SourceError(f"not a sitemap: {len(body)} bytes is more than the {max_bytes}-byte limit")
    root = _parse_xml(body)
    kind = _local(root.tag)
    if kind in _FEED_ROOTS:
        feed = parse_feed(body, source=source, base_url=base_url, language=language)
        fresh = [i for i in feed.items if since is None or i.published is None or i.published >= since]
        return SitemapParseResult(
            items=tuple(_newest_first(fresh)[:limit]),
            problems=feed.problems,
            too_old=len(feed.items) - len(fresh),
        )
    if kind == "sitemapindex":
        return _parse_index(root, base_url=base_url, since=since)
    if kind != "urlset":
        raise SourceError(f"not a sitemap: the root element is <{kind or root.tag}>, not <urlset>")
    items: list[FeedItem] = []
    problems: list[str] = []
    seen: set[str] = set()
    too_old = 0
    for number, entry in enumerate(root.iterfind("{*}url"), start=1):
        loc = _child_text(entry, "{*}loc")
        try:
            link = resolve_link(base_url, loc or "")
        except ValueError as exc:
            problems.append(f"sitemap entry {number} has an invalid <loc> ({(loc or '')[:80]!r}: {exc})")
            continue
        if urlsplit(link).scheme not in {"http", "https"}:
            problems.append(f"sitemap entry {number} has no http(s) <loc> ({(loc or 'none')[:80]!r})")
            continue
        if link in seen:
            continue
        seen.add(link)
        news = entry.find("{*}news")
        title = published = news_language = None
        if news is not None:
            title = _child_text(news, "{*}title")
            published = _when(_child_text(news, "{*}publication_date"))
            news_language = _child_text(news, "{*}publication/{*}language")
        published = published or _when(_child_text(entry, "{*}lastmod"))
        if since is not None and published is not None and published < since:
            too_old += 1
            continue
        code = (news_language or language or "").split("-")[0].strip().lower() or None
        items.append(FeedItem(source=source, url=link, title=title, published=published, language=code))
    return SitemapParseResult(
        items=tuple(_newest_first(items)[:limit]), problems=tuple(problems), too_old=too_old
    )


def _parse_index(root: etree._Element, *, base_url: str, since: datetime | None) -> SitemapParseResult:
    children: list[tuple[datetime | None, str]] = []
    problems: list[str] = []
    too_old = 0
    for number, entry in enumerate(root.iterfind("{*}sitemap"), start=1):
        loc = _child_text(entry, "{*}loc")
        try:
            link = resolve_link(base_url, loc or "")
        except ValueError as exc:
            problems.append(
                f"sitemap index entry {number} has an invalid <loc> ({(loc or '')[:80]!r}: {exc})"
            )
            continue
        if urlsplit(link).scheme not in {"http", "https"}:
            problems.append(f"sitemap index entry {number} has no http(s) <loc> ({(loc or 'none')[:80]!r})")
            continue
        modified = _when(_child_text(entry, "{*}lastmod"))
        if since is not None and modified is not None and modified < since:
            too_old += 1
            continue
        children.append((modified, link))
    dated = sorted((c for c in children if c[0]), key=lambda c: c[0] or 0, reverse=True)
    ordered = dict.fromkeys(link for _, link in dated + [c for c in children if not c[0]])
    return SitemapParseResult(
        sitemaps=tuple(ordered), problems=tuple(problems), too_old=too_old, is_index=True
    )


async def expand_sitemaps(
    fetcher: Fetcher,
    top: SitemapParseResult,
    *,
    source: str,
    allow_private: bool,
    since: datetime | None,
    language: str | None = None,
    limit: int | None = None,
) -> SitemapParseResult:
    """Follow the child sitemaps an index lists and merge what they hold.

    Children are fetched one after another (newest first), at most ``MAX_CHILD_SITEMAPS`` of them
    and ``MAX_DEPTH`` levels deep; a child that cannot be fetched or parsed becomes a problem line
    naming its URL, and the others are still read.

    Args:
        fetcher: the run's polite client.
        top: the parsed top-level document; returned unchanged when it is not an index.
        source: name of the source, stamped on each item.
        allow_private: whether the source may use loopback/private addresses.
        since: the window's start (see ``parse_sitemap``).
        language: the source's declared language.
        limit: keep at most this many entries in all.

    Returns:
        All items in the window, newest first, capped; every problem; the count of old entries.
    """
    if not top.is_index:
        return top
    items: list[FeedItem] = list(top.items)
    problems: list[str] = list(top.problems)
    too_old = top.too_old
    queue = [(url, 1) for url in top.sitemaps]
    visited: set[str] = set()
    while queue:
        url, depth = queue.pop(0)
        if url in visited:
            continue
        if len(visited) >= MAX_CHILD_SITEMAPS:
            problems.append(
                f"sitemap index lists more than {MAX_CHILD_SITEMAPS} sitemaps in the window; "
                f"{len(queue) + 1} not read"
            )
            break
        visited.add(url)
        try:
            result = await fetcher.fetch(url, allow_private=allow_private, accept=_SITEMAP_ACCEPT)
            child = parse_sitemap(
                result.body, source=source, base_url=result.final_url, since=since, language=language
            )
        except SourceError as exc:
            problems.append(f"child sitemap {url}: {exc}")
            continue
        problems.extend(child.problems)
        too_old += child.too_old
        items.extend(child.items)
        if child.is_index:
            if depth >= MAX_DEPTH:
                problems.append(f"child sitemap {url} is itself an index nested too deep; not followed")
            else:
                queue.extend((u, depth + 1) for u in child.sitemaps)
    unique: dict[str, FeedItem] = {}
    for item in items:
        unique.setdefault(item.url, item)  # the first listing of a URL wins
    return SitemapParseResult(
        items=tuple(_newest_first(list(unique.values()))[:limit]),
        problems=tuple(problems),
        too_old=too_old,
        is_index=True,
    )
