"""Near-duplicates: each article's MinHash signature and link, and its LSH band buckets.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Written out rather than imported from tables.py, so this revision stays what it was when it shipped.
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``article_signatures`` and ``signature_buckets``."""
    op.create_table(
        "article_signatures",
        sa.Column("article_id", sa.String(128), nullable=False),
        sa.Column("signature", sa.LargeBinary, nullable=False),
        sa.Column("duplicate_of", sa.String(128)),
        sa.Column("similarity", sa.Float),
        sa.Column("computed_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("article_id", name="pk_article_signatures"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.article_id"],
            name="fk_article_signatures_article_id_articles",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of"],
            ["articles.article_id"],
            name="fk_article_signatures_duplicate_of_articles",
            ondelete="SET NULL",
        ),
    )
    op.create_index("ix_article_signatures_duplicate_of", "article_signatures", ["duplicate_of"])
    op.create_table(
        "signature_buckets",
        sa.Column("bucket", sa.String(16), nullable=False),
        sa.Column("article_id", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "article_id", name="pk_signature_buckets"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["article_signatures.article_id"],
            name="fk_signature_buckets_article_id_article_signatures",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_signature_buckets_article_id", "signature_buckets", ["article_id"])


def downgrade() -> None:
    """Drop the near-duplicate tables."""
    op.drop_table("signature_buckets")
    op.drop_table("article_signatures")
