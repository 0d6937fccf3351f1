"""Editors' suggestions for the knowledge base, and which alias matched where an entity was removed.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# Written out rather than imported from tables.py, so this revision stays what it was when it shipped.
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``kb_suggestions`` and ``kb_alias_removals``."""
    op.create_table(
        "kb_suggestions",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.String(128), nullable=False),
        sa.Column("alias", sa.Text, nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("name", sa.Text),
        sa.Column("entity_type", sa.String(32)),
        sa.Column("country", sa.String(8)),
        sa.Column("article_ids", sa.Text, nullable=False),
        sa.Column("proposed_by", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(64)),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("decided_at", _TS),
        sa.PrimaryKeyConstraint("id", name="pk_kb_suggestions"),
    )
    op.create_index("ix_kb_suggestions_status", "kb_suggestions", ["status"])
    op.create_index("ix_kb_suggestions_kind_actor_id", "kb_suggestions", ["kind", "actor_id"])
    op.create_table(
        "kb_alias_removals",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("actor_id", sa.String(128), nullable=False),
        sa.Column("alias", sa.Text, nullable=False),
        sa.Column("article_id", sa.String(128), nullable=False),
        sa.Column("editor", sa.String(64)),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_kb_alias_removals"),
    )
    op.create_index("ix_kb_alias_removals_actor_id", "kb_alias_removals", ["actor_id"])


def downgrade() -> None:
    """Drop both tables."""
    op.drop_index("ix_kb_alias_removals_actor_id", table_name="kb_alias_removals")
    op.drop_table("kb_alias_removals")
    op.drop_index("ix_kb_suggestions_kind_actor_id", table_name="kb_suggestions")
    op.drop_index("ix_kb_suggestions_status", table_name="kb_suggestions")
    op.drop_table("kb_suggestions")
