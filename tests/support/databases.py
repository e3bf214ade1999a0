"""Test databases: a fresh PostgreSQL database made for a test (or a module's tests) and dropped after,
and copies of a database built once, so that tests which change it need not build it each."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


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


@contextmanager
def database_copy(template_url: str, folder: Path) -> Iterator[str]:
    """A copy of the database `template_url` names, for one test to change: a SQLite file copied into
    `folder` (its owner-only mode too), or a PostgreSQL database made from it as a template and dropped
    on leaving. Nothing may be connected to the template while it is copied."""
    from sqlalchemy.engine import make_url

    url = make_url(template_url)
    if url.get_backend_name() == "sqlite":
        assert url.database, template_url
        source = Path(url.database)
        assert not source.with_name(source.name + "-wal").exists(), "the template is still open"
        target = folder / source.name
        shutil.copy2(source, target)
        yield url.set(database=str(target)).render_as_string(hide_password=False)
        return
    import psycopg

    name = f"tracker_test_{uuid.uuid4().hex[:12]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def copy_folder(template: Path, folder: Path, *names: str) -> None:
    """Copy the named entries of a built world's folder (reports, site) into a test's own folder, refusing
    any file that names the template's folder (a copy must not lead back to it)."""
    marker = str(template).encode()
    for name in names:
        source = template / name
        if source.is_dir():
            shutil.copytree(source, folder / name, copy_function=shutil.copy2)
        elif source.exists():
            shutil.copy2(source, folder / name)
        for path in [folder / name, *(folder / name).rglob("*")]:
            if path.is_file() and marker in path.read_bytes():
                raise AssertionError(f"{path} names the template's folder {template}")
