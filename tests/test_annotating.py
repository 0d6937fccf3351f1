"""Annotations of stored articles: saved and loaded whole, redone only when stale, failures reported."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import update

import eurasiawatch.store.annotations as annotations
from eurasiawatch.annotate import annotate_article
from eurasiawatch.annotating import annotate_stored
from eurasiawatch.cli import app
from eurasiawatch.clock import Clock
from eurasiawatch.config import Settings
from eurasiawatch.extract import article_id, content_hash
from eurasiawatch.records import Article, Event, Mention
from eurasiawatch.store import Database, queries
from eurasiawatch.store.tables import annotations as annotations_table

from .store.builders import builder_tests

CLOCK = Clock(datetime(2024, 7, 9, 12, tzinfo=UTC))
TEXTS = {
    "https://e.org/sco": (
        "Leaders meet in Astana",
        "Chinese President Xi Jinping arrived in Astana on Tuesday for the summit of the Shanghai "
        "Cooperation Organisation, where Kazakhstan's President Kassym-Jomart Tokayev welcomed him. "
        "The two leaders signed agreements on trade and energy, and Belarus joined the organisation "
        "as its tenth member.",
    ),
    "https://e.org/gas": (
        "Газ без цены",
        "Переговоры «Газпрома» и Китайской национальной нефтегазовой корпорации о газопроводе "
        "«Сила Сибири 2» завершились без соглашения о цене. В Москве и Пекине ожидают новых "
        "консультаций летом.",
    ),
}


def store_articles(db: Database) -> list[str]:
    ids = []
    with db.begin() as conn:
        for url, (title, text) in TEXTS.items():
            art = Article(
                article_id=article_id(url),
                url=url,
                canonical_url=url,
                title=title,
                text=text,
                published=datetime(2024, 7, 2, tzinfo=UTC),
                content_hash=content_hash(text),
            )
            queries.upsert_article(conn, art, page_id=None, now=CLOCK.now())
            ids.append(art.article_id)
    return ids


def test_annotations_are_stored_and_loaded_whole(fresh_db: Database, tmp_path) -> None:
    ids = store_articles(fresh_db)
    report = annotate_stored(fresh_db, Settings(data_dir=str(tmp_path)), CLOCK)
    assert report.annotated == 2 and report.exit_code == 0
    with fresh_db.begin() as conn:
        sco = annotations.load_annotation(conn, ids[0])
        gas = annotations.load_annotation(conn, ids[1])
        top = annotations.mention_counts(conn, "country", limit=5)
        assert annotations.count_annotations(conn) == 2
    assert sco is not None and gas is not None
    with fresh_db.begin() as conn:
        direct = annotate_article(queries.get_article(conn, ids[0]))
    # what is stored is exactly what the annotator said (the same code as `eurasiawatch annotate`)
    assert replace(sco, extra={}) == replace(direct, model_version="lexicon", extra={})
    assert {"CN", "KZ"} <= set(sco.countries)
    assert "Xi Jinping" in {m.name for m in sco.mentions if m.kind == "entity"}
    assert {"CN", "RU"} <= set(gas.countries)
    assert sco.kb_version == report.kb_version and sco.model_version == "lexicon"
    assert ("CN", "China", 2) in [(k, n, c) for k, n, c in top]


def test_only_stale_articles_are_redone(fresh_db: Database, tmp_path) -> None:
    store_articles(fresh_db)
    settings = Settings(data_dir=str(tmp_path))
    assert annotate_stored(fresh_db, settings, CLOCK).annotated == 2
    assert annotate_stored(fresh_db, settings, CLOCK).annotated == 0
    with fresh_db.begin() as conn:
        conn.execute(
            update(annotations_table)
            .values(kb_version="kb-old")
            .where(annotations_table.c.article_id == article_id("https://e.org/gas"))
        )
    assert annotate_stored(fresh_db, settings, CLOCK).annotated == 1
    assert annotate_stored(fresh_db, settings, CLOCK, force=True).annotated == 2


def test_an_article_that_cannot_be_annotated_is_reported_and_the_rest_done(
    fresh_db: Database, tmp_path
) -> None:
    store_articles(fresh_db)
    junk = (
        "\ufffd\x01\x02\x03" * 500
    )  # undecodable bytes and control characters (no NUL: PostgreSQL refuses it)
    with fresh_db.begin() as conn:
        queries.upsert_article(
            conn,
            Article(
                article_id="junk",
                url="https://e.org/junk",
                canonical_url="https://e.org/junk",
                title=None,
                text=junk,
                content_hash=content_hash(junk),
            ),
            page_id=None,
            now=CLOCK.now(),
        )
    report = annotate_stored(fresh_db, Settings(data_dir=str(tmp_path)), CLOCK)
    assert report.annotated == 2
    assert [a for a, _ in report.failures] == ["junk"] and report.exit_code == 1
    assert annotate_stored(fresh_db, Settings(data_dir=str(tmp_path)), CLOCK).failures == [report.failures[0]]


def test_save_replaces_the_previous_annotation(fresh_db: Database) -> None:
    ids = store_articles(fresh_db)
    first = annotations_record(ids[0], ("KZ",), ("energy",), 2)
    with fresh_db.begin() as conn:
        annotations.save_annotation(conn, first, now=CLOCK.now())
        annotations.save_annotation(conn, replace(first, themes=("trade",), events=()), now=CLOCK.now())
        again = annotations.load_annotation(conn, ids[0])
    assert again is not None and again.themes == ("trade",) and again.events == ()
    assert again.mentions == first.mentions


def annotations_record(aid: str, countries, themes, n_events):
    from eurasiawatch.records import Annotation

    return Annotation(
        article_id=aid,
        language="en",
        china_related=True,
        countries=countries,
        themes=themes,
        mentions=(Mention(article_id=aid, kind="country", key="KZ", name="Kazakhstan", start=0, end=10),),
        events=tuple(
            Event(
                article_id=aid,
                type="AGREE",
                mode="planned",
                date="2024-07-03",
                actors=(("CN", "Xi Jinping"),),
                evidence="They plan to sign.",
                upcoming=True,
            )
            for _ in range(n_events)
        ),
        kb_version="kb-x",
        model_version="lexicon",
    )


# the public functions may share a loader (load_annotation reads through load_annotations), so only
# the builders are checked here
test_every_annotation_builder_has_a_sample, test_every_annotation_query_compiles, _ = builder_tests(
    annotations,
    {
        "_upsert_annotation_stmt": ((annotations_record("a", ("CN",), ("trade",), 1), CLOCK.now()), {}),
        "_delete_children_stmt": (("mentions", "a"), {}),
        "_insert_mentions_stmt": ((), {}),
        "_insert_themes_stmt": ((), {}),
        "_insert_events_stmt": ((), {}),
        "_load_annotations_stmt": ((["a", "b"],), {}),
        "_load_children_stmt": (("events", ["a", "b"]), {}),
        "_stale_stmt": (("kb", "lexicon", CLOCK.now(), False, 10), {}),
        "_count_annotations_stmt": ((), {}),
        "_mention_counts_stmt": (("country", 5), {}),
        "_theme_counts_stmt": ((), {}),
        "_china_related_count_stmt": ((), {}),
    },
)


def test_reannotate_command(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("EURASIAWATCH_DATA_DIR", str(tmp_path))
    assert cli.invoke(app, ["db", "upgrade"]).exit_code == 0
    from eurasiawatch.store import open_database

    db = open_database(Settings(data_dir=str(tmp_path)))
    store_articles(db)
    first = cli.invoke(app, ["reannotate"])
    assert first.exit_code == 0 and "annotated 2 articles" in first.output
    assert "annotated 0 articles" in cli.invoke(app, ["reannotate"]).output
    assert "annotated 2 articles" in cli.invoke(app, ["reannotate", "--all"]).output
    assert "annotated 0 articles" in cli.invoke(app, ["reannotate", "--all", "--since", "2024-08-01"]).output
    assert cli.invoke(app, ["reannotate", "--since", "last week"]).exit_code == 2
    db.dispose()
