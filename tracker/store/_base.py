"""What every part of the store shares: one engine, short sessions, and the sections one process holds at a time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from tracker.private import touch_private
from tracker.runlock import advisory_key


def _sqlite_autocommit_driver(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # The driver emits no BEGIN or COMMIT of its own; SQLAlchemy's "begin" event does.
    dbapi_connection.isolation_level = None


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class StoreBase:
    """The engine and the short sessions every part of the store works through."""

    def __init__(self, database_url: str, create: bool = True) -> None:
        """`create` False: a SQLite file that does not exist is not made (the store is empty)."""
        self.database_url = database_url
        engine_url = database_url
        if database_url.startswith("sqlite:///") and not database_url.startswith("sqlite:///:memory:"):
            path = Path(database_url.removeprefix("sqlite:///").split("?", 1)[0])
            if create:
                # Made here, owner-only, before SQLite opens it (its journal and WAL files take its mode).
                touch_private(path)
            elif not path.exists():
                # Read-only: SQLite would create the file on connecting; a memory database stands in.
                engine_url = "sqlite://"
        self.engine: Engine = create_engine(engine_url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def exclusive(self, section: str) -> Iterator[None]:
        """One process at a time in `section` (the fold, the digest); on SQLite the run lock already is that.

        A PostgreSQL session advisory lock on a connection of its own, which
        the server releases should the holder die.
        """
        if self.engine.dialect.name != "postgresql":
            yield
            return
        key = advisory_key(section)
        with self.engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()
