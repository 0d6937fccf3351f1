"""Turn an RSS, Atom or JSON Feed document into ``FeedItem`` records.

feedparser reads RSS 0.9x/1.0/2.0 and Atom. JSON Feed 1.0 and 1.1 (https://jsonfeed.org) are read
here with the standard ``json`` module: feedparser only recognises them from an HTTP response's
headers, never from bytes, and it cannot say *why* a JSON document is not a feed.

Feeds are untrusted: an entry without a usable http(s) link is skipped with a reason, and a body
that is not a feed at all is reported instead of yielding nothing silently.
"""

from __future__ import annotations

import calendar
import html
import json
import re
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


def resolve_link(base_url: str, link: str) -> str:
    """``link`` made absolute against ``base_url`` ("" when empty).

    Raises:
        ValueError: the link is malformed (a broken IPv6 host, a port out of range…).
    """
    link = link.strip()
    if not link:
        return ""
    absolute = urljoin(base_url, link)
    _ = urlsplit(absolute).port  # parsing the port is what rejects "host:99999"
    return absolute


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
        name = (plain_text(author.get("name")) or "") if isinstance(author, dict) else ""
        if name and name not in names:
            names.append(name)
    if not names and entry.get("author"):
        names.append(plain_text(str(entry["author"])) or "")
    return tuple(n for n in names if n)


_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_TAG = re.compile(r"<[^>]*(?:>|$)")


def plain_text(value: str | None) -> str | None:
    """A feed field as plain text: HTML comments and tags dropped, entities decoded, spaces collapsed.

    Titles and author names are stored and shown as text; feedparser hands them over as (sanitised)
    HTML, which can still carry comments such as ``<!-- <script> -->``.
    """
    if not value:
        return None
    text = value
    if "<" in text or "&" in text:
        text = html.unescape(_TAG.sub(" ", _COMMENT.sub(" ", text)))
        # markup escaped twice comes out of unescaping as markup again: as text it is noise
        text = _TAG.sub(" ", _COMMENT.sub(" ", text))
    return " ".join(text.split()) or None


def _is_json(body: bytes, content_type: str | None) -> bool:
    """Whether a body is JSON: by its declared type, else by its first non-blank character."""
    if content_type:
        mime = content_type.split(";")[0].strip().lower()
        if mime.endswith(("/json", "+json")):
            return True
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def parse_feed(
    body: bytes,
    *,
    source: str,
    base_url: str,
    language: str | None = None,
    limit: int | None = None,
    content_type: str | None = None,
) -> FeedParseResult:
    """Parse a feed document: RSS, Atom or JSON Feed.

    Args:
        body: the raw bytes as fetched (feedparser sniffs the encoding of XML feeds).
        source: name of the source, stamped on each item.
        base_url: the feed's URL, to resolve relative links.
        language: the source's declared language, used when the feed gives none.
        limit: keep at most this many entries (newest first as the feed orders them).
        content_type: the response's Content-Type; a JSON type, or a body starting with ``{``,
            selects the JSON Feed reader.

    Returns:
        The usable items and the reasons any entries were skipped.

    Raises:
        SourceError: the body is not a feed (no feed element and no entries, or JSON that is
            not a JSON Feed).
    """
    if _is_json(body, content_type):
        return _parse_json_feed(body, source=source, base_url=base_url, language=language, limit=limit)
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
        title = (entry.get("title") or "(untitled)")[:80]
        try:
            link = resolve_link(base_url, link)
        except ValueError as exc:
            problems.append(f"entry {title!r} has an invalid link ({link.strip()[:80]!r}: {exc})")
            continue
        if urlsplit(link).scheme not in {"http", "https"}:
            problems.append(f"entry {title!r} has no http(s) link")
            continue
        if link in seen:
            continue
        seen.add(link)
        items.append(
            FeedItem(
                source=source,
                url=link,
                title=plain_text(entry.get("title")),
                summary=plain_text(entry.get("summary")),
                published=_when(entry),
                authors=_authors(entry),
                language=feed_language,
                guid=entry.get("id") or None,
            )
        )
        if limit is not None and len(items) >= limit:
            break
    return FeedParseResult((tuple(items), tuple(problems)))


# -- JSON Feed ------------------------------------------------------------------------------------


def _json_when(value: object) -> datetime | None:
    """An RFC 3339 date of a JSON Feed item; naive times are taken as UTC, bad ones as missing."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _json_authors(item: dict[str, Any], feed: dict[str, Any]) -> tuple[str, ...]:
    """Author names: 1.1 ``authors`` list, else 1.0 ``author`` object, of the item else the feed."""
    for holder in (item, feed):
        raw = holder.get("authors")
        people = raw if isinstance(raw, list) else [holder.get("author")]
        names: list[str] = []
        for person in people:
            raw_name = person.get("name") if isinstance(person, dict) else None
            name = plain_text(raw_name) if isinstance(raw_name, str) else None
            if name and name not in names:
                names.append(name)
        if names:
            return tuple(names)
    return ()


def _json_text(item: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = item.get(key)
        if isinstance(value, str) and value.strip():
            return plain_text(value)
    return None


def _language_code(value: object) -> str | None:
    """``"ru-RU"`` → ``"ru"``; anything that is not a non-empty string → None."""
    if not isinstance(value, str):
        return None
    return value.split("-")[0].strip().lower() or None


def _parse_json_feed(
    body: bytes, *, source: str, base_url: str, language: str | None, limit: int | None
) -> FeedParseResult:
    """Parse JSON Feed 1.0/1.1; see ``parse_feed``."""
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"not a JSON Feed: the body is not UTF-8 ({exc.reason} at byte {exc.start})"
        ) from None
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"not a JSON Feed: invalid JSON at line {exc.lineno} column {exc.colno} ({exc.msg})"
        ) from None
    except (ValueError, RecursionError) as exc:  # absurdly long numbers, absurdly deep nesting
        raise SourceError(f"not a JSON Feed: unreadable JSON ({exc.__class__.__name__})") from None
    if not isinstance(document, dict):
        raise SourceError(
            f"not a JSON Feed: the top level is a JSON {type(document).__name__}, not an object"
        )
    version = document.get("version")
    entries = document.get("items")
    if not isinstance(entries, list):
        found = "no" if entries is None else f"a non-list ({type(entries).__name__})"
        raise SourceError(f"not a JSON Feed: {found} 'items' array (version {version!r})")
    feed_language = _language_code(document.get("language")) or _language_code(language)
    items: list[FeedItem] = []
    problems: list[str] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            problems.append(f"item {number} is a JSON {type(entry).__name__}, not an object")
            continue
        title = _json_text(entry, "title")
        link = _json_text(entry, "url", "external_url") or ""
        label = str(title or entry.get("id") or f"#{number}")[:80]
        try:
            link = resolve_link(base_url, link)
        except ValueError as exc:
            problems.append(f"item {label!r} has an invalid url ({link[:80]!r}: {exc})")
            continue
        if urlsplit(link).scheme not in {"http", "https"}:
            problems.append(f"item {label!r} has no http(s) url")
            continue
        if link in seen:
            continue
        seen.add(link)
        guid = entry.get("id")
        items.append(
            FeedItem(
                source=source,
                url=link,
                title=title,
                summary=_json_text(entry, "summary", "content_text"),
                published=_json_when(entry.get("date_published")) or _json_when(entry.get("date_modified")),
                authors=_json_authors(entry, document),
                language=_language_code(entry.get("language")) or feed_language,
                guid=str(guid) if isinstance(guid, str | int) and str(guid) else None,
            )
        )
        if limit is not None and len(items) >= limit:
            break
    return FeedParseResult((tuple(items), tuple(problems)))
