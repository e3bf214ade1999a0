"""One run at a time: a lock per database, held by the operating system or the server.

A SQLite database is locked through a lock file beside it (`tracker.db.lock`,
an exclusive `flock`); PostgreSQL through a session advisory lock. Both are
released by the kernel or the server the moment their holder exits or dies, so
a crashed run never leaves a stale lock behind and no takeover timeout is
needed. The holder writes who it is (command, pid, host, start time) where a
waiting run can read it: into the lock file, or as the connection's
`application_name`.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from tracker.private import make_dirs, open_private


def advisory_key(name: str) -> int:
    """The PostgreSQL advisory lock key of the tracker's lock called `name`: the run lock, the
    schema's migration, a section of the store: one scheme for all of them, a key per name.

    Below 2**31: such a key shows in pg_locks as objid with classid 0 (see `_holder`).
    """
    return int.from_bytes(hashlib.sha256(f"tracker:{name}".encode()).digest()[:4], "big") & 0x7FFFFFFF


ADVISORY_KEY = advisory_key("run")
POLL_SECONDS = 0.2


class LockBusy(Exception):
    """Another run holds the lock; the message says who and since when."""


def _owner(command: str) -> str:
    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"tracker {command} pid {os.getpid()} on {socket.gethostname()} since {started}"


def sqlite_path(database_url: str) -> Path | None:
    try:
        url = make_url(database_url)
    except ArgumentError:
        return None
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


@contextmanager
def run_lock(database_url: str, command: str, wait: float, shared: bool = False) -> Iterator[None]:
    """Hold the database's run lock for the block; raise LockBusy after `wait` seconds.

    `shared` (PostgreSQL only): held by any number of workers at once, which
    divide the day's sources between them, while a plain run waits for all of them.
    """
    path = sqlite_path(database_url)
    try:
        backend = make_url(database_url).get_backend_name()
    except ArgumentError:
        backend = ""
    if path is not None:
        with _file_lock(path.with_name(path.name + ".lock"), command, wait):
            yield
    elif backend == "postgresql":
        with _advisory_lock(database_url, command, wait, shared):
            yield
    else:
        # An in-memory database belongs to one process; nothing to share.
        yield


@contextmanager
def _file_lock(lock_path: Path, command: str, wait: float) -> Iterator[None]:
    make_dirs(lock_path.parent)
    fd = open_private(lock_path, os.O_RDWR | os.O_CREAT)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = lock_path.read_text(encoding="utf-8", errors="replace").strip() or "another process"
                    raise LockBusy(f"{holder} holds {lock_path}") from None
                time.sleep(POLL_SECONDS)
        os.ftruncate(fd, 0)
        os.pwrite(fd, (_owner(command) + "\n").encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _holder(connection: Connection) -> str:
    row = connection.execute(
        text(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = :key"
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ),
        {"key": ADVISORY_KEY},
    ).first()
    return (row[0] if row and row[0] else "") or "another process"


@contextmanager
def _advisory_lock(database_url: str, command: str, wait: float, shared: bool = False) -> Iterator[None]:
    take, release = (
        ("pg_try_advisory_lock_shared", "pg_advisory_unlock_shared")
        if shared
        else ("pg_try_advisory_lock", "pg_advisory_unlock")
    )
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT set_config('application_name', :name, false)"), {"name": _owner(command)})
            connection.commit()
            deadline = time.monotonic() + wait
            while not connection.execute(text(f"SELECT {take}(:key)"), {"key": ADVISORY_KEY}).scalar():
                connection.commit()
                if time.monotonic() >= deadline:
                    raise LockBusy(f"{_holder(connection)} holds the database's run lock")
                time.sleep(POLL_SECONDS)
            connection.commit()
            try:
                yield
            finally:
                # The lock ends with its session, which closes just below: a server gone away has
                # released it already, and its error must not bury the run's own one line.
                with contextlib.suppress(SQLAlchemyError):
                    connection.execute(text(f"SELECT {release}(:key)"), {"key": ADVISORY_KEY})
                    connection.commit()
    finally:
        engine.dispose()
