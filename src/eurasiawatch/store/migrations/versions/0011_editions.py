"""Editions: drafted editions and every version of their blocks.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# Written out rather than imported from tables.py, so this revision stays what it was when it shipped.
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``editions`` and ``edition_blocks``."""
    op.create_table(
        "editions",
        sa.Column("edition_id", sa.String(64), nullable=False),
        sa.Column("send_date", sa.Date, nullable=False),
        sa.Column("window_start", sa.Date, nullable=False),
        sa.Column("window_end", sa.Date, nullable=False),
        sa.Column("headline", sa.Text, nullable=False, server_default=""),
        sa.Column("dek", sa.Text, nullable=False, server_default=""),
        sa.Column("language", sa.String(8), nullable=False, server_default="en"),
        sa.Column("number", sa.Integer),
        sa.Column("slug", sa.String(200), nullable=False, server_default=""),
        sa.Column("status", sa.String(16), nullable=False, server_default="draft"),
        sa.Column("block_order", sa.Text, nullable=False),
        sa.Column("slot", _TS),
        sa.Column("approved_by", sa.Text),
        sa.Column("updated_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("edition_id", name="pk_editions"),
    )
    op.create_index("ix_editions_send_date", "editions", ["send_date"])
    op.create_table(
        "edition_blocks",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("edition_id", sa.String(64), nullable=False),
        sa.Column("block_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("edited", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("author", sa.Text),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_edition_blocks"),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["editions.edition_id"],
            name="fk_edition_blocks_edition_id_editions",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "edition_id", "block_id", "version", name="uq_edition_blocks_edition_id_block_id_version"
        ),
    )


def downgrade() -> None:
    """Drop the edition tables."""
    op.drop_table("edition_blocks")
    op.drop_index("ix_editions_send_date", table_name="editions")
    op.drop_table("editions")
