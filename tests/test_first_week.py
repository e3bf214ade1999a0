"""What a new desk meets in its first week, through the real command line: a configuration used
from another folder, a dry run before the first real one, official feeds on day one, read-only
commands on a missing database, reviews done twice, and the small things around them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer

from tests.smtp_server import Handler, start
from tracker.cli import main
from tracker.config import CONFIG_ENV, EMAIL_ENV_PREFIX, EMAIL_KEYS, ENV_KEYS, ConfigError, load_config

AS_OF = "2025-12-01"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    for env in [*ENV_KEYS.values(), *(EMAIL_ENV_PREFIX + k.upper() for k in EMAIL_KEYS), "TRACKER_NOTIFY"]:
        monkeypatch.delenv(env, raising=False)


@pytest.fixture
def smtp() -> Iterator[tuple[Handler, int]]:
    handler = Handler()
    controller = start(handler)
    try:
        yield handler, controller.port
    finally:
        controller.stop()


def email_table(port: int) -> str:
    return (
        f'[email]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        'sender = "tracker@desk.example"\nrecipients = ["desk@desk.example"]\n'
    )


def without_clock(text: str) -> str:
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[^ <\"]*", "TIME", text)


def tracker(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def ok(*args: str) -> Result:
    result = tracker(*args)
    assert result.exit_code == 0, result.output
    return result


# --- losing or duplicating what a desk relies on ------------------------------------------


def test_a_relative_sqlite_path_is_relative_to_the_configuration_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp: tuple[Handler, int]
) -> None:
    handler, port = smtp
    desk, home = tmp_path / "srv" / "desk", tmp_path / "home"
    desk.mkdir(parents=True)
    home.mkdir()
    config = desk / "tracker.toml"
    config.write_text('database_url = "sqlite:///desk.db"\nreports_dir = "reports"\n' + email_table(port))
    monkeypatch.chdir(desk)
    ok("--config", str(config), "run", "--as-of", AS_OF)
    assert (desk / "desk.db").is_file() and len(handler.received) == 1
    index = desk / "reports" / "site" / "index.html"
    site_before = index.read_text(encoding="utf-8")
    atom_before = (desk / "reports" / "changes.atom").read_bytes()

    # cron's run: the same file, from its home folder.
    monkeypatch.chdir(home)
    result = ok("--config", str(config), "run", "--as-of", AS_OF)
    assert "0 ingested, 2 skipped as duplicates" in result.stdout
    assert "No status changed" in result.stdout
    assert list(home.iterdir()) == []  # no stray database, lock or reports here
    assert len(handler.received) == 1  # nobody mailed twice
    assert without_clock(index.read_text(encoding="utf-8")) == without_clock(site_before)
    assert (desk / "reports" / "changes.atom").read_bytes() == atom_before


def test_database_urls_in_the_file_the_environment_and_the_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conf = tmp_path / "conf"
    conf.mkdir()
    file = conf / "tracker.toml"
    file.write_text('database_url = "sqlite:///data/desk.db?timeout=5"\n')
    assert load_config(file).database_url == f"sqlite:///{conf / 'data' / 'desk.db'}?timeout=5"
    file.write_text(f'database_url = "sqlite:///{tmp_path / "abs.db"}"\n')
    assert load_config(file).database_url == f"sqlite:///{tmp_path / 'abs.db'}"
    file.write_text('database_url = "sqlite:///:memory:"\n')
    assert load_config(file).database_url == "sqlite:///:memory:"
    # The environment and the flag are where the command runs, as any other path there.
    monkeypatch.setenv("TRACKER_DATABASE_URL", "sqlite:///env.db")
    assert load_config(file).database_url == "sqlite:///env.db"


@pytest.mark.parametrize(
    ("url", "suggestion"),
    [
        ("postgres://desk:pw@db.example/tracker", "did you mean postgresql+psycopg://desk:***@db.example/tracker?"),
        ("tracker.db", "did you mean sqlite:///tracker.db?"),
        ("data/desk.sqlite", "did you mean sqlite:///data/desk.sqlite?"),
    ],
)
def test_a_mistaken_database_url_gets_a_suggestion(tmp_path: Path, url: str, suggestion: str) -> None:
    result = tracker("--database-url", url, "status")
    assert result.exit_code == 1
    assert suggestion in result.stderr and "option --database-url" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "pw" not in result.output
    file = tmp_path / "tracker.toml"
    file.write_text(f'database_url = "{url}"\n')
    with pytest.raises(ConfigError, match=f"{file}: database_url"):
        load_config(file)
    assert list(tmp_path.glob("*.db")) == []


def test_a_dry_run_records_nothing_and_the_real_run_sends_once(tmp_path: Path, smtp: tuple[Handler, int]) -> None:
    handler, port = smtp
    config = tmp_path / "tracker.toml"
    config.write_text('database_url = "sqlite:///tracker.db"\n' + email_table(port))
    dry = ok("--config", str(config), "run", "--as-of", AS_OF, "--dry-run")
    assert "Dry run: 11 changes would be reported; the email it would send is in" in dry.stdout
    assert "no digest recorded, nothing marked reported, nothing queued or sent" in dry.stdout
    eml = tmp_path / "reports" / f"{AS_OF}.eml"
    assert eml.is_file() and b"digest 2025-12-01: 11 changes" in eml.read_bytes()
    assert handler.received == []
    assert ok("--config", str(config), "outbox").stdout.strip() == "The outbox is empty."
    assert tracker("--config", str(config), "digest", "show").stderr.strip() == "Error: no digest recorded yet"
    assert not (tmp_path / "reports" / f"{AS_OF}.html").exists()

    # A second dry run sends nothing either; the real run reports every change once.
    ok("--config", str(config), "run", "--as-of", AS_OF, "--dry-run")
    real = ok("--config", str(config), "run", "--as-of", AS_OF)
    assert "11 changes reported" in real.stdout
    assert len(handler.received) == 1
    assert handler.received[0]["X-Tracker-Digest"] == "1"
    again = ok("--config", str(config), "run", "--as-of", AS_OF)
    assert "No status changed" in again.stdout and len(handler.received) == 1


def test_a_dry_run_leaves_what_earlier_runs_queued_unsent(tmp_path: Path, smtp: tuple[Handler, int]) -> None:
    handler, port = smtp
    config = tmp_path / "tracker.toml"
    handler.mode = "refuse"
    config.write_text('database_url = "sqlite:///tracker.db"\n' + email_table(port))
    ok("--config", str(config), "run", "--as-of", AS_OF)
    assert "queued" in ok("--config", str(config), "outbox").stdout
    handler.mode = "ok"
    ok("--config", str(config), "run", "--as-of", AS_OF, "--dry-run")
    assert handler.received == []
    ok("--config", str(config), "run", "--as-of", AS_OF)
    assert len(handler.received) == 1


FEED = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Ministry</title><link>{base}/</link><description>d</description>
<item><title>Direct flights</title><link>{base}/news/1</link><guid>{base}/news/1</guid>
<pubDate>Mon, 13 Oct 2025 09:00:00 GMT</pubDate>
<description>India and China agreed to resume direct flights between the two countries.</description></item>
</channel></rss>
"""


def test_official_feeds_in_the_configuration_count_from_the_first_digest(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/feed.xml").respond_with_data(FEED.format(base=base), content_type="application/rss+xml")
    config = tmp_path / "tracker.toml"
    config.write_text(
        'database_url = "sqlite:///tracker.db"\nseeds_dir = ""\n'
        f'feeds = [{{ url = "{base}/feed.xml", name = "Ministry", official = true, full_text = false }}]\n'
    )
    ok("--config", str(config), "run", "--as-of", "2025-10-14")
    digest = json.loads(ok("--config", str(config), "digest", "show", "--format", "json").stdout)
    (reported,) = digest["changes"] + digest["unconfirmed"]
    changes = json.loads(ok("--config", str(config), "changes", "--json").stdout)
    (stored,) = changes
    assert [s["official"] for s in stored["sources"]] == [True]
    assert [s["official"] for s in reported["sources"]] == [True]
    assert reported["confidence"] == stored["confidence"]


READ_LIKE = [
    ["review"],
    ["review", "confirm", "1"],
    ["review", "reject", "1"],
    ["review", "set", "air-services", "agreed", "--date", AS_OF, "--note", "n"],
    ["export"],
    ["outbox"],
    ["digest", "show"],
    ["test-send"],
]


@pytest.mark.parametrize("command", READ_LIKE, ids=" ".join)
def test_read_like_commands_refuse_a_missing_database(tmp_path: Path, command: list[str]) -> None:
    result = tracker(*command)
    assert result.exit_code == 1
    assert "no tracker database at sqlite:///tracker.db; create it with `tracker init`" in result.stderr
    assert list(tmp_path.iterdir()) == []
