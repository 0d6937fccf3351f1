"""``store.kb_suggestions``: every builder compiles for SQLite and PostgreSQL; every query uses a builder."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from eurasiawatch.store import kb_suggestions

from .builders import builder_tests

NOW = datetime(2025, 1, 1, tzinfo=UTC)

SAMPLES: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "_add_suggestion_stmt": (
        (
            {
                "kind": "add_alias",
                "actor_id": "khorgos-gateway",
                "alias": "Khorgos Eastern Gate",
                "language": "en",
                "name": None,
                "entity_type": None,
                "country": None,
                "article_ids": ("a1",),
                "proposed_by": "ed",
                "status": "pending",
                "created_at": NOW,
                "updated_at": NOW,
            },
        ),
        {},
    ),
    "_suggestions_for_stmt": (("add_alias", "khorgos-gateway"), {}),
    "_update_evidence_stmt": ((3, ("a1", "a2"), NOW), {}),
    "_get_suggestion_stmt": ((3,), {}),
    "_list_suggestions_stmt": (("pending", 50), {}),
    "_decide_suggestion_stmt": ((3, "accepted", "ed", NOW), {}),
    "_add_alias_removal_stmt": (
        ({"actor_id": "x", "alias": "X", "article_id": "a", "editor": "ed", "created_at": NOW},),
        {},
    ),
    "_alias_removal_articles_stmt": (("x", "X"), {}),
    "_articles_like_stmt": ((["%horgos%", "%50\\%%"], 100), {}),
}


def _check(name: str, sql: str) -> None:
    if name == "_articles_like_stmt":
        assert "ESCAPE" in sql.upper()  # "50%" stays a literal percent sign
    if name == "_decide_suggestion_stmt":
        assert "status" in sql.split("WHERE", 1)[1]  # only a pending suggestion is decided


test_every_builder_has_a_sample, test_statement_compiles, test_every_public_query_uses_a_builder = (
    builder_tests(kb_suggestions, SAMPLES, check=_check)
)
