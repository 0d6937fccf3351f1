"""Desk accounts: users, server-side sessions, API tokens, login failures and the audit log.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# Written out rather than imported from tables.py, so this revision stays what it was when it shipped.
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the desk account tables: users, sessions, API tokens, login failures, audit log."""
    op.create_table(
        "desk_users",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("totp_secret_enc", sa.LargeBinary, nullable=False),
        sa.Column("totp_last_step", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_desk_users"),
        sa.UniqueConstraint("username", name="uq_desk_users_username"),
    )
    op.create_table(
        "desk_sessions",
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("stage", sa.String(8), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("last_seen_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name="pk_desk_sessions"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["desk_users.id"], name="fk_desk_sessions_user_id_desk_users", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_desk_sessions_user_id", "desk_sessions", ["user_id"])
    op.create_index("ix_desk_sessions_expires_at", "desk_sessions", ["expires_at"])
    op.create_table(
        "desk_api_tokens",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("last_used_at", _TS),
        sa.PrimaryKeyConstraint("id", name="pk_desk_api_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_desk_api_tokens_token_hash"),
        sa.UniqueConstraint("user_id", "name", name="uq_desk_api_tokens_user_id_name"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["desk_users.id"], name="fk_desk_api_tokens_user_id_desk_users", ondelete="CASCADE"
        ),
    )
    op.create_table(
        "desk_login_failures",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("account_key", sa.String(64), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_desk_login_failures"),
    )
    op.create_index("ix_desk_login_failures_account_key_at", "desk_login_failures", ["account_key", "at"])
    op.create_index("ix_desk_login_failures_at", "desk_login_failures", ["at"])
    op.create_table(
        "desk_audit",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("username", sa.String(64)),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_desk_audit"),
    )
    op.create_index("ix_desk_audit_at", "desk_audit", ["at"])


def downgrade() -> None:
    """Drop the desk account tables."""
    op.drop_table("desk_audit")
    op.drop_table("desk_login_failures")
    op.drop_table("desk_api_tokens")
    op.drop_table("desk_sessions")
    op.drop_table("desk_users")
