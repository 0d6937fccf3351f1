"""``/healthz``: the migration check runs until it passes once; the database is still asked every time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from eurasiawatch.config import Settings
from eurasiawatch.records import Source
from eurasiawatch.store import Database
from eurasiawatch.store.queries import mark_source_result, upsert_source
from eurasiawatch.web.app import create_app


def _count_migration_checks(monkeypatch: pytest.MonkeyPatch, db: Database) -> list[int]:
    calls: list[int] = []
    real = db.ensure_current

    def counted() -> None:
        calls.append(1)
        real()

    monkeypatch.setattr(db, "ensure_current", counted)
    return calls


def test_migrations_are_checked_once_then_remembered(
    monkeypatch: pytest.MonkeyPatch, web_settings: Settings, fresh_db: Database
) -> None:
    calls = _count_migration_checks(monkeypatch, fresh_db)
    with TestClient(create_app(web_settings, database=fresh_db)) as c:
        answers = [c.get("/healthz") for _ in range(5)]
    assert [r.status_code for r in answers] == [200] * 5
    assert len(calls) == 1


def test_a_database_that_goes_away_after_the_check_is_still_reported(
    web_settings: Settings, fresh_db: Database
) -> None:
    with TestClient(create_app(web_settings, database=fresh_db)) as c:
        assert c.get("/healthz").status_code == 200
        fresh_db.downgrade("base")  # every table gone: the next ping fails
        r = c.get("/healthz")
    assert r.status_code == 503 and r.json()["database"] == "error"


def test_an_unmigrated_database_is_checked_again_until_it_is_upgraded(
    monkeypatch: pytest.MonkeyPatch, web_settings: Settings, fresh_db: Database
) -> None:
    fresh_db.downgrade("-1")
    calls = _count_migration_checks(monkeypatch, fresh_db)
    with TestClient(create_app(web_settings, database=fresh_db)) as c:
        assert c.get("/healthz").status_code == 503
        assert c.get("/healthz").status_code == 503
        fresh_db.upgrade()
        assert c.get("/healthz").status_code == 200
        assert c.get("/healthz").status_code == 200
    assert len(calls) == 3  # two failures, the pass, then no more


def test_last_ingest_is_the_newest_attempt_of_any_source(web_settings: Settings, fresh_db: Database) -> None:
    added = datetime(2024, 7, 1, tzinfo=UTC)
    with fresh_db.begin() as conn:
        for name in ("a", "b"):
            upsert_source(conn, Source(name=name, url=f"https://{name}.example/feed"), now=added)
        mark_source_result(conn, "a", ok=True, reason=None, at=datetime(2024, 7, 2, 6, 0, tzinfo=UTC))
        mark_source_result(conn, "b", ok=False, reason="HTTP 503", at=datetime(2024, 7, 3, 9, 30, tzinfo=UTC))
    with TestClient(create_app(web_settings, database=fresh_db)) as c:
        r = c.get("/healthz")
    assert r.status_code == 200
    assert datetime.fromisoformat(r.json()["last_ingest"]) == datetime(2024, 7, 3, 9, 30, tzinfo=UTC)
