"""Secrets and data left where others can read them: a password in the process list, a database
or a configuration readable by the group or the world. Real processes and real files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Secrets and permissions, each through real `tracker` processes: the system tier.
pytestmark = pytest.mark.system


def tracker(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args], env=environment, capture_output=True, text=True, timeout=300, cwd=cwd
    )


PG_URL = "postgresql+psycopg://desk:pw-Zk31q@127.0.0.1:1/tracker"


def test_a_password_in_database_url_on_the_command_line_is_warned_of(tmp_path: Path) -> None:
    flagged = tracker("--database-url", PG_URL, "status", cwd=tmp_path)
    assert "other users of this machine can read in the process list" in flagged.stderr
    assert "pw-Zk31q" not in flagged.stderr + flagged.stdout
    from_env = tracker("status", env={"TRACKER_DATABASE_URL": PG_URL}, cwd=tmp_path)
    assert "process list" not in from_env.stderr


def test_an_existing_database_readable_by_others_is_made_private(tmp_path: Path) -> None:
    database = tmp_path / "tracker.db"
    url = f"sqlite:///{database}"
    assert tracker("--database-url", url, "init").returncode == 0
    database.chmod(0o644)
    shown = tracker("--database-url", url, "status")
    assert shown.returncode == 0, shown.stderr
    assert f"note: {database} was readable by others (mode 0644)" in shown.stderr
    assert database.stat().st_mode & 0o777 == 0o600
    assert "readable by others" not in tracker("--database-url", url, "status").stderr


def test_a_configuration_holding_a_password_readable_by_others_is_named(tmp_path: Path) -> None:
    config = tmp_path / "tracker.toml"
    config.write_text(
        f'database_url = "sqlite:///{tmp_path / "tracker.db"}"\nseeds_dir = ""\n'
        'feeds = [{ url = "https://wire.example.org/feed.rss", username = "desk", password = "pw-Qa72" }]\n',
        encoding="utf-8",
    )
    config.chmod(0o644)
    shown = tracker("--config", str(config), "init")
    assert f"warning: {config} holds passwords or tokens and others can read it (mode 0644)" in shown.stderr
    assert "pw-Qa72" not in shown.stderr
    config.chmod(0o600)
    assert "others can read it" not in tracker("--config", str(config), "init").stderr
