"""Every query the program runs, as named functions over a SQLAlchemy ``Connection``.

All SQL lives here. Each public function builds its statement(s) with a private ``_*_stmt`` builder
that takes the dialect name first, so the test suite can compile every statement for SQLite and
PostgreSQL without a database (``tests/store/test_compile.py``). Upserts use the dialect's own
``INSERT … ON CONFLICT``; both dialects spell it the same way in SQLAlchemy.

Use them inside ``Database.begin()``::

    with db.begin() as conn:
        status = queries.upsert_article(conn, article, page_id=page_id, now=clock.now())
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Delete,
    Insert,
    RowMapping,
    Select,
    Table,
    Update,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from ..errors import StoreError
from ..records import Article, Page, Source
from .health import SourceHealth
from .tables import (
    article_signatures,
    articles,
    failures,
    fetch_log,
    pages,
    signature_buckets,
    sources,
    theme_corrections,
    theme_models,
)

__all__ = [
    "SourceHealth",
    "activate_theme_model",
    "add_theme_correction",
    "add_theme_model",
    "count_articles",
    "count_near_duplicates",
    "duplicate_of",
    "get_article",
    "get_articles",
    "get_source",
    "get_validators",
    "known_urls",
    "list_articles",
    "list_sources",
    "list_theme_corrections",
    "list_theme_models",
    "load_page_html",
    "mark_source_result",
    "near_duplicate_candidates",
    "record_failure",
    "record_fetch",
    "remove_source",
    "save_page",
    "save_signature",
    "upsert_article",
    "upsert_source",
]

# SQLite allows 32766 bound parameters per statement; stay far below (two per URL in known_urls).
_CHUNK = 400
_SOURCE_FIELDS = ("url", "kind", "language", "outlet", "allow_private")
_ARTICLE_FIELDS = (
    "url",
    "canonical_url",
    "title",
    "text",
    "authors",
    "paragraphs",
    "published",
    "language",
    "language_score",
    "outlet",
    "source",
    "lead_image",
    "description",
    "content_hash",
    "sample",
    "extracted_at",
)


def _insert(dialect: str, table: Table) -> postgresql.Insert | sqlite.Insert:
    """The dialect's INSERT, which has ``on_conflict_do_update``."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise StoreError(f"unsupported database dialect {dialect!r}")


def _dialect(conn: Connection) -> str:
    return conn.dialect.name


# -- sources ---------------------------------------------------------------------------------------


def _upsert_source_stmt(dialect: str, source: Source, now: datetime) -> Insert:
    values = {"name": source.name, "added_at": now, **{f: getattr(source, f) for f in _SOURCE_FIELDS}}
    stmt = _insert(dialect, sources).values(**values)
    return stmt.on_conflict_do_update(
        index_elements=[sources.c.name], set_={f: stmt.excluded[f] for f in _SOURCE_FIELDS}
    )


def upsert_source(conn: Connection, source: Source, *, now: datetime) -> None:
    """Add a source, or update its settings by name while keeping its health record.

    Args:
        conn: a connection inside a transaction.
        source: the source; ``name`` is the key.
        now: stored as ``added_at`` when the source is new.
    """
    conn.execute(_upsert_source_stmt(_dialect(conn), source, now))


def _get_source_stmt(dialect: str, name: str | None = None) -> Select[Any]:
    stmt = select(sources).order_by(sources.c.name)
    return stmt if name is None else stmt.where(sources.c.name == name)


def _to_source(row: RowMapping) -> Source:
    return Source(
        name=row["name"],
        url=row["url"],
        kind=row["kind"],
        language=row["language"],
        outlet=row["outlet"],
        allow_private=bool(row["allow_private"]),
    )


def get_source(conn: Connection, name: str) -> Source | None:
    """The source called ``name``, or None."""
    row = conn.execute(_get_source_stmt(_dialect(conn), name)).mappings().first()
    return None if row is None else _to_source(row)


def list_sources(conn: Connection) -> list[SourceHealth]:
    """Every source with its health, by name."""
    rows = conn.execute(_get_source_stmt(_dialect(conn))).mappings().all()
    return [SourceHealth.from_row(_to_source(row), row) for row in rows]


def _remove_source_stmt(dialect: str, name: str) -> Delete:
    return delete(sources).where(sources.c.name == name)


def remove_source(conn: Connection, name: str) -> bool:
    """Delete a source (its fetch log, pages and articles stay). Returns whether it existed."""
    return bool(conn.execute(_remove_source_stmt(_dialect(conn), name)).rowcount)


def _mark_source_stmt(
    dialect: str,
    name: str,
    *,
    ok: bool,
    reason: str | None,
    at: datetime,
    items: int,
    next_due_at: datetime | None,
) -> Update:
    values: dict[str, Any] = {
        "last_attempt_at": at,
        "next_due_at": next_due_at,
        "items_total": sources.c.items_total + items,
    }
    if ok:
        values |= {"last_success_at": at, "failure_streak": 0, "last_reason": reason}
    else:
        values |= {
            "last_failure_at": at,
            "failure_streak": sources.c.failure_streak + 1,
            "last_reason": reason,
        }
    return update(sources).where(sources.c.name == name).values(**values)


def mark_source_result(
    conn: Connection,
    name: str,
    *,
    ok: bool,
    reason: str | None,
    at: datetime,
    items: int = 0,
    next_due_at: datetime | None = None,
) -> None:
    """Record how a run of a source went: a success resets the failure streak, a failure extends it.

    Does nothing when no source of that name is registered (an ad-hoc URL, for instance).

    Args:
        conn: a connection inside a transaction.
        name: the source's name.
        ok: whether the run succeeded.
        reason: why it failed (or a note on success); stored as ``last_reason``.
        at: when the run happened.
        items: new items the run stored, added to ``items_total``.
        next_due_at: when the source should be polled next, if the caller schedules it.
    """
    stmt = _mark_source_stmt(
        _dialect(conn), name, ok=ok, reason=reason, at=at, items=items, next_due_at=next_due_at
    )
    conn.execute(stmt)


# -- fetch log and failures ------------------------------------------------------------------------


def _record_fetch_stmt(dialect: str, **values: Any) -> Insert:
    return fetch_log.insert().values(**values)


def record_fetch(
    conn: Connection,
    *,
    source: str | None,
    url: str,
    status: int | None,
    ok: bool,
    reason: str | None,
    elapsed_ms: int | None,
    nbytes: int | None,
    at: datetime,
) -> None:
    """Append one HTTP fetch to the fetch log."""
    stmt = _record_fetch_stmt(
        _dialect(conn),
        source=source,
        url=url,
        status=status,
        ok=ok,
        reason=reason,
        elapsed_ms=elapsed_ms,
        bytes=nbytes,
        fetched_at=at,
    )
    conn.execute(stmt)


def _record_failure_stmt(dialect: str, **values: Any) -> Insert:
    return failures.insert().values(**values)


def record_failure(
    conn: Connection, *, stage: str, url: str | None, source: str | None, reason: str, at: datetime
) -> None:
    """Quarantine an item that failed permanently at ``stage``, with the reason."""
    conn.execute(
        _record_failure_stmt(_dialect(conn), stage=stage, url=url, source=source, reason=reason, at=at)
    )


# -- pages -----------------------------------------------------------------------------------------


def _get_validators_stmt(dialect: str, url: str) -> Select[Any]:
    return (
        select(pages.c.etag, pages.c.last_modified)
        .where(pages.c.url == url)
        .order_by(pages.c.fetched_at.desc(), pages.c.id.desc())
        .limit(1)
    )


def get_validators(conn: Connection, url: str) -> tuple[str | None, str | None]:
    """``(etag, last_modified)`` of the latest stored page for ``url``, for a conditional GET."""
    row = conn.execute(_get_validators_stmt(_dialect(conn), url)).first()
    return (None, None) if row is None else (row.etag, row.last_modified)


def _save_page_stmt(dialect: str, page: Page) -> Insert:
    raw = page.html.encode("utf-8", errors="surrogatepass")
    return pages.insert().values(
        url=page.url,
        final_url=page.final_url,
        source=page.source,
        status=page.status,
        content_type=page.content_type,
        etag=page.etag,
        last_modified=page.last_modified,
        fetched_at=page.fetched_at,
        # level 1: a third of level 6's CPU per page on the ingest path for ~10 % more bytes
        html_gz=gzip.compress(raw, compresslevel=1, mtime=0),
        sha256=hashlib.sha256(raw).hexdigest(),
    )


def save_page(conn: Connection, page: Page) -> int:
    """Store a fetched page (HTML gzipped) and return its id."""
    key = conn.execute(_save_page_stmt(_dialect(conn), page)).inserted_primary_key
    if key is None:  # pragma: no cover - both databases report the new id
        raise StoreError(f"the database did not return an id for page {page.url}")
    return int(key[0])


def _load_page_html_stmt(dialect: str, page_id: int) -> Select[Any]:
    return select(pages.c.html_gz).where(pages.c.id == page_id)


def load_page_html(conn: Connection, page_id: int) -> str:
    """The HTML of a stored page.

    Raises:
        StoreError: there is no page with that id.
    """
    blob = conn.execute(_load_page_html_stmt(_dialect(conn), page_id)).scalar_one_or_none()
    if blob is None:
        raise StoreError(f"no stored page with id {page_id}")
    return gzip.decompress(blob).decode("utf-8", errors="surrogatepass")


# -- articles --------------------------------------------------------------------------------------


def _article_hash_stmt(dialect: str, article_id: str) -> Select[Any]:
    return select(articles.c.content_hash).where(articles.c.article_id == article_id)


def _upsert_article_stmt(dialect: str, article: Article, page_id: int | None, now: datetime) -> Insert:
    values = {f: getattr(article, f) for f in _ARTICLE_FIELDS}
    stmt = _insert(dialect, articles).values(
        article_id=article.article_id, page_id=page_id, first_seen_at=now, updated_at=now, **values
    )
    changed: dict[str, Any] = {f: stmt.excluded[f] for f in (*_ARTICLE_FIELDS, "updated_at")}
    changed["page_id"] = func.coalesce(stmt.excluded.page_id, articles.c.page_id)
    # only rewrite the row when the content changed, so "unchanged" really leaves it alone
    return stmt.on_conflict_do_update(
        index_elements=[articles.c.article_id],
        set_=changed,
        where=articles.c.content_hash != stmt.excluded.content_hash,
    )


def upsert_article(conn: Connection, article: Article, *, page_id: int | None, now: datetime) -> str:
    """Store an article, keyed on ``article_id``; a second call with the same content changes nothing.

    Args:
        conn: a connection inside a transaction.
        article: the extracted article.
        page_id: the stored page it came from, if any.
        now: ``first_seen_at`` for a new article and ``updated_at`` for a changed one.

    Returns:
        ``"new"``, ``"updated"`` (its ``content_hash`` differed) or ``"unchanged"``.
    """
    dialect = _dialect(conn)
    before = conn.execute(_article_hash_stmt(dialect, article.article_id)).scalar_one_or_none()
    conn.execute(_upsert_article_stmt(dialect, article, page_id, now))
    if before is None:
        return "new"
    return "unchanged" if before == article.content_hash else "updated"


def _known_urls_stmt(dialect: str, urls: list[str]) -> Select[Any]:
    return select(articles.c.url, articles.c.canonical_url).where(
        or_(articles.c.url.in_(urls), articles.c.canonical_url.in_(urls))
    )


def known_urls(conn: Connection, urls: Iterable[str]) -> set[str]:
    """Which of ``urls`` are already stored, as an article's URL or canonical URL."""
    wanted = list(dict.fromkeys(urls))
    found: set[str] = set()
    dialect = _dialect(conn)
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        for row in conn.execute(_known_urls_stmt(dialect, chunk)):
            found.update((row.url, row.canonical_url))
    return found.intersection(wanted)


def _list_articles_stmt(dialect: str, limit: int, source: str | None) -> Select[Any]:
    newest = func.coalesce(articles.c.published, articles.c.first_seen_at)
    stmt = select(articles).order_by(newest.desc(), articles.c.article_id).limit(limit)
    return stmt if source is None else stmt.where(articles.c.source == source)


def _to_article(row: RowMapping) -> Article:
    return Article(
        article_id=row["article_id"],
        url=row["url"],
        canonical_url=row["canonical_url"],
        title=row["title"],
        text=row["text"],
        authors=row["authors"],
        paragraphs=row["paragraphs"],
        published=row["published"],
        language=row["language"],
        language_score=row["language_score"],
        outlet=row["outlet"],
        source=row["source"],
        lead_image=row["lead_image"],
        description=row["description"],
        content_hash=row["content_hash"],
        sample=bool(row["sample"]),
        extracted_at=row["extracted_at"],
    )


def list_articles(conn: Connection, *, limit: int = 50, source: str | None = None) -> list[Article]:
    """The newest articles (by publication date, else first seen), optionally from one source."""
    rows = conn.execute(_list_articles_stmt(_dialect(conn), limit, source)).mappings().all()
    return [_to_article(row) for row in rows]


def _count_articles_stmt(dialect: str) -> Select[Any]:
    return select(func.count()).select_from(articles)


def count_articles(conn: Connection) -> int:
    """How many articles are stored."""
    return int(conn.execute(_count_articles_stmt(_dialect(conn))).scalar_one())


def _get_article_stmt(dialect: str, article_id: str) -> Select[Any]:
    return select(articles).where(articles.c.article_id == article_id)


def get_article(conn: Connection, article_id: str) -> Article | None:
    """The article with this id, or None."""
    row = conn.execute(_get_article_stmt(_dialect(conn), article_id)).mappings().first()
    return None if row is None else _to_article(row)


def _get_articles_stmt(dialect: str, article_ids: list[str]) -> Select[Any]:
    return select(articles).where(articles.c.article_id.in_(article_ids))


def get_articles(conn: Connection, article_ids: Iterable[str]) -> dict[str, Article]:
    """Article id → article for those of ``article_ids`` that are stored (unknown ids left out).

    One query per ``_CHUNK`` ids, so a list of any length stays under SQLite's bound-parameter limit.
    """
    wanted = list(dict.fromkeys(article_ids))
    dialect = _dialect(conn)
    out: dict[str, Article] = {}
    for start in range(0, len(wanted), _CHUNK):
        for row in conn.execute(_get_articles_stmt(dialect, wanted[start : start + _CHUNK])).mappings():
            out[row["article_id"]] = _to_article(row)
    return out


# -- near-duplicates -------------------------------------------------------------------------------


def _near_duplicate_candidates_stmt(dialect: str, buckets: list[str], exclude: str) -> Select[Any]:
    sharing = (
        select(signature_buckets.c.article_id)
        .where(signature_buckets.c.bucket.in_(buckets), signature_buckets.c.article_id != exclude)
        .distinct()
    )
    return (
        select(
            article_signatures.c.article_id, article_signatures.c.signature, article_signatures.c.duplicate_of
        )
        .where(article_signatures.c.article_id.in_(sharing))
        .order_by(article_signatures.c.computed_at, article_signatures.c.article_id)
    )


def near_duplicate_candidates(
    conn: Connection, buckets: Iterable[str], *, exclude: str
) -> list[tuple[str, bytes, str | None]]:
    """Stored articles that share at least one LSH bucket with a new text, oldest first.

    Args:
        conn: a connection inside a transaction.
        buckets: the new text's bucket keys (``extract.dedup.Fingerprint.buckets``).
        exclude: the new article's own id, never its own candidate.

    Returns:
        ``(article_id, signature, duplicate_of)`` for each candidate.
    """
    stmt = _near_duplicate_candidates_stmt(_dialect(conn), list(buckets), exclude)
    return [(row.article_id, bytes(row.signature), row.duplicate_of) for row in conn.execute(stmt)]


def _upsert_signature_stmt(
    dialect: str,
    article_id: str,
    signature: bytes,
    duplicate_of: str | None,
    similarity: float | None,
    now: datetime,
) -> Insert:
    stmt = _insert(dialect, article_signatures).values(
        article_id=article_id,
        signature=signature,
        duplicate_of=duplicate_of,
        similarity=similarity,
        computed_at=now,
    )
    # a changed text gets a new signature; the link found when it first arrived stays
    return stmt.on_conflict_do_update(
        index_elements=[article_signatures.c.article_id],
        set_={"signature": stmt.excluded.signature, "computed_at": stmt.excluded.computed_at},
    )


def _delete_buckets_stmt(dialect: str, article_id: str) -> Delete:
    return delete(signature_buckets).where(signature_buckets.c.article_id == article_id)


def _insert_buckets_stmt(dialect: str) -> Insert:
    return signature_buckets.insert()


def save_signature(
    conn: Connection,
    article_id: str,
    *,
    signature: bytes,
    buckets: Iterable[str],
    duplicate_of: str | None,
    similarity: float | None,
    now: datetime,
) -> None:
    """Store a stored article's MinHash signature, its buckets and the first copy it repeats.

    Args:
        conn: a connection inside the transaction that stored the article.
        article_id: the article (already in ``articles``).
        signature: the MinHash signature bytes.
        buckets: its LSH bucket keys; they replace any the article had.
        duplicate_of: the original's id when this article is a near-duplicate, else None.
        similarity: the estimated similarity to that original.
        now: when the signature was computed.
    """
    dialect = _dialect(conn)
    conn.execute(_upsert_signature_stmt(dialect, article_id, signature, duplicate_of, similarity, now))
    conn.execute(_delete_buckets_stmt(dialect, article_id))
    rows = [{"bucket": b, "article_id": article_id} for b in dict.fromkeys(buckets)]
    if rows:
        conn.execute(_insert_buckets_stmt(dialect), rows)


def _duplicate_of_stmt(dialect: str, article_id: str) -> Select[Any]:
    return select(article_signatures.c.duplicate_of).where(article_signatures.c.article_id == article_id)


def duplicate_of(conn: Connection, article_id: str) -> str | None:
    """The id of the first copy an article repeats, or None for an original (or an unfingerprinted one)."""
    return conn.execute(_duplicate_of_stmt(_dialect(conn), article_id)).scalar_one_or_none()


def _count_near_duplicates_stmt(dialect: str) -> Select[Any]:
    return (
        select(func.count())
        .select_from(article_signatures)
        .where(article_signatures.c.duplicate_of.is_not(None))
    )


def count_near_duplicates(conn: Connection) -> int:
    """How many stored articles are linked as near-duplicates of an earlier one."""
    return int(conn.execute(_count_near_duplicates_stmt(_dialect(conn))).scalar_one())


# -- themes: corrections and model versions --------------------------------------------------------


def _add_theme_correction_stmt(
    dialect: str,
    article_id: str,
    added: tuple[str, ...],
    removed: tuple[str, ...],
    editor: str | None,
    now: datetime,
) -> Insert:
    return _insert(dialect, theme_corrections).values(
        article_id=article_id, added=added, removed=removed, editor=editor, created_at=now
    )


def add_theme_correction(
    conn: Connection,
    article_id: str,
    *,
    added: Iterable[str],
    removed: Iterable[str],
    editor: str | None,
    now: datetime,
) -> None:
    """Record an editor's theme correction for one article (themes added and removed)."""
    conn.execute(
        _add_theme_correction_stmt(_dialect(conn), article_id, tuple(added), tuple(removed), editor, now)
    )


def _list_theme_corrections_stmt(dialect: str) -> Select[Any]:
    return select(theme_corrections).order_by(theme_corrections.c.id)


def list_theme_corrections(conn: Connection) -> list[RowMapping]:
    """Every theme correction, oldest first."""
    return list(conn.execute(_list_theme_corrections_stmt(_dialect(conn))).mappings().all())


def _add_theme_model_stmt(dialect: str, values: dict[str, Any]) -> Insert:
    return _insert(dialect, theme_models).values(**values)


def add_theme_model(conn: Connection, **values: Any) -> None:
    """Record a trained theme model version (columns of ``theme_models`` as keywords)."""
    conn.execute(_add_theme_model_stmt(_dialect(conn), values))


def _list_theme_models_stmt(dialect: str) -> Select[Any]:
    return select(theme_models).order_by(theme_models.c.created_at, theme_models.c.version)


def list_theme_models(conn: Connection) -> list[RowMapping]:
    """Every theme model version, oldest first."""
    return list(conn.execute(_list_theme_models_stmt(_dialect(conn))).mappings().all())


def _activate_theme_model_stmt(dialect: str, version: str | None) -> Update:
    active = theme_models.c.version == version if version else theme_models.c.version.is_(None)
    return update(theme_models).values(active=active)


def activate_theme_model(conn: Connection, version: str | None) -> None:
    """Make ``version`` the model in use; None goes back to the lexicon baseline."""
    conn.execute(_activate_theme_model_stmt(_dialect(conn), version))
