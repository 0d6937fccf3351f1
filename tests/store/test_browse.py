"""``store.browse``: filtered article pages, entity and country counts, co-mentions, timelines, events.

Every builder compiles for SQLite and PostgreSQL; the queries then run on both (``fresh_db``) over a
few articles written for this test.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from eurasiawatch.analyze.search import parse_query, search_index_pending
from eurasiawatch.extract import content_hash
from eurasiawatch.records import Annotation, Article, Event, Mention
from eurasiawatch.store import Database, browse, queries
from eurasiawatch.store.annotations import save_annotation
from eurasiawatch.store.search import Terms, TextQuery

from .builders import builder_tests

NOW = datetime(2024, 7, 9, 12, tzinfo=UTC)
_F = browse.ArticleFilter(
    since=NOW,
    until=NOW,
    countries=("KZ",),
    themes=("energy",),
    entities=("cnpc",),
    languages=("sr",),
    sources=("s",),
    outlets=("o",),
    china_related=False,
    text=TextQuery((Terms(("gas",)),)),
)
_E = browse.EventFilter(types=("AGREE",), country="KZ", since="2024-01-01", until="2024-12-31", upcoming=True)

SAMPLES: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "_article_rows_stmt": ((_F, 10, 20), {}),
    "_count_article_rows_stmt": ((_F,), {}),
    "_story_of_stmt": (("a",), {}),
    "_duplicate_stmt": (("a",), {}),
    "_mention_keys_stmt": (
        ("entity",),
        {"q": "xi", "country": "CN", "entity_type": "person", "since": NOW, "until": NOW, "keys": ("k",)},
    ),
    "_count_mention_keys_stmt": (("entity", "xi", "CN", "person", NOW, NOW), {}),
    "_first_last_stmt": (("entity", "k"), {}),
    "_co_mentions_stmt": (("country", "KZ", "entity", NOW, NOW, 5), {}),
    "_timeline_stmt": (("entity", "k", "month", NOW, NOW), {}),
    "_themes_for_stmt": (("country", "KZ", NOW, NOW), {}),
    "_event_rows_stmt": ((_E, 10, 0), {}),
    "_count_event_rows_stmt": ((_E,), {}),
    "_edition_rows_stmt": ((NOW.date(), True, ("sent",), 10, 0), {}),
    "_count_edition_rows_stmt": ((NOW.date(), False, ()), {}),
    "_is_public_stmt": (("e", NOW.date()), {}),
}


def _only_selects(name: str, sql: str) -> None:
    assert sql.strip().upper().startswith("SELECT"), name


test_every_builder_has_a_sample, test_statement_compiles, test_every_public_query_uses_a_builder = (
    builder_tests(browse, SAMPLES, check=_only_selects)
)


# (id, language, outlet, source, published, title, text, countries, entities, themes, china, events)
ROWS = [
    ("a1", "ru", "Восток", "vostok", datetime(2024, 5, 3, 9, tzinfo=UTC), "Газ для Китая",
     "Казахстан и Китай обсудили поставки газа; CNPC строит газопровод.",
     ("KZ", "CN"), ("cnpc",), ("energy",), True,
     (Event(article_id="a1", type="AGREE", date="2024-05-02", actors=(("KZ", None), ("CN", "cnpc")),
            evidence="Казахстан и Китай обсудили поставки газа"),)),
    ("a2", "en", "Steppe Wire", "steppe", datetime(2024, 5, 20, 23, 30, tzinfo=UTC), "Gas deal signed",
     "Kazakhstan and China signed a gas deal with CNPC; Xi Jinping will visit Astana in July.",
     ("KZ", "CN"), ("cnpc", "xi-jinping"), ("energy", "trade"), True,
     (Event(article_id="a2", type="CONSULT", date="2024-07-03", upcoming=True,
            actors=(("CN", "xi-jinping"), ("KZ", None)), evidence="Xi Jinping will visit Astana in July."),)),
    ("a3", "sr-Latn", "Danube Ledger", "danube", datetime(2024, 6, 1, tzinfo=UTC), "Pruga",
     "Pruga Budimpešta–Beograd, koju grade kineske firme, otvara novu deonicu.",
     ("RS", "HU"), (), ("investment",), False, ()),
    ("a4", "en", "Steppe Wire", "steppe", None, "Undated note",
     "A note on Kazakhstan wheat exports without a date.",
     ("KZ",), (), ("trade",), False, ()),
]  # fmt: skip


@pytest.fixture
def stored(fresh_db: Database) -> Database:
    with fresh_db.begin() as conn:
        for row in ROWS:
            aid, lang, outlet, source, published, title, body, countries, entities, themes, china, evs = row
            url = f"https://browse.invalid/{aid}"
            article = Article(
                article_id=aid,
                url=url,
                canonical_url=url,
                title=title,
                text=body,
                published=published,
                language=lang,
                outlet=outlet,
                source=source,
                content_hash=content_hash(body),
            )
            queries.upsert_article(conn, article, page_id=None, now=NOW)
            mentions = tuple(
                Mention(article_id=aid, kind="country", key=c, name=c, country=c) for c in countries
            )
            mentions += tuple(
                Mention(
                    article_id=aid,
                    kind="entity",
                    key=e,
                    name=e.replace("-", " ").title(),
                    country="CN",
                    entity_type="company" if e == "cnpc" else "person",
                )
                for e in entities
            )
            save_annotation(
                conn,
                Annotation(
                    article_id=aid,
                    language=lang,
                    china_related=china,
                    countries=countries,
                    mentions=mentions,
                    themes=themes,
                    events=evs,
                    kb_version="t",
                    model_version="lexicon",
                ),
                now=NOW,
            )
        search_index_pending(conn, now=NOW)
    return fresh_db


def _ids(db: Database, **filters: Any) -> list[str]:
    f = browse.ArticleFilter(**filters)
    with db.begin() as conn:
        rows = browse.article_rows(conn, f, limit=10)
        assert browse.count_article_rows(conn, f) == len(rows)
    return [r["article_id"] for r in rows]


def test_article_filters_each_narrow_the_list(stored: Database) -> None:
    assert _ids(stored) == ["a4", "a3", "a2", "a1"]  # newest first; undated ones by first-seen time
    assert _ids(stored, countries=("KZ",)) == ["a4", "a2", "a1"]
    assert _ids(stored, countries=("RS", "CN")) == ["a3", "a2", "a1"]
    assert _ids(stored, themes=("trade",)) == ["a4", "a2"]
    assert _ids(stored, entities=("xi-jinping",)) == ["a2"]
    assert _ids(stored, languages=("sr",)) == ["a3"]
    assert _ids(stored, sources=("steppe",)) == ["a4", "a2"]
    assert _ids(stored, outlets=("Восток",)) == ["a1"]
    assert _ids(stored, china_related=False) == ["a4", "a3"]
    window = {"since": datetime(2024, 5, 3, tzinfo=UTC), "until": datetime(2024, 6, 1, tzinfo=UTC)}
    assert _ids(stored, **window) == ["a2", "a1"]  # until is exclusive; undated drop out
    assert _ids(stored, text=parse_query("газа")) == ["a1"]
    assert _ids(stored, text=parse_query("gas"), countries=("KZ",)) == ["a2"]
    assert _ids(stored, text=parse_query("pipeline")) == []


def test_pages_and_article_row_fields(stored: Database) -> None:
    with stored.begin() as conn:
        first = browse.article_rows(conn, browse.ArticleFilter(), limit=2)
        second = browse.article_rows(conn, browse.ArticleFilter(), limit=2, offset=2)
        context = browse.article_context(conn, "a1")
    assert [r["article_id"] for r in first + second] == ["a4", "a3", "a2", "a1"]
    a2 = second[0]
    assert set(a2["countries"]) == {"CN", "KZ"}
    assert a2["themes"] and a2["china_related"] is True and a2["outlet"] == "Steppe Wire"
    assert context == {"story_id": None, "duplicate_of": None, "similarity": None}


def test_entities_and_countries_with_counts(stored: Database) -> None:
    with stored.begin() as conn:
        entities = browse.mention_key_rows(conn, "entity")
        found = browse.mention_key_rows(conn, "entity", q="JINP")
        people = browse.mention_key_rows(conn, "entity", entity_type="person")
        countries = browse.mention_key_rows(conn, "country", limit=2)
        n_countries = browse.count_mention_keys(conn, "country")
        june = browse.mention_key_rows(conn, "country", since=datetime(2024, 6, 1, tzinfo=UTC))
        summary = browse.mention_summary(conn, "entity", "cnpc")
        missing = browse.mention_summary(conn, "entity", "nobody")
    assert [(e["key"], e["articles"]) for e in entities] == [("cnpc", 2), ("xi-jinping", 1)]
    assert [e["key"] for e in found] == ["xi-jinping"] and [e["key"] for e in people] == ["xi-jinping"]
    assert [(c["key"], c["articles"], c["china_related"]) for c in countries] == [("KZ", 3, 2), ("CN", 2, 2)]
    assert n_countries == 4
    assert sorted(c["key"] for c in june) == ["HU", "RS"]
    assert summary is not None and summary["articles"] == 2 and summary["entity_type"] == "company"
    assert summary["first_published"] == datetime(2024, 5, 3, 9, tzinfo=UTC)
    assert summary["last_published"] == datetime(2024, 5, 20, 23, 30, tzinfo=UTC)
    assert missing is None


def test_co_mentions_timeline_and_themes(stored: Database) -> None:
    with stored.begin() as conn:
        actors = browse.co_mentions(conn, "country", "KZ")
        beside = browse.co_mentions(conn, "entity", "cnpc")
        countries = browse.co_mentions(conn, "entity", "cnpc", other_kind="country")
        days = browse.mention_timeline(conn, "country", "KZ")
        months = browse.mention_timeline(conn, "country", "KZ", interval="month")
        themes = browse.themes_for(conn, "country", "KZ")
        with pytest.raises(ValueError, match="interval"):
            browse.mention_timeline(conn, "country", "KZ", interval="week")
    assert [(a["key"], a["articles"]) for a in actors] == [("cnpc", 2), ("xi-jinping", 1)]
    assert [a["key"] for a in beside] == ["xi-jinping"]
    assert [(c["key"], c["articles"]) for c in countries] == [("CN", 2), ("KZ", 2)]
    assert days == [("2024-05-03", 1), ("2024-05-20", 1)]  # 23:30 UTC stays on the 20th
    assert months == [("2024-05", 2)]
    assert themes == [("energy", 2), ("trade", 2)]


def test_events_filtered_and_ordered(stored: Database) -> None:
    def run(**kw: Any) -> list[str]:
        f = browse.EventFilter(**kw)
        with stored.begin() as conn:
            rows = browse.event_rows(conn, f)
            assert browse.count_event_rows(conn, f) == len(rows)
        return [r["type"] for r in rows]

    assert run() == ["CONSULT", "AGREE"]
    assert run(upcoming=True) == ["CONSULT"] and run(upcoming=False) == ["AGREE"]
    assert run(types=("AGREE", "ACCUSE")) == ["AGREE"]
    assert run(country="KZ") == ["CONSULT", "AGREE"] and run(country="RS") == []
    assert run(since="2024-06-01") == ["CONSULT"] and run(until="2024-05-02") == ["AGREE"]
    with stored.begin() as conn:
        row = browse.event_rows(conn, browse.EventFilter(types=("CONSULT",)))[0]
    assert row["actors"] == [["CN", "xi-jinping"], ["KZ", None]] and row["title"] == "Gas deal signed"
