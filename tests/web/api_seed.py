"""A small, real dataset for the API tests: sample-corpus articles annotated, clustered and indexed.

The articles are sample content written for the project (``data/demo``): the three biggest stories
plus every story with a reprint of state media or an upcoming event. They are annotated once per test
run (the annotator is pure), then stored in each test's ``fresh_db`` through the same store and analyze
functions ``ingest`` uses. Also stored: a published and a draft edition, a synthetic indicator series,
and a desk user with an API token.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from eurasiawatch import accounts
from eurasiawatch.analyze.indicators import import_indicators
from eurasiawatch.analyze.search import search_index_pending
from eurasiawatch.analyzing import cluster_stored
from eurasiawatch.annotate import annotate_article
from eurasiawatch.clock import Clock
from eurasiawatch.config import Settings
from eurasiawatch.deliver.crypto import Crypto
from eurasiawatch.demo.corpus import load_corpus
from eurasiawatch.extract import content_hash
from eurasiawatch.records import Annotation, Article, Block, Citation, Edition
from eurasiawatch.store import Database, queries
from eurasiawatch.store.annotations import save_annotation
from eurasiawatch.store.editions import save_edition, set_edition_status

from .conftest import NOW

__all__ = ["Seeded", "cheap_settings", "seed"]

CLOCK = Clock(NOW)
SERIES_CSV = "period,reporter,partner,measure,value,unit,source\n" + "".join(
    f"{y}-{m:02d},Kazakhstan,China,exports (synthetic test series),{100 + 10 * (y - 2023) + m},USD million,"
    "invented for the API tests\n"
    for y in (2023, 2024)
    for m in range(1, 13 if y == 2023 else 6)
)


@dataclasses.dataclass(frozen=True)
class Seeded:
    """What was stored: the API token, the articles and their annotations, edition ids."""

    token: str
    pairs: tuple[tuple[Article, Annotation], ...]
    public_edition: str
    draft_edition: str


@lru_cache(maxsize=1)
def _annotated() -> tuple[tuple[Article, Annotation], ...]:
    corpus = load_corpus()
    by_story = defaultdict(list)
    for a in corpus.articles:
        by_story[a.story].append(a)
    wanted = set(sorted(by_story, key=lambda s: (-len(by_story[s]), s))[:3])
    wanted |= {a.story for a in corpus.articles if a.reprint_of or a.upcoming_for}
    out = []
    for a in corpus.articles:
        if a.story not in wanted or a.published > NOW:
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
            source=a.outlet,
            authors=a.authors,
            paragraphs=a.paragraphs,
            content_hash=content_hash(a.text),
            sample=True,
        )
        out.append((article, annotate_article(article)))
    return tuple(out)


def cheap_settings(settings: Settings) -> Settings:
    """Fast argon2 for the test user."""
    return dataclasses.replace(settings, desk_argon2_memory_kib=1024, desk_argon2_time_cost=1)


def _edition(edition_id: str, send: date, headline: str, cited: Article) -> Edition:
    citation = Citation(
        article_id=cited.article_id,
        url=cited.url,
        outlet=cited.outlet,
        title=cited.title,
        published=cited.published,
    )
    return Edition(
        edition_id=edition_id,
        send_date=send,
        window_start=send - timedelta(days=14),
        window_end=send - timedelta(days=1),
        headline=headline,
        dek="A dek",
        slug=edition_id,
        blocks=(
            Block(
                block_id="lead",
                section="lead",
                kind="lead",
                title=headline,
                text="It happened [1].",
                citations=(citation,),
            ),
        ),
    )


def seed(db: Database, settings: Settings, tmp: Path) -> Seeded:
    """Store the dataset in ``db`` and return what a test needs to ask for it."""
    pairs = _annotated()
    now = CLOCK.now()
    with db.begin() as conn:
        for article, annotation in pairs:
            queries.upsert_article(conn, article, page_id=None, now=now)
            save_annotation(conn, annotation, now=now)
    cluster_stored(db, settings, CLOCK)
    csv = tmp / "kz_cn_exports.csv"
    csv.write_text(SERIES_CSV, encoding="utf-8")
    first = pairs[0][0]
    with db.begin() as conn:
        search_index_pending(conn, now=now)
        import_indicators(conn, csv, synthetic=True, now=now)
        save_edition(conn, _edition("2024-07-10", date(2024, 7, 10), "Sent edition", first), now=now)
        set_edition_status(conn, "2024-07-10", "sent", now=now)
        save_edition(conn, _edition("2024-07-24", date(2024, 7, 24), "Draft <b>edition</b>", first), now=now)
        crypto = Crypto.from_settings(settings, create=True)
        policy = accounts.AccountPolicy.from_settings(settings)
        accounts.add_user(
            conn, crypto, policy, "api-reader", "a long desk passphrase", role="editor", now=now
        )
        token = accounts.create_api_token(conn, "api-reader", "tests", now=now)
    return Seeded(token=token, pairs=pairs, public_edition="2024-07-10", draft_edition="2024-07-24")
