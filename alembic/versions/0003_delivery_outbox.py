"""Delivery: the stored digest, an outbox of deliveries per channel, revisions told to the reader.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 21:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("digests", schema=None) as batch_op:
        # The digest as built, JSON: every file and message is rendered from it.
        batch_op.add_column(sa.Column("payload", sa.Text(), nullable=True))
    with op.batch_alter_table("status_changes", schema=None) as batch_op:
        # The digest that told the reader this reported change was revised.
        batch_op.add_column(sa.Column("revised_digest_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_status_changes_revised_digest", "digests", ["revised_digest_id"], ["id"])
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("message_id", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["digest_id"], ["digests.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("digest_id", "channel"),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deliveries_state"), ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deliveries_state"))
    op.drop_table("deliveries")
    with op.batch_alter_table("status_changes", schema=None) as batch_op:
        batch_op.drop_constraint("fk_status_changes_revised_digest", type_="foreignkey")
        batch_op.drop_column("revised_digest_id")
    with op.batch_alter_table("digests", schema=None) as batch_op:
        batch_op.drop_column("payload")
