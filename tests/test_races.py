"""Races: 2 and 3 `tracker run` processes started together on one database, 20 rounds each,
on a SQLite file and on PostgreSQL.

The run lock lets one run do the day's work. In odd rounds the others wait
for it (and then find nothing new: exit 0, "No status changed"); in even
rounds they do not wait (exit 75 with one line naming the holder). Either way
no traceback, and the database, the report files and the mail received equal
one uninterrupted run's, with nothing twice.

Every round starts from an empty database made from a copy of one with the
schema (a file copy; PostgreSQL's CREATE DATABASE … TEMPLATE), so a round
costs little more than its runs. `TRACKER_TEST_RACES=N` changes the rounds.
"""

from __future__ import annotations

import collections
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import record_count
from pytest_httpserver import HTTPServer

from tests.support.smtp_server import Handler, start
from tests.support.world import (
    DAY_1,
    EndState,
    Setup,
    end_state,
    make_folder,
    message_content,
    report_files,
    serve_feeds,
)
from tracker.config import Config
from tracker.pipeline import Context

pytestmark = pytest.mark.system

ROUNDS = int(os.environ.get("TRACKER_TEST_RACES", "20"))
BUSY = 75


@dataclass
class World:
    base: Path
    folder: Path
    feeds: tuple[str, str]
    smtp: Handler
    smtp_port: int

    def setup(self, name: str) -> Setup:
        return Setup(self.folder, self.feeds, self.smtp_port, f"{name}@example.org")

    def messages(self, name: str) -> list:
        return [message_content(m) for m in self.smtp.received if m["To"] == f"{name}@example.org"]


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    # Not under pytest's basetemp: other pytest sessions of this user prune old ones while this runs.
    base = Path(tempfile.mkdtemp(prefix="tracker-races-"))
    handler = Handler()
    controller = start(handler)
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    try:
        yield World(base, make_folder(base / "articles"), serve_feeds(server), handler, controller.port)
    finally:
        server.clear()
        server.stop()
        controller.stop()
        shutil.rmtree(base, ignore_errors=True)


class Databases:
    """Empty databases of one kind, each a copy of one with the schema."""

    def __init__(self, kind: str, base: Path, postgres_base: str | None) -> None:
        self.kind, self.base, self.postgres_base = kind, base, postgres_base
        self.made: list[str] = []
        self.template = self._empty("template")
        Context.open(Config(database_url=self.template, use_seeds=False, reports_dir=base / "unused")).close()

    def _empty(self, name: str) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{self.base / f'{name}.db'}"
        import psycopg
        from sqlalchemy.engine import make_url

        assert self.postgres_base is not None
        url = make_url(self.postgres_base)
        database = f"tracker_race_{uuid.uuid4().hex[:10]}"
        admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(admin, autocommit=True) as conn:
            template = f' TEMPLATE "{make_url(self.template).database}"' if name != "template" else ""
            conn.execute(f'CREATE DATABASE "{database}"{template}')
        self.made.append(database)
        return url.set(database=database).render_as_string(hide_password=False)

    def fresh(self, name: str) -> str:
        if self.kind == "sqlite":
            target = self.base / f"{name}.db"
            shutil.copy(self.base / "template.db", target)
            return f"sqlite:///{target}"
        return self._empty(name)

    def drop_all(self) -> None:
        if self.kind != "postgresql":
            return
        import psycopg
        from sqlalchemy.engine import make_url

        assert self.postgres_base is not None
        admin = make_url(self.postgres_base).set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(admin, autocommit=True) as conn:
            for database in self.made:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def databases(request: pytest.FixtureRequest) -> Iterator[Databases]:
    postgres = None
    if request.param == "postgresql":
        postgres = os.environ.get("TRACKER_TEST_POSTGRES_URL")
        if not postgres:
            pytest.skip("TRACKER_TEST_POSTGRES_URL is not set")
    made = Databases(request.param, Path(tempfile.mkdtemp(prefix=f"tracker-races-{request.param}-")), postgres)
    try:
        yield made
    finally:
        made.drop_all()
        shutil.rmtree(made.base, ignore_errors=True)


@dataclass(frozen=True)
class Reference:
    state: EndState
    files: dict[str, str]
    messages: list


@pytest.fixture(scope="module")
def reference(world: World, databases: Databases) -> Reference:
    """One run alone, on an empty database of the same kind."""
    where = databases.base / "alone"
    url = databases.fresh("alone")
    done = _run(world.setup(f"alone-{databases.kind}").config(where, url, 1), wait=True)
    assert done.wait(timeout=300) == 0
    messages = world.messages(f"alone-{databases.kind}")
    assert len(messages) == 1
    return Reference(end_state(url), report_files(where / "reports"), messages)


def _run(config: Path, wait: bool) -> subprocess.Popen[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    environment["TRACKER_LOCK_WAIT"] = "120" if wait else "0"
    return subprocess.Popen(
        [sys.executable, "-m", "tracker", "--config", str(config), "run", "--as-of", DAY_1.isoformat()],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("processes", [2, 3])
def test_runs_started_together_end_as_one_run(
    world: World, databases: Databases, reference: Reference, processes: int
) -> None:
    outcomes: collections.Counter[str] = collections.Counter()
    problems: list[str] = []
    for number in range(ROUNDS):
        name = f"{databases.kind}-{processes}-{number}"
        where = databases.base / name
        url = databases.fresh(name)
        config = world.setup(name).config(where, url, 1)
        wait = number % 2 == 1
        started = [_run(config, wait) for _ in range(processes)]
        results = [(p.wait(timeout=300), *p.communicate()) for p in started]
        record_count("race rounds")
        worked = 0
        for code, out, err in results:
            if "Traceback" in err:
                problems.append(f"{name}: traceback: {err[-1500:]}")
            if code == 0 and "Digest written" in out:
                worked += 1
                outcomes["did the work"] += 1
            elif code == 0 and "No status changed" in out:
                outcomes["waited, found nothing new"] += 1
            elif code == BUSY and len(err.strip().splitlines()) == 1 and "another run is in progress" in err:
                outcomes["busy, one line"] += 1
            else:
                problems.append(f"{name}: exit {code}: {out[-500:]} {err[-500:]}")
            if wait and code == BUSY:
                problems.append(f"{name}: gave up although told to wait: {err}")
        if worked != 1:
            problems.append(f"{name}: {worked} runs did the work")
        state = end_state(url)
        if state.duplicates():
            problems.append(f"{name}: duplicates {state.duplicates()}")
        for table in ("articles", "statements", "changes", "digests", "deliveries"):
            if getattr(state, table) != getattr(reference.state, table):
                problems.append(f"{name}: {table} differ from one run's")
        if report_files(where / "reports") != reference.files:
            problems.append(f"{name}: report files differ from one run's")
        if world.messages(name) != reference.messages:
            problems.append(f"{name}: {len(world.messages(name))} messages received, 1 expected")
        shutil.rmtree(where, ignore_errors=True)
    print(f"race rounds: {ROUNDS} of {processes} runs on {databases.kind}: {dict(outcomes)}")
    assert not problems, "\n".join(problems[:20])
