"""Source health and scheduling (moved, failing since, adaptive interval), WebSub subscriptions,
and an index that lets a refetch find what its source delivered before.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("moved_to", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("failing_since", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("poll_interval", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("last_full_fetch_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("push_until", sa.DateTime(), nullable=True))
    with op.batch_alter_table("sightings", schema=None) as batch_op:
        batch_op.create_index("ix_sightings_sighting_key", ["sighting_key"], unique=False)
    op.create_table(
        "websub_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("hub_url", sa.Text(), nullable=False),
        sa.Column("topic_url", sa.Text(), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("lease_seconds", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("verified_at", sa.DateTime(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("last_push_at", sa.DateTime(), nullable=True),
        sa.Column("pushes", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_websub_subscriptions_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_websub_subscriptions")),
        sa.UniqueConstraint("source_id", name=op.f("uq_websub_subscriptions_source_id")),
    )


def downgrade() -> None:
    op.drop_table("websub_subscriptions")
    with op.batch_alter_table("sightings", schema=None) as batch_op:
        batch_op.drop_index("ix_sightings_sighting_key")
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("push_until")
        batch_op.drop_column("last_full_fetch_at")
        batch_op.drop_column("poll_interval")
        batch_op.drop_column("failing_since")
        batch_op.drop_column("moved_to")
