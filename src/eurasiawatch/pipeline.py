"""Wiring of the stages for the drivers: read sources → fetch pages → extract → store.

Each ``Source.kind`` has its reader: ``feed`` and ``sitemap`` list article URLs (fetched here),
``page`` is one article URL, and the local kinds ``warc`` and ``folder`` hand over pages (or plain
texts) read from disk without touching the network. Everything then takes the same extract → store
path, and a failed item is reported with its reason while the run carries on.

This is the only place where ingest, extract and store meet; each of them stays ignorant of the
others. Every article is committed in its own short transaction, so a run killed at any moment
keeps what it finished and the next run picks up the rest (known URLs are not fetched again).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import charset_normalizer

from .clock import Clock
from .config import Settings
from .errors import EurasiawatchError, ExtractionError, PermanentFetchError, SourceError
from .extract import article_from_text, best_match, canonicalize_url, extract_article, fingerprint
from .ingest import (
    LOCAL_KINDS,
    SOURCE_KINDS,
    Fetcher,
    FetchPolicy,
    ItemProblem,
    TextDocument,
    expand_sitemaps,
    parse_feed,
    parse_sitemap,
    read_folder,
    read_warc,
    sitemap_since,
)
from .ingest.walls import detect_wall, failure_reason, wall_reason
from .records import Article, FeedItem, FetchResult, Page, Source
from .store import Database, queries

if TYPE_CHECKING:
    from sqlalchemy import Connection

__all__ = ["Failure", "IngestReport", "ingest"]

log = logging.getLogger(__name__)

_FEED_ACCEPT = (
    "application/rss+xml,application/atom+xml,application/feed+json,"
    "application/xml;q=0.9,text/xml;q=0.8,*/*;q=0.5"
)
_SITEMAP_ACCEPT = "application/xml,text/xml;q=0.9,application/gzip;q=0.8,*/*;q=0.5"
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain")


@dataclass(frozen=True, slots=True)
class Failure:
    """One thing that did not work, and why."""

    source: str
    url: str
    stage: str
    reason: str


@dataclass
class IngestReport:
    """What a run did; ``exit_code`` follows 0 all ok / 1 some failed / 2 nothing worked."""

    counts: Counter[str] = field(default_factory=Counter)
    per_source: dict[str, Counter[str]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)

    def add(self, source: str, outcome: str) -> None:
        """Count one outcome (fetched, new, updated, unchanged, skipped, failed) for a source."""
        self.counts[outcome] += 1
        self.per_source.setdefault(source, Counter())[outcome] += 1

    def fail(self, failure: Failure) -> None:
        """Record a failure with its reason."""
        self.failures.append(failure)
        self.add(failure.source, "failed")

    @property
    def exit_code(self) -> int:
        """0 when nothing failed, 1 when some items failed, 2 when nothing worked."""
        if not self.failures:
            return 0
        worked = (
            self.counts["new"] + self.counts["updated"] + self.counts["unchanged"] + self.counts["feeds_ok"]
        )
        return 1 if worked else 2


Progress = Callable[[str, int], None]  # (event, amount): "total" adds to the expected count, "advance" steps


def ingest(
    db: Database,
    settings: Settings,
    clock: Clock,
    *,
    sources: Sequence[Source] | None = None,
    transport: object | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Fetch every given source (default: all registered) and store new and changed articles.

    Args:
        db: an upgraded database.
        settings: effective settings (fetch limits, minimum text length).
        clock: the run's clock; stamps fetch and extraction times.
        sources: restrict the run to these sources.
        transport: an ``httpx.AsyncBaseTransport`` to use instead of the network (tests).
        progress: called with ("total", n) and ("advance", 1) as work is found and done.

    Returns:
        The report of what was fetched, stored and what failed.
    """
    if sources is None:
        with db.begin() as conn:
            sources = [health.source for health in queries.list_sources(conn)]
    report = IngestReport()
    if not sources:
        return report
    return asyncio.run(_ingest_all(db, settings, clock, list(sources), report, transport, progress))


async def _ingest_all(
    db: Database,
    settings: Settings,
    clock: Clock,
    sources: list[Source],
    report: IngestReport,
    transport: object | None,
    progress: Progress | None,
) -> IngestReport:
    policy = FetchPolicy.from_settings(settings)
    async with Fetcher(policy, transport=transport) as fetcher:  # type: ignore[arg-type]
        await asyncio.gather(
            *(_ingest_source(db, settings, clock, fetcher, s, report, progress) for s in sources)
        )
    return report


async def _ingest_source(
    db: Database,
    settings: Settings,
    clock: Clock,
    fetcher: Fetcher,
    source: Source,
    report: IngestReport,
    progress: Progress | None,
) -> None:
    """Read one source by its kind; a failure of the source itself is recorded and the run goes on."""
    started = time.monotonic()
    if source.kind in LOCAL_KINDS:
        await _ingest_local(db, settings, clock, source, report, progress)
    elif source.kind == "feed":
        await _ingest_feed(db, settings, clock, fetcher, source, report, progress, started)
    elif source.kind == "sitemap":
        await _ingest_sitemap(db, settings, clock, fetcher, source, report, progress, started)
    elif source.kind == "page":
        item = FeedItem(source=source.name, url=source.url, language=source.language)
        await _ingest_items(db, settings, clock, fetcher, source, [item], report, progress)
    else:
        reason = f"unknown source kind {source.kind!r} (known: {', '.join(SOURCE_KINDS)})"
        _source_failed(db, clock, source, source.url, reason, report, started)


async def _fetch_document(
    db: Database,
    clock: Clock,
    fetcher: Fetcher,
    source: Source,
    report: IngestReport,
    started: float,
    accept: str,
) -> FetchResult | None:
    """Conditional GET of a feed or sitemap; None when it failed or did not change (both recorded)."""
    with db.begin() as conn:
        etag, last_modified = queries.get_validators(conn, source.url)
    try:
        result = await fetcher.fetch(
            source.url,
            allow_private=source.allow_private,
            etag=etag,
            last_modified=last_modified,
            accept=accept,
        )
    except SourceError as exc:
        _source_failed(db, clock, source, source.url, failure_reason(exc), report, started)
        return None
    with db.begin() as conn:
        queries.record_fetch(
            conn,
            source=source.name,
            url=source.url,
            status=result.status,
            ok=True,
            reason=None,
            elapsed_ms=int((time.monotonic() - started) * 1000),
            nbytes=len(result.body),
            at=clock.now(),
        )
    if result.not_modified:
        report.add(source.name, "feeds_ok")
        report.add(source.name, "feed_unchanged")
        with db.begin() as conn:
            queries.mark_source_result(conn, source.name, ok=True, reason=None, at=clock.now(), items=0)
        return None
    return result


def _save_document(db: Database, clock: Clock, source: Source, result: FetchResult) -> None:
    """Keep a feed or sitemap document like any fetched page: for reprocessing, and so that its
    validators give the next run a conditional GET."""
    with db.begin() as conn:
        queries.save_page(
            conn,
            Page(
                url=source.url,
                final_url=result.final_url,
                html=_decode(result.body, result.content_type),
                fetched_at=clock.now(),
                source=source.name,
                status=result.status,
                content_type=result.content_type,
                etag=result.etag,
                last_modified=result.last_modified,
            ),
        )


async def _ingest_feed(
    db: Database,
    settings: Settings,
    clock: Clock,
    fetcher: Fetcher,
    source: Source,
    report: IngestReport,
    progress: Progress | None,
    started: float,
) -> None:
    result = await _fetch_document(db, clock, fetcher, source, report, started, _FEED_ACCEPT)
    if result is None:
        return
    try:
        parsed = parse_feed(
            result.body,
            source=source.name,
            base_url=result.final_url,
            language=source.language,
            limit=settings.ingest_max_items_per_feed,
            content_type=result.content_type,
        )
    except SourceError as exc:
        _source_failed(db, clock, source, source.url, _walled(result, str(exc)), report, started)
        return
    _save_document(db, clock, source, result)
    report.add(source.name, "feeds_ok")
    for problem in parsed.problems:
        report.fail(Failure(source.name, source.url, "feed", problem))
    await _ingest_items(db, settings, clock, fetcher, source, list(parsed.items), report, progress)


async def _ingest_sitemap(
    db: Database,
    settings: Settings,
    clock: Clock,
    fetcher: Fetcher,
    source: Source,
    report: IngestReport,
    progress: Progress | None,
    started: float,
) -> None:
    result = await _fetch_document(db, clock, fetcher, source, report, started, _SITEMAP_ACCEPT)
    if result is None:
        return
    since = sitemap_since(settings, clock.now())
    limit = settings.ingest_max_items_per_feed
    try:
        top = parse_sitemap(
            result.body, source=source.name, base_url=result.final_url, since=since,
            language=source.language, limit=limit,
        )  # fmt: skip
    except SourceError as exc:
        _source_failed(db, clock, source, source.url, _walled(result, str(exc)), report, started)
        return
    _save_document(db, clock, source, result)
    parsed = await expand_sitemaps(
        fetcher, top, source=source.name, allow_private=source.allow_private, since=since,
        language=source.language, limit=limit,
    )  # fmt: skip
    report.add(source.name, "feeds_ok")
    for problem in parsed.problems:
        report.fail(Failure(source.name, source.url, "sitemap", problem))
    if parsed.too_old:
        log.info("%s: %d sitemap entries older than %s left out", source.name, parsed.too_old, since.date())
    await _ingest_items(db, settings, clock, fetcher, source, list(parsed.items), report, progress)


async def _ingest_items(
    db: Database,
    settings: Settings,
    clock: Clock,
    fetcher: Fetcher,
    source: Source,
    items: list[FeedItem],
    report: IngestReport,
    progress: Progress | None,
) -> None:
    """Fetch, extract and store the items a feed, sitemap or page source named (known ones skipped)."""
    listed = len(items)
    if not settings.ingest_refetch_known:
        with db.begin() as conn:
            known = queries.known_urls(
                conn, [i.url for i in items] + [canonicalize_url(i.url) for i in items]
            )
        fresh = [i for i in items if i.url not in known and canonicalize_url(i.url) not in known]
        for _ in range(len(items) - len(fresh)):
            report.add(source.name, "unchanged")
        items = fresh
    if progress:
        progress("total", len(items))
    outcomes = await asyncio.gather(
        *(_ingest_item(db, settings, clock, fetcher, source, item, report, progress) for item in items)
    )
    stored = sum(1 for ok in outcomes if ok)
    _finish_source(db, clock, source, stored, len(outcomes) - stored, listed - len(items))


def _finish_source(db: Database, clock: Clock, source: Source, stored: int, failed: int, known: int) -> None:
    """Record the source's health after its items: it failed only when every item failed."""
    with db.begin() as conn:
        ok = not (failed and not stored)
        reason = None if ok else f"all {failed} items failed"
        queries.mark_source_result(conn, source.name, ok=ok, reason=reason, at=clock.now(), items=stored)
    log.info("%s: %d stored, %d failed, %d already known", source.name, stored, failed, known)


# -- local sources: a WARC file or a folder, read from disk, never the network ----------------------

_LocalEntry = Page | TextDocument | ItemProblem
_LOCAL_CHUNK = 200  # local items checked against the store per query


async def _ingest_local(
    db: Database,
    settings: Settings,
    clock: Clock,
    source: Source,
    report: IngestReport,
    progress: Progress | None,
) -> None:
    started = time.monotonic()
    try:
        if source.kind == "warc":
            entries: Iterator[_LocalEntry] = read_warc(
                source.url, source=source.name, max_bytes=settings.fetch_max_bytes
            )
        else:
            entries = read_folder(
                source.url, source=source.name, fetched_at=clock.now(), max_bytes=settings.fetch_max_bytes
            )
    except SourceError as exc:
        _source_failed(db, clock, source, source.url, str(exc), report, started)
        return
    stored = failed = known = 0
    seen: set[str] = set()  # URLs known to the store or met earlier in this run
    for chunk in _chunks(entries, _LOCAL_CHUNK):
        if progress:
            progress("total", len(chunk))
        if not settings.ingest_refetch_known:
            # one look-up per chunk rather than per item: on SQLite each is a write-locked transaction
            urls = [e.url for e in chunk if not isinstance(e, ItemProblem)]
            with db.begin() as conn:
                seen |= queries.known_urls(conn, urls + [canonicalize_url(u) for u in urls])
        for entry in chunk:
            outcome = _local_entry(db, settings, clock, source, entry, report, seen)
            stored += outcome == "stored"
            failed += outcome == "failed"
            known += outcome == "known"
            if progress:
                progress("advance", 1)
            await asyncio.sleep(0)  # extraction is CPU-bound: let network sources move between items
    _finish_source(db, clock, source, stored, failed, known)


def _chunks(entries: Iterator[_LocalEntry], size: int) -> Iterator[list[_LocalEntry]]:
    """Consecutive lists of up to ``size`` entries, read lazily."""
    chunk: list[_LocalEntry] = []
    for entry in entries:
        chunk.append(entry)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _local_entry(
    db: Database,
    settings: Settings,
    clock: Clock,
    source: Source,
    entry: _LocalEntry,
    report: IngestReport,
    seen: set[str],
) -> str:
    """Extract and store one item of a local source: "stored", "failed" or "known".

    ``seen`` holds the URLs already stored (unless ``ingest.refetch_known``) and those met earlier in
    the run, so an archive that holds one URL twice stores it once; this item's URL is added to it.
    """
    if isinstance(entry, ItemProblem):
        _item_failed(db, clock, source, entry.url, source.kind, entry.reason, report)
        return "failed"
    canonical = canonicalize_url(entry.url)
    if entry.url in seen or canonical in seen:
        report.add(source.name, "unchanged")
        return "known"
    seen.update((entry.url, canonical))
    report.add(source.name, "fetched")
    try:
        if isinstance(entry, TextDocument):
            page = None
            article = article_from_text(
                entry.text,
                url=entry.url,
                title=entry.title,
                published=entry.published,
                language=entry.language,
                outlet=source.outlet,
                source=source.name,
                min_chars=settings.ingest_min_text_chars,
                extracted_at=clock.now(),
            )
        else:
            page = entry
            article = extract_article(
                page, min_chars=settings.ingest_min_text_chars, extracted_at=clock.now(), outlet=source.outlet
            )
    except ExtractionError as exc:
        _item_failed(db, clock, source, entry.url, "extract", str(exc), report)
        return "failed"
    return "stored" if _store_article(db, clock, source, page, article, report) else "failed"


async def _ingest_item(
    db: Database,
    settings: Settings,
    clock: Clock,
    fetcher: Fetcher,
    source: Source,
    item: FeedItem,
    report: IngestReport,
    progress: Progress | None,
) -> bool:
    try:
        return await _fetch_extract_store(db, settings, clock, fetcher, source, item, report)
    finally:
        if progress:
            progress("advance", 1)


async def _fetch_extract_store(
    db: Database,
    settings: Settings,
    clock: Clock,
    fetcher: Fetcher,
    source: Source,
    item: FeedItem,
    report: IngestReport,
) -> bool:
    started = time.monotonic()
    try:
        result = await fetcher.fetch(item.url, allow_private=source.allow_private)
        _require_html(result.content_type, result.final_url)
    except SourceError as exc:
        _item_failed(db, clock, source, item.url, "fetch", failure_reason(exc), report)
        return False
    report.add(source.name, "fetched")
    page = Page(
        url=item.url,
        final_url=result.final_url,
        html=_decode(result.body, result.content_type),
        fetched_at=clock.now(),
        source=source.name,
        status=result.status,
        content_type=result.content_type,
        etag=result.etag,
        last_modified=result.last_modified,
        feed_item=item,
    )
    try:
        article = extract_article(
            page, min_chars=settings.ingest_min_text_chars, extracted_at=clock.now(), outlet=source.outlet
        )
    except ExtractionError as exc:
        _item_failed(db, clock, source, item.url, "extract", _walled(result, str(exc)), report)
        return False
    fetch_row = {
        "source": source.name,
        "url": item.url,
        "status": result.status,
        "ok": True,
        "reason": None,
        "elapsed_ms": int((time.monotonic() - started) * 1000),
        "nbytes": len(result.body),
        "at": clock.now(),
    }
    return _store_article(db, clock, source, page, article, report, fetch_row=fetch_row)


def _store_article(
    db: Database,
    clock: Clock,
    source: Source,
    page: Page | None,
    article: Article,
    report: IngestReport,
    *,
    fetch_row: dict[str, Any] | None = None,
) -> bool:
    """Store an article, with its page and fetch-log row, in one transaction; False when it failed."""
    try:
        with db.begin() as conn:
            if fetch_row is not None:
                queries.record_fetch(conn, **fetch_row)
            page_id = queries.save_page(conn, page) if page is not None else None
            outcome = queries.upsert_article(conn, article, page_id=page_id, now=clock.now())
            if outcome != "unchanged":
                _link_near_duplicate(conn, article, clock)
    except EurasiawatchError as exc:
        report.fail(Failure(source.name, article.url, "store", str(exc)))
        return False
    report.add(source.name, outcome)
    log.debug("%s %s: %s", outcome, source.name, article.title)
    return True


def _link_near_duplicate(conn: Connection, article: Article, clock: Clock) -> None:
    """Fingerprint a stored article and link it to the first copy it repeats (extract.dedup)."""
    fp = fingerprint(article.text)
    if fp is None:
        return
    candidates = queries.near_duplicate_candidates(conn, fp.buckets, exclude=article.article_id)
    match = best_match(fp, candidates)
    if match:
        log.info("%s repeats %s (similarity %.2f)", article.url, *match)
    queries.save_signature(
        conn,
        article.article_id,
        signature=fp.signature,
        buckets=fp.buckets,
        duplicate_of=match[0] if match else None,
        similarity=match[1] if match else None,
        now=clock.now(),
    )


def _walled(result: FetchResult, reason: str) -> str:
    """The reason, prefixed with the anti-bot wall the reply was, if it was one (ingest.walls)."""
    wall = detect_wall(result.status, {"content-type": result.content_type or ""}, result.body)
    return f"{wall_reason(wall)}: {reason}" if wall else reason


def _require_html(content_type: str | None, url: str) -> None:
    if content_type and not content_type.split(";")[0].strip().lower().startswith(_HTML_TYPES):
        raise PermanentFetchError(f"not an HTML page ({content_type.split(';')[0]}): {url}")


_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-z0-9_.:-]{2,40})""", re.IGNORECASE)
# Server defaults that are often wrong: a page's own <meta charset> beats them.
_DEFAULT_CHARSETS = frozenset({"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"})


def _decode(body: bytes, content_type: str | None) -> str:
    """Bytes to text (never fails).

    Tries the declared charset, the page's ``<meta charset>``, UTF-8, then charset-normalizer's
    guess; only then cp1252 with replacement. A cp1251 page served as UTF-8 or without any charset
    thus still reads as Russian rather than mojibake.
    """
    charset = None
    if content_type and "charset=" in content_type.lower():
        charset = content_type.lower().split("charset=", 1)[1].split(";")[0].strip().strip('"') or None
    found = _META_CHARSET.search(body[:4096])
    meta = found.group(1).decode("ascii").lower() if found else None
    order = (meta, charset) if charset in _DEFAULT_CHARSETS else (charset, meta)
    for encoding in (*order, "utf-8"):
        if not encoding:
            continue
        try:
            return body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    guess = charset_normalizer.from_bytes(body[:500_000]).best()
    if guess is not None and guess.encoding:
        try:
            return body.decode(guess.encoding)
        except (LookupError, UnicodeDecodeError):
            pass
    return body.decode("cp1252", errors="replace")


def _source_failed(
    db: Database, clock: Clock, source: Source, url: str, reason: str, report: IngestReport, started: float
) -> None:
    stage = source.kind if source.kind in SOURCE_KINDS else "source"
    report.fail(Failure(source.name, url, stage, reason))
    with db.begin() as conn:
        if source.kind not in LOCAL_KINDS:  # a local source is read, never fetched
            queries.record_fetch(
                conn,
                source=source.name,
                url=url,
                status=0,
                ok=False,
                reason=reason,
                elapsed_ms=int((time.monotonic() - started) * 1000),
                nbytes=0,
                at=clock.now(),
            )
        queries.record_failure(conn, stage=stage, url=url, source=source.name, reason=reason, at=clock.now())
        queries.mark_source_result(conn, source.name, ok=False, reason=reason, at=clock.now())


def _item_failed(
    db: Database, clock: Clock, source: Source, url: str, stage: str, reason: str, report: IngestReport
) -> None:
    report.fail(Failure(source.name, url, stage, reason))
    with db.begin() as conn:
        queries.record_failure(conn, stage=stage, url=url, source=source.name, reason=reason, at=clock.now())
