"""Commitments keyed by relationship and id: several catalogues in one database.

A commitment's id is unique within its relationship only (India–China and
Australia–China may both track `visas`), so `commitments` takes the primary key
(relationship_id, id), and statements, status changes and reviews carry the
relationship beside the commitment id with a foreign key on the pair. Rows made
before it take their commitment's relationship (every commitment already had one).

Constraints of 0001 have no names on SQLite: the naming convention gives the
reflected ones names that batch mode can drop; PostgreSQL's are read from the
database. The new constraints are named (`tracker/schema.py` names them alike).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

NAMING = {
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}
# The tables that name a commitment, and the unique constraint each keys on it (None: none).
TABLES = {
    "statements": ("uq_statements_article_commitment_sentence", ["article_id", "commitment_id", "sentence_index"]),
    "status_changes": (
        "uq_status_changes_commitment_change",
        ["commitment_id", "date", "from_status", "to_status", "statement_id"],
    ),
    "reviews": (None, []),
}


def _named(table: str, kind: str, columns: list[str], referred: str | None = None) -> str:
    """The name a constraint of 0001–0007 has: the database's own, else (SQLite) the convention's."""
    inspector = sa.inspect(op.get_bind())
    if kind == "fk":
        for fk in inspector.get_foreign_keys(table):
            if fk["constrained_columns"] == columns and fk["referred_table"] == referred and fk.get("name"):
                return str(fk["name"])
        return f"fk_{table}_{columns[0]}_{referred}"
    if kind == "uq":
        for uq in inspector.get_unique_constraints(table):
            if uq["column_names"] == columns and uq.get("name"):
                return str(uq["name"])
        return f"uq_{table}_{columns[0]}"
    name = inspector.get_pk_constraint(table).get("name")
    return str(name) if name else f"pk_{table}"


def upgrade() -> None:
    old_fks = {table: _named(table, "fk", ["commitment_id"], "commitments") for table in TABLES}
    old_uqs = {table: _named(table, "uq", columns) for table, (name, columns) in TABLES.items() if name}
    old_pk = _named("commitments", "pk", ["id"])
    for table in TABLES:
        with op.batch_alter_table(table, naming_convention=NAMING) as batch:
            batch.drop_constraint(old_fks[table], type_="foreignkey")
            batch.add_column(sa.Column("relationship_id", sa.String(length=20), nullable=True))
    with op.batch_alter_table("commitments", naming_convention=NAMING) as batch:
        batch.drop_constraint(old_pk, type_="primary")
        batch.create_primary_key("pk_commitments", ["relationship_id", "id"])
    for table in TABLES:
        op.execute(
            f"UPDATE {table} SET relationship_id = (SELECT c.relationship_id FROM commitments c"
            f" WHERE c.id = {table}.commitment_id)"
        )
    op.drop_index("ix_status_changes_commitment_date", table_name="status_changes")
    for table, (name, columns) in TABLES.items():
        with op.batch_alter_table(table, naming_convention=NAMING) as batch:
            batch.alter_column("relationship_id", existing_type=sa.String(length=20), nullable=False)
            if name:
                batch.drop_constraint(old_uqs[table], type_="unique")
                at = columns.index("commitment_id")
                batch.create_unique_constraint(name, [*columns[:at], "relationship_id", *columns[at:]])
            batch.create_foreign_key(
                f"fk_{table}_commitment", "commitments", ["relationship_id", "commitment_id"], ["relationship_id", "id"]
            )
    op.create_index("ix_status_changes_commitment_date", "status_changes", ["relationship_id", "commitment_id", "date"])


def downgrade() -> None:
    # Only a database of one relationship goes back: two commitments of one id would clash.
    op.drop_index("ix_status_changes_commitment_date", table_name="status_changes")
    for table, (name, columns) in TABLES.items():
        with op.batch_alter_table(table, naming_convention=NAMING) as batch:
            batch.drop_constraint(f"fk_{table}_commitment", type_="foreignkey")
            if name:
                batch.drop_constraint(name, type_="unique")
                batch.create_unique_constraint(f"uq_{table}_{columns[0]}", columns)
            batch.drop_column("relationship_id")
    with op.batch_alter_table("commitments", naming_convention=NAMING) as batch:
        batch.drop_constraint(_named("commitments", "pk", ["relationship_id", "id"]), type_="primary")
        batch.create_primary_key("pk_commitments", ["id"])
    for table in TABLES:
        with op.batch_alter_table(table, naming_convention=NAMING) as batch:
            batch.create_foreign_key(f"fk_{table}_commitment_id_commitments", "commitments", ["commitment_id"], ["id"])
    op.create_index("ix_status_changes_commitment_date", "status_changes", ["commitment_id", "date"])
