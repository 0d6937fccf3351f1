"""Full-text search on SQLite FTS5 and PostgreSQL: stemming, filters, facets, snippets, same answers."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from eurasiawatch.analyze import search as fts
from eurasiawatch.analyze.search import (
    SearchFilters,
    SearchQueryError,
    parse_query,
    search,
    search_index_pending,
)
from eurasiawatch.clock import Clock
from eurasiawatch.config import Settings
from eurasiawatch.extract import article_id, content_hash
from eurasiawatch.records import Annotation, Article, Mention
from eurasiawatch.store import Database, open_database, queries
from eurasiawatch.store import search as store_search
from eurasiawatch.store.annotations import save_annotation

CLOCK = Clock(datetime(2024, 7, 9, 12, tzinfo=UTC))

# (url, language, outlet, published, title, text, countries, themes, entities)
CORPUS: list[tuple[str, str, str, date, str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = [
    (
        "https://e.org/ru1", "ru", "Восток", date(2024, 5, 3), "Делегация Китая в Астане",
        "Делегация Китая прибыла в Астану, чтобы обсудить поставки газа и новую железную дорогу.",
        ("KZ", "CN"), ("diplomacy", "energy"), ("Q_cnpc",),
    ),
    (
        "https://e.org/ru2", "ru", "Восток", date(2024, 6, 11), "Кредит Китаю",
        "Казахстан предложил Китаю совместный проект в энергетике; уголь остаётся главным топливом.",
        ("KZ", "CN"), ("energy", "investment"), (),
    ),
    (
        "https://e.org/ru3", "ru", "Обозреватель", date(2024, 4, 20), "Большая стройка",
        "Большая стройка в Ташкенте: китайская компания строит электростанцию.",
        ("UZ",), ("investment",), (),
    ),
    (
        "https://e.org/en1", "en", "Steppe Wire", date(2024, 5, 20), "China signs gas deal",
        "China and Kazakhstan signed a gas pipeline deal; Chinese investments in energy keep growing.",
        ("KZ", "CN"), ("energy", "trade"), ("Q_cnpc",),
    ),
    (
        "https://e.org/en2", "en", "Danube Ledger", date(2024, 7, 1), "Budapest railway",
        "The Budapest–Belgrade railway, built by Chinese firms, opened a new section this week.",
        ("HU", "RS", "CN"), ("investment",), (),
    ),
    (
        "https://e.org/hu1", "hu", "Hírmondó", date(2024, 6, 2), "Kína és Magyarország",
        "Kínával új megállapodást kötött a kormány; a kínai beruházások Debrecenben folytatódnak.",
        ("HU", "CN"), ("investment", "diplomacy"), (),
    ),
    (
        "https://e.org/sr1", "sr", "Sava", date(2024, 6, 15), "Кина и Србија",
        "Србија и Кина потписале су споразум о слободној трговини у Београду.",
        ("RS", "CN"), ("trade",), (),
    ),
    (
        "https://e.org/uk1", "uk", "Дніпро", date(2024, 3, 9), "Китай і Україна",
        "Посол Китаю зустрівся з міністром; у Києві обговорили зерновий коридор.",
        ("UA", "CN"), ("diplomacy",), (),
    ),
]  # fmt: skip

QUERIES: list[tuple[str, SearchFilters]] = [
    ("Китай", SearchFilters()),
    ("Китая", SearchFilters()),
    ("газ", SearchFilters()),
    ("China", SearchFilters()),
    ("chinese investment", SearchFilters()),
    ('"gas deal"', SearchFilters()),
    ("Kína", SearchFilters()),
    ("Кина", SearchFilters()),
    ("Китай -уголь", SearchFilters()),
    ("газ OR railway", SearchFilters()),
    ("energ*", SearchFilters()),
    ("Китай", SearchFilters(countries=("KZ",), themes=("energy",))),
    ("China", SearchFilters(since=date(2024, 5, 21))),
    ("Chinese", SearchFilters(since=date(2024, 5, 1), until=date(2024, 6, 30))),
    ("Китай", SearchFilters(languages=("ru",))),
    ("China", SearchFilters(outlets=("steppe wire",))),
    ("Китай", SearchFilters(entities=("Q_cnpc",))),
]


def _load(db: Database) -> dict[str, str]:
    """Store the corpus with annotations and index it; url -> article id."""
    ids = {}
    with db.begin() as conn:
        for url, lang, outlet, day, title, body, countries, themes, entities in CORPUS:
            aid = article_id(url)
            ids[url] = aid
            article = Article(
                article_id=aid,
                url=url,
                canonical_url=url,
                title=title,
                text=body,
                language=lang,
                outlet=outlet,
                published=datetime(day.year, day.month, day.day, 9, tzinfo=UTC),
                content_hash=content_hash(body),
            )
            queries.upsert_article(conn, article, page_id=None, now=CLOCK.now())
            mentions = tuple(Mention(article_id=aid, kind="entity", key=k, name=k) for k in entities)
            save_annotation(
                conn,
                Annotation(
                    article_id=aid,
                    language=lang,
                    china_related=True,
                    countries=countries,
                    themes=themes,
                    mentions=mentions,
                ),
                now=CLOCK.now(),
            )
        assert search_index_pending(conn, now=CLOCK.now()) == len(CORPUS)
        assert search_index_pending(conn, now=CLOCK.now()) == 0
    return ids


def _urls(db: Database, query: str, filters: SearchFilters | None = None) -> set[str]:
    by_id = {article_id(c[0]): c[0] for c in CORPUS}
    with db.begin() as conn:
        result = search(conn, query, filters=filters, limit=50)
    return {by_id[h.article_id] for h in result.hits}


def test_russian_case_forms_meet(fresh_db: Database) -> None:
    _load(fresh_db)
    # Китая (ru1), Китаю (ru2, uk1), Китай (uk1 title)
    assert {"https://e.org/ru1", "https://e.org/ru2"} <= _urls(fresh_db, "Китай")
    assert {"https://e.org/ru1", "https://e.org/ru2"} <= _urls(fresh_db, "Китаем")
    assert "https://e.org/uk1" in _urls(fresh_db, "Китай")
    assert _urls(fresh_db, "Kína") == {"https://e.org/hu1"}  # Kínával
    assert _urls(fresh_db, "Кина") == {"https://e.org/sr1"}
    assert _urls(fresh_db, "investment") >= {"https://e.org/en1"}  # investments


def test_filters_and_syntax(fresh_db: Database) -> None:
    _load(fresh_db)
    kz_energy = SearchFilters(countries=("KZ",), themes=("energy",))
    assert _urls(fresh_db, "Китай", kz_energy) == {"https://e.org/ru1", "https://e.org/ru2"}
    assert _urls(fresh_db, "Китай -уголь") >= {"https://e.org/ru1"}
    assert "https://e.org/ru2" not in _urls(fresh_db, "Китай -уголь")
    assert _urls(fresh_db, '"gas deal"') == {"https://e.org/en1"}
    assert _urls(fresh_db, '"deal gas"') == set()
    assert _urls(fresh_db, "газ OR railway") == {"https://e.org/ru1", "https://e.org/en2"}
    assert _urls(fresh_db, "China", SearchFilters(since=date(2024, 5, 21))) == set()
    assert _urls(fresh_db, "Chinese", SearchFilters(since=date(2024, 5, 20), until=date(2024, 7, 1))) == {
        "https://e.org/en1",
        "https://e.org/en2",
    }
    assert _urls(fresh_db, "China", SearchFilters(outlets=("STEPPE WIRE",))) == {"https://e.org/en1"}
    assert _urls(fresh_db, "Китай", SearchFilters(entities=("Q_cnpc",))) == {"https://e.org/ru1"}
    assert _urls(fresh_db, "Кина", SearchFilters(languages=("ru",))) == set()
    assert _urls(fresh_db, "energ*") >= {"https://e.org/en1"}
    with pytest.raises(SearchQueryError):
        _urls(fresh_db, "-уголь")
    with pytest.raises(SearchQueryError):
        _urls(fresh_db, "China", SearchFilters(since=date(2024, 6, 1), until=date(2024, 5, 1)))


def test_result_page_facets_and_snippets(fresh_db: Database) -> None:
    _load(fresh_db)
    with fresh_db.begin() as conn:
        full = search(conn, "Китай", limit=10)
        small = search(conn, "Китай", limit=1, facet_cap=2)
        second = search(conn, "Китай", limit=1, offset=1)
    assert full.total == len(full.hits) >= 3 and not full.approximate
    assert dict(full.facets["country"])["CN"] == full.total
    assert dict(full.facets["language"])["ru"] >= 2
    assert small.approximate and small.total == full.total and small.facet_basis == 2
    assert sum(n for _, n in small.facets["language"]) == 2
    assert [h.article_id for h in full.hits[:2]] == [small.hits[0].article_id, second.hits[0].article_id]
    hit = next(h for h in full.hits if h.article_id == article_id("https://e.org/ru1"))
    marked = [hit.snippet[s:e] for s, e in hit.highlights]
    assert marked == ["Китая"]
    assert [hit.title[s:e] for s, e in hit.title_highlights] == ["Китая"]  # type: ignore[index]
    assert full.to_dict()["hits"][0]["snippet"]


def test_reindex_after_change_and_delete(fresh_db: Database) -> None:
    ids = _load(fresh_db)
    later = Clock(datetime(2024, 7, 10, tzinfo=UTC))
    url = "https://e.org/en2"
    with fresh_db.begin() as conn:
        article = queries.get_article(conn, ids[url])
        assert article is not None
        changed = "A Kazakh steppe railway to Khorgos was finished by Chinese builders."
        queries.upsert_article(
            conn,
            replace(article, text=changed, content_hash=content_hash(changed)),
            page_id=None,
            now=later.now(),
        )
        assert store_search.pending_article_ids(conn) == [ids[url]]
        assert search_index_pending(conn, now=later.now()) == 1
    assert url in _urls(fresh_db, "Khorgos")
    assert url not in _urls(fresh_db, "Belgrade")
    with fresh_db.begin() as conn:
        assert store_search.delete_search_document(conn, ids[url])
        assert not store_search.delete_search_document(conn, ids[url])
    assert _urls(fresh_db, "Khorgos") == set()


def test_parse_query_shapes() -> None:
    q = parse_query('Китая "Си Цзиньпин" gas OR oil -coal')
    assert len(q.must) == 3 and len(q.must_not) == 1
    assert "кита" in q.must[0].stems and "кит" in q.must[0].stems  # type: ignore[union-attr]
    assert fts.stem_variants("китая", "ru") == ("кит", "кита")
    assert fts.stem_variants("китаю", "ru") == ("кита",)
    assert store_search.fts_match(q).count(" NOT ") == 1
    assert "<->" in store_search.ts_query(q)


def test_snippet_window_is_cut_at_words() -> None:
    text_ = ("Слово " * 80) + "Китаю предложили проект. " + ("ещё " * 80)
    passage, spans = fts.highlight(text_, {"кита"}, "ru", width=100)
    assert passage.startswith("…") and passage.endswith("…") and len(passage) <= 104
    assert [passage[s:e] for s, e in spans] == ["Китаю"]


# -- SQLite and PostgreSQL answer alike -----------------------------------------------------------


@pytest.fixture
def both_dbs(tmp_path: Path, pg_admin: Engine) -> Iterator[tuple[Database, Database]]:
    from tests.conftest import _RUN_ID, pg_url

    schema = f"ew_test_{_RUN_ID}_search"
    lite = open_database(Settings(data_dir=str(tmp_path / "lite")))
    pg = open_database(Settings(data_dir=str(tmp_path / "pg"), database_url=pg_url(), database_schema=schema))
    try:
        lite.upgrade()
        pg.upgrade()
        yield lite, pg
    finally:
        lite.dispose()
        pg.dispose()
        with pg_admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


@pytest.mark.postgres
def test_sqlite_and_postgresql_return_the_same_articles(both_dbs: tuple[Database, Database]) -> None:
    lite, pg = both_dbs
    _load(lite)
    _load(pg)
    answered = 0
    for query, filters in QUERIES:
        on_sqlite, on_pg = _urls(lite, query, filters), _urls(pg, query, filters)
        assert on_sqlite == on_pg, (query, filters)
        answered += bool(on_sqlite)
    assert answered >= len(QUERIES) - 3


# -- every statement compiles for both databases ---------------------------------------------------

_DOC = store_search.SearchDocument(
    article_id="a",
    language="ru",
    outlet="o",
    published=CLOCK.now(),
    title=("кита",),
    body=("газ", "кита"),
    alt=("кит",),
    tags=("xy2024",),
    facets=("country:KZ",),
)
_QUERY = parse_query("Китай газ -уголь", SearchFilters(countries=("KZ",)))
SAMPLES: dict[str, tuple[Any, ...]] = {
    "_ensure_fts_stmt": (),
    "_upsert_document_stmt": (_DOC, CLOCK.now()),
    "_fts_delete_stmt": (),
    "_fts_insert_stmt": (),
    "_document_id_stmt": ("a",),
    "_delete_document_stmt": ("a",),
    "_pending_stmt": (10, "a"),
    "_documents_count_stmt": (),
    "_index_version_stmt": (),
    "_hits_stmt": (_QUERY, 100),
    "_count_stmt": (_QUERY,),
    "_bare_match_stmt": ('"кита"', 20),
    "_article_texts_stmt": (["a", "b"],),
}


def test_every_search_query_compiles_for_both_databases() -> None:
    builders = {
        name: fn
        for name, fn in inspect.getmembers(store_search, inspect.isfunction)
        if name.startswith("_") and name.endswith("_stmt") and fn.__module__ == store_search.__name__
    }
    assert set(builders) == set(SAMPLES)
    for name, fn in builders.items():
        for dialect in (sqlite.dialect(), postgresql.dialect()):
            sql = str(fn(dialect.name, *SAMPLES[name]).compile(dialect=dialect))
            assert sql.strip(), name
