"""SQLAlchemy Core tables: the one description of the schema that queries and migrations share.

The migration scripts in ``migrations/versions`` create exactly these tables (a test compares them),
so a change here needs a new migration. Tables carry no schema name: on PostgreSQL the connection's
``search_path`` points at ``settings.database_schema``, which keeps one ``MetaData`` for both databases.

Timestamps are ``UtcDateTime``: timezone-aware UTC in Python on both databases, stored as
``timestamptz`` on PostgreSQL and as fixed-width ISO text on SQLite (which sorts correctly).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.types import TypeDecorator

__all__ = [
    "StringTuple",
    "UtcDateTime",
    "annotations",
    "annotations_table",
    "article_signatures",
    "article_themes",
    "articles",
    "backfill_failures",
    "backfill_files",
    "desk_api_tokens",
    "desk_audit",
    "desk_login_failures",
    "desk_sessions",
    "desk_users",
    "edition_blocks",
    "editions",
    "events",
    "failures",
    "fetch_log",
    "indicator_points",
    "indicator_series",
    "kb_alias_removals",
    "kb_suggestions",
    "mention_corrections",
    "mentions",
    "metadata",
    "pages",
    "reported_figures",
    "search_documents",
    "send_edition_parts",
    "send_editions",
    "send_ledger",
    "send_locks",
    "signature_buckets",
    "sources",
    "stories",
    "story_articles",
    "story_decisions",
    "subscribe_events",
    "subscribers",
    "suppressions",
    "theme_corrections",
    "theme_models",
    "watchlists",
]

# Stable constraint names, so migrations can address them on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime that round-trips identically on SQLite and PostgreSQL.

    Naive datetimes are taken to be UTC already.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Normalise to UTC; SQLite gets the naive UTC value (it has no time zones)."""
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime whatever the driver gave back."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class StringTuple(TypeDecorator[tuple[str, ...]]):
    """A tuple of strings kept as a JSON array in a text column."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str:
        """Encode as a JSON array (``None`` becomes an empty one)."""
        return json.dumps(list(value or ()), ensure_ascii=False)

    def process_result_value(self, value: str | None, dialect: Dialect) -> tuple[str, ...]:
        """Decode back to a tuple."""
        return tuple(json.loads(value)) if value else ()


sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("url", Text, nullable=False),
    Column("kind", String(32), nullable=False, server_default="feed"),
    Column("language", String(16)),
    Column("outlet", Text),
    Column("allow_private", Boolean, nullable=False, server_default=false()),
    Column("added_at", UtcDateTime, nullable=False),
    # health, updated after every run of the source
    Column("last_attempt_at", UtcDateTime),
    Column("last_success_at", UtcDateTime),
    Column("last_failure_at", UtcDateTime),
    Column("failure_streak", Integer, nullable=False, server_default="0"),
    Column("last_reason", Text),
    Column("next_due_at", UtcDateTime),
    Column("items_total", Integer, nullable=False, server_default="0"),
)

fetch_log = Table(
    "fetch_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(200)),
    Column("url", Text, nullable=False),
    Column("status", Integer),
    Column("ok", Boolean, nullable=False),
    Column("reason", Text),
    Column("elapsed_ms", Integer),
    Column("bytes", Integer),
    Column("fetched_at", UtcDateTime, nullable=False),
    Index(None, "source", "fetched_at"),
)

pages = Table(
    "pages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False),
    Column("final_url", Text, nullable=False),
    Column("source", String(200)),
    Column("status", Integer, nullable=False),
    Column("content_type", Text),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("fetched_at", UtcDateTime, nullable=False),
    # gzip of the UTF-8 HTML, kept so articles can be extracted again with a better extractor
    Column("html_gz", LargeBinary, nullable=False),
    Column("sha256", String(64), nullable=False),
    Index(None, "url", "fetched_at"),
)

articles = Table(
    "articles",
    metadata,
    Column("article_id", String(128), primary_key=True),
    Column("url", Text, nullable=False),
    Column("canonical_url", Text, nullable=False),
    Column("title", Text),
    Column("text", Text, nullable=False),
    Column("authors", StringTuple, nullable=False),
    Column("paragraphs", StringTuple, nullable=False),
    Column("published", UtcDateTime),
    Column("language", String(16)),
    Column("language_score", Float),
    Column("outlet", Text),
    Column("source", String(200)),
    Column("lead_image", Text),
    Column("description", Text),
    Column("content_hash", String(128), nullable=False),
    Column("sample", Boolean, nullable=False, server_default=false()),
    Column("page_id", Integer, ForeignKey("pages.id", ondelete="SET NULL")),
    Column("extracted_at", UtcDateTime),
    Column("first_seen_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "url"),
    Index(None, "canonical_url"),
    Index(None, "source"),
    Index(None, "published"),
)

failures = Table(
    "failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("stage", String(32), nullable=False),
    Column("url", Text),
    Column("source", String(200)),
    Column("reason", Text, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index(None, "at"),
    Index(None, "url"),
)

# Near-duplicates (extract.dedup): every article's MinHash signature, the first copy it repeats
# (``duplicate_of``, NULL for an original) and its LSH band buckets, kept across runs so a copy
# arriving weeks later still finds the first one.
article_signatures = Table(
    "article_signatures",
    metadata,
    Column(
        "article_id", String(128), ForeignKey("articles.article_id", ondelete="CASCADE"), primary_key=True
    ),
    Column("signature", LargeBinary, nullable=False),
    Column("duplicate_of", String(128), ForeignKey("articles.article_id", ondelete="SET NULL")),
    Column("similarity", Float),
    Column("computed_at", UtcDateTime, nullable=False),
    Index(None, "duplicate_of"),
)

signature_buckets = Table(
    "signature_buckets",
    metadata,
    Column("bucket", String(16), primary_key=True),
    Column(
        "article_id",
        String(128),
        ForeignKey("article_signatures.article_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Index(None, "article_id"),
)

# Themes (annotate.theme_model): editors' corrections, one row per edit (themes added and removed),
# and every trained model version with its gold-set scores; ``active`` marks the one in use (none:
# the lexicon baseline). Corrections keep no foreign key: an article may be corrected from a file.
theme_corrections = Table(
    "theme_corrections",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", String(128), nullable=False),
    Column("added", StringTuple, nullable=False),
    Column("removed", StringTuple, nullable=False),
    Column("editor", String(200)),
    Column("created_at", UtcDateTime, nullable=False),
    Index(None, "article_id"),
)

mention_corrections = Table(
    "mention_corrections",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", String(128), nullable=False),
    Column("kind", String(16), nullable=False),  # country | entity
    Column("key", String(128), nullable=False),
    Column("name", Text, nullable=False),
    Column("action", String(8), nullable=False),  # add | remove
    Column("country", String(8)),
    Column("entity_type", String(32)),
    Column("wikidata", String(32)),
    Column("editor", String(64)),
    Column("created_at", UtcDateTime, nullable=False),
    Index(None, "article_id"),
)

# Editors' suggestions for the knowledge base (migration 0015): an alias to add, an actor to create,
# an alias to drop; accepted ones are written into the user KB file (``eurasiawatch.kb_review``).
kb_suggestions = Table(
    "kb_suggestions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),  # add_alias | new_actor | drop_alias
    Column("actor_id", String(128), nullable=False),
    Column("alias", Text, nullable=False),
    Column("language", String(16), nullable=False),
    Column("name", Text),  # new_actor: the canonical name
    Column("entity_type", String(32)),  # new_actor
    Column("country", String(8)),  # new_actor
    Column("article_ids", StringTuple, nullable=False),  # the evidence
    Column("proposed_by", String(64)),
    Column("status", String(16), nullable=False),  # pending | accepted | rejected
    Column("decided_by", String(64)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("decided_at", UtcDateTime),
    Index(None, "status"),
    Index(None, "kind", "actor_id"),
)

# Which alias of an actor had matched in an article an editor removed that actor from (migration 0015).
kb_alias_removals = Table(
    "kb_alias_removals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("actor_id", String(128), nullable=False),
    Column("alias", Text, nullable=False),
    Column("article_id", String(128), nullable=False),
    Column("editor", String(64)),
    Column("created_at", UtcDateTime, nullable=False),
    Index(None, "actor_id"),
)

theme_models = Table(
    "theme_models",
    metadata,
    Column("version", String(64), primary_key=True),
    Column("path", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("trained_on", Integer, nullable=False),
    Column("corrections", Integer, nullable=False),
    Column("f1_model", Float),
    Column("f1_lexicon", Float),
    Column("active", Boolean, nullable=False),
)

# Annotations (annotate stage): one row per annotated article, stamped with the knowledge-base and
# theme-model versions that produced it, so `reannotate` knows what is stale; its mentions, themes
# and events in their own tables for the analyze stage's counts. Re-annotating replaces all four.
# Named ``annotations_table`` because ``annotations`` is also the ``from __future__`` feature name,
# which type checkers confuse it with; ``annotations`` stays as an alias for older imports.
annotations_table = Table(
    "annotations",
    metadata,
    Column(
        "article_id", String(128), ForeignKey("articles.article_id", ondelete="CASCADE"), primary_key=True
    ),
    Column("language", String(16)),
    Column("china_related", Boolean, nullable=False),
    Column("countries", StringTuple, nullable=False),
    Column("themes", StringTuple, nullable=False),
    Column("kb_version", String(64), nullable=False),
    Column("model_version", String(64), nullable=False),
    Column("annotated_at", UtcDateTime, nullable=False),
    Index(None, "kb_version"),
)

annotations = annotations_table  # type: ignore[assignment]  # see above

mentions = Table(
    "mentions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "article_id", String(128), ForeignKey("annotations.article_id", ondelete="CASCADE"), nullable=False
    ),
    Column("kind", String(16), nullable=False),
    Column("key", String(128), nullable=False),
    Column("name", Text, nullable=False),
    Column("start_offset", Integer, nullable=False),
    Column("end_offset", Integer, nullable=False),
    Column("wikidata", String(32)),
    Column("country", String(8)),
    Column("entity_type", String(32)),
    Index(None, "article_id"),
    Index(None, "kind", "key"),
)

article_themes = Table(
    "article_themes",
    metadata,
    Column(
        "article_id", String(128), ForeignKey("annotations.article_id", ondelete="CASCADE"), primary_key=True
    ),
    Column("theme", String(32), primary_key=True),
    Index(None, "theme"),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "article_id", String(128), ForeignKey("annotations.article_id", ondelete="CASCADE"), nullable=False
    ),
    Column("type", String(16), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("date", String(10)),
    Column("end_date", String(10)),
    Column("upcoming", Boolean, nullable=False),
    Column("actors", Text, nullable=False),  # JSON: [[country, entity or null], ...]
    Column("location", Text),
    Column("evidence", Text, nullable=False),
    Index(None, "article_id"),
    Index(None, "type"),
    Index(None, "date"),
)

# Indicators (analyze.indicators), two kinds kept apart. A *series* is numbers on which changes are
# computed: one row per (dataset, reporter, partner, measure, HS code, unit) and its points per period.
# A *reported figure* is a number as a source published it ("over $600 million"), kept as text with
# its qualifier and never recomputed; ``row`` is its line in the imported file.
indicator_series = Table(
    "indicator_series",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dataset", String(200), nullable=False),
    Column("reporter", Text, nullable=False),
    Column("partner", Text, nullable=False),
    Column("measure", Text, nullable=False),
    Column("hs_code", String(16), nullable=False, server_default=""),
    Column("unit", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("synthetic", Boolean, nullable=False, server_default=false()),
    Column("imported_at", UtcDateTime, nullable=False),
    UniqueConstraint(
        "dataset", "reporter", "partner", "measure", "hs_code", "unit", name="uq_indicator_series_identity"
    ),
)

indicator_points = Table(
    "indicator_points",
    metadata,
    Column("series_id", Integer, ForeignKey("indicator_series.id", ondelete="CASCADE"), primary_key=True),
    Column("period", String(16), primary_key=True),
    Column("value", Float, nullable=False),
    Column("note", Text),
)

reported_figures = Table(
    "reported_figures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dataset", String(200), nullable=False),
    Column("row", Integer, nullable=False),
    Column("subject", Text, nullable=False),
    Column("period", Text),
    Column("measure", Text, nullable=False),
    Column("value", Text),
    Column("qualifier", String(32)),
    Column("unit", Text),
    Column("source", Text, nullable=False),
    Column("note", Text),
    Column("imported_at", UtcDateTime, nullable=False),
    UniqueConstraint("dataset", "row", name="uq_reported_figures_dataset_row"),
)

# Full-text search (store.search): one row per indexed article with what results and facets show, and
# when it was indexed (an article or annotation changed since is indexed again). The words themselves
# are stemmed in Python (analyze.search) so both databases index the same tokens: on PostgreSQL they
# sit in ``vector`` (tsvector, GIN index); on SQLite ``vector`` stays NULL (its partial index is
# empty) and the tokens go into the FTS5 table ``search_fts`` (rowid = ``doc_id``), which lives
# outside this metadata — see store/search.py for why.
search_documents = Table(
    "search_documents",
    metadata,
    Column("doc_id", Integer, primary_key=True),
    Column(
        "article_id",
        String(128),
        ForeignKey("articles.article_id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    Column("language", String(16)),
    Column("outlet", Text),
    Column("published", UtcDateTime),
    Column("facets", StringTuple, nullable=False),  # "country:KZ", "theme:energy", "entity:Q148" …
    Column("indexed_at", UtcDateTime, nullable=False),
    Column("vector", Text().with_variant(TSVECTOR(), "postgresql")),
    Index(None, "vector", postgresql_using="gin", sqlite_where=text("0")),
)

# Backfill (backfill/): one checkpoint row per input file (keyed on its absolute path; size and mtime
# tell a changed file from a finished one), and what could not be used in those files, with the
# reason. ``status`` is running | done | failed; a row left "running" is a file whose worker was lost,
# redone on the next run. Failures are unique per (file, item, stage), so redoing a file never
# doubles them.
backfill_files = Table(
    "backfill_files",
    metadata,
    Column("path", Text, primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("mtime_ns", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("records", Integer, nullable=False, server_default="0"),
    Column("stored", Integer, nullable=False, server_default="0"),
    Column("failed", Integer, nullable=False, server_default="0"),
    Column("worker", Text),
    Column("reason", Text),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
    Index(None, "status"),
)

backfill_failures = Table(
    "backfill_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("path", Text, nullable=False),
    Column("item", Text, nullable=False),
    Column("stage", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    UniqueConstraint("path", "item", "stage", name="uq_backfill_failures_identity"),
)

# Subscribers (deliver.subscribers). No address is stored in the clear: ``address_enc`` is AES-GCM
# (deliver.crypto), ``address_index`` a keyed HMAC used for lookups. ``token`` is the opaque id that
# appears in links, List-Unsubscribe and VERP addresses. No IP address is stored anywhere.
# ``consent_at``/``source`` record when and how consent was given (kept through CSV export/import).
subscribers = Table(
    "subscribers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token", String(64), nullable=False, unique=True),
    Column("address_index", String(64), nullable=False, unique=True),
    Column("address_enc", LargeBinary, nullable=False),
    Column("pgp_key_enc", LargeBinary),
    Column("status", String(16), nullable=False),  # pending | active | paused | unsubscribed
    Column("source", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("consent_at", UtcDateTime),
    Column("confirm_sent_at", UtcDateTime),
    Column("unsubscribed_at", UtcDateTime),
    Column("soft_bounces", Integer, nullable=False, server_default="0"),
    Index(None, "status"),
)

# The suppression list: keyed hashes only (the same HMAC as ``subscribers.address_index``).
suppressions = Table(
    "suppressions",
    metadata,
    Column("address_index", String(64), primary_key=True),
    Column("reason", String(32), nullable=False),  # hard | complaint | soft | manual | erased
    Column("created_at", UtcDateTime, nullable=False),
)

# Abuse resistance of the subscribe form without IP addresses: one row per confirmation mail sent
# (the global rate limit counts them) and per spent proof-of-work challenge (``digest`` makes it
# single-use). Rows are pruned by ``subscribers cleanup``.
subscribe_events = Table(
    "subscribe_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),  # confirmation | pow
    Column("digest", String(64)),
    Column("at", UtcDateTime, nullable=False),
    UniqueConstraint("kind", "digest", name="uq_subscribe_events_kind_digest"),
    Index(None, "kind", "at"),
)

# Sending (deliver.sender). ``send_editions`` holds a rendered edition an editor approved, with the
# slot it is for (``send --due`` looks it up) and when its send started (the recipient snapshot) and
# finished; ``send_edition_parts`` its inline charts. ``send_ledger`` has one row per (edition,
# subscriber token), state committed around each SMTP transaction: queued → sending → sent |
# deferred | bounced | dropped, and ``unknown`` for rows found ``sending`` at resume. ``verp`` is the
# random tag of the row's return path, so a bounce finds its row without naming the subscriber.
# ``send_locks`` holds the one sender's lease.
send_editions = Table(
    "send_editions",
    metadata,
    Column("edition_id", String(128), primary_key=True),
    Column("slot", UtcDateTime),
    Column("subject", Text, nullable=False),
    Column("email_html", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("approved_by", Text),
    Column("approved_at", UtcDateTime),
    Column("started_at", UtcDateTime),
    Column("finished_at", UtcDateTime),
    Index(None, "slot"),
)

send_edition_parts = Table(
    "send_edition_parts",
    metadata,
    Column(
        "edition_id",
        String(128),
        ForeignKey("send_editions.edition_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("cid", String(255), primary_key=True),
    Column("mime", String(100), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("position", Integer, nullable=False),
)

send_ledger = Table(
    "send_ledger",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "edition_id",
        String(128),
        ForeignKey("send_editions.edition_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("token", String(64), nullable=False),
    Column("verp", String(32), nullable=False, unique=True),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("detail", Text),
    Column("relay", String(255)),
    Column("next_attempt_at", UtcDateTime),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("edition_id", "token", name="uq_send_ledger_edition_token"),
    Index(None, "edition_id", "state"),
)

send_locks = Table(
    "send_locks",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(128), nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

# Stories (analyze.stories, analyzing.py): ``stories`` and ``story_articles`` are the clusterer's
# output and are rebuilt by ``stories recluster``; ``story_decisions`` is the editors' log (merge,
# split, pin, unpin, hide, unhide), never rebuilt, replayed as constraints on every clustering run.
stories = Table(
    "stories",
    metadata,
    Column("story_id", String(32), primary_key=True),
    Column("title", Text, nullable=False, server_default=""),
    Column("first_day", Date),
    Column("last_day", Date),
    Column("articles", Integer, nullable=False, server_default="0"),
    Column("pinned", Boolean, nullable=False, server_default=false()),
    Column("hidden", Boolean, nullable=False, server_default=false()),
    Column("merged_into", String(32)),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "last_day"),
)

story_articles = Table(
    "story_articles",
    metadata,
    Column(
        "article_id", String(128), ForeignKey("articles.article_id", ondelete="CASCADE"), primary_key=True
    ),
    Column("story_id", String(32), nullable=False),
    Column("by_editor", Boolean, nullable=False, server_default=false()),
    Column("assigned_at", UtcDateTime, nullable=False),
    Index(None, "story_id"),
)

story_decisions = Table(
    "story_decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("story_id", String(32), nullable=False),
    Column("target_id", String(32)),  # merge: the surviving story; split: the new story
    Column("article_ids", StringTuple, nullable=False),  # split: the articles moved out
    Column("decided_by", Text),
    Column("at", UtcDateTime, nullable=False),
    Index(None, "story_id"),
)

editions = Table(
    "editions",
    metadata,
    Column("edition_id", String(64), primary_key=True),
    Column("send_date", Date, nullable=False),
    Column("window_start", Date, nullable=False),
    Column("window_end", Date, nullable=False),
    Column("headline", Text, nullable=False, server_default=""),
    Column("dek", Text, nullable=False, server_default=""),
    Column("language", String(8), nullable=False, server_default="en"),
    Column("number", Integer),
    Column("slug", String(200), nullable=False, server_default=""),
    Column("status", String(16), nullable=False, server_default="draft"),
    Column("block_order", StringTuple, nullable=False),  # current block ids, reading order
    Column("slot", UtcDateTime),  # the send slot an editor approved it for
    Column("approved_by", Text),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "send_date"),
)

edition_blocks = Table(
    "edition_blocks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("edition_id", String(64), ForeignKey("editions.edition_id", ondelete="CASCADE"), nullable=False),
    Column("block_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("payload", Text, nullable=False),  # the Block as JSON (citations, flags, chart)
    Column("edited", Boolean, nullable=False, server_default=false()),
    Column("author", Text),  # None: the drafter
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("edition_id", "block_id", "version"),
)

# Watchlists (analyze.watchlists): a saved search (query + filters) or a set of countries, entities
# and themes; ``delivered_until`` is the first-seen watermark of the last digest that went out, so
# "new matches" are articles first seen after it.
watchlists = Table(
    "watchlists",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("query", Text),
    Column("countries", StringTuple, nullable=False),
    Column("entities", StringTuple, nullable=False),
    Column("themes", StringTuple, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("delivered_until", UtcDateTime),
)

# Desk accounts (accounts.py, web.auth). ``password_hash`` is argon2id; ``totp_secret_enc`` is AES-GCM
# under a key derived from the subscriber key ring (credentials.py); ``totp_last_step`` is the last
# accepted TOTP time step, so a code is never accepted twice. Sessions and API tokens keep only the
# SHA-256 of their random secret. ``desk_login_failures`` counts failed sign-ins per account (a hash
# of the name typed, so unknown names count too) and in total: no client address is stored.
# ``desk_audit`` keeps the acting user's name, not an id, so rows outlive removed accounts.
desk_users = Table(
    "desk_users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),  # editor | admin
    Column("password_hash", Text, nullable=False),
    Column("totp_secret_enc", LargeBinary, nullable=False),
    Column("totp_last_step", BigInteger, nullable=False, server_default="0"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

desk_sessions = Table(
    "desk_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("desk_users.id", ondelete="CASCADE"), nullable=False),
    Column("stage", String(8), nullable=False),  # totp (password checked, code pending) | full
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),  # absolute expiry
    Index(None, "user_id"),
    Index(None, "expires_at"),
)

desk_api_tokens = Table(
    "desk_api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("desk_users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_used_at", UtcDateTime),
    UniqueConstraint("user_id", "name"),
)

desk_login_failures = Table(
    "desk_login_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_key", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index(None, "account_key", "at"),
    Index(None, "at"),
)

desk_audit = Table(
    "desk_audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("username", String(64)),  # None: the system or an anonymous visitor
    Column("action", String(64), nullable=False),
    Column("target", Text, nullable=False),
    Column("detail", Text, nullable=False),
    Index(None, "at"),
)
