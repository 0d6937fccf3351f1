"""The feedparser test corpus through our feed path: nothing crashes, nothing hostile is stored.

The corpus (``<repo>/../shared/corpora/feeds``: about 2,100 RSS/Atom/CDF/JSON documents, many of
them deliberately broken) is data only. Many files open with a comment holding an ``Expect:``
line — a Python expression for feedparser's own suite. It is never evaluated here.

- Every file goes through ``ingest.parse_feed``: a ``SourceError`` ("not a feed") is an answer,
  any other exception is a crash.
- A sample, and every file under ``sanitize/``, goes through the whole pipeline from a loopback
  server: feed → item pages → extract → store. Links in the files are pointed at the loopback
  server (namespace URIs are left alone), and entries without a link get one, so each entry is
  actually ingested. Item pages carry no title or byline, so the feed's title and authors are the
  ones stored. Then no stored title, author, text or description may hold ``<script``, an event
  handler attribute (``on…=``) or a ``javascript:`` URL.

Skips when the corpus is absent, except under ``CI=true`` where that fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from eurasiawatch.clock import Clock
from eurasiawatch.config import Settings
from eurasiawatch.errors import SourceError
from eurasiawatch.ingest import parse_feed
from eurasiawatch.pipeline import ingest
from eurasiawatch.records import Source
from eurasiawatch.store import Database, open_database, queries

from ..loopback import Reply, serve
from ..services import missing

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "feeds"
CLOCK = Clock(datetime(2024, 7, 9, 12, 0, tzinfo=UTC))
SETTINGS = Settings(
    fetch_per_host_delay=0.0,
    fetch_retries=0,
    fetch_timeout=5.0,
    fetch_respect_robots=False,
    fetch_per_host_concurrency=8,
    ingest_min_text_chars=0,
)
HOSTILE = re.compile(r"<\s*script|\bon[a-z]+\s*=|javascript\s*:", re.IGNORECASE)
# Hosts in URLs, except inside namespace declarations (rewriting those would change the format).
_URL_OR_NAMESPACE = re.compile(rb"""(xmlns(?::[\w.-]+)?\s*=\s*["'][^"']*["'])|https?://[^/\s"'<>]+""")
_ENTRY_OPEN = re.compile(rb"<(item|entry)(\s[^>]*)?>", re.IGNORECASE)

ARTICLE_PAGE = (
    b"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body><article>"
    + b"".join(
        b"<p>Officials from China and Kazakhstan met in Astana on Tuesday to discuss the railway, "
        b"the new border crossing and the financing of the logistics hub, people at the talks said. "
        b"Paragraph %d adds what each side wanted from the next round.</p>" % i
        for i in range(4)
    )
    + b"</article></body></html>"
)


def _corpus() -> Path:
    if not CORPUS.is_dir():
        message = f"the feed corpus is not at {CORPUS}"
        missing(message)
    return CORPUS


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in {".xml", ".rdf", ".json"})


def _content_type(path: Path) -> str:
    return "application/feed+json" if path.suffix == ".json" else "application/xml"


def _to_loopback(body: bytes, base: str) -> bytes:
    """Point every http(s) link at the loopback server, leaving namespace URIs alone."""
    return _URL_OR_NAMESPACE.sub(lambda m: m.group(1) or base.encode(), body)


def _with_links(body: bytes, base: str, tag: str) -> bytes:
    """Give each entry a link of its own first, so that every entry is ingested."""
    count = 0

    def add(match: re.Match[bytes]) -> bytes:
        nonlocal count
        count += 1
        url = f"{base}/item/{tag}/{count}".encode()
        if match.group(1).lower() == b"item":
            return match.group(0) + b"<link>" + url + b"</link>"
        return match.group(0) + b'<link rel="alternate" href="' + url + b'"/>'

    return _ENTRY_OPEN.sub(add, body)


class _AnyPath(dict[str, object]):
    """Routes where every unknown path is an article page (item links point anywhere)."""

    def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
        found = super().get(key)
        return found if found is not None else Reply(200, ARTICLE_PAGE, {"Content-Type": "text/html"})


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLite database."""
    database = open_database(Settings(data_dir=str(tmp_path / "data")))
    database.upgrade()
    try:
        yield database
    finally:
        database.dispose()


def test_every_file_parses_without_crashing() -> None:
    files = _files(_corpus())
    assert len(files) > 2000
    crashes: list[str] = []
    items = 0
    for path in files:
        try:
            result = parse_feed(
                path.read_bytes(),
                source="corpus",
                base_url="http://127.0.0.1:9/feed",
                content_type=_content_type(path),
            )
        except SourceError:
            continue
        except Exception as exc:
            crashes.append(f"{path.relative_to(CORPUS)}: {type(exc).__name__}: {exc}")
            continue
        items += len(result.items)
        for item in result.items:
            assert item.url.startswith(("http://", "https://"))
    assert not crashes, "\n".join(crashes[:20])
    assert items > 50


def _ingest_files(db: Database, files: list[Path], *, add_links: bool) -> dict[str, int]:
    with serve() as site:
        site.routes = _AnyPath()  # type: ignore[assignment]
        sources = []
        for n, path in enumerate(files):
            body = _to_loopback(path.read_bytes(), site.base)
            if add_links:
                body = _with_links(body, site.base, str(n))
            route = f"/feeds/{n}{path.suffix}"
            site.routes[route] = Reply(200, body, {"Content-Type": _content_type(path)})
            sources.append(Source(name=f"f{n}", url=site.url(route), allow_private=True))
        report = ingest(db, SETTINGS, CLOCK, sources=sources)
    return dict(report.counts)


def _hostile_fields(db: Database) -> list[str]:
    found = []
    with db.begin() as conn:
        for article in queries.list_articles(conn, limit=100_000):
            fields = {
                "title": article.title,
                "text": article.text,
                "description": article.description,
                **{f"author {i}": a for i, a in enumerate(article.authors)},
            }
            for name, value in fields.items():
                if value and HOSTILE.search(value):
                    found.append(f"{article.url} {name}: {value[:120]!r}")
    return found


def test_a_sample_goes_through_the_whole_pipeline(db: Database) -> None:
    files = _files(_corpus())[::25]
    counts = _ingest_files(db, files, add_links=False)
    assert counts.get("feeds_ok", 0) > len(files) // 2, counts
    with db.begin() as conn:
        assert queries.count_articles(conn) > 0
    assert not _hostile_fields(db)


@pytest.mark.slow
def test_sanitize_files_store_nothing_hostile(db: Database) -> None:
    files = _files(_corpus() / "tests" / "wellformed" / "sanitize")
    assert len(files) > 700
    counts = _ingest_files(db, files, add_links=True)
    with db.begin() as conn:
        stored = queries.count_articles(conn)
    assert stored > 500, counts
    hostile = _hostile_fields(db)
    assert not hostile, "\n".join(hostile[:20])
