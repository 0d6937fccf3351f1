"""Wiring of the stages for the drivers: read sources → fetch pages → extract → store.

Each ``Source.kind`` has its reader: ``feed`` and ``sitemap`` list article URLs (fetched here),
``page`` is one article URL, and the local kinds ``warc`` and ``folder`` hand over pages (or plain
texts) read from disk without touching the network. Everything then takes the same extract → store
path, and a failed item is reported with its reason while the run carries on.

This is the only place where ingest, extract and store meet; each of them stays ignorant of the
others. Extracted articles are committed in batches (``STORE_BATCH`` articles, or whatever is
waiting after ``STORE_BATCH_SECONDS``), each batch one transaction: a run killed at any moment keeps
every batch it committed, and the articles of the batch in flight are not stored, so the next run
fetches them again (known URLs are not fetched again).
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
    FeedParseResult,
    Fetcher,
    FetchPolicy,
    ItemProblem,
    SitemapParseResult,
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
    from datetime import datetime

    from sqlalchemy import Connection

__all__ = ["STORE_BATCH", "STORE_BATCH_SECONDS", "Failure", "IngestReport", "ingest"]

log = logging.getLogger(__name__)

# Articles per commit at most, and the longest an extracted article waits for its commit. The commit
# (an fsync under SQLite's WAL) is paid once per batch; a crash loses at most the uncommitted batch,
# which the next run fetches again.
STORE_BATCH = 20
STORE_BATCH_SECONDS = 0.1

_ACCEPT = {
    "feed": (
        "application/rss+xml,application/atom+xml,application/feed+json,"
        "application/xml;q=0.9,text/xml;q=0.8,*/*;q=0.5"
    ),
    "sitemap": "application/xml,text/xml;q=0.9,application/gzip;q=0.8,*/*;q=0.5",
}
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


@dataclass
class _Tally:
    """One source's items: how many were stored and how many failed (at any stage)."""

    stored: int = 0
    failed: int = 0


@dataclass(frozen=True, slots=True)
class _Pending:
    """An extracted article waiting for its batch's commit."""

    source: Source
    page: Page | None
    article: Article
    fetch_row: dict[str, Any] | None
    tally: _Tally


class _StoreBatch:
    """Extracted articles, committed together: ``STORE_BATCH`` at a time, or after ``STORE_BATCH_SECONDS``.

    One instance per run (no module state). The report and tallies are updated only once an
    article's batch is committed, so they never count what a crash could still lose.
    """

    def __init__(self, db: Database, clock: Clock, report: IngestReport) -> None:
        self.db, self.clock, self.report = db, clock, report
        self.pending: list[_Pending] = []
        self._timer: asyncio.TimerHandle | None = None
        self._error: BaseException | None = None

    def add(self, item: _Pending) -> None:
        """Queue an article; commits the batch when it is full."""
        self.pending.append(item)
        if len(self.pending) >= STORE_BATCH:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(STORE_BATCH_SECONDS, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        try:
            self.flush()
        except BaseException as exc:  # a callback's error would only be logged: raise it on the next flush
            self._error = exc

    def flush(self) -> None:
        """Commit what is queued, in one transaction; on an error, article by article as before."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        batch, self.pending = self.pending, []
        if not batch:
            return
        outcomes: list[str | EurasiawatchError]
        try:
            with self.db.begin() as conn:
                outcomes = [self._write(conn, p) for p in batch]
        except EurasiawatchError:
            # one article spoiled the transaction: store each alone, so only that one fails
            outcomes = [self._write_alone(p) for p in batch]
        for p, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, EurasiawatchError):
                p.tally.failed += 1
                self.report.fail(Failure(p.source.name, p.article.url, "store", str(outcome)))
            else:
                p.tally.stored += 1
                self.report.add(p.source.name, outcome)
                log.debug("%s %s: %s", outcome, p.source.name, p.article.title)

    def _write_alone(self, p: _Pending) -> str | EurasiawatchError:
        try:
            with self.db.begin() as conn:
                return self._write(conn, p)
        except EurasiawatchError as exc:
            return exc

    def _write(self, conn: Connection, p: _Pending) -> str:
        """The article with its page and fetch-log row; its outcome (new, updated, unchanged)."""
        if p.fetch_row is not None:
            queries.record_fetch(conn, **p.fetch_row)
        page_id = queries.save_page(conn, p.page) if p.page is not None else None
        outcome = queries.upsert_article(conn, p.article, page_id=page_id, now=self.clock.now())
        if outcome != "unchanged":
            _link_near_duplicate(conn, p.article, self.clock)
        return outcome


@dataclass
class _Run:
    """What every step of one run shares."""

    db: Database
    settings: Settings
    clock: Clock
    fetcher: Fetcher
    report: IngestReport
    progress: Progress | None
    store: _StoreBatch

    def step(self, event: str, amount: int) -> None:
        if self.progress:
            self.progress(event, amount)

    def fetch_row(self, source: Source, url: str, started: float, **values: Any) -> dict[str, Any]:
        """A fetch-log row: ``status``, ``ok``, ``reason`` and ``nbytes`` given."""
        elapsed_ms = int((time.monotonic() - started) * 1000)
        return {"source": source.name, "url": url, "elapsed_ms": elapsed_ms, "at": self.clock.now()} | values

    def item_failed(self, source: Source, url: str, stage: str, reason: str) -> None:
        self.report.fail(Failure(source.name, url, stage, reason))
        with self.db.begin() as conn:
            queries.record_failure(
                conn, stage=stage, url=url, source=source.name, reason=reason, at=self.clock.now()
            )

    def source_failed(self, source: Source, url: str, reason: str, started: float) -> None:
        stage = source.kind if source.kind in SOURCE_KINDS else "source"
        self.report.fail(Failure(source.name, url, stage, reason))
        now = self.clock.now()
        with self.db.begin() as conn:
            if source.kind not in LOCAL_KINDS:  # a local source is read, never fetched
                row = self.fetch_row(source, url, started, status=0, ok=False, reason=reason, nbytes=0)
                queries.record_fetch(conn, **row)
            queries.record_failure(conn, stage=stage, url=url, source=source.name, reason=reason, at=now)
            queries.mark_source_result(conn, source.name, ok=False, reason=reason, at=now)

    def finish_source(self, source: Source, tally: _Tally, known: int) -> None:
        """Commit what waits, then record the source's health: it failed only when every item failed."""
        self.store.flush()
        stored, failed = tally.stored, tally.failed
        with self.db.begin() as conn:
            ok = not (failed and not stored)
            reason = None if ok else f"all {failed} items failed"
            queries.mark_source_result(
                conn, source.name, ok=ok, reason=reason, at=self.clock.now(), items=stored
            )
        log.info("%s: %d stored, %d failed, %d already known", source.name, stored, failed, known)


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
        run = _Run(db, settings, clock, fetcher, report, progress, _StoreBatch(db, clock, report))
        await asyncio.gather(*(_ingest_source(run, s) for s in sources))
        run.store.flush()  # each source flushed at its end already; nothing should be left
    return report


async def _ingest_source(run: _Run, source: Source) -> None:
    """Read one source by its kind; a failure of the source itself is recorded and the run goes on."""
    started = time.monotonic()
    if source.kind in LOCAL_KINDS:
        await _ingest_local(run, source)
    elif source.kind in _ACCEPT:
        await _ingest_listing(run, source, started)
    elif source.kind == "page":
        item = FeedItem(source=source.name, url=source.url, language=source.language)
        await _ingest_items(run, source, [item])
    else:
        reason = f"unknown source kind {source.kind!r} (known: {', '.join(SOURCE_KINDS)})"
        run.source_failed(source, source.url, reason, started)


async def _fetch_document(run: _Run, source: Source, started: float) -> FetchResult | None:
    """Conditional GET of a feed or sitemap; None when it failed or did not change (both recorded)."""
    with run.db.begin() as conn:
        etag, last_modified = queries.get_validators(conn, source.url)
    try:
        result = await run.fetcher.fetch(
            source.url,
            allow_private=source.allow_private,
            etag=etag,
            last_modified=last_modified,
            accept=_ACCEPT[source.kind],
        )
    except SourceError as exc:
        run.source_failed(source, source.url, failure_reason(exc), started)
        return None
    row = run.fetch_row(
        source, source.url, started, status=result.status, ok=True, reason=None, nbytes=len(result.body)
    )
    with run.db.begin() as conn:
        queries.record_fetch(conn, **row)
    if result.not_modified:
        run.report.add(source.name, "feeds_ok")
        run.report.add(source.name, "feed_unchanged")
        with run.db.begin() as conn:
            queries.mark_source_result(conn, source.name, ok=True, reason=None, at=run.clock.now(), items=0)
        return None
    return result


def _page(run: _Run, source: Source, url: str, result: FetchResult, item: FeedItem | None = None) -> Page:
    """A fetched document as the page to store."""
    return Page(
        url=url,
        final_url=result.final_url,
        html=_decode(result.body, result.content_type),
        fetched_at=run.clock.now(),
        source=source.name,
        status=result.status,
        content_type=result.content_type,
        etag=result.etag,
        last_modified=result.last_modified,
        feed_item=item,
    )


async def _ingest_listing(run: _Run, source: Source, started: float) -> None:
    """A feed or sitemap: fetch it, keep it, then take the article URLs it lists."""
    result = await _fetch_document(run, source, started)
    if result is None:
        return
    since = sitemap_since(run.settings, run.clock.now())  # sitemaps only: the window's start
    try:
        parsed = _parse_listing(run, source, result, since)
    except SourceError as exc:
        run.source_failed(source, source.url, _walled(result, str(exc)), started)
        return
    # kept like any fetched page: for reprocessing, and its validators give the next run a conditional GET
    with run.db.begin() as conn:
        queries.save_page(conn, _page(run, source, source.url, result))
    if isinstance(parsed, SitemapParseResult):
        parsed = await expand_sitemaps(
            run.fetcher, parsed, source=source.name, allow_private=source.allow_private, since=since,
            language=source.language, limit=run.settings.ingest_max_items_per_feed,
        )  # fmt: skip
        if parsed.too_old:
            log.info(
                "%s: %d sitemap entries older than %s left out", source.name, parsed.too_old, since.date()
            )
    run.report.add(source.name, "feeds_ok")
    for problem in parsed.problems:
        run.report.fail(Failure(source.name, source.url, source.kind, problem))
    await _ingest_items(run, source, list(parsed.items))


def _parse_listing(
    run: _Run, source: Source, result: FetchResult, since: datetime
) -> FeedParseResult | SitemapParseResult:
    """The article URLs a feed or a (top-level) sitemap lists; raises SourceError when it is neither."""
    limit = run.settings.ingest_max_items_per_feed
    if source.kind == "feed":
        return parse_feed(
            result.body, source=source.name, base_url=result.final_url, language=source.language,
            limit=limit, content_type=result.content_type,
        )  # fmt: skip
    return parse_sitemap(
        result.body, source=source.name, base_url=result.final_url, since=since,
        language=source.language, limit=limit,
    )  # fmt: skip


async def _ingest_items(run: _Run, source: Source, items: list[FeedItem]) -> None:
    """Fetch, extract and store the items a feed, sitemap or page source named (known ones skipped)."""
    listed = len(items)
    if not run.settings.ingest_refetch_known:
        with run.db.begin() as conn:
            known = queries.known_urls(
                conn, [i.url for i in items] + [canonicalize_url(i.url) for i in items]
            )
        fresh = [i for i in items if i.url not in known and canonicalize_url(i.url) not in known]
        for _ in range(len(items) - len(fresh)):
            run.report.add(source.name, "unchanged")
        items = fresh
    run.step("total", len(items))
    tally = _Tally()
    await asyncio.gather(*(_ingest_item(run, source, item, tally) for item in items))
    run.finish_source(source, tally, listed - len(items))


async def _ingest_item(run: _Run, source: Source, item: FeedItem, tally: _Tally) -> None:
    """Fetch and extract one listed page, and queue it for storing; a failure is recorded."""
    started = time.monotonic()
    try:
        try:
            result = await run.fetcher.fetch(item.url, allow_private=source.allow_private)
            _require_html(result.content_type, result.final_url)
        except SourceError as exc:
            run.item_failed(source, item.url, "fetch", failure_reason(exc))
            tally.failed += 1
            return
        run.report.add(source.name, "fetched")
        page = _page(run, source, item.url, result, item)
        article = _extract(run, source, page, tally, walled=result)
        if article is not None:
            row = run.fetch_row(
                source, item.url, started, status=result.status, ok=True, reason=None, nbytes=len(result.body)
            )
            run.store.add(_Pending(source, page, article, row, tally))
    finally:
        run.step("advance", 1)


def _extract(
    run: _Run, source: Source, page: Page, tally: _Tally, *, walled: FetchResult | None = None
) -> Article | None:
    """The page's article, or None when extraction failed (recorded, with the wall it met if any)."""
    try:
        return extract_article(
            page,
            min_chars=run.settings.ingest_min_text_chars,
            extracted_at=run.clock.now(),
            outlet=source.outlet,
        )
    except ExtractionError as exc:
        reason = _walled(walled, str(exc)) if walled is not None else str(exc)
        run.item_failed(source, page.url, "extract", reason)
        tally.failed += 1
        return None


# -- local sources: a WARC file or a folder, read from disk, never the network ----------------------

_LocalEntry = Page | TextDocument | ItemProblem
_LOCAL_CHUNK = 200  # local items checked against the store per query


async def _ingest_local(run: _Run, source: Source) -> None:
    started = time.monotonic()
    max_bytes = run.settings.fetch_max_bytes
    try:
        if source.kind == "warc":
            entries: Iterator[_LocalEntry] = read_warc(source.url, source=source.name, max_bytes=max_bytes)
        else:
            entries = read_folder(
                source.url, source=source.name, fetched_at=run.clock.now(), max_bytes=max_bytes
            )
    except SourceError as exc:
        run.source_failed(source, source.url, str(exc), started)
        return
    tally, known = _Tally(), 0
    seen: set[str] = set()  # URLs known to the store or met earlier in this run
    for chunk in _chunks(entries, _LOCAL_CHUNK):
        run.step("total", len(chunk))
        if not run.settings.ingest_refetch_known:
            # one look-up per chunk rather than per item: on SQLite each is a write-locked transaction
            urls = [e.url for e in chunk if not isinstance(e, ItemProblem)]
            with run.db.begin() as conn:
                seen |= queries.known_urls(conn, urls + [canonicalize_url(u) for u in urls])
        for entry in chunk:
            known += _local_entry(run, source, entry, seen, tally)
            run.step("advance", 1)
            await asyncio.sleep(0)  # extraction is CPU-bound: let network sources (and commits) move
    run.finish_source(source, tally, known)


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


def _local_entry(run: _Run, source: Source, entry: _LocalEntry, seen: set[str], tally: _Tally) -> bool:
    """Extract one item of a local source and queue it for storing; True when it was known already.

    ``seen`` holds the URLs already stored (unless ``ingest.refetch_known``) and those met earlier in
    the run, so an archive that holds one URL twice stores it once; this item's URL is added to it.
    """
    if isinstance(entry, ItemProblem):
        run.item_failed(source, entry.url, source.kind, entry.reason)
        tally.failed += 1
        return False
    canonical = canonicalize_url(entry.url)
    if entry.url in seen or canonical in seen:
        run.report.add(source.name, "unchanged")
        return True
    seen.update((entry.url, canonical))
    run.report.add(source.name, "fetched")
    if isinstance(entry, TextDocument):
        page = None
        try:
            article: Article | None = article_from_text(
                entry.text, url=entry.url, title=entry.title, published=entry.published,
                language=entry.language, outlet=source.outlet, source=source.name,
                min_chars=run.settings.ingest_min_text_chars, extracted_at=run.clock.now(),
            )  # fmt: skip
        except ExtractionError as exc:
            run.item_failed(source, entry.url, "extract", str(exc))
            tally.failed += 1
            return False
    else:
        page = entry
        article = _extract(run, source, page, tally)
    if article is not None:
        run.store.add(_Pending(source, page, article, None, tally))
    return False


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
