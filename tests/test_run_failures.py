"""A run that fails says so in one line (no traceback, no SQL, no article text), and the runs
table shows running, finished, failed and interrupted runs as such, with what each did.
Real `tracker` processes on real SQLite files (corrupted, locked) and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.faults import KILL_ENV, PAUSE_ENV

pytestmark = pytest.mark.system


def tracker(config: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", "tracker", "--config", str(config), *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def write_config(tmp_path: Path, database_url: str, **more: str) -> Path:
    config = tmp_path / "tracker.toml"
    extra = "".join(f"{key} = {value}\n" for key, value in more.items())
    config.write_text(
        f'database_url = "{database_url}"\nreports_dir = "reports"\nlock_wait = 1\n{extra}', encoding="utf-8"
    )
    return config


def runs(config: Path) -> list[dict]:
    shown = tracker(config, "runs", "--json")
    assert shown.returncode == 0, shown.stderr
    return list(reversed(json.loads(shown.stdout)))


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr and "[SQL" not in done.stderr and "INSERT" not in done.stderr
    return lines[0]


def test_a_run_killed_after_its_digest_is_shown_interrupted_with_what_it_did(database_url: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, database_url)
    killed = tracker(config, "run", "--as-of", "2025-12-01", env={KILL_ENV: "digest.after:1"})
    assert killed.returncode == -signal.SIGKILL
    # Its row still says running; the run lock, free, says no process runs it.
    [row] = runs(config)
    assert row["state"] == "interrupted"

    again = tracker(config, "run", "--as-of", "2025-12-01")
    assert again.returncode == 0, again.stderr
    first, second = runs(config)
    assert first["state"] == "interrupted"
    assert first["ingested"] == 2 and first["digest_id"] == 1, first
    assert second["state"] == "finished"
    table = tracker(config, "runs")
    assert "interrupted" in table.stdout and "finished" in table.stdout


def test_a_live_run_is_shown_running_and_then_finished(database_url: str, tmp_path: Path) -> None:
    """The run lock held by a live run (paused at a step) keeps `runs` from calling it interrupted."""
    config = write_config(tmp_path, database_url)
    command = [sys.executable, "-m", "tracker", "--config", str(config), "run", "--as-of", "2025-12-01"]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")} | {PAUSE_ENV: "fold.before:1"}
    with subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as process:
        _, status = os.waitpid(process.pid, os.WUNTRACED)
        assert os.WIFSTOPPED(status)
        try:
            [row] = runs(config)
            assert row["state"] == "running"
        finally:
            os.kill(process.pid, signal.SIGCONT)
        assert process.wait(timeout=300) == 0
    [row] = runs(config)
    assert row["state"] == "finished"


def test_a_corrupted_database_is_one_line_and_a_failed_run(tmp_path: Path) -> None:
    database = tmp_path / "tracker.db"
    config = write_config(tmp_path, f"sqlite:///{database}")
    assert tracker(config, "run", "--as-of", "2025-12-01").returncode == 0
    # Overwrite the pages holding the articles (every page but the schema's first).
    size = database.stat().st_size
    with database.open("r+b") as handle:
        page = 4096
        for offset in range(page * 2, size, page * 3):
            handle.seek(offset)
            handle.write(os.urandom(page))
    done = tracker(config, "run", "--as-of", "2025-12-02", "--always")
    line = one_line_error(done)
    assert line.startswith("Error: ") and ("malformed" in line or "not a database" in line), line


def test_a_write_lock_held_by_another_program_is_one_line(tmp_path: Path) -> None:
    database = tmp_path / "tracker.db"
    config = write_config(tmp_path, f"sqlite:///{database}")
    assert tracker(config, "init").returncode == 0
    holder = sqlite3.connect(database, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        done = tracker(config, "run", "--as-of", "2025-12-01")
    finally:
        holder.rollback()
        holder.close()
    line = one_line_error(done)
    assert "database is locked" in line, line


@pytest.mark.parametrize(
    ("setting", "where"),
    [
        ({"TRACKER_EMAIL_TIMEOUT": "nan", "TRACKER_EMAIL_HOST": "127.0.0.1"}, "TRACKER_EMAIL_TIMEOUT"),
        ({"TRACKER_LOCK_WAIT": "nan"}, "TRACKER_LOCK_WAIT"),
        ({"TRACKER_LOCK_WAIT": "1e308"}, "TRACKER_LOCK_WAIT"),
    ],
)
def test_values_out_of_range_are_one_line_naming_them(tmp_path: Path, setting: dict[str, str], where: str) -> None:
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'tracker.db'}")
    env = setting | {"TRACKER_EMAIL_SENDER": "a@b.example", "TRACKER_EMAIL_RECIPIENTS": "c@d.example"}
    line = one_line_error(tracker(config, "run", "--as-of", "2025-12-01", env=env))
    assert where in line, line


@pytest.mark.parametrize(
    ("text", "key"),
    [("lock_wait = inf\n", "lock_wait"), ("[fetch]\ntotal_timeout = inf\n", "total_timeout"),
     ("[fetch]\nretry_delay = 1e308\n", "retry_delay"), ("[fetch]\nbudget = nan\n", "budget")],
)  # fmt: skip
def test_config_numbers_out_of_range_are_refused(tmp_path: Path, text: str, key: str) -> None:
    config = tmp_path / "tracker.toml"
    config.write_text(text, encoding="utf-8")
    line = one_line_error(tracker(config, "status"))
    assert str(config) in line and key in line, line


def test_a_newer_schema_is_called_newer_and_left_alone(tmp_path: Path) -> None:
    database = tmp_path / "tracker.db"
    config = write_config(tmp_path, f"sqlite:///{database}")
    assert tracker(config, "init").returncode == 0
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099'")
    for command in (["init"], ["status"], ["run", "--as-of", "2025-12-01"]):
        line = one_line_error(tracker(config, *command))
        assert "has a newer schema (0099) than this tracker knows; upgrade tracker" in line, line
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [("0099",)]


def test_init_over_corrupted_pages_says_so(tmp_path: Path) -> None:
    database = tmp_path / "tracker.db"
    config = write_config(tmp_path, f"sqlite:///{database}")
    assert tracker(config, "run", "--as-of", "2025-12-01").returncode == 0
    size = database.stat().st_size
    with database.open("r+b") as handle:
        for offset in range(4096 * 3, size, 4096 * 2):
            handle.seek(offset + 8)
            handle.write(os.urandom(2048))
    done = tracker(config, "init")
    assert "newest schema" not in done.stdout
    line = one_line_error(done)
    assert "is damaged" in line or "malformed" in line, line


def test_two_review_settings_of_one_day_fold_in_the_order_given(tmp_path: Path) -> None:
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'tracker.db'}", seeds_dir='""')
    assert tracker(config, "init").returncode == 0
    for status in ("agreed", "suspended"):
        done = tracker(config, "review", "set", "air-services", status, "--date", "2025-11-10", "--note", status)
        assert done.returncode == 0, done.stderr
    shown = tracker(config, "status", "--json")
    assert json.loads(shown.stdout)["air-services"]["status"] == "suspended"


@pytest.mark.parametrize(
    ("command", "said"),
    [
        (["review", "confirm", str(2**64), "--note", "x"], f"no status change #{2**64} (ids go up to {2**63 - 1})"),
        (["review", "reject", str(2**63)], f"no status change #{2**63} (ids go up to"),
        (["digest", "show", str(2**64)], f"no digest #{2**64} (ids go up to"),
        (["digest", "send", "--resend", str(2**64)], f"no delivery #{2**64} (ids go up to"),
        (["explain", "--article", str(2**64)], f"no stored article '{2**64}'"),
    ],
)
def test_an_id_beyond_the_database_s_integers_is_one_line(
    database_url: str, tmp_path: Path, command: list[str], said: str
) -> None:
    config = write_config(tmp_path, database_url)
    assert tracker(config, "init").returncode == 0
    line = one_line_error(tracker(config, *command))
    assert line.startswith(f"Error: {said}"), line


def test_a_lexicon_weight_that_is_no_number_is_one_line(tmp_path: Path) -> None:
    from tracker.resources import bundled_dir

    packaged = next(bundled_dir("data").glob("cues.toml")).read_text(encoding="utf-8")
    lexicon = tmp_path / "cues.toml"
    lexicon.write_text(packaged.replace("weight = 0.", 'weight = "high" # 0.', 1), encoding="utf-8")
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'tracker.db'}", lexicon=f'"{lexicon}"')
    line = one_line_error(tracker(config, "run", "--as-of", "2025-12-01"))
    assert "high" in line, line


def test_a_full_disk_mid_run_is_one_line_and_later_runs_go_on(tmp_path: Path) -> None:
    """No small file system can be mounted here: a file-size limit on the process makes every write past
    it fail as a full disk would (EFBIG for ENOSPC), mid-run, on the real database and report files."""
    import resource

    database = tmp_path / "tracker.db"
    config = write_config(tmp_path, f"sqlite:///{database}")
    assert tracker(config, "init").returncode == 0
    limit = database.stat().st_size + 8192

    def full_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    environment = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    done = subprocess.run(
        [sys.executable, "-m", "tracker", "--config", str(config), "run", "--as-of", "2025-12-01"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=full_disk,
    )
    line = one_line_error(done)
    assert "the database failed" in line and ("full" in line or "I/O error" in line), line
    again = tracker(config, "run", "--as-of", "2025-12-01")
    assert again.returncode == 0, again.stderr
    assert "Digest written" in again.stdout
    # The failed run could not even record its failure on the full disk: the next run names it.
    assert [row["state"] for row in runs(config)] in (["failed", "finished"], ["interrupted", "finished"])
