"""``analyze.search_cache``: a remembered search gives exactly the result a fresh one gives."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from eurasiawatch.analyze import search as fts
from eurasiawatch.analyze.search import SearchFilters, search, search_index_pending
from eurasiawatch.analyze.search_cache import SearchCache
from eurasiawatch.extract import article_id, content_hash
from eurasiawatch.records import Annotation, Article
from eurasiawatch.store import Database, queries
from eurasiawatch.store.annotations import save_annotation
from eurasiawatch.store.tables import articles

from .test_search import CLOCK, CORPUS, QUERIES, _load


def _count_ranked_queries(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = fts.store.search_hits

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(fts.store, "search_hits", counted)
    return calls


@pytest.mark.parametrize("facet_cap", [1000, 2], ids=["exact", "approximate"])
def test_cached_results_equal_fresh_ones_hits_totals_and_facets(fresh_db: Database, facet_cap: int) -> None:
    _load(fresh_db)
    cache: SearchCache[object] = SearchCache()
    with fresh_db.read() as conn:
        for query, filters in QUERIES:
            for offset in (0, 1):
                fresh = search(conn, query, filters=filters, limit=2, offset=offset, facet_cap=facet_cap)
                first = search(conn, query, filters=filters, limit=2, offset=offset, facet_cap=facet_cap,
                               cache=cache)  # fmt: skip
                again = search(conn, query, filters=filters, limit=2, offset=offset, facet_cap=facet_cap,
                               cache=cache)  # fmt: skip
                assert first == fresh and again == fresh, (query, filters, offset)
    assert len(cache) > 0
    with fresh_db.read() as conn:  # the facets of a seeded query are the counts over its hits
        result = search(conn, "Китай", limit=2, facet_cap=facet_cap, cache=cache)
        ranked = search(conn, "Китай", limit=50).hits  # every hit, best first
    rows = {article_id(c[0]): c for c in CORPUS}
    basis = [rows[h.article_id] for h in ranked[: result.facet_basis]]
    assert result.facet_basis == min(facet_cap, len(ranked))
    assert result.total >= 3 and result.approximate == (facet_cap < result.total)
    assert dict(result.facets["country"]) == Counter(c for row in basis for c in row[6])
    assert dict(result.facets["theme"]) == Counter(t for row in basis for t in row[7])


def test_the_next_page_and_the_next_asker_reuse_the_ranking(
    monkeypatch: pytest.MonkeyPatch, fresh_db: Database
) -> None:
    _load(fresh_db)
    cache: SearchCache[object] = SearchCache()
    ranked = _count_ranked_queries(monkeypatch)
    with fresh_db.read() as conn:
        one = search(conn, "Китай", limit=2, cache=cache)
        two = search(conn, "Китай", limit=2, offset=2, cache=cache)
        search(conn, "Китай", limit=2, cache=cache)
        assert len(ranked) == 1
        search(conn, "Китай", filters=SearchFilters(countries=("KZ",)), cache=cache)  # another query
        assert len(ranked) == 2
    assert one.total == two.total and not {h.article_id for h in one.hits} & {h.article_id for h in two.hits}


def _add(db: Database, url: str, title: str, text: str) -> str:
    aid = article_id(url)
    with db.begin() as conn:
        queries.upsert_article(
            conn,
            Article(article_id=aid, url=url, canonical_url=url, title=title, text=text, language="en",
                    outlet="Steppe Wire", published=datetime(2024, 7, 8, 9, tzinfo=UTC),
                    content_hash=content_hash(text)),
            page_id=None,
            now=CLOCK.now(),
        )  # fmt: skip
        save_annotation(
            conn, Annotation(article_id=aid, language="en", china_related=True, countries=("KG", "CN")),
            now=CLOCK.now(),
        )  # fmt: skip
        search_index_pending(conn, now=CLOCK.now())
    return aid


def test_a_newly_indexed_article_is_found_at_once(fresh_db: Database) -> None:
    _load(fresh_db)
    cache: SearchCache[object] = SearchCache(ttl=3600)
    with fresh_db.read() as conn:
        before = search(conn, "China", cache=cache)
    new = _add(fresh_db, "https://e.org/en3", "China opens a border post", "China and Kyrgyzstan opened it.")
    with fresh_db.read() as conn:
        after = search(conn, "China", cache=cache)
        assert after == search(conn, "China")
    assert after.total == before.total + 1 and new in {h.article_id for h in after.hits}
    assert dict(after.facets["country"])["KG"] == 1


def test_a_removed_article_leaves_the_page_at_once(fresh_db: Database) -> None:
    ids = _load(fresh_db)
    cache: SearchCache[object] = SearchCache(ttl=3600)
    gone = ids["https://e.org/en1"]
    with fresh_db.read() as conn:
        assert gone in {h.article_id for h in search(conn, "China", cache=cache).hits}
    with fresh_db.begin() as conn:
        conn.execute(articles.delete().where(articles.c.article_id == gone))
    with fresh_db.read() as conn:
        after = search(conn, "China", cache=cache)
        assert after == search(conn, "China")
    assert gone not in {h.article_id for h in after.hits}


def test_entries_expire_after_the_ttl(monkeypatch: pytest.MonkeyPatch, fresh_db: Database) -> None:
    _load(fresh_db)
    cache: SearchCache[object] = SearchCache(ttl=0.0)
    ranked = _count_ranked_queries(monkeypatch)
    with fresh_db.read() as conn:
        search(conn, "China", cache=cache)
        search(conn, "China", cache=cache)
    assert len(ranked) == 2


def test_while_one_request_refreshes_an_expired_entry_others_get_the_previous_one(
    monkeypatch: pytest.MonkeyPatch, fresh_db: Database
) -> None:
    _load(fresh_db)
    cache: SearchCache[object] = SearchCache(ttl=0.0)
    ranked = _count_ranked_queries(monkeypatch)
    with fresh_db.read() as conn:
        first = search(conn, "China", cache=cache)
        (lock,) = cache._computing.values()
        with lock:  # another request is computing the expired entry afresh
            assert search(conn, "China", cache=cache) == first
        assert len(ranked) == 1
        assert search(conn, "China", cache=cache) == first  # nobody computing: this one refreshes
    assert len(ranked) == 2
