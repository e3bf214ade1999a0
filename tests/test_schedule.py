"""The schedule: real `tracker schedule` processes with a trigger seconds away."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tracker.scheduling import ScheduleError, trigger_for

pytestmark = pytest.mark.system


class Scheduler:
    """A `tracker schedule` process whose log lines are collected as they come."""

    def __init__(self, tmp_path: Path, database_url: str, at: str, **env: str) -> None:
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tracker", "schedule", "--time", at, "--timezone", "UTC"],
            env=os.environ
            | {"TRACKER_DATABASE_URL": database_url, "TRACKER_REPORTS_DIR": str(tmp_path / "reports")}
            | env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, *needles: str, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if any(needle in line for needle in needles):
                    return line
            if self.process.poll() is not None and not self.reader.is_alive():
                break
            time.sleep(0.05)
        raise AssertionError(f"no line with {needles}: {self.lines}")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=120)
        self.reader.join(timeout=10)
        return code


def seconds_from_now(seconds: int) -> tuple[str, datetime]:
    when = datetime.now(UTC) + timedelta(seconds=seconds)
    return when.strftime("%H:%M:%S"), when


def count(database_url: str, query: str) -> list[tuple]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(query))]
    finally:
        engine.dispose()


def init(database_url: str) -> None:
    env = os.environ | {"TRACKER_DATABASE_URL": database_url}
    subprocess.run([sys.executable, "-m", "tracker", "init"], env=env, check=True, capture_output=True)


def test_a_run_missed_while_stopped_is_made_up_once(database_url: str, tmp_path: Path) -> None:
    init(database_url)
    at, when = seconds_from_now(8)
    first = Scheduler(tmp_path, database_url, at)
    first.wait_for("Running the daily cycle")
    assert first.stop() == 0
    assert "run #" not in "\n".join(first.lines), "the first scheduler ran before it was stopped"
    assert first.lines[-1] == "Scheduler stopped."
    assert count(database_url, "SELECT id FROM runs") == []
    # The machine is "off" while the time passes.
    time.sleep(max(0.0, (when - datetime.now(UTC)).total_seconds()) + 2)
    second = Scheduler(tmp_path, database_url, at)
    line = second.wait_for("run #", "run failed", "run skipped")
    assert "digest #1" in line, line
    assert second.stop() == 0
    run_lines = [entry for entry in second.lines if " run #" in entry]
    assert len(run_lines) == 1
    assert "Traceback" not in "\n".join(second.lines)
    assert len(count(database_url, "SELECT id FROM runs")) == 1
    assert len(count(database_url, "SELECT id FROM digests")) == 1
    # What is left owed is tomorrow's run, not another one for today.
    [(next_run,)] = count(database_url, "SELECT next_run_time FROM apscheduler_jobs")
    assert float(next_run) > time.time() + 3600


def test_two_schedulers_on_one_database_run_the_job_once(database_url: str, tmp_path: Path) -> None:
    """Each claims a due job by moving its next run on, if no other did first: one runs it, the other does not."""
    init(database_url)
    at, when = seconds_from_now(8)
    schedulers = [Scheduler(tmp_path, database_url, at, TRACKER_LOCK_WAIT="30") for _ in range(2)]
    for scheduler in schedulers:
        scheduler.wait_for("Running the daily cycle")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(" run #" in line for s in schedulers for line in s.lines):
        time.sleep(0.1)
    time.sleep(max(0.0, (when - datetime.now(UTC)).total_seconds()) + 5)
    assert all(s.stop() == 0 for s in schedulers)
    lines = [line for s in schedulers for line in s.lines]
    assert len([line for line in lines if " run #" in line]) == 1, lines
    assert not any("run skipped" in line or "run failed" in line or "Traceback" in line for line in lines), lines
    assert len(count(database_url, "SELECT id FROM runs WHERE command = 'run'")) == 1
    assert len(count(database_url, "SELECT id FROM digests")) == 1


def test_the_hour_the_clocks_go_back_fires_once() -> None:
    from zoneinfo import ZoneInfo

    trigger = trigger_for("01:30", "America/New_York")
    zone = ZoneInfo("America/New_York")
    first = trigger.get_next_fire_time(None, datetime(2025, 11, 2, 0, 0, tzinfo=zone))
    assert first is not None and first.utcoffset() == timedelta(hours=-4)
    following = trigger.get_next_fire_time(first, first + timedelta(seconds=1))
    assert following is not None
    assert following.replace(tzinfo=None) == datetime(2025, 11, 3, 1, 30), following
    # The day the clocks go forward has no 01:30 to repeat: an ordinary day either side.
    spring = trigger.get_next_fire_time(None, datetime(2026, 3, 8, 0, 0, tzinfo=zone))
    assert spring is not None and spring.date().isoformat() in ("2026-03-08", "2026-03-09")


def test_times_cron_lines_and_zones() -> None:
    assert str(trigger_for("06:30", "Asia/Kolkata").fields[5]) == "6"
    assert "day_of_week='mon-fri'" in str(trigger_for("0 6 * * mon-fri", "UTC"))
    for bad, zone in (("25:00", "UTC"), ("six", "UTC"), ("06:00", "Mars/Olympus")):
        with pytest.raises(ScheduleError):
            trigger_for(bad, zone)


class Planted:
    """What a pickle can do when loaded: here, leave a file behind."""

    def __init__(self, canary: Path) -> None:
        self.canary = canary

    def __reduce__(self) -> tuple:
        return (Path.write_text, (self.canary, "code ran"))


def test_nothing_in_the_job_store_is_unpickled(tmp_path: Path) -> None:
    """Write access to the database must not mean running code in `tracker schedule`."""
    import pickle

    from tracker.scheduling import JOBS_TABLE

    database_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    init(database_url)
    first = Scheduler(tmp_path, database_url, "06:00")
    first.wait_for("Running the daily cycle")
    assert first.stop() == 0
    [(state,)] = count(database_url, f"SELECT job_state FROM {JOBS_TABLE}")
    stored = json.loads(bytes(state).decode())
    assert stored["id"] == "daily-cycle" and "06:00" not in stored.get("func", "")

    canary = tmp_path / "canary"
    payload = pickle.dumps({"id": "daily-cycle", "func": Planted(canary)})
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(f"UPDATE {JOBS_TABLE} SET job_state = :state"), {"state": payload})
        connection.execute(
            text(f"INSERT INTO {JOBS_TABLE} (id, next_run_time, job_state) VALUES ('planted', 0, :state)"),
            {"state": payload},
        )
    engine.dispose()

    second = Scheduler(tmp_path, database_url, "06:00")
    second.wait_for("Running the daily cycle")
    time.sleep(1)
    assert second.stop() == 0
    assert not canary.exists(), "a pickle from the database was loaded"
    # The row it drops is one line in the log, not a traceback.
    dropped = [line for line in second.lines if "'planted'" in line]
    assert len(dropped) == 1 and "dropped" in dropped[0] and "pickle" in dropped[0], second.lines
    assert not any("Traceback" in line or "Unable to restore" in line for line in second.lines), second.lines
    rows = count(database_url, f"SELECT id, job_state FROM {JOBS_TABLE}")
    assert [row[0] for row in rows] == ["daily-cycle"], "the planted row was not restored, and is gone"
    assert json.loads(bytes(rows[0][1]).decode())["id"] == "daily-cycle"
