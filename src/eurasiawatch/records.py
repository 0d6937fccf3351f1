"""Immutable records passed between pipeline stages.

Each stage takes records from the stage before and returns new ones; nothing here knows about
storage or the network. Sequences are tuples so the records stay hashable and picklable, which is
what lets the Dask backfill ship them to workers unchanged.

    Source ─▶ FeedItem ─▶ Page ─▶ Article ─▶ Annotation(Mention, Event) ─▶ Story ─▶ Edition
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = [
    "Annotation",
    "Article",
    "Event",
    "FeedItem",
    "FetchResult",
    "Mention",
    "Page",
    "Source",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """A place we ingest from: a feed, a page, a sitemap, an archive or a folder."""

    name: str
    url: str
    kind: str = "feed"
    language: str | None = None
    outlet: str | None = None
    # Loopback and private addresses are refused unless a source is explicitly marked as local
    # (tests and the demo); see ingest.fetch.
    allow_private: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchResult:
    """What one HTTP fetch returned, after redirects; ``body`` is the decoded-bytes payload."""

    url: str
    final_url: str
    status: int
    body: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedItem:
    """One entry of a feed, before its page is fetched."""

    source: str
    url: str
    title: str | None = None
    summary: str | None = None
    published: datetime | None = None
    authors: tuple[str, ...] = ()
    language: str | None = None
    guid: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    """A fetched web page: raw HTML and where it came from."""

    url: str
    final_url: str
    html: str
    fetched_at: datetime
    source: str | None = None
    status: int = 200
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    feed_item: FeedItem | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Article:
    """Clean text and metadata extracted from a page.

    ``article_id`` is derived from the canonical URL (see ``extract.urls.article_id``) so that
    fetching the same article again updates one row instead of adding another.
    """

    article_id: str
    url: str
    canonical_url: str
    title: str | None
    text: str
    authors: tuple[str, ...] = ()
    published: datetime | None = None
    language: str | None = None
    language_score: float | None = None
    outlet: str | None = None
    source: str | None = None
    lead_image: str | None = None
    description: str | None = None
    paragraphs: tuple[str, ...] = ()
    extracted_at: datetime | None = None
    content_hash: str = ""
    sample: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Mention:
    """An entity or country found in an article, with where it was found."""

    article_id: str
    kind: str  # "country" | "entity"
    key: str  # ISO2 code or KB id
    name: str
    start: int = -1
    end: int = -1
    wikidata: str | None = None
    country: str | None = None
    entity_type: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """A PLOVER event: who did what, when, with the sentence that says so."""

    article_id: str
    type: str
    mode: str = "asserted"
    date: str | None = None
    end_date: str | None = None
    upcoming: bool = False
    actors: tuple[tuple[str, str | None], ...] = ()  # (country, entity name or None)
    location: str | None = None
    evidence: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Annotation:
    """Everything the annotate stage says about one article."""

    article_id: str
    language: str | None
    china_related: bool
    countries: tuple[str, ...] = ()
    mentions: tuple[Mention, ...] = ()
    themes: tuple[str, ...] = ()
    events: tuple[Event, ...] = ()
    kb_version: str = ""
    model_version: str = ""
    extra: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
