"""Initial tables: sources, fetch_log, pages, articles, failures.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Written out rather than imported from tables.py, so this revision stays what it was when it shipped.
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the first tables."""
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False, server_default="feed"),
        sa.Column("language", sa.String(16)),
        sa.Column("outlet", sa.Text),
        sa.Column("allow_private", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("added_at", _TS, nullable=False),
        sa.Column("last_attempt_at", _TS),
        sa.Column("last_success_at", _TS),
        sa.Column("last_failure_at", _TS),
        sa.Column("failure_streak", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_reason", sa.Text),
        sa.Column("next_due_at", _TS),
        sa.Column("items_total", sa.Integer, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("id", name="pk_sources"),
        sa.UniqueConstraint("name", name="uq_sources_name"),
    )
    op.create_table(
        "fetch_log",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("source", sa.String(200)),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("status", sa.Integer),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("elapsed_ms", sa.Integer),
        sa.Column("bytes", sa.Integer),
        sa.Column("fetched_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_fetch_log"),
    )
    op.create_index("ix_fetch_log_source_fetched_at", "fetch_log", ["source", "fetched_at"])
    op.create_table(
        "pages",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("final_url", sa.Text, nullable=False),
        sa.Column("source", sa.String(200)),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("content_type", sa.Text),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("fetched_at", _TS, nullable=False),
        sa.Column("html_gz", sa.LargeBinary, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pages"),
    )
    op.create_index("ix_pages_url_fetched_at", "pages", ["url", "fetched_at"])
    op.create_table(
        "articles",
        sa.Column("article_id", sa.String(128), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("canonical_url", sa.Text, nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("authors", sa.Text, nullable=False),
        sa.Column("paragraphs", sa.Text, nullable=False),
        sa.Column("published", _TS),
        sa.Column("language", sa.String(16)),
        sa.Column("language_score", sa.Float),
        sa.Column("outlet", sa.Text),
        sa.Column("source", sa.String(200)),
        sa.Column("lead_image", sa.Text),
        sa.Column("description", sa.Text),
        sa.Column("content_hash", sa.String(128), nullable=False),
        sa.Column("sample", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("page_id", sa.Integer),
        sa.Column("extracted_at", _TS),
        sa.Column("first_seen_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("article_id", name="pk_articles"),
        sa.ForeignKeyConstraint(
            ["page_id"], ["pages.id"], name="fk_articles_page_id_pages", ondelete="SET NULL"
        ),
    )
    for column in ("url", "canonical_url", "source", "published"):
        op.create_index(f"ix_articles_{column}", "articles", [column])
    op.create_table(
        "failures",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("source", sa.String(200)),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_failures"),
    )
    op.create_index("ix_failures_at", "failures", ["at"])
    op.create_index("ix_failures_url", "failures", ["url"])


def downgrade() -> None:
    """Drop everything the upgrade created."""
    for table in ("failures", "articles", "pages", "fetch_log", "sources"):
        op.drop_table(table)
