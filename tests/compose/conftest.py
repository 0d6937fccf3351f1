"""A database holding the sample corpus (sample content) as of 2024-07-09, annotated and clustered."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from eurasiawatch.analyzing import cluster_stored
from eurasiawatch.annotating import annotate_stored
from eurasiawatch.clock import Clock
from eurasiawatch.config import Settings
from eurasiawatch.demo.corpus import load_corpus
from eurasiawatch.extract import content_hash
from eurasiawatch.records import Article
from eurasiawatch.store import Database, open_database, queries

CLOCK = Clock(datetime(2024, 7, 9, 23, 59, 59, tzinfo=UTC))


def store_corpus(db: Database, settings: Settings) -> None:
    """Store, annotate and cluster every sample article published by the clock's day."""
    corpus = load_corpus()
    with db.begin() as conn:
        for a in corpus.articles:
            if a.published > CLOCK.now():
                continue
            url = f"https://sample.invalid/{a.id}"
            article = Article(
                article_id=a.id,
                url=url,
                canonical_url=url,
                title=a.title,
                text=a.text,
                published=a.published,
                language=a.language,
                outlet=corpus.outlets[a.outlet].name,
                authors=a.authors,
                paragraphs=a.paragraphs,
                content_hash=content_hash(a.text),
            )
            queries.upsert_article(conn, article, page_id=None, now=CLOCK.now())
    annotate_stored(db, settings, CLOCK)
    cluster_stored(db, settings, CLOCK)


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, Settings]]:
    """The sample corpus in a SQLite database (built once per run; tests copy nothing out of it)."""
    settings = Settings(data_dir=str(tmp_path_factory.mktemp("compose")))
    db = open_database(settings)
    db.upgrade()
    store_corpus(db, settings)
    try:
        yield db, settings
    finally:
        db.dispose()
