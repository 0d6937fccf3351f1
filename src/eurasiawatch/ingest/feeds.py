"""Turn an RSS or Atom document into ``FeedItem`` records (feedparser does the parsing).

Feeds are untrusted: an entry without a usable http(s) link is skipped with a reason, and a body
that is not a feed at all is reported instead of yielding nothing silently.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from ..errors import SourceError
from ..records import FeedItem

__all__ = ["FeedParseResult", "parse_feed"]


class FeedParseResult(tuple[tuple[FeedItem, ...], tuple[str, ...]]):
    """(items, problems): the usable entries and one line per entry that was skipped."""

    @property
    def items(self) -> tuple[FeedItem, ...]:
        """Usable entries, in feed order."""
        return self[0]

    @property
    def problems(self) -> tuple[str, ...]:
        """Why entries were skipped."""
        return self[1]


def _when(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def _authors(entry: Any) -> tuple[str, ...]:
    names: list[str] = []
    for author in entry.get("authors") or []:
        name = (author.get("name") or "").strip() if isinstance(author, dict) else ""
        if name and name not in names:
            names.append(name)
    if not names and entry.get("author"):
        names.append(str(entry["author"]).strip())
    return tuple(n for n in names if n)


def parse_feed(
    body: bytes, *, source: str, base_url: str, language: str | None = None, limit: int | None = None
) -> FeedParseResult:
    """Parse a feed document.

    Args:
        body: the raw bytes as fetched (feedparser sniffs the encoding).
        source: name of the source, stamped on each item.
        base_url: the feed's URL, to resolve relative links.
        language: the source's declared language, used when the feed gives none.
        limit: keep at most this many entries (newest first as the feed orders them).

    Returns:
        The usable items and the reasons any entries were skipped.

    Raises:
        SourceError: the body is not a feed (no feed element and no entries).
    """
    # feedparser never fetches anything when given bytes, and it does not expand external entities.
    parsed = feedparser.parse(body, sanitize_html=True, resolve_relative_uris=True)
    entries = parsed.get("entries") or []
    if not entries and not parsed.get("version"):
        reason = parsed.get("bozo_exception")
        raise SourceError(
            f"not a feed: {reason.__class__.__name__ if reason else 'no feed or entries found'}"
        )
    feed_language = parsed.get("feed", {}).get("language") or language or None
    if feed_language:
        feed_language = feed_language.split("-")[0].lower()
    items: list[FeedItem] = []
    problems: list[str] = []
    seen: set[str] = set()
    for entry in entries:
        link = entry.get("link") or ""
        if not link:
            for candidate in entry.get("links") or []:
                if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
                    link = candidate["href"]
                    break
        link = urljoin(base_url, link.strip()) if link else ""
        if urlsplit(link).scheme not in {"http", "https"}:
            title = (entry.get("title") or "(untitled)")[:80]
            problems.append(f"entry {title!r} has no http(s) link")
            continue
        if link in seen:
            continue
        seen.add(link)
        items.append(
            FeedItem(
                source=source,
                url=link,
                title=(entry.get("title") or None),
                summary=(entry.get("summary") or None),
                published=_when(entry),
                authors=_authors(entry),
                language=feed_language,
                guid=entry.get("id") or None,
            )
        )
        if limit is not None and len(items) >= limit:
            break
    return FeedParseResult((tuple(items), tuple(problems)))
