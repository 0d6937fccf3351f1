"""Full-text search queries: keep the index current and run ranked, filtered searches.

The words are stemmed in Python before they reach the database (``analyze.search``), so SQLite and
PostgreSQL index the same tokens and answer a query with the same articles; only the ranking differs:

- **SQLite**: an FTS5 table ``search_fts(title, body, alt, tags)`` whose rowid is
  ``search_documents.doc_id``, ranked by ``bm25()`` with column weights 2 / 1 / 0.5 / 0. FTS5's own
  ``unicode61`` tokenizer only splits on spaces here (the text is already tokens). The table is
  created on first use, not by the migration: Alembic's autogenerate comparison would see it and
  its shadow tables (``search_fts_data``, ``_idx`` …) as tables missing from ``store.tables``.
- **PostgreSQL**: a ``tsvector`` column on ``search_documents`` (GIN index), written as a literal with
  our tokens, positions and weights (A title, B body, C alternate stems, D filter tags), so
  PostgreSQL's parser and dictionaries never touch the words (the ``simple`` behaviour, exactly);
  ranked by ``ts_rank_cd`` (cover density, weights 0 / 0.2 / 0.4 / 1 for D / C / B / A,
  normalisation 1 = divided by 1 + log of the document length).

Filters are tokens too (``tags``): ``analyze.search`` turns a country, theme, entity, language,
outlet or date range into tag terms ANDed with the words, so a filter narrows the index lookup
instead of checking rows afterwards. Every statement is built by a ``_*_stmt(dialect, ...)`` builder,
which a test compiles for both databases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Delete,
    Insert,
    Select,
    Text,
    TextClause,
    bindparam,
    cast,
    delete,
    func,
    literal_column,
    or_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR

from .tables import articles, metadata, search_documents

__all__ = [
    "AnyOf",
    "Phrase",
    "SearchDocument",
    "StoredHit",
    "Terms",
    "TextQuery",
    "bare_match",
    "count_matches",
    "delete_search_document",
    "ensure_search_table",
    "index_document",
    "index_version",
    "load_article_texts",
    "pending_article_ids",
    "search_documents_count",
    "search_hits",
]

#: FTS5 bm25 column weights: title, body, alternate stems, tags (tags never add to the score)
BM25_WEIGHTS = (2.0, 1.0, 0.5, 0.0)
#: ts_rank_cd weights for D (tags), C (alternate stems), B (body), A (title)
PG_RANK_WEIGHTS = "{0.0,0.2,0.4,1.0}"
_PG_MAX_POSITION = 16383  # PostgreSQL clamps larger positions to this
_PG_MAX_POSITIONS = 255  # positions kept per lexeme
_FTS_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "title, body, alt, tags, tokenize = 'unicode61 remove_diacritics 0')"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchDocument:
    """What the index holds for one article: its stemmed words, filter tags and facet values."""

    article_id: str
    language: str | None
    outlet: str | None
    published: datetime | None
    title: tuple[str, ...]
    body: tuple[str, ...]
    alt: tuple[str, ...]  # alternate stems of ambiguous words (see analyze.search)
    tags: tuple[str, ...]
    facets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Terms:
    """Any of these stems (``prefix``: any token starting with one), in the text or in the tags."""

    stems: tuple[str, ...]
    prefix: bool = False
    tags: bool = False


@dataclass(frozen=True, slots=True)
class Phrase:
    """Any of these token sequences, adjacent, in the title or the body."""

    variants: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    """Any of these clauses (``a OR b`` in a query)."""

    items: tuple[Terms | Phrase, ...]


Clause = Terms | Phrase | AnyOf


@dataclass(frozen=True, slots=True)
class TextQuery:
    """All of ``must`` and none of ``must_not``; ``must`` holds at least one text (non-tag) clause."""

    must: tuple[Clause, ...]
    must_not: tuple[Clause, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredHit:
    """One ranked match: higher ``score`` is better on both databases."""

    doc_id: int
    article_id: str
    language: str | None
    outlet: str | None
    facets: str  # the stored JSON array, decoded only by whoever counts facets
    score: float


# -- rendering a query for each engine ---------------------------------------------------------------


def _fts_quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _fts_clause(clause: Clause) -> str:
    if isinstance(clause, AnyOf):
        return "(" + " OR ".join(_fts_clause(c) for c in clause.items) + ")"
    if isinstance(clause, Phrase):
        inner = " OR ".join(_fts_quote(" ".join(v)) for v in clause.variants)
        return "{title body} : (" + inner + ")"
    star = "*" if clause.prefix else ""
    inner = " OR ".join(_fts_quote(s) + star for s in clause.stems)
    return ("tags : (" if clause.tags else "{title body alt} : (") + inner + ")"


def fts_match(query: TextQuery) -> str:
    """The FTS5 MATCH expression of a query."""
    positive = " AND ".join(_fts_clause(c) for c in query.must)
    if not query.must_not:
        return positive
    negative = " OR ".join(_fts_clause(c) for c in query.must_not)
    return f"({positive}) NOT ({negative})"


def _ts_quote(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def _ts_clause(clause: Clause) -> str:
    if isinstance(clause, AnyOf):
        return "(" + " | ".join(_ts_clause(c) for c in clause.items) + ")"
    if isinstance(clause, Phrase):
        variants = (" <-> ".join(_ts_quote(t) + ":AB" for t in v) for v in clause.variants)
        return "(" + " | ".join(f"({v})" for v in variants) + ")"
    suffix = ":D" if clause.tags else (":*ABC" if clause.prefix else ":ABC")
    return "(" + " | ".join(_ts_quote(s) + suffix for s in clause.stems) + ")"


def ts_query(query: TextQuery, *, rank: bool = False) -> str:
    """The PostgreSQL tsquery text of a query (``rank``: only its positive text clauses, for scoring)."""
    if rank:
        return " & ".join(_ts_clause(c) for c in query.must if not _is_tags(c)) or _ts_quote("")
    positive = " & ".join(_ts_clause(c) for c in query.must)
    if not query.must_not:
        return positive
    return positive + " & !(" + " | ".join(_ts_clause(c) for c in query.must_not) + ")"


def _is_tags(clause: Clause) -> bool:
    if isinstance(clause, AnyOf):
        return all(_is_tags(c) for c in clause.items)
    return isinstance(clause, Terms) and clause.tags


def tsvector_literal(doc: SearchDocument) -> str:
    """The document as a tsvector literal: our tokens with positions and weights, parsed by no one."""
    positions: dict[str, list[str]] = defaultdict(list)
    pos = 0
    # gaps between the parts (and inside alt/tags) so no phrase runs from one into the next
    for tokens, weight, step in (
        (doc.title, "A", 1),
        (doc.body, "B", 1),
        (doc.alt, "C", 2),
        (doc.tags, "D", 2),
    ):
        pos += 1
        for token in tokens:
            pos += step
            found = positions[token]
            if len(found) < _PG_MAX_POSITIONS:
                found.append(f"{min(pos, _PG_MAX_POSITION)}{weight}")
    return " ".join(f"{_ts_quote(t)}:{','.join(dict.fromkeys(p))}" for t, p in positions.items())


# -- the FTS5 table (SQLite) -------------------------------------------------------------------------


def _ensure_fts_stmt(dialect: str) -> TextClause:
    return text(_FTS_DDL)


def ensure_search_table(conn: Connection) -> None:
    """Create SQLite's FTS5 table if it is not there yet (PostgreSQL needs nothing: the migration did it)."""
    # remembered on the DBAPI connection: the statement is cheap but not free on every search
    if conn.dialect.name == "sqlite" and not conn.info.get("ew_search_fts"):
        conn.execute(_ensure_fts_stmt(conn.dialect.name))
        conn.info["ew_search_fts"] = True


# -- keeping the index current -----------------------------------------------------------------------


def _upsert_document_stmt(dialect: str, doc: SearchDocument, now: datetime) -> Insert:
    values: dict[str, Any] = {
        "article_id": doc.article_id,
        "language": doc.language,
        "outlet": doc.outlet,
        "published": doc.published,
        "facets": doc.facets,
        "indexed_at": now,
    }
    if dialect == "postgresql":
        values["vector"] = cast(bindparam("vector", tsvector_literal(doc)), TSVECTOR)
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(search_documents).values(**values)
    update = {k: stmt.excluded[k] for k in values if k != "article_id"}
    return stmt.on_conflict_do_update(index_elements=["article_id"], set_=update).returning(
        search_documents.c.doc_id
    )


def _fts_delete_stmt(dialect: str) -> TextClause:
    return text("DELETE FROM search_fts WHERE rowid = :doc_id")


def _fts_insert_stmt(dialect: str) -> TextClause:
    return text(
        "INSERT INTO search_fts (rowid, title, body, alt, tags) VALUES (:doc_id, :title, :body, :alt, :tags)"
    )


def _fts_row(doc_id: int, doc: SearchDocument) -> dict[str, Any]:
    return {
        "doc_id": doc_id,
        "title": " ".join(doc.title),
        "body": " ".join(doc.body),
        "alt": " ".join(doc.alt),
        "tags": " ".join(doc.tags),
    }


def index_document(conn: Connection, doc: SearchDocument, *, now: datetime) -> int:
    """Store (or replace) an article's entry in the search index.

    Args:
        conn: a connection inside a transaction.
        doc: the document, built by ``analyze.search.search_document``.
        now: when it was indexed (an article or annotation changed later makes it pending again).

    Returns:
        The document's ``doc_id`` (the FTS5 rowid on SQLite), stable across re-indexing.
    """
    dialect = conn.dialect.name
    doc_id = int(conn.execute(_upsert_document_stmt(dialect, doc, now)).scalar_one())
    if dialect == "sqlite":
        ensure_search_table(conn)
        conn.execute(_fts_delete_stmt(dialect), {"doc_id": doc_id})
        conn.execute(_fts_insert_stmt(dialect), _fts_row(doc_id, doc))
    return doc_id


def _document_id_stmt(dialect: str, article_id: str) -> Select[Any]:
    return select(search_documents.c.doc_id).where(search_documents.c.article_id == article_id)


def _delete_document_stmt(dialect: str, article_id: str) -> Delete:
    return delete(search_documents).where(search_documents.c.article_id == article_id)


def delete_search_document(conn: Connection, article_id: str) -> bool:
    """Take an article out of the index; False when it was not in it."""
    dialect = conn.dialect.name
    doc_id = conn.execute(_document_id_stmt(dialect, article_id)).scalar_one_or_none()
    if doc_id is None:
        return False
    if dialect == "sqlite":
        ensure_search_table(conn)
        conn.execute(_fts_delete_stmt(dialect), {"doc_id": doc_id})
    conn.execute(_delete_document_stmt(dialect, article_id))
    return True


def _pending_stmt(dialect: str, limit: int, after: str | None = None) -> Select[Any]:
    d, a, n = search_documents, articles, metadata.tables["annotations"]
    joined = a.outerjoin(d, d.c.article_id == a.c.article_id).outerjoin(n, n.c.article_id == a.c.article_id)
    stmt = (
        select(a.c.article_id)
        .select_from(joined)
        .where(or_(d.c.doc_id.is_(None), a.c.updated_at > d.c.indexed_at, n.c.annotated_at > d.c.indexed_at))
        .order_by(a.c.article_id)
        .limit(limit)
    )
    return stmt if after is None else stmt.where(a.c.article_id > after)


def pending_article_ids(conn: Connection, *, limit: int = 500, after: str | None = None) -> list[str]:
    """Articles never indexed, or changed (text or annotation) since they were, in id order.

    Args:
        conn: a connection.
        limit: at most this many.
        after: only ids after this one (one pass even when the clock runs behind ``updated_at``).
    """
    return list(conn.execute(_pending_stmt(conn.dialect.name, limit, after)).scalars())


def _documents_count_stmt(dialect: str) -> Select[Any]:
    return select(func.count()).select_from(search_documents)


def search_documents_count(conn: Connection) -> int:
    """How many articles the index holds."""
    return int(conn.execute(_documents_count_stmt(conn.dialect.name)).scalar_one())


def _index_version_stmt(dialect: str) -> Select[Any]:
    return select(func.max(search_documents.c.doc_id))


def index_version(conn: Connection) -> int | None:
    """The newest document id (None for an empty index): changes whenever an article is first indexed.

    One primary-key lookup. Re-indexing a changed article keeps its id, so this alone does not see
    that; ``analyze.search_cache`` bounds how long it may go unseen.
    """
    value = conn.execute(_index_version_stmt(conn.dialect.name)).scalar_one_or_none()
    return None if value is None else int(value)


# -- searching ---------------------------------------------------------------------------------------

_HIT_COLUMNS = (
    search_documents.c.doc_id,
    search_documents.c.article_id,
    search_documents.c.language,
    search_documents.c.outlet,
    type_coerce(search_documents.c.facets, Text).label("facets"),
)


def _hits_stmt(dialect: str, query: TextQuery, cap: int) -> Select[Any] | Any:
    if dialect == "sqlite":
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        sql = (
            "SELECT d.doc_id, d.article_id, d.language, d.outlet, d.facets, -h.score AS score "
            f"FROM (SELECT rowid AS doc_id, bm25(search_fts, {weights}) AS score FROM search_fts "
            "WHERE search_fts MATCH :match ORDER BY score LIMIT :cap) AS h "
            "JOIN search_documents AS d ON d.doc_id = h.doc_id ORDER BY h.score, d.article_id"
        )
        return text(sql).bindparams(match=fts_match(query), cap=cap)
    vector = search_documents.c.vector
    score = func.ts_rank_cd(
        literal_column(f"'{PG_RANK_WEIGHTS}'"),
        vector,
        cast(bindparam("rank_query", ts_query(query, rank=True)), TSQUERY),
        1,
    ).label("score")
    return (
        select(*_HIT_COLUMNS, score)
        .where(vector.op("@@")(cast(bindparam("query", ts_query(query)), TSQUERY)))
        .order_by(score.desc(), search_documents.c.article_id)
        .limit(cap)
    )


def search_hits(conn: Connection, query: TextQuery, *, cap: int) -> list[StoredHit]:
    """The best ``cap`` matches of a query, best first (ties by article id).

    Args:
        conn: a connection.
        query: the stemmed query with its filter tags.
        cap: at most this many hits.

    Returns:
        The hits with their facet values (raw JSON); ``score`` is ``-bm25`` on SQLite,
        ``ts_rank_cd`` on PostgreSQL.
    """
    ensure_search_table(conn)
    rows = conn.execute(_hits_stmt(conn.dialect.name, query, cap))
    return [
        StoredHit(doc_id=d, article_id=a, language=lang, outlet=o, facets=f, score=float(s))
        for d, a, lang, o, f, s in rows
    ]


def _count_stmt(dialect: str, query: TextQuery) -> TextClause | Select[Any]:
    if dialect == "sqlite":
        return text("SELECT count(*) FROM search_fts WHERE search_fts MATCH :match").bindparams(
            match=fts_match(query)
        )
    tsq = cast(bindparam("query", ts_query(query)), TSQUERY)
    return select(func.count()).select_from(search_documents).where(search_documents.c.vector.op("@@")(tsq))


def count_matches(conn: Connection, query: TextQuery) -> int:
    """How many documents match a query (exact; costs a pass over the matches)."""
    ensure_search_table(conn)
    return int(conn.execute(_count_stmt(conn.dialect.name, query)).scalar_one())


def _bare_match_stmt(dialect: str, match: str, limit: int) -> TextClause:
    weights = ", ".join(str(w) for w in BM25_WEIGHTS)
    return text(
        f"SELECT rowid FROM search_fts WHERE search_fts MATCH :match ORDER BY bm25(search_fts, {weights}) "
        "LIMIT :limit"
    ).bindparams(match=match, limit=limit)


def bare_match(conn: Connection, query: TextQuery, *, limit: int = 20) -> list[int]:
    """The benchmark's baseline on SQLite: the same FTS5 MATCH and bm25 order, rowids only."""
    return list(conn.execute(_bare_match_stmt(conn.dialect.name, fts_match(query), limit)).scalars())


def _article_texts_stmt(dialect: str, article_ids: Sequence[str]) -> Select[Any]:
    a = articles
    return select(a.c.article_id, a.c.title, a.c.text, a.c.url, a.c.published).where(
        a.c.article_id.in_(list(article_ids))
    )


def load_article_texts(conn: Connection, article_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Title, text, URL and publication time of these articles, by id (for a page of results)."""
    ids = list(article_ids)
    if not ids:
        return {}
    rows = conn.execute(_article_texts_stmt(conn.dialect.name, ids)).mappings()
    return {r["article_id"]: dict(r) for r in rows}
