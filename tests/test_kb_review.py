"""``kb_review`` below the desk: which alias a removal blames when the stored mention has no offsets."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from eurasiawatch.accounts import User
from eurasiawatch.annotate import annotate_text, load_kb, user_kb_path
from eurasiawatch.annotating import annotate_stored, load_user_kb
from eurasiawatch.clock import Clock
from eurasiawatch.kb_review import accept_suggestion, correct_entities
from eurasiawatch.store import Database
from eurasiawatch.store import kb_suggestions as kb_store
from eurasiawatch.store.tables import kb_alias_removals
from tests.web.desk_seed import store

NOW = datetime(2024, 7, 12, 10, 0, tzinfo=UTC)
EDITOR = User(id=1, username="ed", role="editor")


def _remove(db: Database, aid: str) -> None:
    kb = load_user_kb(db.settings)
    assert correct_entities(db, kb, Clock(NOW), aid, remove=["khorgos-gateway"], user=EDITOR) == "entities"


def _removals(db: Database) -> list[tuple[str, str]]:
    with db.read() as conn:
        rows = conn.execute(select(kb_alias_removals.c.article_id, kb_alias_removals.c.alias))
        return sorted((r.article_id, r.alias) for r in rows)


def test_without_offsets_the_names_found_in_the_text_are_blamed(fresh_db: Database) -> None:
    # desk_seed.store saves entity mentions without offsets (start = end = -1), as a correction would
    for aid in ("d1", "d2"):
        store(fresh_db, aid, NOW, "Port news", text="Cargo left the Khorgos dry port today. " * 3,
              entities=("khorgos-gateway",))  # fmt: skip
    _remove(fresh_db, "d1")
    _remove(fresh_db, "d2")
    assert _removals(fresh_db) == [("d1", "Khorgos dry port"), ("d2", "Khorgos dry port")]
    with fresh_db.read() as conn:
        [suggestion] = kb_store.list_suggestions(conn)
    assert (suggestion["kind"], suggestion["alias"], suggestion["article_ids"]) == (
        "drop_alias",
        "Khorgos dry port",
        ("d1", "d2"),
    )


def test_the_canonical_name_is_recorded_but_never_proposed_for_dropping(fresh_db: Database) -> None:
    for aid in ("c1", "c2", "c3"):
        store(fresh_db, aid, NOW, "Port news", text="Cargo left Khorgos Gateway today. " * 3,
              entities=("khorgos-gateway",))  # fmt: skip
        _remove(fresh_db, aid)
    assert [alias for _, alias in _removals(fresh_db)] == ["Khorgos Gateway"] * 3
    with fresh_db.read() as conn:
        assert kb_store.list_suggestions(conn, status=None) == []


def test_removing_the_same_article_twice_counts_once(fresh_db: Database) -> None:
    store(fresh_db, "r1", NOW, "Port news", text="Cargo left the Khorgos dry port today. " * 3,
          entities=("khorgos-gateway",))  # fmt: skip
    _remove(fresh_db, "r1")
    kb = load_user_kb(fresh_db.settings)
    correct_entities(fresh_db, kb, Clock(NOW), "r1", add=["khorgos-gateway"], user=EDITOR)
    _remove(fresh_db, "r1")
    assert len(_removals(fresh_db)) == 2  # both removals are kept ...
    with fresh_db.read() as conn:
        assert kb_store.list_suggestions(conn) == []  # ... but one article is not two


def test_a_russian_alias_typed_in_the_nominative_matches_other_case_forms(fresh_db: Database) -> None:
    text = "Грузовики два дня стояли у логистического центра Хоргос, сообщили перевозчики. " * 2
    store(fresh_db, "ru1", NOW, "Очереди на границе", text=text, language="ru")
    annotate_stored(fresh_db, fresh_db.settings, Clock(NOW), force=True)
    kb = load_user_kb(fresh_db.settings)
    outcome = correct_entities(
        fresh_db,
        kb,
        Clock(NOW),
        "ru1",
        add=["khorgos-gateway"],
        as_written="логистический центр Хоргос",
        user=EDITOR,
    )
    assert outcome == "alias"
    with fresh_db.read() as conn:
        [suggestion] = kb_store.list_suggestions(conn)
    assert (suggestion["alias"], suggestion["language"]) == ("логистический центр Хоргос", "ru")
    accept_suggestion(fresh_db, fresh_db.settings, Clock(NOW), suggestion["id"], user="(test)")
    new_kb = load_kb(user_kb_path(fresh_db.settings.data_dir))
    unseen = annotate_text(
        "Делегация побывала в логистическом центре Хоргос в среду. Обсуждались новые маршруты поездов.",
        language="ru",
        kb=new_kb,
    )
    assert "khorgos-gateway" in {m.key for m in unseen.mentions if m.kind == "entity"}
