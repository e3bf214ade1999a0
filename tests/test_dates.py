"""Every day a user or a feed gives is bounded: out-of-range days are refused in one line
(options, manifests) or read as no date (feeds, texts), so none reaches the database and
breaks a later run. Real CLI, real files, real databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer

from tracker.cli import main
from tracker.sources import SourceError, parse_feed, read_manifest

# The command line as a new user meets it (the fixture is shared, in conftest).
pytestmark = pytest.mark.usefixtures("clean_environment")


def invoke(database_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--database-url", database_url, *args])
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes is not None else "")


@pytest.mark.parametrize(
    "args",
    [
        ("run", "--as-of", "0001-01-01", "--always"),
        ("run", "--as-of", "9999-12-31", "--always"),
        ("review", "set", "air-services", "implemented", "--date", "9999-12-31", "--note", "x"),
        ("review", "set", "air-services", "implemented", "--date", "0001-01-01", "--note", "x"),
        ("changes", "--since", "0001-01-01"),
    ],
)
def test_a_day_out_of_range_is_refused_in_one_line_and_later_runs_go_on(database_url: str, args: tuple) -> None:
    code, output = invoke(database_url, "init")
    assert code == 0, output
    code, output = invoke(database_url, *args)
    assert code == 2, output
    assert "is outside 1950-01-01 to 2199-12-31" in output
    assert "Traceback" not in output
    code, output = invoke(database_url, "run", "--as-of", "2025-12-01")
    assert code == 0, output
    code, output = invoke(database_url, "run", "--as-of", "2025-12-02", "--always")
    assert code == 0, output


@pytest.mark.parametrize("day", ["0001-01-01", "1900-01-01", "9999-12-31"])
def test_a_manifest_day_out_of_range_names_the_file(tmp_path: Path, day: str) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "manifest.toml").write_text(f'[[article]]\nfile = "a.txt"\ndate = {day}\n', encoding="utf-8")
    errors: list[tuple[str, SourceError]] = []
    assert read_manifest(folder, errors) == {}  # type: ignore[arg-type]
    ((name, error),) = errors
    assert name == "a.txt"
    assert str(error).startswith(f"{folder / 'manifest.toml'}: article[0].date: {day} is outside")
    assert "\n" not in str(error)


def feed(day: str, channel_day: str | None = None) -> bytes:
    channel = f"<pubDate>{channel_day}</pubDate>" if channel_day else ""
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
        f"{channel}<item><title>Flights</title><link>https://wire.example.org/f</link>"
        f"<pubDate>{day}</pubDate>"
        "<description>Direct flights between India and China were suspended, the ministry said.</description>"
        "</item></channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    "day",
    ["Thu, 01 Jan 1970 00:00:00 GMT", "Mon, 01 Jan 1900 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT"],
)
def test_an_implausible_entry_date_is_read_as_undated(day: str) -> None:
    warnings: list[str] = []
    (draft,) = parse_feed(feed(day), "https://wire.example.org/feed", warnings.append, fetched=date(2025, 11, 20))
    assert draft.published == date(2025, 11, 20)
    assert draft.date_estimated
    assert [w for w in warnings if "read as undated" in w and "entry 1" in w]


def test_an_epoch_entry_takes_the_feed_date_when_it_is_plausible() -> None:
    warnings: list[str] = []
    (draft,) = parse_feed(
        feed("Thu, 01 Jan 1970 00:00:00 GMT", "Wed, 19 Nov 2025 08:00:00 GMT"),
        "https://wire.example.org/feed",
        warnings.append,
        fetched=date(2025, 11, 20),
    )
    assert draft.published == date(2025, 11, 19)


def test_an_epoch_entry_does_not_rewrite_history(database_url: str, tmp_path: Path) -> None:
    """The feed file's entry dated 1970-01-01 says 'suspended': read as of its fetch, not as history since 1970."""
    path = tmp_path / "wire.xml"
    path.write_bytes(feed("Thu, 01 Jan 1970 00:00:00 GMT"))
    assert invoke(database_url, "init")[0] == 0
    code, output = invoke(database_url, "ingest", str(path), "--as-of", "2025-12-01")
    assert code == 0, output
    assert "1970-01-01, the epoch" in output
    code, history = invoke(database_url, "history", "air-services", "--json")
    assert "1970" not in history


# --- one clock: the run's day and the fetch's day in the configured time zone ------------------


def test_an_undated_entry_is_dated_and_read_on_the_runs_own_day(tmp_path: Path, httpserver: HTTPServer) -> None:
    """The machine's and the configuration's zone a day away from UTC (behind before noon UTC, ahead after):
    an undated entry is dated today there, and read by today's run, not left for tomorrow or dated yesterday."""
    from datetime import UTC, datetime

    zone = "Etc/GMT+12" if datetime.now(UTC).hour < 12 else "Etc/GMT-14"
    undated = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
        "<item><title>Flights</title><link>https://wire.example.org/undated</link>"
        "<description>Direct flights between India and China were suspended, the ministry said.</description>"
        "</item></channel></rss>"
    )
    httpserver.expect_request("/undated.rss").respond_with_data(undated, content_type="application/rss+xml")
    config = tmp_path / "tracker.toml"
    config.write_text(
        f'database_url = "sqlite:///{tmp_path / "tracker.db"}"\nseeds_dir = ""\nreports_dir = "reports"\n'
        f'timezone = "{zone}"\nfull_text = false\nfeeds = ["{httpserver.url_for("/undated.rss")}"]\n'
        '[fetch]\nallow = ["127.0.0.1"]\n',
        encoding="utf-8",
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")} | {"TZ": zone}
    done = subprocess.run(
        [sys.executable, "-m", "tracker", "--config", str(config), "run"],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "1 ingested" in done.stdout, done.stdout
    shown = subprocess.run(
        [sys.executable, "-m", "tracker", "--config", str(config), "history", "air-services", "--json"],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=300,
    )
    from zoneinfo import ZoneInfo

    local_today = datetime.now(ZoneInfo(zone)).date().isoformat()
    statements = json.loads(shown.stdout)["statements"]
    assert [s["date"] for s in statements] == [local_today]
