"""What ships for deployment: the desk's tracker.toml, the systemd units, the Containerfile and
compose.yaml. The image is built where a container engine answers (CI); elsewhere that test is
skipped and says why."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer

from tests.support.smtp_server import Handler
from tracker.cli import main
from tracker.config import load_config

pytestmark = [pytest.mark.system, pytest.mark.usefixtures("clean_environment")]

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"

FEED = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Wire</title><link>{base}/</link><description>d</description>
<item><title>Flights resume</title><link>{base}/news/1</link><guid>{base}/news/1</guid>
<pubDate>Mon, 13 Oct 2025 09:00:00 GMT</pubDate>
<description>India and China agreed to resume direct flights between the two countries, the ministry said.</description>
</item></channel></rss>
"""


def test_the_desk_configuration_loads_as_shipped() -> None:
    config = load_config(DEPLOY / "tracker.toml")
    assert config.database_url == f"sqlite:///{DEPLOY / 'tracker.db'}"
    assert config.reports_dir == DEPLOY / "reports" and config.use_seeds is False
    assert len(config.feeds) == 1 and config.feeds[0].url.startswith("https://")
    assert config.email is not None and config.email.recipients


def test_the_quick_start_from_the_shipped_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer, smtp: tuple[Handler, int]
) -> None:
    """The README's quick start, with only what reaches outside the machine pointed at loopback."""
    handler, port = smtp
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/feed.xml").respond_with_data(FEED.format(base=base), content_type="text/xml")
    httpserver.expect_request("/news/1").respond_with_data("<html><body><p>Nothing more.</p></body></html>")
    desk = tmp_path / "desk"
    desk.mkdir()
    text = (DEPLOY / "tracker.toml").read_text(encoding="utf-8")
    text = re.sub(r'url = "https://[^"]+"', f'url = "{base}/feed.xml"', text)
    text = text.replace("port = 25", f"port = {port}").replace('host = "localhost"', 'host = "127.0.0.1"')
    if "[fetch]" not in text:
        # The stand-in feed listens on loopback, which a fetch refuses unless allowed.
        text += '\n[fetch]\nallow = ["127.0.0.1", "localhost"]\n'
    (desk / "tracker.toml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(desk)

    def tracker(*args: str) -> str:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    tracker("init")
    assert tracker("test-send").startswith("email: ok")
    out = tracker("run", "--as-of", "2025-10-14")
    assert "1 ingested" in out and "Site written:" in out
    assert len(handler.received) == 2  # the test message, then the first digest
    assert "agreed" in tracker("history", "air-services")
    assert (desk / "reports" / "site" / "index.html").is_file()
    assert (desk / "tracker.db").is_file()


def test_the_systemd_units_verify(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    tracker = Path(sys.executable).with_name("tracker")
    for unit in ("tracker.service", "tracker.timer"):
        text = (DEPLOY / "systemd" / unit).read_text(encoding="utf-8")
        # Verified as installed, with this machine's tracker standing in for /srv/tracker's.
        (tmp_path / unit).write_text(text.replace("/srv/tracker/.venv/bin/tracker", str(tracker)), encoding="utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", str(tmp_path / "tracker.timer"), str(tmp_path / "tracker.service")],
        capture_output=True,
        text=True,
    )
    problems = [line for line in result.stderr.splitlines() if "tracker" in line]
    assert result.returncode == 0 and problems == [], result.stderr


def test_the_containerfile_copies_what_the_package_needs() -> None:
    containerfile = (ROOT / "Containerfile").read_text(encoding="utf-8")
    copied = [p for line in re.findall(r"^COPY (.+) \S+$", containerfile, re.MULTILINE) for p in line.split()]
    assert copied and all((ROOT / p).exists() for p in copied), copied
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for included in re.findall(r'^"(\w+)" = "tracker/\w+"$', pyproject, re.MULTILINE):
        assert included in copied, f"the wheel force-includes {included}/, which the image does not copy"
    compose = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    assert "dockerfile: Containerfile" in compose and 'command: ["schedule"]' in compose
    assert "postgresql+psycopg://" in compose


def container_engine() -> str | None:
    """docker or podman, when its engine answers (a client without a daemon does not count)."""
    for tool in ("podman", "docker"):
        if shutil.which(tool) and subprocess.run([tool, "info"], capture_output=True).returncode == 0:
            return tool
    return None


def test_the_container_image_builds_and_reads() -> None:
    engine = container_engine()
    if engine is None:
        pytest.skip("no container engine answers here (docker or podman info fails): the image is not built")
    tag = f"tracker-test:{os.getpid()}"
    subprocess.run([engine, "build", "-f", "Containerfile", "-t", tag, "."], cwd=ROOT, check=True, timeout=1800)
    try:
        explained = subprocess.run(
            [engine, "run", "--rm", tag, "explain", "India and China agreed to resume direct flights."],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert explained.returncode == 0, explained.stderr
        assert "statement: air-services agreed" in explained.stdout
    finally:
        subprocess.run([engine, "rmi", "-f", tag], capture_output=True)
