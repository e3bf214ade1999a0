"""Sources as data (feeds and folders with their fetch state) and article versions.

Sources gain what a feed reader keeps per subscription: kind, the current URL
after a permanent redirect, ETag and Last-Modified, the last fetch and its HTTP
status, the next fetch, whether it is enabled, official, from the configuration.
Articles gain a GUID and a link to the version they update; a URL is no longer
unique, since an updated story keeps its URL.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# SQLite names no constraint of 0001; these names let batch mode find them.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _source_columns() -> list[sa.Column]:
    return [
        sa.Column("kind", sa.String(length=20), nullable=False, server_default="outlet"),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("official", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("from_config", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("full_text", sa.Boolean(), nullable=True),
        sa.Column("etag", sa.String(length=1000), nullable=True),
        sa.Column("last_modified", sa.String(length=200), nullable=True),
        sa.Column("last_fetch_at", sa.DateTime(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("next_fetch_at", sa.DateTime(), nullable=True),
        sa.Column("failing_since", sa.DateTime(), nullable=True),
    ]


def _url_unique_name() -> str:
    return "uq_articles_url" if op.get_bind().dialect.name == "sqlite" else "articles_url_key"


def upgrade() -> None:
    # Plain ADD COLUMN: SQLite needs no copy of the table for it.
    for column in _source_columns():
        op.add_column("sources", column)
    # Dropping a constraint copies the table on SQLite (the store turns foreign keys off meanwhile).
    with op.batch_alter_table("articles", naming_convention=NAMING) as batch_op:
        batch_op.drop_constraint(_url_unique_name(), type_="unique")
        batch_op.create_index("ix_articles_url", ["url"], unique=False)
        batch_op.add_column(sa.Column("guid", sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column("previous_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_articles_guid", ["guid"], unique=False)
        batch_op.create_foreign_key("fk_articles_previous_id_articles", "articles", ["previous_id"], ["id"])


def downgrade() -> None:
    # 0001 allows one article per URL: later versions keep their rows under a URL of their own.
    op.execute(
        "UPDATE articles SET url = url || '#version-' || id"
        " WHERE id NOT IN (SELECT first_id FROM (SELECT MIN(id) AS first_id FROM articles GROUP BY url) AS firsts)"
    )
    with op.batch_alter_table("articles", naming_convention=NAMING) as batch_op:
        batch_op.drop_constraint("fk_articles_previous_id_articles", type_="foreignkey")
        batch_op.drop_index("ix_articles_guid")
        batch_op.drop_column("previous_id")
        batch_op.drop_column("guid")
        batch_op.drop_index("ix_articles_url")
        batch_op.create_unique_constraint(_url_unique_name(), ["url"])
    with op.batch_alter_table("sources") as batch_op:
        for column in reversed(_source_columns()):
            batch_op.drop_column(column.name)
