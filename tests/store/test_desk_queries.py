"""``store.desk``: every builder compiles for SQLite and PostgreSQL; every query uses a builder."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from eurasiawatch.store import desk

SAMPLES: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "_mention_languages_stmt": (("country", "KZ"), {}),
    "_mention_events_stmt": (("entity", "k", 10), {}),
    "_audit_for_targets_stmt": ((["article:a", "story:s"], 20), {}),
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
