"""Who has a mention (assignee and since when), internal notes on mentions, each person's time
zone, and indexes for the open counts every page shows and for a team's queue in order.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("assigned_at", sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_mentions_assignee_id_users"),
            "users",
            ["assignee_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index("ix_mentions_assignee", ["assignee_id", "status"])
        batch_op.create_index("ix_mentions_open", ["status", "team", "needs_review"])
        batch_op.create_index("ix_mentions_lane", ["team", "published_at", "id"])
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mention_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("mentioned", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mention_id"],
            ["mentions.id"],
            name=op.f("fk_notes_mention_id_mentions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notes_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
    )
    op.create_index("ix_notes_mention_id", "notes", ["mention_id", "id"])


def downgrade() -> None:
    op.drop_table("notes")
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.drop_index("ix_mentions_lane")
        batch_op.drop_index("ix_mentions_open")
        batch_op.drop_index("ix_mentions_assignee")
        batch_op.drop_constraint("fk_mentions_assignee_id_users", type_="foreignkey")
        batch_op.drop_column("assigned_at")
        batch_op.drop_column("assignee_id")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("timezone")
