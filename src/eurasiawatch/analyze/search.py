"""Full-text search: multilingual stemming, query parsing, filters, facets and highlighted snippets.

Words are stemmed here, in Python, the same way for the index and for the query, so SQLite FTS5 (which
has no Russian stemmer) and PostgreSQL (used with no dictionary at all) hold the same tokens and return
the same articles; ``store.search`` keeps the index and runs the query.

- **Tokens**: runs of letters and digits, NFKC case-folded.
- **Stems**: Snowball (``snowballstemmer``) for Russian, English, Hungarian, Serbian (Cyrillic and
  Latin meet: it transliterates), Romanian, Turkish, Polish, Czech …; the light suffix rules of
  ``annotate.inflection`` for Ukrainian, Kazakh, Kyrgyz, Uzbek, Tajik, Belarusian, Bulgarian,
  Macedonian. A document is stemmed in its own language; a query word, not knowing its language,
  becomes the OR of its stems in every language written in its script (or in the ``--language``
  filter's languages), plus the word itself.
- **Alternate stems**: Snowball's Russian stemmer reads ``Китая`` as an adjective (``кит``) while
  ``Китай``, ``Китаю``, ``Китаем`` give ``кита``; a Russian word in ``-ая``/``-яя`` therefore also
  indexes the stem of its ``-ай`` noun reading, in a separate column that phrases ignore.
- **Filters** become tag tokens (``xc…`` country, ``xt…`` theme …; dates as day, month, year and
  decade tokens covering the range), ANDed with the words.
- **Facets** are counted over the best ``facet_cap`` hits (default 1,000): exact when there are
  fewer hits, otherwise ``approximate`` is true and they describe the best-ranked ``facet_cap``.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import snowballstemmer
from sqlalchemy import Connection

from ..annotate.inflection import stemmer_for
from ..errors import EurasiawatchError
from ..records import Annotation, Article
from ..store import search as store
from ..store.annotations import load_annotation
from ..store.queries import get_article
from ..store.search import AnyOf, Phrase, SearchDocument, Terms, TextQuery
from .search_cache import SearchCache

__all__ = [
    "FACET_CAP",
    "FACET_KINDS",
    "SearchFilters",
    "SearchHit",
    "SearchQueryError",
    "SearchResult",
    "highlight",
    "index_article",
    "parse_query",
    "search",
    "search_document",
    "search_index_pending",
    "stem_variants",
    "tokens",
]

#: facets are exact up to this many hits, approximate (over the best this many) above
FACET_CAP = 1000
FACET_KINDS = ("country", "theme", "entity", "language", "outlet")
_SNOWBALL = {
    "en": "english",
    "ru": "russian",
    "hu": "hungarian",
    "sr": "serbian",
    "hr": "serbian",
    "bs": "serbian",
    "sh": "serbian",
    "cnr": "serbian",
    "ro": "romanian",
    "tr": "turkish",
    "pl": "polish",
    "cs": "czech",
    "lt": "lithuanian",
    "et": "estonian",
    "de": "german",
    "fr": "french",
    "hy": "armenian",
    "el": "greek",
}
_CYRILLIC_LANGUAGES = ("ru", "uk", "be", "bg", "mk", "sr", "kk", "ky", "tg")
_LATIN_LANGUAGES = ("en", "hu", "uz", "sr", "ro", "tr", "pl", "cs", "sk", "sl", "hr", "az", "tk", "lt", "et")
_WORD = re.compile(r"[^\W_]+")
_MAX_TOKEN = 64  # longer "words" (base64, URLs) are cut: no one searches for them whole
_MIN_DATE = date(1970, 1, 1)
_MAX_DATE = date(2099, 12, 31)


class SearchQueryError(EurasiawatchError):
    """A search query that cannot be run (no words to look for, or a malformed filter)."""


# -- tokens and stems --------------------------------------------------------------------------------


@lru_cache(maxsize=200_000)
def _fold(word: str) -> tuple[str, ...]:
    return tuple(t[:_MAX_TOKEN] for t in _WORD.findall(unicodedata.normalize("NFKC", word).casefold()))


def _words(text: str) -> Iterator[tuple[str, int, int]]:
    """Each token with the offsets of the word it came from."""
    for m in _WORD.finditer(text):
        for token in _fold(m.group()):
            yield token, m.start(), m.end()


def tokens(text: str) -> list[str]:
    """The tokens of a text: runs of letters and digits, NFKC case-folded."""
    return [t for t, _, _ in _words(text)]


@lru_cache(maxsize=1024)
def _snowball(algorithm: str, thread: int) -> Any:
    """One stemmer per algorithm and thread: a Snowball stemmer keeps its word in itself while it
    works, so two threads sharing one (the web app's request threads) corrupt each other's stems."""
    return snowballstemmer.stemmer(algorithm)


def _base(language: str | None) -> str:
    return (language or "").split("-")[0].split("_")[0].lower()


@lru_cache(maxsize=400_000)
def stem_variants(token: str, language: str | None) -> tuple[str, ...]:
    """The stem of a folded token in a language, then its alternate stems (if any).

    Args:
        token: one token from :func:`tokens`.
        language: the text's language code (``ru``, ``sr-Latn`` …); unknown languages are not stemmed.

    Returns:
        ``(stem, *alternates)``; the stem alone for nearly every word.
    """
    base = _base(language)
    algorithm = _SNOWBALL.get(base)
    if algorithm is not None:
        stem = _snowball(algorithm, threading.get_ident()).stemWord(token)
    else:
        stem = stemmer_for(base).stem(token) if base else token
    stem = stem or token
    if base == "ru" and len(token) >= 5 and token.endswith(("ая", "яя")):
        alt = _snowball("russian", threading.get_ident()).stemWord(token[:-1] + "й")
        if alt and alt != stem:
            return (stem, alt)
    return (stem,)


def _script_languages(token: str, languages: tuple[str, ...]) -> tuple[str, ...]:
    if languages:
        return languages
    letter = next((c for c in token if c.isalpha()), "")
    if not letter:
        return ()
    name = unicodedata.name(letter, "")
    if name.startswith("CYRILLIC"):
        return _CYRILLIC_LANGUAGES
    if name.startswith("LATIN"):
        return _LATIN_LANGUAGES
    return ()


def _query_stems(token: str, languages: tuple[str, ...]) -> tuple[str, ...]:
    found = {token}
    for language in _script_languages(token, languages):
        found.update(stem_variants(token, language))
    return tuple(sorted(found))


# -- tags: filters as tokens -------------------------------------------------------------------------


def _tag(kind: str, value: str) -> str:
    digest = hashlib.blake2s(value.strip().casefold().encode("utf-8"), digest_size=5).hexdigest()
    return f"x{kind}{digest}"


def _language_tags(language: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys((_tag("l", language), _tag("l", _base(language)))))


def _date_tags(day: date) -> tuple[str, ...]:
    return (f"xd{day:%Y%m%d}", f"xm{day:%Y%m}", f"xy{day:%Y}", f"xz{day.year // 10}")


def _range_tags(since: date, until: date) -> tuple[str, ...]:
    """The fewest day/month/year/decade tokens that cover ``since`` … ``until`` exactly."""
    found: list[str] = []
    day = since
    while day <= until:
        decade_end = date(day.year - day.year % 10 + 9, 12, 31)
        month_end = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
        if day.month == 1 and day.day == 1 and day.year % 10 == 0 and decade_end <= until:
            found.append(f"xz{day.year // 10}")
            day = decade_end + timedelta(days=1)
        elif day.month == 1 and day.day == 1 and date(day.year, 12, 31) <= until:
            found.append(f"xy{day:%Y}")
            day = date(day.year + 1, 1, 1)
        elif day.day == 1 and month_end <= until:
            found.append(f"xm{day:%Y%m}")
            day = month_end + timedelta(days=1)
        else:
            found.append(f"xd{day:%Y%m%d}")
            day += timedelta(days=1)
    return tuple(found)


# -- documents ---------------------------------------------------------------------------------------


def _stems(text: str, language: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    main: list[str] = []
    alt: list[str] = []
    for token in tokens(text):
        variants = stem_variants(token, language)
        main.append(variants[0])
        alt.extend(variants[1:])
    return tuple(main), tuple(alt)


def search_document(article: Article, annotation: Annotation | None = None) -> SearchDocument:
    """What the search index holds for an article: stemmed title and text, filter tags, facets.

    Args:
        article: the stored article.
        annotation: its annotation (countries, themes, entities), if it has one.

    Returns:
        The document for ``store.search.index_document``.
    """
    language = article.language
    title, title_alt = _stems(article.title or "", language)
    body, body_alt = _stems(article.text, language)
    facets: list[str] = []
    if annotation is not None:
        facets += [f"country:{c}" for c in annotation.countries]
        facets += [f"theme:{t}" for t in annotation.themes]
        facets += [f"entity:{m.key}" for m in annotation.mentions if m.kind == "entity"]
    facets = list(dict.fromkeys(facets))
    tags: list[str] = []
    for facet in facets:
        kind, _, value = facet.partition(":")
        tags.append(_tag(kind[0], value))
    if language:
        tags += _language_tags(language)
    if article.outlet:
        tags.append(_tag("o", article.outlet))
    if article.published is not None:
        tags += _date_tags(article.published.date())
    return SearchDocument(
        article_id=article.article_id,
        language=language,
        outlet=article.outlet,
        published=article.published,
        title=title,
        body=body,
        alt=title_alt + body_alt,
        tags=tuple(dict.fromkeys(tags)),
        facets=tuple(facets),
    )


# -- queries -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchFilters:
    """Filters: values of one kind are ORed, kinds are ANDed; dates are inclusive (UTC days)."""

    countries: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None

    def clauses(self) -> tuple[Terms, ...]:
        """The filters as tag clauses for ``store.search``."""
        found: list[Terms] = []
        for kind, values in (
            ("c", self.countries),
            ("e", self.entities),
            ("t", self.themes),
            ("o", self.outlets),
        ):
            if values:
                found.append(Terms(tuple(_tag(kind, v) for v in values), tags=True))
        if self.languages:
            found.append(Terms(tuple(t for v in self.languages for t in _language_tags(v)), tags=True))
        if self.since is not None or self.until is not None:
            since, until = self.since or _MIN_DATE, self.until or _MAX_DATE
            if since > until:
                raise SearchQueryError(f"the date range is empty: since {since} is after until {until}")
            found.append(Terms(_range_tags(since, until), tags=True))
        return tuple(found)


@dataclass(frozen=True, slots=True)
class _Parsed:
    query: TextQuery
    stems: frozenset[str]
    prefixes: tuple[str, ...]


# a quoted phrase, or a bare word (with - before it, * after it), or OR
_QUERY_PART = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')


def parse_query(query: str, filters: SearchFilters | None = None) -> TextQuery:
    """Turn what a user typed into the stemmed query ``store.search`` runs.

    Syntax: words (all must match), ``"a phrase"``, ``a OR b``, ``-word`` / ``-"a phrase"`` to
    exclude, ``word*`` for a prefix. A bare word that folds to several tokens (``Xi'an``, ``U.S.``)
    is a phrase.

    Raises:
        SearchQueryError: nothing to look for (no words, or only excluded ones).
    """
    return _parse(query, filters or SearchFilters()).query


def _parse(query: str, filters: SearchFilters) -> _Parsed:
    languages = tuple(filters.languages)
    must: list[Any] = []
    must_not: list[Any] = []
    stems: set[str] = set()
    prefixes: list[str] = []
    pending_or = False
    for m in _QUERY_PART.finditer(query):
        negate = bool(m.group(1) or m.group(3))
        quoted = m.group(2) is not None
        raw = m.group(2) if quoted else m.group(4)
        if not quoted and raw == "OR":
            pending_or = bool(must)
            continue
        prefix = not quoted and raw.endswith("*")
        words = tokens(raw)
        if not words:
            continue
        clause: Terms | Phrase
        if len(words) == 1:
            variants = _query_stems(words[0], languages)
            clause = Terms(variants, prefix=prefix)
            if not negate:
                stems.update(variants)
                if prefix:
                    prefixes.extend(variants)
        else:
            per_word = [_query_stems(w, languages) for w in words]
            langs = sorted({lang for w in words for lang in _script_languages(w, languages)})
            phrase_variants = {tuple(words)}
            for language in langs:
                phrase_variants.add(tuple(stem_variants(w, language)[0] for w in words))
            clause = Phrase(tuple(sorted(phrase_variants)))
            if not negate:
                stems.update(s for group in per_word for s in group)
        if negate:
            must_not.append(clause)
            pending_or = False
        elif pending_or:
            last = must.pop()
            items = (*last.items, clause) if isinstance(last, AnyOf) else (last, clause)
            must.append(AnyOf(items))
            pending_or = False
        else:
            must.append(clause)
    if not must:
        raise SearchQueryError(
            f"nothing to search for in {query!r}", hint="give at least one word that is not excluded"
        )
    return _Parsed(
        TextQuery(tuple(must) + filters.clauses(), tuple(must_not)), frozenset(stems), tuple(prefixes)
    )


# -- snippets ----------------------------------------------------------------------------------------


def highlight(
    text: str, stems: Iterable[str], language: str | None, *, width: int = 240, prefixes: Iterable[str] = ()
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The passage of ``text`` with the most query words, and where they are in it.

    Args:
        text: the article text (or title).
        stems: the query's stems; a word matches when one of its stems (in ``language``) is among them.
        language: the text's language.
        width: about how many characters the passage has.
        prefixes: stems that match any word whose stem starts with them.

    Returns:
        ``(passage, spans)``: the passage (with ``…`` where it was cut) and (start, end) offsets of the
        matched words in it.
    """
    wanted = frozenset(stems)
    starts = tuple(prefixes)
    hits: list[tuple[int, int]] = []
    seen: dict[str, bool] = {}  # a text repeats its words: stem and compare each once
    for token, start, end in _words(text):
        matched = seen.get(token)
        if matched is None:
            variants = stem_variants(token, language)
            matched = token in wanted or any(v in wanted for v in variants)
            if not matched and starts:
                matched = any(v.startswith(starts) for v in variants)
            seen[token] = matched
        if matched and (not hits or hits[-1] != (start, end)):
            hits.append((start, end))
    if len(text) <= width:
        return text, tuple(hits)
    best, best_n = 0, 0
    j = 0
    for i, (s, _) in enumerate(hits):
        while j < len(hits) and hits[j][1] <= s + width:
            j += 1
        if j - i > best_n:
            best, best_n = i, j - i
    begin = max(0, hits[best][0] - width // 6) if hits else 0
    if begin > 0:
        space = text.rfind(" ", 0, begin)
        begin = space + 1 if space >= 0 and begin - space < 30 else begin
    end = min(len(text), begin + width)
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > begin + width // 2 else end
    lead = "…" if begin > 0 else ""
    passage = lead + text[begin:end].strip() + ("…" if end < len(text) else "")
    shift = len(lead) - begin - (len(text[begin:end]) - len(text[begin:end].lstrip()))
    spans = tuple((s + shift, e + shift) for s, e in hits if s >= begin and e <= end)
    return passage, spans


# -- searching ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchHit:
    """One result: the article, its score (higher is better) and a highlighted passage."""

    article_id: str
    title: str | None
    url: str | None
    outlet: str | None
    language: str | None
    published: datetime | None
    score: float
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    title_highlights: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchResult:
    """A page of results with the total, facet counts and whether those counts are approximate."""

    query: str
    total: int
    hits: tuple[SearchHit, ...]
    facets: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)
    approximate: bool = False
    facet_basis: int = 0  # how many hits the facets were counted over
    offset: int = 0
    engine: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (``--json``)."""
        return {
            "query": self.query,
            "engine": self.engine,
            "total": self.total,
            "offset": self.offset,
            "approximate": self.approximate,
            "facet_basis": self.facet_basis,
            "facets": {k: [{"value": v, "count": n} for v, n in items] for k, items in self.facets.items()},
            "hits": [
                {
                    "article_id": h.article_id,
                    "title": h.title,
                    "url": h.url,
                    "outlet": h.outlet,
                    "language": h.language,
                    "published": h.published.isoformat() if h.published else None,
                    "score": round(h.score, 6),
                    "snippet": h.snippet,
                    "highlights": [list(s) for s in h.highlights],
                    "title_highlights": [list(s) for s in h.title_highlights],
                }
                for h in self.hits
            ],
        }


def _facets(hits: list[store.StoredHit], top: int) -> dict[str, tuple[tuple[str, int], ...]]:
    counted = Counter(f for hit in hits for f in json.loads(hit.facets))
    counted.update(f"language:{hit.language}" for hit in hits if hit.language)
    counted.update(f"outlet:{hit.outlet}" for hit in hits if hit.outlet)
    by_kind: dict[str, list[tuple[str, int]]] = {kind: [] for kind in FACET_KINDS}
    for facet, n in counted.items():
        kind, _, value = facet.partition(":")
        if kind in by_kind:
            by_kind[kind].append((value, n))
    return {
        kind: tuple(sorted(items, key=lambda kv: (-kv[1], kv[0]))[:top]) for kind, items in by_kind.items()
    }


@dataclass(frozen=True, slots=True)
class _Ranked:
    """What a search computes before its page: remembered by ``SearchCache``."""

    hits: tuple[tuple[str, str | None, str | None, float], ...]  # (article id, language, outlet, score)
    total: int
    approximate: bool
    facets: dict[str, tuple[tuple[str, int], ...]]


def _rank(conn: Connection, query: TextQuery, cap: int, facet_top: int) -> _Ranked:
    found = store.search_hits(conn, query, cap=cap)
    approximate = len(found) >= cap
    total = store.count_matches(conn, query) if approximate else len(found)
    return _Ranked(
        hits=tuple((h.article_id, h.language, h.outlet, h.score) for h in found),
        total=total,
        approximate=approximate and total > len(found),
        facets=_facets(found, facet_top),
    )


def search(
    conn: Connection,
    query: str,
    *,
    filters: SearchFilters | None = None,
    limit: int = 20,
    offset: int = 0,
    facet_cap: int = FACET_CAP,
    facet_top: int = 10,
    cache: SearchCache[Any] | None = None,
) -> SearchResult:
    """Search the stored articles: ranked hits with snippets, the total and facet counts.

    SQLite ranks with FTS5 ``bm25()``, PostgreSQL with ``ts_rank_cd`` (see ``store.search``): the
    same articles match on both, their order can differ.

    Args:
        conn: a connection.
        query: what the user typed (see :func:`parse_query`).
        filters: countries, entities, themes, languages, outlets, date range.
        limit: hits on this page.
        offset: hits skipped before it.
        facet_cap: facets are counted over the best this many hits; more hits make them approximate.
        facet_top: values kept per facet.
        cache: remembers the ranked candidates, total and facets per query for the next pages and
            the next asker (``analyze.search_cache``); the result is the same with or without it.

    Returns:
        The page of hits, the exact total, facets, and ``approximate`` when facets saw only part.

    Raises:
        SearchQueryError: the query has nothing to look for, or the filters are contradictory.
    """
    filters = filters or SearchFilters()
    if limit < 0 or offset < 0:
        raise SearchQueryError("limit and offset must not be negative")
    parsed = _parse(query, filters)
    cap = max(facet_cap, offset + limit)
    key = (parsed.query, cap, facet_top)

    def rank() -> _Ranked:
        return _rank(conn, parsed.query, cap, facet_top)

    ranked = rank() if cache is None else cache.get(conn, key, rank)
    page = ranked.hits[offset : offset + limit]
    texts = store.load_article_texts(conn, (aid for aid, _, _, _ in page))
    if cache is not None and len(texts) < len(page):  # an article removed since it was remembered
        cache.forget(conn, key)
        ranked = cache.get(conn, key, rank)
        page = ranked.hits[offset : offset + limit]
        texts = store.load_article_texts(conn, (aid for aid, _, _, _ in page))
    hits = []
    for article_id, language, outlet, score in page:
        row = texts.get(article_id, {})
        snippet, spans = highlight(row.get("text") or "", parsed.stems, language, prefixes=parsed.prefixes)
        _, title_spans = highlight(
            row.get("title") or "", parsed.stems, language, width=10_000, prefixes=parsed.prefixes
        )
        hits.append(
            SearchHit(
                article_id=article_id,
                title=row.get("title"),
                url=row.get("url"),
                outlet=outlet,
                language=language,
                published=row.get("published"),
                score=score,
                snippet=snippet,
                highlights=spans,
                title_highlights=title_spans,
            )
        )
    return SearchResult(
        query=query,
        total=ranked.total,
        hits=tuple(hits),
        facets=dict(ranked.facets),  # the remembered one stays as it is whatever a caller does
        approximate=ranked.approximate,
        facet_basis=len(ranked.hits),
        offset=offset,
        engine=conn.dialect.name,
    )


def index_article(conn: Connection, article_id: str, *, now: datetime) -> bool:
    """(Re)index one stored article with its annotation; False when the article is gone.

    Args:
        conn: a connection inside a transaction.
        article_id: the article.
        now: the run's clock.
    """
    article = get_article(conn, article_id)
    if article is None:
        store.delete_search_document(conn, article_id)
        return False
    store.index_document(conn, search_document(article, load_annotation(conn, article_id)), now=now)
    return True


def search_index_pending(
    conn: Connection, *, now: datetime, batch: int = 500, limit: int | None = None
) -> int:
    """Index every article that is new or changed (text or annotation) since it was last indexed.

    Args:
        conn: a connection inside a transaction.
        now: the run's clock (stored as ``indexed_at``).
        batch: articles fetched per round.
        limit: stop after this many (None: all).

    Returns:
        How many articles were indexed.
    """
    done = 0
    after: str | None = None
    while limit is None or done < limit:
        size = batch if limit is None else min(batch, limit - done)
        ids = store.pending_article_ids(conn, limit=size, after=after)
        if not ids:
            break
        for article_id in ids:
            index_article(conn, article_id, now=now)
        done += len(ids)
        after = ids[-1]
    return done
