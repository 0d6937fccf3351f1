"""Immutable records passed between pipeline stages.

Each stage takes records from the stage before and returns new ones; nothing here knows about
storage or the network. Sequences are tuples so the records stay hashable and picklable, which is
what lets the Dask backfill ship them to workers unchanged.

    Source ─▶ FeedItem ─▶ Page ─▶ Article ─▶ Annotation(Mention, Event) ─▶ Story ─▶ Edition(Block)
          ─▶ RenderedEdition ─▶ Delivery
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

__all__ = [
    "Annotation",
    "Article",
    "Block",
    "Chart",
    "Citation",
    "Delivery",
    "Edition",
    "Event",
    "FeedItem",
    "FetchResult",
    "Mention",
    "Page",
    "RenderedEdition",
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


@dataclass(frozen=True, slots=True, kw_only=True)
class Citation:
    """An article a drafted sentence rests on, as shown to readers."""

    article_id: str
    url: str
    outlet: str | None = None
    title: str | None = None
    language: str | None = None
    authors: tuple[str, ...] = ()
    published: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Chart:
    """A chart that travels with the edition: PNG for email (inline part), SVG for the web, alt text."""

    chart_id: str
    alt: str
    png: bytes = b""
    svg: str = ""
    source: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Block:
    """One block of an edition.

    ``text`` is plain text with paragraphs separated by blank lines; ``[n]`` markers (1-based) point
    into ``citations``. Quotes taken word for word from an outlet are written as
    ``> quoted text`` paragraphs and carry ``"verbatim"`` in ``flags`` until an editor rewrites them.

    Sections and kinds, in reading order: ``top`` (headline, dek, greeting, intro), ``lead`` (lead,
    finding_perspective, behind_the_scenes, why_it_matters), ``more`` (story, with one key-fact
    sub-block: what_it_means | the_details | what_you_need_to_know), ``supercontinent``
    (supercontinent_item), ``watch`` (one_thing_to_watch), ``data`` (data_point), ``footer`` (signoff,
    bio, about, subscribe, notice).
    """

    block_id: str
    section: str
    kind: str
    title: str | None = None
    text: str = ""
    citations: tuple[Citation, ...] = ()
    chart: Chart | None = None
    flags: tuple[str, ...] = ()
    edited: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Edition:
    """A briefing: its blocks in reading order, the window it covers and the slot it is for."""

    edition_id: str
    send_date: date
    window_start: date
    window_end: date
    headline: str
    dek: str = ""
    language: str = "en"
    number: int | None = None
    slug: str = ""
    blocks: tuple[Block, ...] = ()
    status: str = "draft"  # draft | approved | sent


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderedEdition:
    """An edition rendered for every channel.

    ``inline_parts`` are (content id, MIME type, bytes) of the charts the HTML email refers to as
    ``cid:`` URLs; they travel inside the message (multipart/related), never as remote images.
    """

    edition_id: str
    subject: str
    email_html: str
    text: str
    web_html: str
    web_path: str  # e.g. "editions/2024/07/10/<slug>/index.html"
    inline_parts: tuple[tuple[str, str, bytes], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    """The state of one edition for one subscriber, as the send ledger records it."""

    edition_id: str
    subscriber_token: str
    state: str  # queued | sending | sent | deferred | bounced | unknown
    attempts: int = 0
    detail: str | None = None
