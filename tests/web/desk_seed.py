"""Shared seeding for the desk's explore, editor and correction pages (tests/web/test_desk_*.py).

``sign_in`` puts a full editor (or admin) session on a TestClient; ``store`` saves an article with its
annotation; ``corpus`` fills a database with a small week of Kazakh and Hungarian stories, clustered.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient

from eurasiawatch import accounts
from eurasiawatch.accounts import AccountPolicy
from eurasiawatch.analyze.search import search_index_pending
from eurasiawatch.analyzing import cluster_stored
from eurasiawatch.clock import Clock
from eurasiawatch.config import Settings
from eurasiawatch.credentials import totp_code
from eurasiawatch.deliver.crypto import Crypto
from eurasiawatch.records import Annotation, Article, Event, Mention
from eurasiawatch.store import Database
from eurasiawatch.store.annotations import save_annotation
from eurasiawatch.store.queries import upsert_article

from .conftest import NOW

PASSWORD = "correct horse battery staple 42"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def sign_in(
    client: TestClient, settings: Settings, db: Database, name: str = "editor1", role: str = "editor"
) -> TestClient:
    """Create an account and put a full session cookie on the client (sign-in has its own tests)."""
    policy = AccountPolicy.from_settings(settings)
    crypto = Crypto.from_settings(settings, create=True)
    with db.begin() as conn:
        enrolment = accounts.add_user(conn, crypto, policy, name, PASSWORD, role=role, now=NOW)
    with db.begin() as conn:
        pending = accounts.check_password(conn, policy, name, PASSWORD, now=NOW)
        assert pending.session_id
        full = accounts.check_code(
            conn, crypto, policy, pending.session_id, totp_code(enrolment.secret, NOW), now=NOW
        )
        assert full.session_id
    client.cookies.set("ew_session", full.session_id)
    return client


def store(
    db: Database,
    aid: str,
    published: datetime,
    title: str,
    *,
    text: str | None = None,
    countries: tuple[str, ...] = (),
    themes: tuple[str, ...] = (),
    entities: tuple[str, ...] = (),
    events: tuple[Event, ...] = (),
    outlet: str = "Steppe Herald",
    language: str = "en",
    china: bool = True,
) -> None:
    """Save an article and its annotation."""
    article = Article(
        article_id=aid,
        url=f"https://news.example/{aid}",
        canonical_url=f"https://news.example/{aid}",
        title=title,
        text=text or f"{title}. " * 12,
        language=language,
        outlet=outlet,
        source=outlet.lower(),
        published=published,
        content_hash=aid,
    )
    mentions = tuple(Mention(article_id=aid, kind="country", key=c, name=c) for c in countries) + tuple(
        Mention(article_id=aid, kind="entity", key=e, name=e.replace("-", " ").title(), entity_type="project")
        for e in entities
    )
    with db.begin() as conn:
        upsert_article(conn, article, page_id=None, now=NOW)
        save_annotation(
            conn,
            Annotation(
                article_id=aid,
                language=language,
                china_related=china,
                countries=countries,
                themes=themes,
                mentions=mentions,
                events=events,
            ),
            now=NOW,
        )


SUMMIT = Event(
    article_id="a1",
    type="CONSULT",
    mode="planned",
    date="2024-07-20",
    upcoming=True,
    actors=(("CN", None), ("KZ", None)),
    location="Astana",
    evidence="The leaders will meet in Astana on 20 July.",
)


def corpus(db: Database) -> Database:
    """Five articles in the week before NOW, indexed for search and clustered into stories."""
    day = timedelta(days=1)
    gateway = ("khorgos-gateway",)
    store(db, "a1", NOW - 2 * day, "China and Kazakhstan plan Astana summit on Khorgos railway",
          countries=("CN", "KZ"), themes=("diplomacy", "trade"), entities=gateway,
          events=(SUMMIT,))  # fmt: skip
    store(db, "a2", NOW - 2 * day, "Kazakhstan, China to hold Astana summit on Khorgos railway",
          countries=("CN", "KZ"), themes=("diplomacy",), entities=gateway, outlet="Kazinform Daily",
          language="ru")  # fmt: skip
    store(db, "a3", NOW - 5 * day, "Khorgos dry port volumes up, Kazakh officials say",
          countries=("KZ",), themes=("trade",), entities=gateway)  # fmt: skip
    store(db, "a4", NOW - 3 * day, "Hungary signs battery plant deal with Chinese maker",
          countries=("HU", "CN"), themes=("investment",), outlet="Budapest Ledger",
          language="hu")  # fmt: skip
    store(db, "a5", NOW - 4 * day, f"Railway news {HOSTILE}",
          text=f"Railway timetable changes. {HOSTILE} " * 5, countries=("KZ",),
          themes=("trade",))  # fmt: skip
    with db.begin() as conn:
        search_index_pending(conn, now=NOW)
    cluster_stored(db, db.settings, Clock(NOW))
    return db
