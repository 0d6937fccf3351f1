"""``eurasiawatch kb suggestions|accept|reject``: the command-line twin of the desk's ``/desk/kb`` queue."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from eurasiawatch.accounts import User
from eurasiawatch.annotate import load_kb, user_kb_path
from eurasiawatch.annotating import annotate_stored, load_user_kb
from eurasiawatch.cli import app as cli_app
from eurasiawatch.clock import Clock
from eurasiawatch.kb_review import correct_entities
from eurasiawatch.store import Database
from eurasiawatch.store import desk as desk_store
from eurasiawatch.store.annotations import load_annotation
from tests.web.desk_seed import store

NOW = datetime(2024, 7, 12, 10, 0, tzinfo=UTC)
EDITOR = User(id=1, username="ed", role="editor")
TAIL = " Freight forwarders in Almaty expect more container trains before the winter, officials said."


@pytest.fixture
def env(fresh_db: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    settings = fresh_db.settings
    monkeypatch.setenv("EURASIAWATCH_DATA_DIR", settings.data_dir)
    if settings.database_url:
        monkeypatch.setenv("EURASIAWATCH_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("EURASIAWATCH_DATABASE_SCHEMA", settings.database_schema)
    store(fresh_db, "hub1", NOW, "Border report", text="Trucks waited at the Khorgos logistics hub." + TAIL)
    store(
        fresh_db,
        "hub2",
        NOW,
        "Terminal report",
        text="A terminal is planned at the Khorgos logistics hub." + TAIL,
    )
    annotate_stored(fresh_db, settings, Clock(NOW), force=True)
    return fresh_db


def _suggest(db: Database, aid: str, words: str) -> None:
    kb = load_user_kb(db.settings)
    outcome = correct_entities(
        db, kb, Clock(NOW), aid, add=["khorgos-gateway"], as_written=words, user=EDITOR
    )
    assert outcome == "alias"


def test_list_accept_and_reject_from_the_command_line(cli: CliRunner, env: Database) -> None:
    _suggest(env, "hub1", "Khorgos logistics hub")
    _suggest(env, "hub2", "terminal")
    listed = cli.invoke(cli_app, ["kb", "suggestions", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [(r["alias"], r["article_ids"], r["proposed_by"]) for r in rows] == [
        ("terminal", ["hub2"], "ed"),
        ("Khorgos logistics hub", ["hub1"], "ed"),
    ]
    hub, terminal = rows[1]["id"], rows[0]["id"]

    accepted = cli.invoke(cli_app, ["kb", "accept", str(hub)])
    assert accepted.exit_code == 0, accepted.output
    assert f"Accepted #{hub}" in accepted.stdout and "2 stored article(s) annotated again" in accepted.stdout
    kb = load_kb(user_kb_path(env.settings.data_dir))
    assert "Khorgos logistics hub" in kb.actors["khorgos-gateway"].aliases["en"]
    with env.read() as conn:
        again = load_annotation(conn, "hub2")
    assert again is not None and "khorgos-gateway" in {m.key for m in again.mentions}

    rejected = cli.invoke(cli_app, ["kb", "reject", str(terminal)])
    assert rejected.exit_code == 0 and "knowledge base is unchanged" in rejected.stdout
    assert (
        "terminal" not in load_kb(user_kb_path(env.settings.data_dir)).actors["khorgos-gateway"].all_names()
    )

    twice = cli.invoke(cli_app, ["kb", "accept", str(hub)])
    assert twice.exit_code == 2 and "already accepted by (cli)" in twice.output
    missing = cli.invoke(cli_app, ["kb", "reject", "999"])
    assert missing.exit_code == 2 and "no suggestion #999" in missing.output
    assert cli.invoke(cli_app, ["kb", "suggestions", "--status", "maybe"]).exit_code == 2

    table = cli.invoke(cli_app, ["kb", "suggestions", "--status", "all"])
    assert table.exit_code == 0 and "2 all" in table.stdout
    every = json.loads(cli.invoke(cli_app, ["kb", "suggestions", "--status", "all", "--json"]).stdout)
    assert {(r["id"], r["status"], r["decided_by"]) for r in every} == {
        (hub, "accepted", "(cli)"),
        (terminal, "rejected", "(cli)"),
    }
    assert json.loads(cli.invoke(cli_app, ["kb", "suggestions", "--json"]).stdout) == []
    with env.read() as conn:
        audit = desk_store.audit_for_targets(conn, [f"kb_suggestion:{hub}", f"kb_suggestion:{terminal}"])
    assert {(a["action"], a["username"]) for a in audit} == {("kb.accept", "(cli)"), ("kb.reject", "(cli)")}
