"""One input file on one worker: read → extract → language → annotate → write, in batches.

``process_file`` is what the driver maps over the cluster. It uses the very functions ``ingest``
uses (``extract_article`` or ``article_from_text``, which detect the language, then
``annotate_article`` with the same knowledge base and model stamp as ``annotate_stored``), and
writes each batch of articles with its annotations in one transaction (``store.backfill``), then
to Parquet if asked. The file's checkpoint is marked ``running`` first and ``done`` last, so a
worker lost halfway leaves every committed batch in place and a ``running`` row behind: Dask (or the
next run) does the file again, and the upserts make the redo write nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..annotate import KnowledgeBase, annotate_article
from ..annotating import LEXICON_MODEL, load_user_kb
from ..clock import Clock
from ..config import Settings
from ..corrections import with_corrections_many
from ..errors import AnnotationError, EurasiawatchError, ExtractionError, SourceError
from ..extract import article_from_text, extract_article
from ..ingest import ItemProblem, TextDocument
from ..records import Annotation, Article
from ..store import Database, open_database
from ..store.backfill import finish_file, record_item_failures, save_annotations, start_file, upsert_articles
from .inputs import InputFile, Record, read_input
from .parquet import write_parquet

__all__ = ["BackfillTask", "FileResult", "process_file"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class BackfillTask:
    """Everything a worker needs for a file; plain values, so it pickles to any worker.

    ``on_record`` is called with each record's URL before it is processed: an instrumentation and
    test hook (the tests use it to kill a worker on a marked record); it must be picklable.
    """

    settings: Settings
    clock: Clock = field(default_factory=Clock)
    source: str = "backfill"
    outlet: str | None = None
    batch: int = 200
    parquet_dir: str | None = None
    on_record: Callable[[str], None] | None = None


@dataclass(frozen=True, slots=True)
class FileResult:
    """What processing one input file did."""

    path: str
    records: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    worker: str | None = None
    error: str | None = None  # set when the file as a whole failed

    @property
    def stored(self) -> int:
        """Articles written (new, changed or already there)."""
        return self.new + self.updated + self.unchanged


def _worker_name() -> str | None:
    try:
        from distributed import get_worker
    except ImportError:  # the dask extra is not installed: the local engine
        return None
    try:
        return str(get_worker().address)
    except ValueError:  # not on a Dask worker
        return None


def process_file(item: InputFile, task: BackfillTask) -> FileResult:
    """Process one input file into the store (and Parquet): the unit of work of a backfill.

    Args:
        item: the input file.
        task: settings, clock, batch size, Parquet folder.

    Returns:
        Counts of what was stored and what failed; ``error`` when the file could not be read at all
        or the store refused a batch (the checkpoint then says ``failed`` with that reason).
    """
    worker = _worker_name()
    db = open_database(task.settings)
    try:
        with db.begin() as conn:
            start_file(
                conn, item.path, size=item.size, mtime_ns=item.mtime_ns, worker=worker, now=task.clock.now()
            )
        counts = {"records": 0, "new": 0, "updated": 0, "unchanged": 0, "failed": 0}
        error = None
        try:
            kb = load_user_kb(task.settings)
            records = read_input(
                item,
                source=task.source,
                fetched_at=task.clock.now(),
                max_bytes=task.settings.fetch_max_bytes,
            )
            for number, batch in enumerate(_batches(records, task.batch)):
                _write_batch(db, item, task, kb, number, batch, counts)
        except (SourceError, EurasiawatchError) as exc:
            error = str(exc)
        with db.begin() as conn:
            finish_file(
                conn, item.path, status="failed" if error else "done", records=counts["records"],
                stored=counts["new"] + counts["updated"] + counts["unchanged"], failed=counts["failed"],
                reason=error, now=task.clock.now(),
            )  # fmt: skip
    finally:
        db.dispose()
    return FileResult(item.path, worker=worker, error=error, **counts)


def _batches(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    batch: list[Record] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _write_batch(
    db: Database,
    item: InputFile,
    task: BackfillTask,
    kb: KnowledgeBase,
    number: int,
    batch: list[Record],
    counts: dict[str, int],
) -> None:
    """Run the stages over a batch and commit it (articles, annotations, failures) in one transaction."""
    done: dict[str, tuple[Article, Annotation]] = {}
    failures: list[tuple[str, str, str]] = []
    settings = task.settings
    for record in batch:
        counts["records"] += 1
        if task.on_record is not None:
            task.on_record(record.url)
        if isinstance(record, ItemProblem):
            failures.append((record.url, "read", record.reason))
            continue
        try:
            if isinstance(record, TextDocument):
                article = article_from_text(
                    record.text, url=record.url, title=record.title, published=record.published,
                    language=record.language, outlet=task.outlet, source=task.source,
                    min_chars=settings.ingest_min_text_chars, extracted_at=task.clock.now(),
                )  # fmt: skip
            else:
                article = extract_article(
                    record, min_chars=settings.ingest_min_text_chars, extracted_at=task.clock.now(),
                    outlet=task.outlet,
                )  # fmt: skip
        except ExtractionError as exc:
            failures.append((record.url, "extract", str(exc)))
            continue
        try:
            annotation = replace(annotate_article(article, kb), model_version=LEXICON_MODEL)
        except AnnotationError as exc:
            failures.append((record.url, "annotate", str(exc)))
            continue
        done[article.article_id] = (article, annotation)  # an archive holding a URL twice: the last wins
    now = task.clock.now()
    with db.begin() as conn:
        outcome = upsert_articles(conn, [a for a, _ in done.values()], now=now)
        # editors' corrections of articles stored before win over the annotator here too
        save_annotations(conn, with_corrections_many(conn, [n for _, n in done.values()]), now=now)
        record_item_failures(conn, item.path, failures, now=now)
    for state in outcome.values():
        counts[state] += 1
    counts["failed"] += len(failures)
    if task.parquet_dir:
        write_parquet(Path(task.parquet_dir), item, number, list(done.values()))
    log.debug("%s batch %d: %d stored, %d failed", item.name, number, len(done), len(failures))
