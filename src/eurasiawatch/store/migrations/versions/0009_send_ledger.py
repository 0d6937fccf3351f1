"""Sending: approved editions and their inline parts, the send ledger, the sender's lock.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# Written out rather than imported from tables.py, so this revision stays what it was when it shipped.
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``send_editions``, ``send_edition_parts``, ``send_ledger`` and ``send_locks``."""
    op.create_table(
        "send_editions",
        sa.Column("edition_id", sa.String(128), nullable=False),
        sa.Column("slot", _TS),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("email_html", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("approved_by", sa.Text),
        sa.Column("approved_at", _TS),
        sa.Column("started_at", _TS),
        sa.Column("finished_at", _TS),
        sa.PrimaryKeyConstraint("edition_id", name="pk_send_editions"),
    )
    op.create_index("ix_send_editions_slot", "send_editions", ["slot"])
    op.create_table(
        "send_edition_parts",
        sa.Column("edition_id", sa.String(128), nullable=False),
        sa.Column("cid", sa.String(255), nullable=False),
        sa.Column("mime", sa.String(100), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("edition_id", "cid", name="pk_send_edition_parts"),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["send_editions.edition_id"],
            name="fk_send_edition_parts_edition_id_send_editions",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "send_ledger",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("edition_id", sa.String(128), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("verp", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("detail", sa.Text),
        sa.Column("relay", sa.String(255)),
        sa.Column("next_attempt_at", _TS),
        sa.Column("updated_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_send_ledger"),
        sa.UniqueConstraint("verp", name="uq_send_ledger_verp"),
        sa.UniqueConstraint("edition_id", "token", name="uq_send_ledger_edition_token"),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["send_editions.edition_id"],
            name="fk_send_ledger_edition_id_send_editions",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_send_ledger_edition_id_state", "send_ledger", ["edition_id", "state"])
    op.create_table(
        "send_locks",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("holder", sa.String(128), nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_send_locks"),
    )


def downgrade() -> None:
    """Drop the sending tables."""
    op.drop_table("send_locks")
    op.drop_index("ix_send_ledger_edition_id_state", table_name="send_ledger")
    op.drop_table("send_ledger")
    op.drop_table("send_edition_parts")
    op.drop_index("ix_send_editions_slot", table_name="send_editions")
    op.drop_table("send_editions")
