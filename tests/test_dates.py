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


# --- before the catalogue's relationship began -----------------------------------------------


def catalogue_since(tmp_path: Path, since: str | None) -> Path:
    """The packaged catalogue, its relationship said to begin on `since` (None: no `since` at all)."""
    from tracker.resources import data_path

    text = data_path("india-china.toml").read_text(encoding="utf-8")
    assert "\nsince = 1950-04-01\n" in text
    text = text.replace("\nsince = 1950-04-01\n", f"\nsince = {since}\n" if since else "\n")
    path = tmp_path / f"catalogue-{since}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_packaged_catalogue_begins_with_diplomatic_relations() -> None:
    from tracker.catalogue import load_catalogue

    assert load_catalogue().since == date(1950, 4, 1)


def test_a_catalogue_without_since_reads_from_the_window_s_first_day(tmp_path: Path) -> None:
    from tracker.catalogue import load_catalogue
    from tracker.days import EARLIEST_DAY

    assert load_catalogue(catalogue_since(tmp_path, None)).since == EARLIEST_DAY


@pytest.mark.parametrize("since", ['"2000-01-01"', "2000-01-01T00:00:00", "9999-01-01"])
def test_a_since_that_is_no_day_is_one_line_naming_it(tmp_path: Path, since: str) -> None:
    from tracker.catalogue import CatalogueError, load_catalogue

    path = catalogue_since(tmp_path, since)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    assert str(caught.value).startswith(f"{path}: relationship.since: "), caught.value
    assert "\n" not in str(caught.value)


def test_an_entry_dated_before_the_relationship_began_is_undated_with_one_warning(tmp_path: Path) -> None:
    from tracker.catalogue import load_catalogue

    start = load_catalogue(catalogue_since(tmp_path, "2000-01-01")).start
    warnings: list[str] = []
    fetched = date(2025, 11, 20)
    before, after = (
        parse_feed(feed(day), "https://wire.example.org/feed", warnings.append, fetched=fetched, start=start)[0]
        for day in ("Tue, 01 Jun 1999 08:00:00 GMT", "Sun, 02 Jan 2000 08:00:00 GMT")
    )
    assert before.published == date(2025, 11, 20) and before.date_estimated
    assert after.published == date(2000, 1, 2) and not after.date_estimated
    assert warnings == [
        "warning: https://wire.example.org/feed: entry 1 (https://wire.example.org/f): dated 1999-06-01, before"
        " India–China relations began (2000-01-01); read as undated: dated 2025-11-20, the day it was fetched"
    ]


def test_an_epoch_entry_with_a_feed_date_is_one_warning() -> None:
    warnings: list[str] = []
    parse_feed(
        feed("Thu, 01 Jan 1970 00:00:00 GMT", "Wed, 19 Nov 2025 08:00:00 GMT"),
        "https://wire.example.org/feed",
        warnings.append,
        fetched=date(2025, 11, 20),
    )
    assert len(warnings) == 1 and "the epoch" in warnings[0] and "using the feed's date" in warnings[0], warnings


@pytest.mark.parametrize(("since", "undated"), [("2020-01-01", True), (None, False)])
def test_a_run_reads_the_catalogue_s_since(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, since: str | None, undated: bool
) -> None:
    """Through the command line: an entry of 2015 rewrites no history where the relationship began in 2020,
    and stands where the catalogue gives no start (the window's first day)."""
    monkeypatch.setenv("TRACKER_CATALOGUE", str(catalogue_since(tmp_path, since)))
    path = tmp_path / "wire.xml"
    path.write_bytes(feed("Thu, 01 Jan 2015 00:00:00 GMT"))
    assert invoke(database_url, "init")[0] == 0
    result = CliRunner().invoke(main, ["--database-url", database_url, "ingest", str(path), "--as-of", "2025-12-01"])
    assert result.exit_code == 0, result.output
    said = [line for line in result.stderr.splitlines() if "entry 1" in line]
    _, history = invoke(database_url, "history", "air-services", "--json")
    if undated:
        # A feed file has no fetch day to fall back on: the entry is skipped, in one line.
        assert said == [
            f"warning: {path}: entry 1 (https://wire.example.org/f): dated 2015-01-01, before India–China"
            " relations began (2020-01-01); read as undated: skipped"
        ], said
        assert "2015" not in history
    else:
        assert said == [] and "2015-01-01" in history, (said, history)
