"""Indicators: series with their points, and reported figures quoted as published.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Written out rather than imported from tables.py, so this revision stays what it was when it shipped.
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``indicator_series``, ``indicator_points`` and ``reported_figures``."""
    op.create_table(
        "indicator_series",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("dataset", sa.String(200), nullable=False),
        sa.Column("reporter", sa.Text, nullable=False),
        sa.Column("partner", sa.Text, nullable=False),
        sa.Column("measure", sa.Text, nullable=False),
        sa.Column("hs_code", sa.String(16), nullable=False, server_default=""),
        sa.Column("unit", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("synthetic", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("imported_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_indicator_series"),
        sa.UniqueConstraint(
            "dataset",
            "reporter",
            "partner",
            "measure",
            "hs_code",
            "unit",
            name="uq_indicator_series_identity",
        ),
    )
    op.create_table(
        "indicator_points",
        sa.Column("series_id", sa.Integer, nullable=False),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("note", sa.Text),
        sa.PrimaryKeyConstraint("series_id", "period", name="pk_indicator_points"),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["indicator_series.id"],
            name="fk_indicator_points_series_id_indicator_series",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "reported_figures",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("dataset", sa.String(200), nullable=False),
        sa.Column("row", sa.Integer, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("period", sa.Text),
        sa.Column("measure", sa.Text, nullable=False),
        sa.Column("value", sa.Text),
        sa.Column("qualifier", sa.String(32)),
        sa.Column("unit", sa.Text),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("imported_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reported_figures"),
        sa.UniqueConstraint("dataset", "row", name="uq_reported_figures_dataset_row"),
    )


def downgrade() -> None:
    """Drop the indicator tables."""
    op.drop_table("reported_figures")
    op.drop_table("indicator_points")
    op.drop_table("indicator_series")
