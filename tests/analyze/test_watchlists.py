"""Watchlists on SQLite and PostgreSQL: matching, new-match watermark, Atom feed and digest text."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from sqlalchemy.dialects import postgresql, sqlite

from eurasiawatch.analyze.search import search_index_pending
from eurasiawatch.analyze.watchlists import (
    Watchlist,
    WatchlistError,
    WatchMatch,
    build_digest,
    find_matches,
    matches_sets,
    render_feed,
)
from eurasiawatch.extract import article_id, content_hash
from eurasiawatch.records import Annotation, Article
from eurasiawatch.store import Database, queries
from eurasiawatch.store import watchlists as store
from eurasiawatch.store.annotations import save_annotation
from tests.analyze.test_search import CLOCK, _load

LATER = CLOCK.now() + timedelta(days=1)


def _add(db: Database, url: str, title: str, body: str, countries: tuple[str, ...], now: datetime) -> str:
    aid = article_id(url)
    with db.begin() as conn:
        article = Article(
            article_id=aid, url=url, canonical_url=url, title=title, text=body, language="en",
            outlet="Steppe <Wire>", published=now, content_hash=content_hash(body),
        )  # fmt: skip
        queries.upsert_article(conn, article, page_id=None, now=now)
        save_annotation(
            conn,
            Annotation(
                article_id=aid, language="en", china_related=True, countries=countries, themes=("energy",)
            ),
            now=now,
        )
        search_index_pending(conn, now=now)
    return aid


def _titles(found: list[WatchMatch]) -> set[str | None]:
    return {m.title for m in found}


def test_sets_and_queries_match(fresh_db: Database) -> None:
    _load(fresh_db)
    now = CLOCK.now()
    with fresh_db.begin() as conn:
        kz = find_matches(conn, Watchlist(name="kz", countries=("kz",)), after=None, until=now)
        assert _titles(kz) == {"Делегация Китая в Астане", "Кредит Китаю", "China signs gas deal"}
        cnpc = find_matches(conn, Watchlist(name="e", entities=("q_CNPC",)), after=None, until=now)
        assert _titles(cnpc) == {"Делегация Китая в Астане", "China signs gas deal"}
        both = Watchlist(name="q", query="Китай", countries=("KZ",), themes=("investment",))
        assert _titles(find_matches(conn, both, after=None, until=now)) == {"Кредит Китаю"}
        assert find_matches(conn, Watchlist(name="kz", countries=("KZ",)), after=now, until=LATER) == []


def test_new_matches_follow_the_watermark(fresh_db: Database) -> None:
    _load(fresh_db)
    _add(fresh_db, "https://e.org/new", "New gas field", "Gas in Kazakhstan.", ("KZ",), LATER)
    watch = Watchlist(name="kz", countries=("KZ",))
    with fresh_db.begin() as conn:
        store.insert_watchlist(
            conn,
            {
                "name": "kz",
                "query": None,
                "countries": ("KZ",),
                "entities": (),
                "themes": (),
                "created_at": LATER,
            },
        )
        store.mark_delivered(conn, ["kz"], CLOCK.now())
        row = store.get_watchlist(conn, "kz")
        assert row is not None and Watchlist.from_row(row).delivered_until == CLOCK.now()
        found = find_matches(conn, watch, after=CLOCK.now(), until=LATER)
        assert _titles(found) == {"New gas field"}
        assert [r["name"] for r in store.list_watchlists(conn)] == ["kz"]
        assert store.delete_watchlist(conn, "kz") and not store.delete_watchlist(conn, "kz")


def test_feed_is_valid_atom_with_escaped_titles(fresh_db: Database) -> None:
    _load(fresh_db)
    _add(fresh_db, "https://e.org/x?a=1&b=2", "Gas & <b>oil</b>\x07 deal", "Gas deal.", ("KZ",), LATER)
    with fresh_db.begin() as conn:
        found = find_matches(conn, Watchlist(name="kz", countries=("KZ",)), after=None, until=LATER)
    xml = render_feed(Watchlist(name="kz", countries=("KZ",)), found, now=LATER)
    feed = feedparser.parse(xml)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "eurasiawatch watchlist: kz" and len(feed.entries) == 4
    first = feed.entries[0]
    assert first.link == "https://e.org/x?a=1&b=2"
    assert "oil" in first.title and "\x07" not in first.title and "<b>" not in xml


def test_digest_lists_matches_with_links_and_outlets() -> None:
    m = WatchMatch(
        article_id="a", title="Gas <deal>", url="https://e.org/a?x=1&y=2", outlet="Steppe Wire",
        language="en", published=datetime(2024, 7, 1, tzinfo=UTC),
        first_seen_at=datetime(2024, 7, 1, tzinfo=UTC),
    )  # fmt: skip
    digest = build_digest(
        [(Watchlist(name="kz", countries=("KZ",)), [m]), (Watchlist(name="e", themes=("x",)), [])], now=LATER
    )
    assert digest.count == 1 and digest.names == ("kz",)
    assert "Gas <deal> — Steppe Wire, 2024-07-01" in digest.text and "https://e.org/a?x=1&y=2" in digest.text
    assert 'href="https://e.org/a?x=1&amp;y=2"' in digest.html and "Gas &lt;deal&gt;" in digest.html
    assert "No new matches." in build_digest([], now=LATER).text


def test_sets_semantics_and_checks() -> None:
    w = Watchlist(name="w", countries=("KZ", "UZ"), entities=("huawei",))
    assert matches_sets(w, countries=("UZ",), themes=(), entities={"huawei"})
    assert not matches_sets(w, countries=("UZ",), themes=(), entities={"zte"})
    with pytest.raises(WatchlistError):
        Watchlist(name="empty").check()
    with pytest.raises(WatchlistError):
        Watchlist(name="bad name", countries=("KZ",)).check()


def test_every_watchlist_query_compiles_for_both_databases() -> None:
    builders = {
        n: f
        for n, f in inspect.getmembers(store, inspect.isfunction)
        if n.startswith("_") and n.endswith("_stmt")
    }
    args = {
        "_insert_stmt": ({"name": "x", "countries": (), "entities": (), "themes": (), "created_at": LATER},),
        "_get_stmt": ("x",),
        "_list_stmt": (),
        "_delete_stmt": ("x",),
        "_mark_stmt": ("x", LATER),
        "_update_stmt": ("x", {"query": "q", "countries": ("KZ",), "entities": (), "themes": ()}),
        "_new_articles_stmt": (CLOCK.now(), LATER, 10),
        "_entity_mentions_stmt": (["a", "b"],),
    }
    assert set(builders) == set(args)
    for name, fn in builders.items():
        for dialect in (sqlite.dialect(), postgresql.dialect()):
            str(fn(dialect.name, *args[name]).compile(dialect=dialect))
