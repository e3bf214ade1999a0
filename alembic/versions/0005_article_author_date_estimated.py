"""Articles gain their author and whether their date was estimated.

An entry or file may name its author; an article without a date of its own
(dated from its feed, the day it was fetched or its file's modification time)
is marked so, and says so in `tracker history --json`.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN on both databases: SQLite needs no copy of the table for it.
    op.add_column("articles", sa.Column("author", sa.String(length=300), nullable=True))
    op.add_column("articles", sa.Column("date_estimated", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch_op:
        batch_op.drop_column("date_estimated")
        batch_op.drop_column("author")
