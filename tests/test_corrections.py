"""Editors' corrections: applied over the annotator, and kept when a backfill stores an article again."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from eurasiawatch.accounts import User
from eurasiawatch.annotate.corrections import apply_corrections
from eurasiawatch.annotating import load_user_kb
from eurasiawatch.backfill import run_backfill
from eurasiawatch.clock import Clock
from eurasiawatch.corrections import correct_mentions, correct_themes
from eurasiawatch.records import Annotation, Mention
from eurasiawatch.store import Database, queries
from eurasiawatch.store.annotations import load_annotation
from tests.backfill.warcs import news_page, write_news_warcs

CLOCK = Clock(datetime(2024, 7, 10, 12, 0, tzinfo=UTC))
EDITOR = User(id=1, username="ed", role="editor")


def _annotation() -> Annotation:
    return Annotation(
        article_id="a",
        language="en",
        china_related=True,
        countries=("CN", "KZ"),
        themes=("trade",),
        mentions=(
            Mention(article_id="a", kind="country", key="CN", name="China", start=0, end=5),
            Mention(article_id="a", kind="country", key="KZ", name="Kazakhstan", start=10, end=20),
            Mention(article_id="a", kind="entity", key="xi-jinping", name="Xi Jinping", start=30, end=40),
            Mention(article_id="a", kind="entity", key="xi-jinping", name="Xi", start=50, end=52),
        ),
    )


def test_nothing_to_apply_leaves_the_annotation_alone() -> None:
    annotation = _annotation()
    assert apply_corrections(annotation) is annotation


def test_corrections_apply_oldest_first_and_a_later_one_wins() -> None:
    fixed = apply_corrections(
        _annotation(),
        themes=[(("energy",), ("trade",)), (("trade",), ())],
        mentions=[
            {"kind": "country", "key": "KZ", "name": "KZ", "action": "remove"},
            {"kind": "country", "key": "UZ", "name": "Uzbekistan", "action": "add"},
            {"kind": "entity", "key": "xi-jinping", "name": "xi-jinping", "action": "remove"},
            {
                "kind": "entity",
                "key": "khorgos-gateway",
                "name": "Khorgos Gateway",
                "action": "add",
                "country": "KZ",
                "entity_type": "project",
            },
            {"kind": "country", "key": "KZ", "name": "Kazakhstan", "action": "add"},
        ],
    )
    assert fixed.themes == ("trade", "energy")
    assert fixed.countries == ("CN", "UZ", "KZ")
    entities = [m for m in fixed.mentions if m.kind == "entity"]
    assert [(m.key, m.name, m.country, m.entity_type, m.start) for m in entities] == [
        ("khorgos-gateway", "Khorgos Gateway", "KZ", "project", -1)
    ]
    assert [m.key for m in fixed.mentions if m.kind == "country"] == ["CN", "UZ", "KZ"]


def test_a_backfill_that_stores_an_article_again_keeps_its_corrections(
    fresh_db: Database, tmp_path: Path
) -> None:
    inputs = tmp_path / "in"
    write_news_warcs(inputs, 4, 1)
    run_backfill(fresh_db, fresh_db.settings, str(inputs), engine="local", clock=CLOCK)
    url = news_page(0)[0]
    with fresh_db.begin() as conn:
        article = next(a for a in queries.list_articles(conn, limit=10) if a.url == url)
        before = load_annotation(conn, article.article_id)
    assert before is not None and "CN" in before.countries
    kb = load_user_kb(fresh_db.settings)
    change = correct_mentions(
        fresh_db, kb, CLOCK, article.article_id, "country", add=["RS"], remove=["CN"], user=EDITOR
    )
    assert "CN" not in change.after and "RS" in change.after
    theme = "security" if "security" not in before.themes else "energy"
    correct_themes(fresh_db, CLOCK, article.article_id, (*before.themes, theme), user=EDITOR)

    run_backfill(fresh_db, fresh_db.settings, str(inputs), engine="local", clock=CLOCK, redo=True)
    with fresh_db.begin() as conn:
        after = load_annotation(conn, article.article_id)
    assert after is not None
    assert "CN" not in after.countries and "RS" in after.countries and theme in after.themes
