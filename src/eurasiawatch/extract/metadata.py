"""Page metadata beyond what trafilatura returns as plain strings: bylines, dates, canonical URL.

trafilatura gives the byline as one string and the date as a bare ``YYYY-MM-DD``; the rest of the
pipeline wants a tuple of names and a timezone-aware instant, so these helpers finish the job. They
read the already-parsed lxml tree and never fetch anything.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import (
    examine_meta,
    extract_author,
    extract_meta_json,
    extract_sitename,
    extract_title,
)

from .urls import canonicalize_url, same_site

__all__ = [
    "PageMeta",
    "canonical_url_of",
    "html_language",
    "page_meta",
    "parse_datetime",
    "published_of",
    "split_authors",
]

_log = logging.getLogger(__name__)

_BY = re.compile(r"^\s*(?:by|written by|posted by|author[s]?:?|von|par|автор[ы]?:?|від)\s+", re.IGNORECASE)
_AND = re.compile(
    r"\s*(?:;|\||,|&|\band\b|\bund\b|\bet\b|\bи\b|\bта\b|\bі\b|\bva\b|\bжана\b)\s*", re.IGNORECASE
)
_NOT_A_NAME = re.compile(
    r"^(?:staff|editor|editors|admin|newsroom|reporter|correspondent|agencies|news desk|the associated press"
    r"|reuters|afp|ap|updated|published|\d.*)$",
    re.IGNORECASE,
)
_ROLE_SUFFIX = re.compile(
    r"\s*(?:[-–—|,]\s*)?\b(?:staff writer|senior reporter|reporter|correspondent)\b.*$", re.I
)

_DATE_XPATHS = (
    '//meta[@property="article:published_time"]/@content',
    '//meta[@property="og:published_time"]/@content',
    '//meta[@name="article:published_time"]/@content',
    '//meta[@itemprop="datePublished"]/@content',
    '//meta[@name="pubdate"]/@content',
    '//meta[@name="publishdate"]/@content',
    '//meta[@name="date"]/@content',
    '//meta[@name="dc.date.issued"]/@content',
    '//meta[@name="DC.date.issued"]/@content',
    '//*[@itemprop="datePublished"]/@datetime',
)
_JSONLD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]{8,40})"')


@dataclass(frozen=True, slots=True)
class PageMeta:
    """What a page says about itself, as trafilatura reads it (strings, unparsed)."""

    title: str | None = None
    author: str | None = None
    date: str | None = None
    sitename: str | None = None
    image: str | None = None
    description: str | None = None


def page_meta(tree: HtmlElement, url: str | None, max_date: date) -> PageMeta:
    """Read title, byline, date, site name, image and description with trafilatura's helpers.

    This is ``trafilatura.metadata.extract_metadata`` without the parts we do not use (categories,
    tags, licence), which cost a third of its time, and with the date capped at ``max_date``
    rather than the wall clock, so replays give the same answer.

    Args:
        tree: The parsed page; not modified.
        url: The page's URL, which helps the date search.
        max_date: The latest plausible publication date (the fetch or extraction day).

    Returns:
        The page's metadata; fields it does not state are None.
    """
    meta = examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None
    try:
        meta = extract_meta_json(tree, meta)
    except Exception as exc:  # trafilatura's JSON-LD reader can fail on odd markup; keep the rest
        _log.debug("JSON-LD metadata unreadable: %s", exc)
    title = meta.title or extract_title(tree)
    author = meta.author or extract_author(tree) or _labelled_byline(tree)
    found = find_date(
        tree, url=url, original_date=True, extensive_search=False, max_date=max_date.isoformat()
    )
    sitename = meta.sitename or extract_sitename(tree)
    if sitename:
        sitename = sitename.lstrip("@")
    return PageMeta(
        title=" ".join(title.split()) if title else None,
        author=author or None,
        date=found or None,
        sitename=sitename or None,
        image=meta.image or None,
        description=meta.description or None,
    )


# "Autor: Ana Jovanović", "Автор: Анна Петрова", "Szerző: Kiss Anna" in a short page element.
_BYLINE_LABEL = re.compile(
    r"(?:^|[\s|—–-])(?:Autor|Author|Аутор|Автор|Авторы|Автори|Szerző|Muallif|Автор материала)\s*:\s*"
    r"([^|—–\n]{3,100})",
    re.IGNORECASE,
)


def _labelled_byline(tree: HtmlElement) -> str | None:
    """A byline introduced by an "Author:" label in the page's own language, if any."""
    for element in tree.iter("div", "span", "p", "address", "small"):
        text = " ".join(element.text_content().split())
        if not text or len(text) > 160:
            continue
        found = _BYLINE_LABEL.search(text)
        if found:
            return found.group(1).strip()
    return None


def split_authors(byline: str | None) -> tuple[str, ...]:
    """Split a byline into names.

    Args:
        byline: For instance ``"By Jane Doe and John Roe"``, ``"Jane Doe, John Roe"`` or trafilatura's
            ``"Jane Doe; John Roe"``.

    Returns:
        The names in order, without "By", roles or duplicates; ``()`` for an empty byline.
    """
    if not byline:
        return ()
    names: list[str] = []
    for part in _AND.split(_BY.sub("", byline.strip())):
        name = _ROLE_SUFFIX.sub("", _BY.sub("", part)).strip(" .·•-–—\t\n")
        name = " ".join(name.split())
        if len(name) < 2 or len(name) > 80 or _NOT_A_NAME.match(name) or "@" in name or "http" in name:
            continue
        if name not in names:
            names.append(name)
    return tuple(names)


def parse_datetime(value: str | None) -> datetime | None:
    """Parse an ISO-8601 date or datetime into an aware datetime (UTC when no offset is given).

    Args:
        value: Such as ``2024-03-01``, ``2024-03-01T10:00:00+06:00`` or ``2024-03-01 10:00:00Z``.

    Returns:
        The instant, or None when the value is not ISO-8601.
    """
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    # 2024-03-01T10:00:00+0600 → +06:00, which fromisoformat on 3.11 also accepts; keep it simple.
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(text[:10]), time())
        except ValueError:
            return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def published_of(tree: HtmlElement, found: str | None) -> datetime | None:
    """The page's publication instant: a full timestamp from its meta data, else trafilatura's date.

    Args:
        tree: The parsed page.
        found: The date trafilatura found (``YYYY-MM-DD``), if any.

    Returns:
        An aware datetime, or None when the page states no date.
    """
    for xpath in _DATE_XPATHS:
        for value in tree.xpath(xpath):
            parsed = parse_datetime(str(value))
            # trafilatura's date is checked against the page text; prefer the meta timestamp
            # only when it names the same day (or trafilatura found none).
            same_day = parsed is not None and (found is None or parsed.date().isoformat() == found[:10])
            if parsed is not None and parsed.year >= 1990 and same_day:
                return parsed
    for script in tree.xpath('//script[@type="application/ld+json"]/text()')[:5]:
        match = _JSONLD_DATE.search(str(script))
        if match:
            parsed = parse_datetime(match.group(1))
            if parsed is not None and (found is None or parsed.date().isoformat() == found[:10]):
                return parsed
    return parse_datetime(found)


def canonical_url_of(tree: HtmlElement, final_url: str) -> str:
    """The page's canonical URL: its ``rel=canonical`` or ``og:url`` when on the same site, else its URL.

    Args:
        tree: The parsed page.
        final_url: Where the page was fetched from, after redirects.

    Returns:
        The canonicalised URL (see :func:`canonicalize_url`).
    """
    candidates = tree.xpath('//link[@rel="canonical"]/@href') + tree.xpath(
        '//meta[@property="og:url"]/@content'
    )
    for candidate in candidates:
        value = str(candidate).strip()
        if not value:
            continue
        absolute = canonicalize_url(value, base=final_url) if final_url else canonicalize_url(value)
        # A page read from a file or stdin has no web address of its own: trust what it declares.
        local = not final_url.startswith(("http://", "https://"))
        if absolute.startswith(("http://", "https://")) and (local or same_site(absolute, final_url)):
            return absolute
    return canonicalize_url(final_url)


def html_language(tree: HtmlElement) -> str | None:
    """The two-letter language the page declares in ``<html lang>`` or its meta tags, if any."""
    values = tree.xpath("/html/@lang") + tree.xpath('//meta[@http-equiv="content-language"]/@content')
    values += tree.xpath('//meta[@property="og:locale"]/@content')
    for value in values:
        code = str(value).strip().lower().replace("_", "-").split("-")[0]
        if len(code) == 2 and code.isalpha():
            return code
    return None
