"""Editors' entity corrections feed the knowledge base: ``/desk/articles/<id>`` forms, the ``/desk/kb`` queue.

Each path goes end to end on SQLite and PostgreSQL: an editor's correction queues a suggestion, an
editor accepts it, the user knowledge-base file changes, a text nobody has seen is annotated with the
new knowledge, and stored articles containing the words were annotated again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from eurasiawatch.annotate import annotate_text, load_kb, user_kb_path
from eurasiawatch.annotating import annotate_stored
from eurasiawatch.clock import Clock
from eurasiawatch.config import Settings
from eurasiawatch.store import Database
from eurasiawatch.store import desk as desk_store
from eurasiawatch.store import kb_suggestions as kb_store
from eurasiawatch.store.annotations import load_annotation

from .conftest import NOW, csrf_token, page
from .desk_seed import sign_in, store

FILLER = (
    " Customs officers said the queues would shorten once the new scanners arrive next month, and "
    "freight forwarders in Almaty expect more container trains before the winter."
)
TEXTS = {
    "hub1": "Trucks waited for two days at the Khorgos logistics hub on the Kazakh side of the border."
    + FILLER,
    "hub2": "A second terminal is planned at the Khorgos logistics hub, the operator said on Monday."
    + FILLER,
    "solar1": "Workers finished the first phase of the Zhetysu solar plant near Taldykorgan this week."
    + FILLER,
    "solar2": "Chinese panels were delivered to the Zhetysu Solar Park, the regional akimat said." + FILLER,
    "port1": "Grain exports through the Khorgos dry port rose by a tenth in June, traders said." + FILLER,
    "port2": "A new warehouse opened beside the Khorgos dry port on Friday, local media reported." + FILLER,
    "port3": "Shipping agents said the Khorgos dry port handled more containers than a year ago." + FILLER,
    "plain": "Farmers in the south of the country expect a good harvest this year, officials said." + FILLER,
}


@pytest.fixture
def web_settings(web_settings: Settings) -> Settings:
    return dataclasses.replace(web_settings, desk_argon2_memory_kib=1024, desk_argon2_time_cost=1)


@pytest.fixture
def desk(app: FastAPI, web_settings: Settings, fresh_db: Database) -> Iterator[TestClient]:
    for n, (aid, text) in enumerate(TEXTS.items()):
        store(fresh_db, aid, NOW, f"Border trade report {n}", text=text)
    # annotated by the annotator itself, so entity mentions carry their offsets
    annotate_stored(fresh_db, web_settings, Clock(NOW), force=True)
    with TestClient(app) as client:
        yield sign_in(client, web_settings, fresh_db)


def _post(desk: TestClient, path: str, data: dict[str, Any]) -> Any:
    token = csrf_token(desk.get("/desk/kb").text)
    return desk.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def _entities(db: Database, aid: str) -> set[str]:
    with db.read() as conn:
        annotation = load_annotation(conn, aid)
    assert annotation is not None
    return {m.key for m in annotation.mentions if m.kind == "entity"}


def _kb_version(db: Database, aid: str) -> str:
    with db.read() as conn:
        annotation = load_annotation(conn, aid)
    assert annotation is not None
    return annotation.kb_version


def _pending(db: Database) -> list[dict[str, Any]]:
    with db.read() as conn:
        return kb_store.list_suggestions(conn, status="pending")


def _unseen(text: str, settings: Settings) -> set[str]:
    kb = load_kb(user_kb_path(settings.data_dir))
    annotation = annotate_text(text + FILLER, title="Unseen report", language="en", kb=kb)
    return {m.key for m in annotation.mentions if m.kind == "entity"}


def test_alias_as_written_is_suggested_accepted_and_annotates_new_and_stored_text(
    desk: TestClient, fresh_db: Database, web_settings: Settings
) -> None:
    unseen = "Officials toured the Khorgos logistics hub before the summit."
    assert "khorgos-gateway" not in _unseen(unseen, web_settings)
    assert "khorgos-gateway" not in _entities(fresh_db, "hub2")
    old_version = _kb_version(fresh_db, "plain")

    r = _post(
        desk,
        "/desk/articles/hub1/entities",
        {"add": "khorgos-gateway", "as_written": "Khorgos logistics hub"},
    )
    assert r.status_code == 303 and r.headers["location"].endswith("done=alias")
    assert "suggested as a new alias" in desk.get(r.headers["location"]).text
    assert "khorgos-gateway" in _entities(fresh_db, "hub1")  # the correction itself is made at once
    [suggestion] = _pending(fresh_db)
    assert (suggestion["kind"], suggestion["actor_id"], suggestion["alias"], suggestion["language"]) == (
        "add_alias",
        "khorgos-gateway",
        "Khorgos logistics hub",
        "en",
    )
    assert suggestion["article_ids"] == ("hub1",) and suggestion["proposed_by"] == "editor1"

    queue = desk.get("/desk/kb")
    assert queue.status_code == 200
    doc = page(queue.text)
    block = doc.xpath(f"//section[@aria-labelledby='s-{suggestion['id']}']")[0]
    assert block.xpath(".//a[@href='/desk/articles/hub1']")
    # the evidence shows the words in their sentence, marked
    assert block.xpath("string(.//mark)") == "Khorgos logistics hub"
    assert "waited for two days at the Khorgos logistics hub on the Kazakh side" in block.text_content()
    assert doc.xpath(f"//form[@action='/desk/kb/{suggestion['id']}/accept']//button")

    r = _post(desk, f"/desk/kb/{suggestion['id']}/accept", {})
    assert r.status_code == 303, r.text
    shown = desk.get(r.headers["location"])
    assert "accepted" in shown.text and "annotated again" in shown.text

    kb = load_kb(user_kb_path(web_settings.data_dir))
    assert "Khorgos logistics hub" in kb.actors["khorgos-gateway"].aliases["en"]
    # shipped names survive the override
    assert "Khorgos dry port" in kb.actors["khorgos-gateway"].aliases["en"]
    assert "khorgos-gateway" in _unseen(unseen, web_settings)
    # the other stored article with those words was annotated again with the new knowledge base ...
    assert "khorgos-gateway" in _entities(fresh_db, "hub2")
    assert _kb_version(fresh_db, "hub2") == kb.version != old_version
    # ... and one without them was left for `reannotate`
    assert _kb_version(fresh_db, "plain") == old_version
    assert _pending(fresh_db) == []
    with fresh_db.read() as conn:
        audit = desk_store.audit_for_targets(conn, [f"kb_suggestion:{suggestion['id']}", "article:hub1"])
    assert {(a["action"], a["username"]) for a in audit} >= {
        ("kb.suggest", "editor1"),
        ("kb.accept", "editor1"),
        ("correction.entities", "editor1"),
    }
    decided = desk.get("/desk/kb", params={"status": "accepted"})
    assert "accepted by editor1" in page(decided.text).xpath("string(//main)")


def test_new_actor_is_suggested_accepted_and_annotated(
    desk: TestClient, fresh_db: Database, web_settings: Settings
) -> None:
    r = _post(
        desk,
        "/desk/articles/solar1/new-actor",
        {
            "name": "Zhetysu Solar Park",
            "type": "project",
            "country": "kz",
            "as_written": "Zhetysu solar plant",
        },
    )
    assert r.status_code == 303 and r.headers["location"].endswith("done=actor")
    [suggestion] = _pending(fresh_db)
    assert suggestion["kind"] == "new_actor" and suggestion["actor_id"] == "zhetysu-solar-park"
    assert (suggestion["name"], suggestion["entity_type"], suggestion["country"]) == (
        "Zhetysu Solar Park",
        "project",
        "KZ",
    )
    # a second article naming the same actor (in other words) adds evidence to the same suggestion
    r = _post(desk, "/desk/articles/solar2/new-actor", {"name": "Zhetysu Solar Park", "type": "project"})
    assert r.status_code == 303
    [suggestion] = _pending(fresh_db)
    assert suggestion["article_ids"] == ("solar1", "solar2")

    r = _post(desk, f"/desk/kb/{suggestion['id']}/accept", {})
    assert r.status_code == 303, r.text
    actor = load_kb(user_kb_path(web_settings.data_dir)).actors["zhetysu-solar-park"]
    assert (actor.name, actor.type, actor.country, actor.qid, actor.qid_verified) == (
        "Zhetysu Solar Park",
        "project",
        "KZ",
        "",
        False,
    )
    assert "zhetysu-solar-park" in _unseen("Investors visited the Zhetysu solar plant.", web_settings)
    assert "zhetysu-solar-park" in _entities(fresh_db, "solar1")
    assert "zhetysu-solar-park" in _entities(fresh_db, "solar2")


def test_alias_removed_on_two_articles_is_dropped_once_accepted(
    desk: TestClient, fresh_db: Database, web_settings: Settings
) -> None:
    assert "khorgos-gateway" in _unseen("Trucks left the Khorgos dry port.", web_settings)
    assert all("khorgos-gateway" in _entities(fresh_db, a) for a in ("port1", "port2", "port3"))

    r = _post(desk, "/desk/articles/port1/entities", {"remove": ["khorgos-gateway"]})
    assert r.status_code == 303
    assert _pending(fresh_db) == []  # one removal is not enough (kb.drop_alias_after = 2)
    r = _post(desk, "/desk/articles/port2/entities", {"remove": ["khorgos-gateway"]})
    assert r.status_code == 303
    [suggestion] = _pending(fresh_db)
    assert (suggestion["kind"], suggestion["actor_id"], suggestion["alias"]) == (
        "drop_alias",
        "khorgos-gateway",
        "Khorgos dry port",  # the alias that had matched there, read from the mentions' offsets
    )
    assert suggestion["article_ids"] == ("port1", "port2") and suggestion["proposed_by"] is None
    assert "the desk, from editors' removals" in page(desk.get("/desk/kb").text).xpath("string(//main)")

    r = _post(desk, f"/desk/kb/{suggestion['id']}/accept", {})
    assert r.status_code == 303, r.text
    kb = load_kb(user_kb_path(web_settings.data_dir))
    assert "Khorgos dry port" not in kb.actors["khorgos-gateway"].all_names()
    assert "Khorgos Gateway" in kb.actors["khorgos-gateway"].all_names()
    assert "khorgos-gateway" not in _unseen("Trucks left the Khorgos dry port.", web_settings)
    assert "khorgos-gateway" in _unseen("Trucks left the Khorgos Gateway.", web_settings)
    # a stored article nobody corrected lost the entity when it was annotated again
    assert "khorgos-gateway" not in _entities(fresh_db, "port3")
    assert _kb_version(fresh_db, "port3") == kb.version


def test_drop_threshold_is_a_setting(
    app: FastAPI, web_settings: Settings, fresh_db: Database, desk: TestClient
) -> None:
    app.state.settings = dataclasses.replace(web_settings, kb_drop_alias_after=3)
    for aid in ("port1", "port2"):
        assert (
            _post(desk, f"/desk/articles/{aid}/entities", {"remove": ["khorgos-gateway"]}).status_code == 303
        )
    assert _pending(fresh_db) == []
    assert _post(desk, "/desk/articles/port3/entities", {"remove": ["khorgos-gateway"]}).status_code == 303
    [suggestion] = _pending(fresh_db)
    assert suggestion["article_ids"] == ("port1", "port2", "port3")


def test_reject_leaves_the_knowledge_base_untouched_and_is_not_proposed_again(
    desk: TestClient, fresh_db: Database, web_settings: Settings
) -> None:
    path = user_kb_path(web_settings.data_dir)
    before = load_kb(path).version
    _post(
        desk,
        "/desk/articles/hub1/entities",
        {"add": "khorgos-gateway", "as_written": "Khorgos logistics hub"},
    )
    [suggestion] = _pending(fresh_db)
    r = _post(desk, f"/desk/kb/{suggestion['id']}/reject", {})
    assert r.status_code == 303
    assert "rejected; the knowledge base is unchanged" in desk.get(r.headers["location"]).text
    assert not path.exists() and load_kb(path).version == before
    assert "khorgos-gateway" not in _entities(fresh_db, "hub2")
    with fresh_db.read() as conn:
        assert kb_store.get_suggestion(conn, suggestion["id"])["status"] == "rejected"  # type: ignore[index]
        audit = desk_store.audit_for_targets(conn, [f"kb_suggestion:{suggestion['id']}"])
    assert [(a["action"], a["username"]) for a in audit] == [("kb.reject", "editor1")]
    # deciding twice is refused with a message, not a server error
    r = _post(desk, f"/desk/kb/{suggestion['id']}/accept", {})
    assert r.status_code == 400 and "already rejected by editor1" in r.text
    # the same words on another article are not queued again
    r = _post(
        desk,
        "/desk/articles/hub2/entities",
        {"add": "khorgos-gateway", "as_written": "Khorgos logistics hub"},
    )
    assert r.status_code == 303 and r.headers["location"].endswith("done=alias-rejected")
    assert _pending(fresh_db) == []


def test_queue_needs_sign_in_and_the_csrf_token(client: TestClient, fresh_db: Database) -> None:
    r = client.get("/desk/kb", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/desk/sign-in?next=")
    with fresh_db.begin() as conn:
        sid = kb_store.add_suggestion(
            conn,
            kind="add_alias",
            actor_id="khorgos-gateway",
            alias="Khorgos logistics hub",
            language="en",
            article_ids=["hub1"],
            proposed_by="someone",
            now=NOW,
        )
    r = client.post(f"/desk/kb/{sid}/accept", follow_redirects=False)
    assert r.status_code == 403  # no CSRF token: refused before the route
    token = csrf_token(client.get("/desk/sign-in").text)
    r = client.post(f"/desk/kb/{sid}/accept", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/desk/sign-in?next=")
    with fresh_db.read() as conn:
        assert kb_store.get_suggestion(conn, sid)["status"] == "pending"  # type: ignore[index]


def test_decisions_need_the_csrf_token(desk: TestClient, fresh_db: Database, web_settings: Settings) -> None:
    _post(
        desk,
        "/desk/articles/hub1/entities",
        {"add": "khorgos-gateway", "as_written": "Khorgos logistics hub"},
    )
    [suggestion] = _pending(fresh_db)
    r = desk.post(f"/desk/kb/{suggestion['id']}/accept", follow_redirects=False)
    assert r.status_code == 403
    assert [s["id"] for s in _pending(fresh_db)] == [suggestion["id"]]
    assert not user_kb_path(web_settings.data_dir).exists()
    assert (
        desk.post(
            "/desk/kb/999/accept", data={"csrf_token": csrf_token(desk.get("/desk/kb").text)}
        ).status_code
        == 400
    )


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("entities", {"add": "khorgos-gateway", "as_written": "« — »"}, "the words as written are empty"),
        (
            "entities",
            {"add": "khorgos-gateway", "as_written": "Khorgos mega hub"},
            "does not occur in this article",
        ),
        (
            "entities",
            {"add": "khorgos-gateway", "as_written": "logistics hu"},
            "does not occur in this article",
        ),
        ("entities", {"add": "khorgos-gateway xi-jinping", "as_written": "Khorgos"}, "exactly one"),
        ("new-actor", {"name": "  ", "type": "project"}, "needs a name"),
        ("new-actor", {"name": "Khorgos logistics hub", "type": "spaceport"}, "unknown type"),
        (
            "new-actor",
            {"name": "Khorgos logistics hub", "type": "project", "country": "QQ"},
            "unknown country",
        ),
        ("new-actor", {"name": "Khorgos Gateway", "type": "project"}, "already has Khorgos Gateway"),
        ("new-actor", {"name": "Khorgos mega hub", "type": "project"}, "does not occur in this article"),
    ],
)
def test_bad_suggestions_are_refused_with_a_message(
    desk: TestClient, fresh_db: Database, path: str, data: dict[str, str], message: str
) -> None:
    before = _entities(fresh_db, "hub1")
    r = _post(desk, f"/desk/articles/hub1/{path}", data)
    assert r.status_code == 400, r.text
    assert message in page(r.text).xpath("string(//*[@role='alert'])")
    assert _pending(fresh_db) == [] and _entities(fresh_db, "hub1") == before


def test_queue_and_article_forms_have_labels_and_ordered_headings(
    desk: TestClient, fresh_db: Database
) -> None:
    _post(
        desk,
        "/desk/articles/hub1/entities",
        {"add": "khorgos-gateway", "as_written": "Khorgos logistics hub"},
    )
    for url in ("/desk/kb", "/desk/articles/hub1"):
        doc = page(desk.get(url).text)
        for control in doc.xpath("//main//input[not(@type='hidden')] | //main//select"):
            assert doc.xpath(f"//label[@for='{control.get('id')}']"), (url, control.get("name"))
        levels = [int(h.tag[1]) for h in doc.xpath("//main//*[self::h1 or self::h2 or self::h3]")]
        assert levels[0] == 1 and all(b - a <= 1 for a, b in pairwise(levels)), url
        assert not doc.xpath("//main//script | //main//*[@style]")
    assert page(desk.get("/desk/kb").text).xpath("//nav//a[@href='/desk/kb'][@aria-current='page']")


def test_reannotation_on_accept_is_bounded_by_the_setting(
    app: FastAPI, web_settings: Settings, fresh_db: Database, desk: TestClient
) -> None:
    app.state.settings = dataclasses.replace(web_settings, kb_reannotate_limit=1)
    old_version = _kb_version(fresh_db, "hub2")
    _post(
        desk,
        "/desk/articles/hub1/entities",
        {"add": "khorgos-gateway", "as_written": "Khorgos logistics hub"},
    )
    [suggestion] = _pending(fresh_db)
    r = _post(desk, f"/desk/kb/{suggestion['id']}/accept", {})
    assert r.status_code == 303 and r.headers["location"].endswith("&n=1")
    new_version = load_kb(user_kb_path(web_settings.data_dir)).version
    assert _kb_version(fresh_db, "hub1") == new_version  # the evidence article comes first
    assert _kb_version(fresh_db, "hub2") == old_version  # left for `eurasiawatch reannotate`
    report = annotate_stored(fresh_db, web_settings, Clock(NOW))
    assert report.annotated >= 1 and "khorgos-gateway" in _entities(fresh_db, "hub2")
