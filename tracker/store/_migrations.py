"""The schema: migrating the database and asking what state it is in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from tracker.resources import bundled_dir
from tracker.runlock import advisory_key
from tracker.store._base import StoreBase, _sqlite_autocommit_driver

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

# The newest migration in alembic/versions (a test checks the two agree): read
# here so that opening a database does not load Alembic and its scripts.
SCHEMA_HEAD = "0008"


def alembic_config(database_url: str) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(bundled_dir("alembic")))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


class SchemaMixin(StoreBase):
    def upgrade(self, revision: str = "head") -> None:
        """Upgrade to `revision`, by default the newest (the migrations form one line)."""
        from alembic import command

        config = alembic_config(self.database_url)
        with self._migration_engine() as engine, engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                # Two first runs at once: the second waits here, then finds the schema made.
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": advisory_key("schema")})
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

    def downgrade(self, revision: str) -> None:
        from alembic import command

        config = alembic_config(self.database_url)
        with self._migration_engine() as engine, engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, revision)

    @contextmanager
    def _migration_engine(self) -> Iterator[Engine]:
        """The engine migrations run on: on SQLite, one whose DDL is transactional.

        Python's sqlite3 commits before each CREATE TABLE unless it is told to
        leave transactions alone; then a run killed halfway through creating
        the schema leaves no half-made database behind. Its connections leave
        foreign keys off (no pragma listener): SQLite changes a table's
        constraints by copying it into a new one and dropping the old, which
        enforced foreign keys forbid while other tables' rows point at it.
        """
        if self.engine.dialect.name != "sqlite":
            yield self.engine
            return
        engine = create_engine(self.database_url, poolclass=NullPool)
        event.listen(engine, "connect", _sqlite_autocommit_driver)
        event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN IMMEDIATE"))
        try:
            yield engine
        finally:
            engine.dispose()

    def is_empty(self) -> bool:
        """No tables of the tracker's; Alembic's own bookkeeping table does not count.

        A database downgraded to "base" keeps an empty `alembic_version` table:
        it holds no data and is as empty as a new one.
        """
        # Neither does the scheduler's job table, which APScheduler makes itself.
        return not (set(inspect(self.engine).get_table_names()) - {"alembic_version", "apscheduler_jobs"})

    def ensure_schema(self) -> None:
        """Upgrade an empty database; leave a populated one to `tracker init`."""
        if self.is_empty():
            self.upgrade()

    def schema_revision(self) -> str | None:
        """The migration the database is at (None: none recorded)."""
        with self.engine.connect() as connection:
            try:
                found = sorted(connection.scalars(text("SELECT version_num FROM alembic_version")))
            except DBAPIError:
                return None
        return found[-1] if found else None

    def schema_is_newer(self) -> bool:
        """At a migration this tracker does not know: made by a newer tracker (it must not be "upgraded")."""
        revision = self.schema_revision()
        if revision is None:
            return False
        return not revision.isdigit() or int(revision) > int(SCHEMA_HEAD)

    def integrity_problem(self) -> str | None:
        """SQLite's own check of its pages: the first problem it finds, or None (other databases: None)."""
        if self.engine.dialect.name != "sqlite":
            return None
        with self.engine.connect() as connection:
            try:
                rows = [str(r) for r in connection.scalars(text("PRAGMA quick_check(1)"))]
            except DBAPIError as exc:
                return (str(exc.orig).splitlines() or ["unreadable"])[0]
        if rows == ["ok"]:
            return None
        # SQLite may put its finding on two lines ("*** in database main ***", then the page): one line here.
        return " ".join(part.strip() for part in rows[0].splitlines() if part.strip()) if rows else "no answer"

    def schema_is_current(self) -> bool:
        """The database is at the newest migration (a populated older one needs `tracker init`)."""
        with self.engine.connect() as connection:
            try:
                current = set(connection.scalars(text("SELECT version_num FROM alembic_version")))
            except DBAPIError:
                return False
        return current == {SCHEMA_HEAD}
