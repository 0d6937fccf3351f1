"""Backfill: a checkpoint per input file and the items that could not be used, with reasons.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Written out rather than imported from tables.py, so this revision stays what it was when it shipped.
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``backfill_files`` and ``backfill_failures``."""
    op.create_table(
        "backfill_files",
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("mtime_ns", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("records", sa.Integer, nullable=False, server_default="0"),
        sa.Column("stored", sa.Integer, nullable=False, server_default="0"),
        sa.Column("failed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("worker", sa.Text),
        sa.Column("reason", sa.Text),
        sa.Column("started_at", _TS, nullable=False),
        sa.Column("finished_at", _TS),
        sa.PrimaryKeyConstraint("path", name="pk_backfill_files"),
    )
    op.create_index("ix_backfill_files_status", "backfill_files", ["status"])
    op.create_table(
        "backfill_failures",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("item", sa.Text, nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_backfill_failures"),
        sa.UniqueConstraint("path", "item", "stage", name="uq_backfill_failures_identity"),
    )


def downgrade() -> None:
    """Drop the backfill tables."""
    op.drop_table("backfill_failures")
    op.drop_index("ix_backfill_files_status", table_name="backfill_files")
    op.drop_table("backfill_files")
