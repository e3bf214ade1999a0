"""Test databases: a fresh PostgreSQL database made for a test (or a module's tests) and dropped after."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def fresh_postgres_database(base: str) -> Iterator[str]:
    """A new, empty database on the server `base` names, dropped on leaving (even if still connected)."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(base)
    name = f"tracker_test_{uuid.uuid4().hex[:12]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
