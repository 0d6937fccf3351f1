"""Full-text search: ``search_documents`` (with a GIN-indexed tsvector on PostgreSQL).

The SQLite FTS5 table ``search_fts`` is not created here: Alembic's autogenerate comparison (and the
test that keeps migrations equal to ``store.tables``) would see it and its shadow tables as stray
tables. ``store.search`` creates it on first use; the downgrade drops it if it exists.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Written out rather than imported from tables.py, so this revision stays what it was when it shipped.
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``search_documents`` and its index."""
    op.create_table(
        "search_documents",
        sa.Column("doc_id", sa.Integer, nullable=False),
        sa.Column("article_id", sa.String(128), nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("outlet", sa.Text),
        sa.Column("published", _TS),
        sa.Column("facets", sa.Text, nullable=False),
        sa.Column("indexed_at", _TS, nullable=False),
        sa.Column("vector", sa.Text().with_variant(TSVECTOR(), "postgresql")),
        sa.PrimaryKeyConstraint("doc_id", name="pk_search_documents"),
        sa.UniqueConstraint("article_id", name="uq_search_documents_article_id"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.article_id"],
            name="fk_search_documents_article_id_articles",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_search_documents_vector",
        "search_documents",
        ["vector"],
        postgresql_using="gin",
        sqlite_where=sa.text("0"),
    )


def downgrade() -> None:
    """Drop the search tables (and SQLite's FTS5 table, if search created it)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table("search_documents")
