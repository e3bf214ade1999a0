"""Run states: a run is running, finished, failed or interrupted, and says so.

- `runs.state`: set to running when a run starts; finished when it ends;
  failed when it stopped on an error (with what it had done by then);
  interrupted when a signal stopped it, or when a later run finds it still
  "running" though no process holds it (it was killed). Runs made before it
  are finished when they have a finish time, else interrupted.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("runs", sa.Column("state", sa.String(length=20), nullable=True))
    op.execute("UPDATE runs SET state = CASE WHEN finished_at IS NULL THEN 'interrupted' ELSE 'finished' END")


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("state")
