"""Annotations: per-article annotation rows, mentions, themes and events.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Written out rather than imported from tables.py, so this revision stays what it was when it shipped.
_TS = sa.DateTime(timezone=True)
_ARTICLE = sa.String(128)


def upgrade() -> None:
    """Create ``annotations``, ``mentions``, ``article_themes`` and ``events``."""
    op.create_table(
        "annotations",
        sa.Column("article_id", _ARTICLE, nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("china_related", sa.Boolean, nullable=False),
        sa.Column("countries", sa.Text, nullable=False),
        sa.Column("themes", sa.Text, nullable=False),
        sa.Column("kb_version", sa.String(64), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("annotated_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("article_id", name="pk_annotations"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.article_id"],
            name="fk_annotations_article_id_articles",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_annotations_kb_version", "annotations", ["kb_version"])
    op.create_table(
        "mentions",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("article_id", _ARTICLE, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("start_offset", sa.Integer, nullable=False),
        sa.Column("end_offset", sa.Integer, nullable=False),
        sa.Column("wikidata", sa.String(32)),
        sa.Column("country", sa.String(8)),
        sa.Column("entity_type", sa.String(32)),
        sa.PrimaryKeyConstraint("id", name="pk_mentions"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["annotations.article_id"],
            name="fk_mentions_article_id_annotations",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_mentions_article_id", "mentions", ["article_id"])
    op.create_index("ix_mentions_kind_key", "mentions", ["kind", "key"])
    op.create_table(
        "article_themes",
        sa.Column("article_id", _ARTICLE, nullable=False),
        sa.Column("theme", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("article_id", "theme", name="pk_article_themes"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["annotations.article_id"],
            name="fk_article_themes_article_id_annotations",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_article_themes_theme", "article_themes", ["theme"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("article_id", _ARTICLE, nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("date", sa.String(10)),
        sa.Column("end_date", sa.String(10)),
        sa.Column("upcoming", sa.Boolean, nullable=False),
        sa.Column("actors", sa.Text, nullable=False),
        sa.Column("location", sa.Text),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["annotations.article_id"],
            name="fk_events_article_id_annotations",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_events_article_id", "events", ["article_id"])
    op.create_index("ix_events_type", "events", ["type"])
    op.create_index("ix_events_date", "events", ["date"])


def downgrade() -> None:
    """Drop the annotation tables."""
    op.drop_table("events")
    op.drop_table("article_themes")
    op.drop_table("mentions")
    op.drop_table("annotations")
