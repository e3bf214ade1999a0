"""What the tracker creates is readable by its owner only, whatever the umask: the database
(and its journal or WAL files), the run lock, the reports, the Atom feed, the site, the
dry-run outbox message, and every folder it makes for them."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.hostile import write_fixture_articles
from tracker.cli import main
from tracker.config import CONFIG_ENV, EMAIL_ENV_PREFIX, EMAIL_KEYS, ENV_KEYS
from tracker.private import make_dirs, write_private

pytestmark = pytest.mark.system


@pytest.fixture
def permissive_umask(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    for env in [*ENV_KEYS.values(), *(EMAIL_ENV_PREFIX + k.upper() for k in EMAIL_KEYS)]:
        monkeypatch.delenv(env, raising=False)
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_run_creates_everything_owner_only(permissive_umask: None, tmp_path: Path) -> None:
    incoming = write_fixture_articles(tmp_path / "incoming")
    data = tmp_path / "data" / "deep"
    reports = tmp_path / "out" / "reports"
    config = tmp_path / "tracker.toml"
    config.write_text(
        f'database_url = "sqlite:///{data / "tracker.db"}"\nreports_dir = "{reports}"\nseeds_dir = ""\n'
        f'folders = ["{incoming}"]\n'
        '[email]\nhost = "127.0.0.1"\nport = 9\nsecurity = "none"\nsender = "t@desk.example"\n'
        'recipients = ["a@desk.example"]\n',
        encoding="utf-8",
    )
    # A dry run writes the message it would send into the outbox folder (the reports folder).
    result = CliRunner().invoke(main, ["--config", str(config), "run", "--as-of", "2025-12-01", "--dry-run"])
    assert result.exit_code == 0, result.output
    # Then the real run (nothing listens on port 9: the email stays queued), which writes the report files.
    result = CliRunner().invoke(main, ["--config", str(config), "run", "--as-of", "2025-12-01"])
    assert result.exit_code == 0, result.output

    made = [data, data.parent, reports, reports.parent]
    files = [p for p in [*data.parent.rglob("*"), *reports.parent.rglob("*")] if p.is_file()]
    folders = made + [p for p in reports.rglob("*") if p.is_dir()]
    names = {p.name for p in files}
    assert {"tracker.db", "tracker.db.lock", "2025-12-01.html", "2025-12-01.md", "2025-12-01.json"} <= names, names
    assert {"2025-12-01.eml", "changes.atom", "index.html"} <= names, names
    assert any(p.parent.name == "commitments" for p in files)
    wrong = {str(p.relative_to(tmp_path)): oct(mode(p)) for p in files if mode(p) != 0o600}
    wrong |= {str(p.relative_to(tmp_path)) + "/": oct(mode(p)) for p in folders if mode(p) != 0o700}
    assert not wrong, wrong


def test_the_database_journal_and_wal_take_the_database_mode(permissive_umask: None, tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    url = f"sqlite:///{db}"
    result = CliRunner().invoke(main, ["--database-url", url, "init"])
    assert result.exit_code == 0, result.output
    assert mode(db) == 0o600
    # SQLite makes its rollback journal and its WAL with the database's own mode.
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("CREATE TABLE probe (x)")
        conn.execute("BEGIN")
        conn.execute("INSERT INTO probe VALUES (1)")
        journal = Path(f"{db}-journal")
        assert journal.exists()
        assert mode(journal) == 0o600
        conn.execute("COMMIT")
        assert conn.execute("PRAGMA journal_mode=WAL").fetchone() == ("wal",)
        conn.execute("INSERT INTO probe VALUES (2)")
        wal = Path(f"{db}-wal")
        assert wal.exists()
        assert (mode(wal), mode(Path(f"{db}-shm"))) == (0o600, 0o600)
    finally:
        conn.close()


def test_rewritten_files_become_owner_only_and_existing_folders_keep_their_mode(
    permissive_umask: None, tmp_path: Path
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    old = shared / "index.html"
    old.write_text("old", encoding="utf-8")
    os.chmod(old, 0o644)
    write_private(old, "new")
    assert (mode(old), old.read_text(encoding="utf-8")) == (0o600, "new")
    assert mode(shared) == 0o755
    make_dirs(shared / "a" / "b")
    assert (mode(shared / "a"), mode(shared / "a" / "b")) == (0o700, 0o700)


def test_owner_only_under_an_odd_umask(tmp_path: Path) -> None:
    old = os.umask(0o000)
    try:
        write_private(tmp_path / "x" / "f.txt", b"data")
    finally:
        os.umask(old)
    assert (mode(tmp_path / "x"), mode(tmp_path / "x" / "f.txt")) == (0o700, 0o600)
