"""Watchlists: saved searches and country/entity/theme sets with their delivery watermark.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# Written out rather than imported from tables.py, so this revision stays what it was when it shipped.
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``watchlists``."""
    op.create_table(
        "watchlists",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("query", sa.Text),
        sa.Column("countries", sa.Text, nullable=False),
        sa.Column("entities", sa.Text, nullable=False),
        sa.Column("themes", sa.Text, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("delivered_until", _TS),
        sa.PrimaryKeyConstraint("name", name="pk_watchlists"),
    )


def downgrade() -> None:
    """Drop ``watchlists``."""
    op.drop_table("watchlists")
