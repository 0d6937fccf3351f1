"""The API's response models: what every ``/api/v1`` endpoint returns, in the OpenAPI document.

Each endpoint declares one of these as its ``response_model``, so the document describes every
answer exactly and schemathesis can check that the answers match it. Lists come in a :class:`Page`
(``items``, ``total``, ``limit``, ``offset``, ``next``); errors in an :class:`ErrorResponse`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ActorRef",
    "AnnotationOut",
    "ArticleDetail",
    "ArticleSummary",
    "BlockOut",
    "ChangeOut",
    "ChartOut",
    "CitationOut",
    "CoMention",
    "CountryDetail",
    "CountrySummary",
    "EditionDetail",
    "EditionSummary",
    "EntityDetail",
    "EntitySummary",
    "ErrorBody",
    "ErrorResponse",
    "EventOut",
    "EventSummary",
    "EventType",
    "FacetValue",
    "FigureOut",
    "FirstReportOut",
    "MentionOut",
    "Page",
    "PeriodCount",
    "ReprintOut",
    "SearchHitOut",
    "SearchPage",
    "SeriesDetail",
    "SeriesSummary",
    "StoryArticle",
    "StoryDetail",
    "StorySummary",
    "Theme",
    "ThemeCount",
]

# written out (not built from annotate.THEMES / annotate.events.EVENT_TYPES) so type checkers see them;
# tests/web/test_api.py checks they match
Theme = Literal[
    "diplomacy", "security", "trade", "energy", "investment", "technology", "information", "society"
]
EventType = Literal[
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
]  # fmt: skip

T = TypeVar("T")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- envelopes ---------------------------------------------------------------------------------------


class ErrorBody(_Model):
    """What went wrong: a stable machine-readable ``code`` and a sentence for people."""

    code: str = Field(examples=["not_found"])
    message: str
    status: int = Field(description="The HTTP status, repeated.")
    details: list[dict[str, str]] | None = Field(
        default=None, description="For invalid requests: each bad field (``field``) and why (``message``)."
    )


class ErrorResponse(_Model):
    """Every error answer: ``{"error": {"code", "message", "status"}}``."""

    error: ErrorBody


class Page(_Model, Generic[T]):
    """One page of a list: ``next`` is the path of the following page, or null on the last."""

    items: list[T]
    total: int = Field(description="How many there are in all (with these filters).")
    limit: int
    offset: int
    next: str | None = Field(description="Path and query of the next page; null on the last page.")


# -- articles and annotations ------------------------------------------------------------------------


class ArticleSummary(_Model):
    """An article in a list."""

    article_id: str
    url: str
    title: str | None
    description: str | None
    published: datetime | None
    language: str | None
    outlet: str | None
    source: str | None
    authors: list[str]
    china_related: bool | None = Field(description="Null when the article is not annotated yet.")
    countries: list[str]
    themes: list[str]
    href: str = Field(description="This article's API path.")


class MentionOut(_Model):
    """A country or entity named in the text, with its character offsets."""

    kind: Literal["country", "entity"]
    key: str
    name: str
    start: int
    end: int
    wikidata: str | None
    country: str | None
    entity_type: str | None


class ActorRef(_Model):
    """One side of an event: a country and, when known, the actor (knowledge-base id)."""

    country: str | None
    entity: str | None


class EventOut(_Model):
    """A PLOVER event found in an article, with the sentence that says so."""

    type: str
    mode: str
    date: str | None = Field(description="ISO date (YYYY-MM-DD) when resolved.")
    end_date: str | None
    upcoming: bool
    actors: list[ActorRef]
    location: str | None
    evidence: str


class AnnotationOut(_Model):
    """What the annotator found in an article."""

    language: str | None
    china_related: bool
    countries: list[str]
    themes: list[str]
    mentions: list[MentionOut]
    events: list[EventOut]
    kb_version: str
    model_version: str


class ArticleDetail(_Model):
    """One article: text, metadata, annotation, story and near-duplicate link."""

    article_id: str
    url: str
    canonical_url: str
    title: str | None
    description: str | None
    text: str
    published: datetime | None
    language: str | None
    outlet: str | None
    source: str | None
    authors: list[str]
    lead_image: str | None
    sample: bool = Field(description="Sample content written for the project (the demo corpus).")
    story_id: str | None
    duplicate_of: str | None = Field(description="The earlier article this one near-duplicates, if any.")
    annotation: AnnotationOut | None


class EventSummary(EventOut):
    """An event in a list, with the article it was found in."""

    id: int
    article_id: str
    article_title: str | None
    article_url: str
    outlet: str | None
    language: str | None
    published: datetime | None


# -- stories -----------------------------------------------------------------------------------------


class FirstReportOut(_Model):
    """Who reported a story first, and how many days local-language coverage ran ahead of English."""

    article_id: str
    outlet: str | None
    language: str | None
    local_lead_days: int | None


class StorySummary(_Model):
    """A story in the ranked list."""

    story_id: str
    title: str
    first_day: date | None
    last_day: date | None
    articles: int
    outlets: list[str]
    languages: list[str]
    countries: list[str]
    actors: list[str] = Field(description="Entity keys, most mentioned first.")
    themes: list[str]
    pinned: bool
    hidden: bool
    reprints: int = Field(description="Articles republishing Chinese state-media copy.")
    score: float | None
    first: FirstReportOut | None
    href: str


class StoryArticle(_Model):
    """An article of a story."""

    article_id: str
    title: str
    outlet: str | None
    language: str | None
    day: date | None
    by_editor: bool = Field(description="Placed in this story by an editor.")
    href: str


class ReprintOut(_Model):
    """A link in a reprint chain: a local article carrying state-media copy."""

    article_id: str
    source_id: str | None = Field(description="The state-media article it copies, when in the same story.")
    agency: str | None
    outlet: str | None
    how: Literal["credited", "copy"]


class StoryDetail(StorySummary):
    """One story with its articles and reprint chains."""

    merged_into: str | None
    events: list[str] = Field(description='Dated events as "TYPE@YYYY-MM-DD", earliest first.')
    article_list: list[StoryArticle]
    reprint_chains: list[ReprintOut]


# -- entities and countries --------------------------------------------------------------------------


class EntitySummary(_Model):
    """An actor from the knowledge base, with how many stored articles name it."""

    key: str
    name: str
    type: str | None
    country: str | None
    wikidata: str | None
    articles: int
    china_related: int = Field(description="How many of those articles are China-related.")
    href: str


class CoMention(_Model):
    """Someone (or a country) named in the same articles, and in how many."""

    key: str
    name: str
    type: str | None
    articles: int


class PeriodCount(_Model):
    """Articles in one UTC day (YYYY-MM-DD) or month (YYYY-MM)."""

    period: str
    articles: int


class ThemeCount(_Model):
    """Articles with one theme."""

    theme: str
    articles: int


class EntityDetail(EntitySummary):
    """One actor: aliases, first and last mention, co-occurring actors, timeline, themes."""

    aliases: list[str]
    first_published: datetime | None
    last_published: datetime | None
    co_occurring: list[CoMention]
    countries_named: list[CoMention]
    timeline: list[PeriodCount]
    themes: list[ThemeCount]
    articles_href: str = Field(description="The article list filtered on this actor.")


class CountrySummary(_Model):
    """A country with how many stored articles name it."""

    code: str
    name: str
    articles: int
    china_related: int
    href: str


class CountryDetail(CountrySummary):
    """One country: capital, timeline, themes, the actors named with it."""

    capital: str | None
    first_published: datetime | None
    last_published: datetime | None
    actors: list[CoMention]
    timeline: list[PeriodCount]
    themes: list[ThemeCount]
    articles_href: str


# -- editions ----------------------------------------------------------------------------------------


class EditionSummary(_Model):
    """An edition in a list."""

    edition_id: str
    send_date: date
    window_start: date
    window_end: date
    headline: str
    status: Literal["draft", "approved", "sent"]
    href: str


class CitationOut(_Model):
    """An article a block's sentence rests on."""

    article_id: str
    url: str
    outlet: str | None
    title: str | None
    language: str | None
    authors: list[str]
    published: datetime | None


class ChartOut(_Model):
    """A chart of a block: SVG for the web, with its alt text and source line."""

    chart_id: str
    alt: str
    svg: str
    source: str


class BlockOut(_Model):
    """One block of an edition; ``[n]`` markers in ``text`` point into ``citations`` (1-based)."""

    block_id: str
    section: str
    kind: str
    title: str | None
    text: str
    flags: list[str]
    edited: bool
    citations: list[CitationOut]
    chart: ChartOut | None


class EditionDetail(EditionSummary):
    """One edition with its blocks in reading order."""

    dek: str
    language: str
    number: int | None
    slug: str
    blocks: list[BlockOut]


# -- search ------------------------------------------------------------------------------------------


class SearchHitOut(_Model):
    """A search result: the article, its score and the best passage with the matched words' offsets."""

    article_id: str
    title: str | None
    url: str | None
    outlet: str | None
    language: str | None
    published: datetime | None
    score: float
    snippet: str
    highlights: list[tuple[int, int]]
    title_highlights: list[tuple[int, int]]
    href: str


class FacetValue(_Model):
    """One value of a facet and how many hits have it."""

    value: str
    count: int


class SearchPage(Page[SearchHitOut]):
    """A page of search results with facet counts (over the best ``facet_basis`` hits)."""

    query: str
    approximate: bool = Field(description="Facets were counted over the best hits only.")
    facet_basis: int
    facets: dict[str, list[FacetValue]]
    engine: str


# -- indicators --------------------------------------------------------------------------------------


class SeriesSummary(_Model):
    """A stored indicator series."""

    id: str = Field(examples=["S1"])
    dataset: str
    title: str
    unit: str
    points: int
    first: str | None
    last: str | None
    source: str
    synthetic: bool
    href: str


class ChangeOut(_Model):
    """The series' latest change and the sentence a briefing can quote."""

    basis: str
    label: str
    comparison: str
    current: float
    previous: float
    percent: float | None
    sentence: str


class SeriesDetail(_Model):
    """One series with every point (period order) and its latest change, when computable."""

    id: str
    dataset: str
    title: str
    reporter: str
    partner: str
    measure: str
    hs_code: str | None
    unit: str
    source: str
    synthetic: bool
    frequency: str
    points: list[tuple[str, float]]
    change: ChangeOut | None


class FigureOut(_Model):
    """A figure as a source published it: quoted, never recomputed."""

    id: str
    dataset: str
    subject: str
    period: str | None
    measure: str
    value: str | None
    qualifier: str | None
    unit: str | None
    source: str
    note: str | None
    shipped: bool
