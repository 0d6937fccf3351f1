"""Theme corrections by editors, and theme model versions.

Revision ID: 0003
Revises: 0002
Create Date: 2025-01-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Written out rather than imported from tables.py, so this revision stays what it was when it shipped.
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``theme_corrections`` and ``theme_models``."""
    op.create_table(
        "theme_corrections",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("article_id", sa.String(128), nullable=False),
        sa.Column("added", sa.Text, nullable=False),
        sa.Column("removed", sa.Text, nullable=False),
        sa.Column("editor", sa.String(200)),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_theme_corrections"),
    )
    op.create_index("ix_theme_corrections_article_id", "theme_corrections", ["article_id"])
    op.create_table(
        "theme_models",
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("trained_on", sa.Integer, nullable=False),
        sa.Column("corrections", sa.Integer, nullable=False),
        sa.Column("f1_model", sa.Float),
        sa.Column("f1_lexicon", sa.Float),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("version", name="pk_theme_models"),
    )


def downgrade() -> None:
    """Drop the theme tables."""
    op.drop_table("theme_models")
    op.drop_table("theme_corrections")
