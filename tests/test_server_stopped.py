"""PostgreSQL stopped in the middle of a run: the run ends with one line and a non-zero exit, the
runs table names it once the server is back, and the next run stores, digests and emails what the
stopped one did not, without losing or repeating anything.

Real parts: a throwaway PostgreSQL server of our own (started as `.ci/run` starts CI's, on a
port of its own, and stopped with `pg_ctl -m immediate stop` as a crash or an administrator
would), real `tracker` processes paused at a named step (`TRACKER_PAUSE_AT`) while the server
goes away, and an SMTP server on loopback.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.smtp_server import Handler, free_port
from tracker.faults import PAUSE_ENV

PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1:]), None)
pytestmark = [
    pytest.mark.system,
    pytest.mark.skipif(PG_BIN is None or not (PG_BIN / "pg_ctl").exists(), reason="no PostgreSQL server binaries here"),
]


@dataclass
class Server:
    """A PostgreSQL cluster of the test's own, which it may stop and start again."""

    data: Path
    port: int

    def _pg(self, *args: str) -> None:
        assert PG_BIN is not None
        command = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), *args]
        if os.getuid() == 0:  # the server refuses to run as root
            command = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{part}'" for part in command)]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg("-l", str(self.data / "server.log"), "-w", "-o", options, "start")

    def stop(self) -> None:
        self._pg("-m", "immediate", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def server() -> Iterator[Server]:
    assert PG_BIN is not None
    data = Path(tempfile.mkdtemp(prefix="tracker-pg-"))
    if os.getuid() == 0:
        shutil.chown(data, "postgres")
    init = [str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
    if os.getuid() == 0:
        init = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(init)]
    subprocess.run(init, check=True, capture_output=True, timeout=300)
    cluster = Server(data, free_port())
    cluster.start()
    try:
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            cluster.stop()
        shutil.rmtree(data, ignore_errors=True)


def environment(**more: str) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")} | more


def tracker(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracker", "--config", str(config), *args],
        env=environment(),
        capture_output=True,
        text=True,
        timeout=300,
    )


def write_config(tmp_path: Path, url: str, smtp_port: int) -> Path:
    config = tmp_path / "tracker.toml"
    config.write_text(
        f'database_url = "{url}"\nreports_dir = "reports"\nlock_wait = 1\n'
        f'[email]\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\ntimeout = 5\n'
        'sender = "tracker@desk.example"\nrecipients = ["analyst@desk.example"]\n',
        encoding="utf-8",
    )
    return config


def run_while_the_server_stops(config: Path, server: Server, step: str, tmp_path: Path) -> tuple[int, str]:
    """`tracker run`, paused at `step` while the server stops immediately; (exit status, stderr)."""
    out, err = (tmp_path / "run.out").open("w+"), (tmp_path / "run.err").open("w+")
    command = [sys.executable, "-m", "tracker", "--config", str(config), "run", "--as-of", "2025-12-01"]
    with subprocess.Popen(command, env=environment(**{PAUSE_ENV: f"{step}:1"}), stdout=out, stderr=err) as process:
        _, status = os.waitpid(process.pid, os.WUNTRACED)
        if not os.WIFSTOPPED(status):
            err.seek(0)
            pytest.fail(f"the run ended before {step}: {err.read()}")
        server.stop()
        os.kill(process.pid, signal.SIGCONT)
        returncode = process.wait(timeout=300)
    err.seek(0)
    return returncode, err.read()


def runs(config: Path) -> list[dict]:
    shown = tracker(config, "runs", "--json")
    assert shown.returncode == 0, shown.stderr
    return list(reversed(json.loads(shown.stdout)))


# Before anything is stored; after the articles are stored, before the fold; after the digest
# is recorded, before it is delivered; with the email in the server's hands, before that is recorded.
STEPS = ["extract.batch", "fold.before", "digest.after", "email.sent"]


@pytest.mark.parametrize("step", STEPS)
def test_a_server_stopped_mid_run_is_one_line_and_the_next_run_loses_and_repeats_nothing(
    server: Server, tmp_path: Path, smtp: tuple[Handler, int], step: str
) -> None:
    handler, smtp_port = smtp
    config = write_config(tmp_path, server.url, smtp_port)
    assert tracker(config, "init").returncode == 0

    returncode, stderr = run_while_the_server_stops(config, server, step, tmp_path)

    assert returncode not in (0, -signal.SIGKILL), (returncode, stderr)
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    assert "Traceback" not in stderr and "[SQL" not in stderr and "INSERT" not in stderr, stderr
    assert "the database failed" in lines[0], lines[0]

    server.start()
    # The run could not record its end on a server that was gone; the free run lock says no process runs it.
    [stopped] = runs(config)
    assert stopped["state"] == "interrupted", stopped

    again = tracker(config, "run", "--as-of", "2025-12-01")
    assert again.returncode in (0, 3), (again.returncode, again.stdout, again.stderr)
    first, second = runs(config)
    assert first["state"] == "interrupted", first
    assert second["state"] == "finished", second
    # The seeds' two articles stored once, one digest, and one email for it, whichever run sent it.
    assert first["ingested"] + second["ingested"] == 2, (first, second)
    assert tracker(config, "digest", "show", "1").returncode == 0
    assert "no digest #2" in tracker(config, "digest", "show", "2").stderr
    assert len(handler.received) == 1, [m["Subject"] for m in handler.received]
    third = tracker(config, "run", "--as-of", "2025-12-01")
    assert third.returncode in (0, 3), third.stderr
    assert len(handler.received) == 1 and [r["ingested"] for r in runs(config)][2] == 0
