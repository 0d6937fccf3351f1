"""The demo: serve the sample corpus on loopback, ingest it into a fresh database, annotate it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from pathlib import Path

from ..analyze.search import search_index_pending
from ..analyzing import ClusterReport, cluster_stored
from ..annotating import AnnotateReport, annotate_stored
from ..clock import Clock
from ..config import Settings
from ..pipeline import IngestReport, ingest
from ..records import Source
from ..store import Database, open_database, queries
from .corpus import Corpus, load_corpus
from .server import serve_site
from .site import Resource, build_site, feed_paths

__all__ = ["DemoResult", "demo_settings", "run_demo"]


@dataclass(frozen=True, slots=True)
class DemoResult:
    """What the demo did and where it left things."""

    corpus: Corpus
    data_dir: Path
    database: Database
    report: IngestReport
    annotated: AnnotateReport
    as_of: datetime
    clustered: ClusterReport | None = None


def demo_settings(settings: Settings) -> Settings:
    """Settings for the demo: its own SQLite database under ``<data_dir>/demo``, no politeness delay.

    The delay between requests to one host is for real outlets; the demo server is our own loopback one.
    """
    data_dir = Path(settings.data_dir) / "demo"
    return replace(
        settings,
        data_dir=str(data_dir),
        database_url="",
        database_schema="",
        fetch_per_host_delay=0.0,
        fetch_per_host_concurrency=8,
    )


def run_demo(settings: Settings, *, clock: Clock | None = None) -> DemoResult:
    """Serve the corpus, register one source per outlet feed, ingest as of the corpus's last day.

    Args:
        settings: effective settings; the demo uses ``<data_dir>/demo`` and SQLite whatever they say.
        clock: replay a given instant; default: the end of the corpus's last day.
    """
    corpus = load_corpus()
    as_of = (
        clock.now()
        if clock and clock.fixed
        else datetime.combine(corpus.last_day, time(23, 59, 59), tzinfo=UTC)
    )
    clock = Clock(as_of)
    settings = demo_settings(settings)
    data_dir = Path(settings.data_dir)
    if data_dir.exists():
        shutil.rmtree(data_dir)  # a fresh database every run: the demo is a replay, not a store
    data_dir.mkdir(parents=True)
    db = open_database(settings)
    db.upgrade()
    site: dict[str, Resource] = {}
    with serve_site(site) as base_url:
        site.update(build_site(corpus, base_url, as_of=as_of))
        sources = [
            Source(
                name=f"{outlet.id}/{lang}",
                url=base_url + path,
                kind="feed",
                language=lang,
                outlet=outlet.name,
                allow_private=True,
            )
            for outlet, lang, path in feed_paths(corpus)
        ]
        with db.begin() as conn:
            for source in sources:
                queries.upsert_source(conn, source, now=as_of)
        report = ingest(db, settings, clock, sources=sources)
    annotated = annotate_stored(db, settings, clock)
    with db.begin() as conn:
        search_index_pending(conn, now=clock.now())
    clustered = cluster_stored(db, settings, clock)
    return DemoResult(
        corpus=corpus,
        data_dir=data_dir,
        database=db,
        report=report,
        annotated=annotated,
        as_of=as_of,
        clustered=clustered,
    )


def draft_demo_edition(result: DemoResult, settings: Settings) -> tuple[str, list[Path]]:
    """Draft the edition of the demo's last 14 days and render it to ``<demo data dir>/out/``.

    Returns:
        The edition's id and the files written (HTML email, text, web page, archive index, feed).
    """
    from datetime import timedelta

    from ..compose.gather import draft_stored
    from ..render import RenderOptions, archive_entry, archive_files, render_edition, write_archive
    from ..render.files import email_files

    end = result.as_of.date()
    edition, _ = draft_stored(
        result.database,
        demo_settings(settings),
        Clock(result.as_of),
        start=end - timedelta(days=13),
        end=end,
        send_date=end + timedelta(days=1),
    )
    options = RenderOptions(sample=True)
    files = email_files(render_edition(edition, options=options))
    files.update(archive_files([archive_entry(edition, options)], options))
    return edition.edition_id, write_archive(files, result.data_dir / "out")
