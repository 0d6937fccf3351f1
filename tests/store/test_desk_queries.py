"""``store.desk``: every builder compiles for SQLite and PostgreSQL; every query uses a builder."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from eurasiawatch.store import desk

from .builders import builder_tests

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
test_every_builder_has_a_sample, test_statement_compiles, test_every_public_query_uses_a_builder = (
    builder_tests(desk, SAMPLES)
)
