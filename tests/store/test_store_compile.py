"""Every statement in ``store.queries`` compiles for both SQLite and PostgreSQL, without a database.

Each query function builds its SQL with a private ``_*_stmt(dialect, ...)`` builder; this test
calls every builder with sample arguments for each dialect and compiles the result (``builders``),
so a query that one database cannot express fails here rather than in production.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from eurasiawatch.records import Article, Page, Source
from eurasiawatch.store import queries

from .builders import builder_tests

NOW = datetime(2025, 1, 1, tzinfo=UTC)
_ARTICLE = Article(article_id="a", url="u", canonical_url="c", title="t", text="x", content_hash="h")
_PAGE = Page(url="u", final_url="u", html="<p/>", fetched_at=NOW)

# builder name -> positional arguments after the dialect, keyword arguments
SAMPLES: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "_upsert_source_stmt": ((Source(name="s", url="u"), NOW), {}),
    "_get_source_stmt": (("s",), {}),
    "_remove_source_stmt": (("s",), {}),
    "_mark_source_stmt": (("s",), {"ok": False, "reason": "r", "at": NOW, "items": 1, "next_due_at": None}),
    "_record_fetch_stmt": (
        (),
        {
            "source": "s",
            "url": "u",
            "status": 200,
            "ok": True,
            "reason": None,
            "elapsed_ms": 1,
            "bytes": 2,
            "fetched_at": NOW,
        },
    ),
    "_record_failure_stmt": ((), {"stage": "extract", "url": "u", "source": "s", "reason": "r", "at": NOW}),
    "_get_validators_stmt": (("u",), {}),
    "_save_page_stmt": ((_PAGE,), {}),
    "_load_page_html_stmt": ((1,), {}),
    "_article_hash_stmt": (("a",), {}),
    "_upsert_article_stmt": ((_ARTICLE, 1, NOW), {}),
    "_known_urls_stmt": ((["u", "v"],), {}),
    "_list_articles_stmt": ((50, "s"), {}),
    "_count_articles_stmt": ((), {}),
    "_get_article_stmt": (("a",), {}),
    "_get_articles_stmt": ((["a", "b"],), {}),
    "_near_duplicate_candidates_stmt": ((["b1", "b2"], "a"), {}),
    "_upsert_signature_stmt": (("a", b"\x00" * 8, "b", 0.9, NOW), {}),
    "_delete_buckets_stmt": (("a",), {}),
    "_insert_buckets_stmt": ((), {}),
    "_duplicate_of_stmt": (("a",), {}),
    "_add_theme_correction_stmt": (("a", ("trade",), ("energy",), "ed", NOW), {}),
    "_list_theme_corrections_stmt": ((), {}),
    "_add_theme_model_stmt": (
        (
            {
                "version": "v1",
                "path": "p",
                "created_at": NOW,
                "trained_on": 1,
                "corrections": 1,
                "f1_model": 0.5,
                "f1_lexicon": 0.5,
                "active": True,
            },
        ),
        {},
    ),
    "_list_theme_models_stmt": ((), {}),
    "_activate_theme_model_stmt": (("v1",), {}),
    "_count_near_duplicates_stmt": ((), {}),
}


def _upserts_resolve_conflicts(name: str, sql: str) -> None:
    if name.startswith("_upsert"):
        assert "ON CONFLICT" in sql, name


test_every_builder_has_a_sample, test_statement_compiles, test_every_public_query_uses_a_builder = (
    builder_tests(queries, SAMPLES, check=_upserts_resolve_conflicts)
)
