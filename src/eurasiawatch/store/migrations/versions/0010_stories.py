"""Stories: the clusterer's stories and memberships, and the editors' decisions.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Written out rather than imported from tables.py, so this revision stays what it was when it shipped.
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``stories``, ``story_articles`` and ``story_decisions``."""
    op.create_table(
        "stories",
        sa.Column("story_id", sa.String(32), nullable=False),
        sa.Column("title", sa.Text, nullable=False, server_default=""),
        sa.Column("first_day", sa.Date),
        sa.Column("last_day", sa.Date),
        sa.Column("articles", sa.Integer, nullable=False, server_default="0"),
        sa.Column("pinned", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("merged_into", sa.String(32)),
        sa.Column("updated_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("story_id", name="pk_stories"),
    )
    op.create_index("ix_stories_last_day", "stories", ["last_day"])
    op.create_table(
        "story_articles",
        sa.Column("article_id", sa.String(128), nullable=False),
        sa.Column("story_id", sa.String(32), nullable=False),
        sa.Column("by_editor", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("assigned_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("article_id", name="pk_story_articles"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.article_id"],
            name="fk_story_articles_article_id_articles",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_story_articles_story_id", "story_articles", ["story_id"])
    op.create_table(
        "story_decisions",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("story_id", sa.String(32), nullable=False),
        sa.Column("target_id", sa.String(32)),
        sa.Column("article_ids", sa.Text, nullable=False),
        sa.Column("decided_by", sa.Text),
        sa.Column("at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_story_decisions"),
    )
    op.create_index("ix_story_decisions_story_id", "story_decisions", ["story_id"])


def downgrade() -> None:
    """Drop the story tables."""
    op.drop_index("ix_story_decisions_story_id", table_name="story_decisions")
    op.drop_table("story_decisions")
    op.drop_index("ix_story_articles_story_id", table_name="story_articles")
    op.drop_table("story_articles")
    op.drop_index("ix_stories_last_day", table_name="stories")
    op.drop_table("stories")
