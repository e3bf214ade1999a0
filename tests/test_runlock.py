"""One run at a time: real `tracker run` processes started together on one database."""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from tracker.runlock import LockBusy, run_lock
from tracker.schema import Digest

# Rounds of simultaneous runs per database; raise it to measure (the issue asks for 20).
ROUNDS = int(os.environ.get("TRACKER_TEST_RACE_ROUNDS", "3"))


def _tracker(database_url: str, reports: Path, *args: str, lock_wait: str = "60") -> subprocess.Popen[str]:
    env = os.environ | {
        "TRACKER_DATABASE_URL": database_url,
        "TRACKER_REPORTS_DIR": str(reports),
        "TRACKER_LOCK_WAIT": lock_wait,
    }
    env.pop("TRACKER_CONFIG", None)
    return subprocess.Popen(
        [sys.executable, "-m", "tracker", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _digests(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(Digest)) or 0
    finally:
        engine.dispose()


@pytest.mark.system
@pytest.mark.parametrize("processes", [2, 3])
def test_simultaneous_runs_make_one_digest(database_url: str, tmp_path: Path, processes: int) -> None:
    outcomes: collections.Counter[str] = collections.Counter()
    extra: list[str] = []
    try:
        _rounds(database_url, tmp_path, processes, outcomes, extra)
    finally:
        for url in extra:
            _drop(url)
    print(f"{processes} runs at once, {ROUNDS} rounds: {dict(outcomes)}")


def _rounds(
    database_url: str, tmp_path: Path, processes: int, outcomes: collections.Counter[str], extra: list[str]
) -> None:
    for round_number in range(ROUNDS):
        url = database_url if round_number == 0 else _fresh(database_url, tmp_path, round_number)
        if url.startswith("postgresql") and url != database_url:
            extra.append(url)
        reports = tmp_path / f"reports-{round_number}"
        started = [_tracker(url, reports, "run", "--as-of", "2025-12-01") for _ in range(processes)]
        results = [(p.wait(timeout=300), *p.communicate()) for p in started]
        for code, out, err in results:
            assert "Traceback" not in err, err
            assert code in (0, 75), err
            outcomes["digest" if "Digest written" in out else "nothing new" if code == 0 else "busy"] += 1
        assert sum("Digest written" in out for _, out, _ in results) == 1
        assert _digests(url) == 1
        assert sorted(p.name for p in reports.iterdir() if p.is_file()) == [
            "2025-12-01.html",
            "2025-12-01.json",
            "2025-12-01.md",
            "changes.atom",
        ]


def _drop(database_url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


def _fresh(database_url: str, tmp_path: Path, round_number: int) -> str:
    """Another empty database of the same kind for the next round."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / f'round-{round_number}.db'}"
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    name = f"{url.database}_r{round_number}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def test_a_busy_database_is_one_line_and_a_distinct_status(database_url: str, tmp_path: Path) -> None:
    with run_lock(database_url, "test", wait=0):
        busy = _tracker(database_url, tmp_path / "reports", "run", lock_wait="0.3")
        code = busy.wait(timeout=120)
        _out, err = busy.communicate()
    assert code == 75
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "another run is in progress" in lines[0] and f"pid {os.getpid()}" in lines[0]
    assert not (tmp_path / "reports").exists()


def test_the_lock_is_released_and_can_be_taken_again(database_url: str) -> None:
    # A second holder in this process (another file descriptor, another session) is refused too.
    with run_lock(database_url, "first", wait=0), pytest.raises(LockBusy), run_lock(database_url, "second", wait=0):
        pass
    with run_lock(database_url, "third", wait=0):
        pass


def test_a_killed_holder_leaves_no_stale_lock(database_url: str, tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom tracker.runlock import run_lock\n"
            "with run_lock(sys.argv[1], 'holder', 0):\n    print('held', flush=True)\n    time.sleep(600)\n",
            database_url,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    with pytest.raises(LockBusy, match="holder"), run_lock(database_url, "waiter", wait=0):
        pass
    holder.kill()
    holder.wait()
    with run_lock(database_url, "after", wait=30):
        pass


@pytest.mark.system
def test_unlocked_commands_creating_the_schema_at_once_do_not_collide(database_url: str, tmp_path: Path) -> None:
    """`tracker init` takes no run lock; several at once on a new database still make one schema."""
    started = [_tracker(database_url, tmp_path / "reports", "init") for _ in range(3)]
    for process in started:
        code = process.wait(timeout=300)
        _, err = process.communicate()
        assert code == 0 and "Traceback" not in err, err
    status = _tracker(database_url, tmp_path / "reports", "status", "--json")
    assert status.wait(timeout=300) == 0
    out, err = status.communicate()
    assert "air-services" in json.loads(out), err
