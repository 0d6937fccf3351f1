"""``store.desk``: every builder compiles for SQLite and PostgreSQL; every query uses a builder."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from eurasiawatch.store import desk

NOW = datetime(2025, 1, 1, tzinfo=UTC)

SAMPLES: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "_mention_languages_stmt": (("country", "KZ"), {}),
    "_mention_events_stmt": (("entity", "k", 10), {}),
    "_audit_for_targets_stmt": ((["article:a", "story:s"], 20), {}),
    "_add_mention_correction_stmt": (
        (
            {
                "article_id": "a",
                "kind": "country",
                "key": "KZ",
                "name": "Kazakhstan",
                "action": "add",
                "country": None,
                "entity_type": None,
                "wikidata": None,
                "editor": "ed",
                "created_at": NOW,
            },
        ),
        {},
    ),
    "_mention_corrections_for_stmt": ((["a", "b"],), {}),
    "_theme_corrections_for_stmt": ((["a"],), {}),
}
BUILDERS = {
    name: fn
    for name, fn in inspect.getmembers(desk, inspect.isfunction)
    if name.startswith("_") and name.endswith("_stmt") and fn.__module__ == desk.__name__
}
DIALECTS = {"sqlite": sqlite.dialect(), "postgresql": postgresql.dialect()}


def test_every_builder_has_a_sample() -> None:
    assert set(BUILDERS) == set(SAMPLES)


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_statement_compiles(name: str, dialect: str) -> None:
    args, kwargs = SAMPLES[name]
    stmt = BUILDERS[name](dialect, *args, **kwargs)
    assert str(stmt.compile(dialect=DIALECTS[dialect]))


def test_every_public_query_uses_a_builder() -> None:
    for name in desk.__all__:
        assert "_stmt(" in inspect.getsource(getattr(desk, name)), name
