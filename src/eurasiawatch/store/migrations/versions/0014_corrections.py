"""Editors' corrections of an article's countries and entities (themes keep ``theme_corrections``).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# Written out rather than imported from tables.py, so this revision stays what it was when it shipped.
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``mention_corrections``."""
    op.create_table(
        "mention_corrections",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("article_id", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("country", sa.String(8)),
        sa.Column("entity_type", sa.String(32)),
        sa.Column("wikidata", sa.String(32)),
        sa.Column("editor", sa.String(64)),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_mention_corrections"),
    )
    op.create_index("ix_mention_corrections_article_id", "mention_corrections", ["article_id"])


def downgrade() -> None:
    """Drop ``mention_corrections``."""
    op.drop_index("ix_mention_corrections_article_id", table_name="mention_corrections")
    op.drop_table("mention_corrections")
