"""Watchlists: saved searches or country/entity/theme sets, their new matches, Atom feed and digest.

A watchlist has an optional full-text ``query`` (run through ``analyze.search``) and optional sets of
countries, entities and themes. Values of one kind are ORed, kinds (and the query) are ANDed, as in
search filters. Entities match a mention's knowledge-base key, name or Wikidata QID, case-folded.

"New matches" are articles first seen after the watchlist's ``delivered_until`` watermark and no
later than the moment the digest was built; the watermark moves to that moment only once the digest
was sent (or written to an outbox), so a second digest sends nothing already sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from sqlalchemy import Connection

from ..errors import EurasiawatchError
from ..store import watchlists as store
from .search import search

__all__ = [
    "Digest",
    "WatchMatch",
    "Watchlist",
    "WatchlistError",
    "build_digest",
    "find_matches",
    "matches_sets",
    "render_feed",
]

#: articles scanned per watchlist and per run (newest first)
SCAN_LIMIT = 5000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


class WatchlistError(EurasiawatchError):
    """A watchlist that cannot be saved or found."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Watchlist:
    """A saved search or a set of countries, entities and themes."""

    name: str
    query: str | None = None
    countries: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    delivered_until: datetime | None = None

    def check(self) -> Watchlist:
        """Return self if it is usable, else raise ``WatchlistError``."""
        if not _NAME.fullmatch(self.name):
            raise WatchlistError(f"watchlist name {self.name!r}: use letters, digits, '.', '_' or '-'")
        if not (self.query and self.query.strip()) and not (self.countries or self.entities or self.themes):
            raise WatchlistError(f"watchlist {self.name!r} needs a query or countries, entities or themes")
        return self

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Watchlist:
        """Build from a ``store.watchlists`` row."""
        return cls(
            name=row["name"],
            query=row["query"],
            countries=tuple(row["countries"]),
            entities=tuple(row["entities"]),
            themes=tuple(row["themes"]),
            delivered_until=row["delivered_until"],
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class WatchMatch:
    """One article matching a watchlist."""

    article_id: str
    title: str | None
    url: str
    outlet: str | None
    language: str | None
    published: datetime | None
    first_seen_at: datetime


def matches_sets(
    watchlist: Watchlist, *, countries: Iterable[str], themes: Iterable[str], entities: Iterable[str]
) -> bool:
    """Whether an article's countries, themes and (case-folded) entity names satisfy the watchlist's sets."""
    if watchlist.countries and not {c.upper() for c in watchlist.countries} & {c.upper() for c in countries}:
        return False
    if watchlist.themes and not {t.casefold() for t in watchlist.themes} & {t.casefold() for t in themes}:
        return False
    return not (watchlist.entities and not {e.strip().casefold() for e in watchlist.entities} & set(entities))


def find_matches(
    conn: Connection, watchlist: Watchlist, *, after: datetime | None, until: datetime, limit: int = 200
) -> list[WatchMatch]:
    """The articles first seen in ``(after, until]`` that match, newest first.

    Args:
        conn: a connection (the search index should be current: ``search_index_pending``).
        watchlist: what to look for.
        after: the watermark (exclusive), None for all.
        until: the upper bound (inclusive).
        limit: at most this many matches.

    Returns:
        Matches, newest first seen first.
    """
    rows = store.new_articles(conn, after=after, until=until, limit=SCAN_LIMIT)
    if watchlist.query and watchlist.query.strip():
        hits = search(conn, watchlist.query, limit=SCAN_LIMIT, facet_cap=SCAN_LIMIT, facet_top=0)
        wanted = {h.article_id for h in hits.hits}
        rows = [r for r in rows if r["article_id"] in wanted]
    ents = store.entity_mentions(conn, [r["article_id"] for r in rows]) if watchlist.entities else {}
    found = []
    for r in rows:
        ok = matches_sets(
            watchlist, countries=r["countries"], themes=r["themes"], entities=ents.get(r["article_id"], ())
        )
        if ok:
            found.append(
                WatchMatch(
                    article_id=r["article_id"],
                    title=r["title"],
                    url=r["url"],
                    outlet=r["outlet"],
                    language=r["language"],
                    published=r["published"],
                    first_seen_at=r["first_seen_at"],
                )
            )
        if len(found) >= limit:
            break
    return found


def _clean(text: str | None) -> str:
    """Text safe for XML and mail: no control characters, whitespace collapsed."""
    return " ".join(_CONTROL.sub("", text or "").split())


def _stamp(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def render_feed(watchlist: Watchlist, found: Sequence[WatchMatch], *, now: datetime) -> str:
    """An Atom feed (RFC 4287) of a watchlist's matches; titles and links escaped, control chars removed."""
    feed_id = f"tag:eurasiawatch,2024:watchlist:{watchlist.name}"
    updated = max((m.first_seen_at for m in found), default=now)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"  <title>{xml_escape('eurasiawatch watchlist: ' + watchlist.name)}</title>",
        f"  <id>{xml_escape(feed_id)}</id>",
        f"  <updated>{_stamp(updated)}</updated>",
        "  <author><name>eurasiawatch</name></author>",
    ]
    for m in found:
        summary = " · ".join(x for x in (_clean(m.outlet), m.language or "") if x)
        out += [
            "  <entry>",
            f"    <title>{xml_escape(_clean(m.title) or '(untitled)')}</title>",
            f'    <link rel="alternate" href="{xml_escape(m.url, {chr(34): "&quot;"})}"/>',
            f"    <id>{xml_escape(feed_id + ':' + m.article_id)}</id>",
            f"    <updated>{_stamp(m.first_seen_at)}</updated>",
        ]
        if m.published:
            out.append(f"    <published>{_stamp(m.published)}</published>")
        if summary:
            out.append(f"    <summary>{xml_escape(summary)}</summary>")
        out.append("  </entry>")
    out.append("</feed>")
    return "\n".join(out) + "\n"


@dataclass(frozen=True, slots=True, kw_only=True)
class Digest:
    """The daily digest: subject, plain text and HTML, and the watchlists with new matches."""

    subject: str
    text: str
    html: str
    count: int
    names: tuple[str, ...]


def build_digest(sections: Sequence[tuple[Watchlist, Sequence[WatchMatch]]], *, now: datetime) -> Digest:
    """One email listing each watchlist's new matches with links and outlets (empty ones skipped)."""
    shown = [(w, ms) for w, ms in sections if ms]
    count = sum(len(ms) for _, ms in shown)
    subject = f"eurasiawatch watchlists {now:%Y-%m-%d}: {count} new"
    text = [f"Watchlists digest, {now:%Y-%m-%d}: {count} new matches", ""]
    html = [f"<h1>Watchlists digest, {now:%Y-%m-%d}</h1>", f"<p>{count} new matches</p>"]
    for w, ms in shown:
        text += [f"## {w.name} ({len(ms)})", ""]
        html.append(f"<h2>{escape(w.name)} ({len(ms)})</h2>\n<ul>")
        for m in ms:
            title = _clean(m.title) or "(untitled)"
            outlet = _clean(m.outlet) or "?"
            day = m.published.date().isoformat() if m.published else "undated"
            text += [f"- {title} — {outlet}, {day}", f"  {m.url}"]
            html.append(f'<li><a href="{escape(m.url)}">{escape(title)}</a> — {escape(outlet)}, {day}</li>')
        text.append("")
        html.append("</ul>")
    if not shown:
        text.append("No new matches.")
        html.append("<p>No new matches.</p>")
    return Digest(
        subject=subject,
        text="\n".join(text).rstrip() + "\n",
        html="\n".join(html) + "\n",
        count=count,
        names=tuple(w.name for w, _ in shown),
    )
