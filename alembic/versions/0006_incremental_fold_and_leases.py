"""Incremental fold and shared work: each change keeps the level after it,
each article its place in the fold, each followed source a lease.

- `status_changes.level`: the status later statements are compared against
  after this change (an unsure change is shown but keeps the level before
  it). With it, a day's fold starts from a commitment's last change instead
  of from its first statement. Rows made before it are NULL: the fold reads
  such a commitment from its start once, which fills them in.
- `articles.fold_order`: an article's place among the articles of its day
  (its text's hash; an update right after the version it updates), computed
  once when it is stored instead of over every article at every fold.
- `sources.lease_owner` / `lease_until` / `done_for`: a worker's claim on a
  source while it fetches and ingests it, and the day it last finished it.
- `runs.folded_at`: when what the run stored was folded. A run killed before
  its fold leaves it NULL, and the next run folds what it stored. Runs made
  before it were folded whole by the tracker of their day.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("status_changes", sa.Column("level", sa.String(length=40), nullable=True))
    op.add_column("articles", sa.Column("fold_order", sa.String(length=80), nullable=True))
    op.add_column("sources", sa.Column("lease_owner", sa.String(length=200), nullable=True))
    op.add_column("sources", sa.Column("lease_until", sa.DateTime(), nullable=True))
    op.add_column("sources", sa.Column("done_for", sa.Date(), nullable=True))
    op.add_column("runs", sa.Column("folded_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE runs SET folded_at = COALESCE(finished_at, started_at)")
    op.create_index("ix_articles_run_id", "articles", ["run_id"])
    op.create_index("ix_status_changes_commitment_date", "status_changes", ["commitment_id", "date"])
    op.create_index("ix_statements_article_id", "statements", ["article_id"])
    op.create_index("ix_status_changes_statement_id", "status_changes", ["statement_id"])
    _fill_fold_order()


def _fill_fold_order() -> None:
    """Each stored article's order: its first version's hash, then its depth (as the fold computed it)."""
    connection = op.get_bind()
    articles = sa.table(
        "articles",
        sa.column("id", sa.Integer),
        sa.column("previous_id", sa.Integer),
        sa.column("content_hash", sa.String),
        sa.column("fold_order", sa.String),
    )
    rows = {
        aid: (previous, digest)
        for aid, previous, digest in connection.execute(
            sa.select(articles.c.id, articles.c.previous_id, articles.c.content_hash)
        )
    }
    updates = []
    for aid in rows:
        depth, current, seen = 0, aid, {aid}
        while (previous := rows[current][0]) is not None and previous in rows and previous not in seen:
            seen.add(previous)
            current, depth = previous, depth + 1
        order = rows[current][1] if depth == 0 else f"{rows[current][1]}~{depth:06d}"
        updates.append({"aid": aid, "order": order})
    if updates:
        connection.execute(
            articles.update().where(articles.c.id == sa.bindparam("aid")).values(fold_order=sa.bindparam("order")),
            updates,
        )


def downgrade() -> None:
    op.drop_index("ix_articles_run_id", table_name="articles")
    with op.batch_alter_table("runs") as batch_op:
        batch_op.drop_column("folded_at")
    op.drop_index("ix_status_changes_statement_id", table_name="status_changes")
    op.drop_index("ix_statements_article_id", table_name="statements")
    op.drop_index("ix_status_changes_commitment_date", table_name="status_changes")
    with op.batch_alter_table("sources") as batch_op:
        batch_op.drop_column("done_for")
        batch_op.drop_column("lease_until")
        batch_op.drop_column("lease_owner")
    with op.batch_alter_table("articles") as batch_op:
        batch_op.drop_column("fold_order")
    with op.batch_alter_table("status_changes") as batch_op:
        batch_op.drop_column("level")
