"""Subscribers (addresses encrypted, HMAC index), the suppression list (hashes only), subscribe events.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Written out rather than imported from tables.py, so this revision stays what it was when it shipped.
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``subscribers``, ``suppressions`` and ``subscribe_events``."""
    op.create_table(
        "subscribers",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("address_index", sa.String(64), nullable=False),
        sa.Column("address_enc", sa.LargeBinary, nullable=False),
        sa.Column("pgp_key_enc", sa.LargeBinary),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("consent_at", _TS),
        sa.Column("confirm_sent_at", _TS),
        sa.Column("unsubscribed_at", _TS),
        sa.Column("soft_bounces", sa.Integer, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("id", name="pk_subscribers"),
        sa.UniqueConstraint("token", name="uq_subscribers_token"),
        sa.UniqueConstraint("address_index", name="uq_subscribers_address_index"),
    )
    op.create_index("ix_subscribers_status", "subscribers", ["status"])
    op.create_table(
        "suppressions",
        sa.Column("address_index", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("address_index", name="pk_suppressions"),
    )
    op.create_table(
        "subscribe_events",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("digest", sa.String(64)),
        sa.Column("at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_subscribe_events"),
        sa.UniqueConstraint("kind", "digest", name="uq_subscribe_events_kind_digest"),
    )
    op.create_index("ix_subscribe_events_kind_at", "subscribe_events", ["kind", "at"])


def downgrade() -> None:
    """Drop the subscriber tables."""
    op.drop_index("ix_subscribe_events_kind_at", table_name="subscribe_events")
    op.drop_table("subscribe_events")
    op.drop_table("suppressions")
    op.drop_index("ix_subscribers_status", table_name="subscribers")
    op.drop_table("subscribers")
