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

from tests.support.databases import copy_folder, database_copy
from tests.support.environment import clear_environment
from tests.support.smtp_server import Handler
from tracker.cli import main
from tracker.config import ConfigError, load_config

pytestmark = pytest.mark.usefixtures("clean_environment")

AS_OF = "2025-12-01"



# The test servers listen on loopback, which a fetch refuses unless the configuration allows it.
LOOPBACK_ALLOWED = '[fetch]\nallow = ["127.0.0.1", "localhost"]\n'


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
    # One line of error (a password in the flag also earns its own warning line).
    errors = [line for line in result.stderr.strip().splitlines() if not line.startswith("warning:")]
    assert len(errors) == 1 and "pw" not in result.output
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
        # The test server listens on loopback, which a fetch refuses unless allowed.
        + LOOPBACK_ALLOWED
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


def test_bare_test_send_tries_the_configured_channels_only(tmp_path: Path, smtp: tuple[Handler, int]) -> None:
    handler, port = smtp
    config = tmp_path / "tracker.toml"
    config.write_text('database_url = "sqlite:///tracker.db"\n' + email_table(port))
    ok("--config", str(config), "run", "--as-of", AS_OF)
    result = ok("--config", str(config), "test-send")
    assert result.stdout.startswith("email: ok: sent to desk@desk.example") and "notify" not in result.stdout
    assert len(handler.received) == 2 and handler.received[1]["Subject"].startswith("[test] ")
    # Asked for by name, an unconfigured channel is still a failure.
    assert tracker("--config", str(config), "test-send", "notify").exit_code == 1
    (tmp_path / "bare.toml").write_text('database_url = "sqlite:///tracker.db"\n')
    bare = tracker("--config", str(tmp_path / "bare.toml"), "test-send")
    assert bare.exit_code == 1 and "no channel configured" in bare.stderr


# --- reviewing --------------------------------------------------------------------------


def desk_config(folder: Path, database_url: str) -> Path:
    config = folder / "tracker.toml"
    config.write_text(f'database_url = "{database_url}"\nreviewer = "asha"\n')
    return config


@pytest.fixture(scope="module")
def ran_once(module_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A desk's folder after a run on the seeds, built once per test database for this module."""
    folder = tmp_path_factory.mktemp("ran")
    with pytest.MonkeyPatch.context() as monkeypatch:
        clear_environment(monkeypatch, folder)
        ok("--config", str(desk_config(folder, module_database_url)), "run", "--as-of", AS_OF)
    return folder


@pytest.fixture
def ran(ran_once: Path, module_database_url: str, tmp_path: Path) -> Iterator[Path]:
    """A desk's configuration after a run on the seeds, on each test database: a copy of the database
    and the reports the run wrote, in the test's own folder, for the test to change."""
    with database_copy(module_database_url, tmp_path) as database_url:
        copy_folder(ran_once, tmp_path, "reports")
        yield desk_config(tmp_path, database_url)


def change_of(config: Path, commitment: str) -> dict:
    changes = json.loads(ok("--config", str(config), "changes", "--json").stdout)
    return [c for c in changes if c["commitment"] == commitment][-1]


def test_confirming_a_change_twice_records_it_once(ran: Path) -> None:
    change = change_of(ran, "air-services")
    first = ok("--config", str(ran), "review", "confirm", str(change["id"]))
    assert first.stdout.startswith(f"Confirmed change #{change['id']}")
    second = ok("--config", str(ran), "review", "confirm", str(change["id"]), "--by", "ravi")
    assert f"Change #{change['id']} was already confirmed by asha on " in second.stdout
    assert "nothing recorded" in second.stdout
    reviews = json.loads(ok("--config", str(ran), "export", "--what", "reviews").stdout)
    assert len(reviews) == 1
    # Rejecting it is another decision, and is recorded.
    ok("--config", str(ran), "review", "reject", str(change["id"]))
    assert len(json.loads(ok("--config", str(ran), "export", "--what", "reviews").stdout)) == 2


def test_setting_a_status_below_the_current_one_explains_and_suggests_rejecting(ran: Path) -> None:
    change = change_of(ran, "air-services")
    assert change["to_status"] == "in_progress"
    result = tracker("--config", str(ran), "review", "set", "air-services", "agreed", "--date", AS_OF, "--note", "x")
    assert result.exit_code == 1
    assert "below it on the ladder would be a reaffirmation and changes nothing" in result.stderr
    assert f"reject the change that raised it: tracker review reject {change['id']}" in result.stderr
    assert json.loads(ok("--config", str(ran), "export", "--what", "reviews").stdout) == []
    same = tracker("--config", str(ran), "review", "set", "air-services", "in_progress", "--date", AS_OF, "--note", "x")
    assert same.exit_code == 1 and f"tracker review confirm {change['id']}" in same.stderr
    # A setback is a change from any level.
    ok("--config", str(ran), "review", "set", "air-services", "suspended", "--date", AS_OF, "--note", "halted")


def test_an_analysts_own_status_does_not_await_review(ran: Path) -> None:
    result = ok(
        "--config", str(ran), "review", "set", "air-services", "implemented", "--date", AS_OF, "--note", "landed"
    )
    assert "1 new change in the timeline" in result.stdout
    awaiting = json.loads(ok("--config", str(ran), "review", "--json").stdout)
    assert awaiting and all(c["rule"] != "analyst-review" for c in awaiting)
    assert change_of(ran, "air-services")["rule"] == "analyst-review"


# --- explain ----------------------------------------------------------------------------


def test_explain_reads_a_stored_article_by_number_or_url_and_an_article_file(ran: Path, tmp_path: Path) -> None:
    change = change_of(ran, "air-services")
    by_url = json.loads(ok("--config", str(ran), "explain", "--article", change["source_url"], "--json").stdout)
    statuses = {s["commitment"]: s["status"] for s in by_url["statements"]}
    assert statuses["air-services"] == "in_progress"
    from tracker.store import Store

    store = Store(load_config(ran).database_url, create=False)
    try:
        stored = store.stored_article(change["source_url"])
    finally:
        store.close()
    assert stored is not None
    by_id = json.loads(ok("--config", str(ran), "explain", "--article", str(stored.id), "--json").stdout)
    assert by_id == by_url
    missing = tracker("--config", str(ran), "explain", "--article", "9999")
    assert missing.exit_code == 1 and "no stored article '9999'" in missing.stderr

    article = tmp_path / "2024-10-21-flights.txt"
    article.write_text("Flights\n\nIndia and China agreed to resume direct flights.\n", encoding="utf-8")
    from_file = json.loads(ok("--config", str(ran), "explain", "--file", str(article), "--json").stdout)
    assert [(s["commitment"], s["status"]) for s in from_file["statements"]] == [("air-services", "agreed")]
    both = tracker("--config", str(ran), "explain", "text", "--file", str(article))
    assert both.exit_code == 2 and "give one of TEXT, --article ID|URL or --file PATH" in both.stderr


# --- noise and typos --------------------------------------------------------------------


def test_a_date_at_the_start_of_a_file_name_dates_the_article(tmp_path: Path) -> None:
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "2024-10-21-flights.txt").write_text(
        "Flights\n\nIndia and China agreed to resume direct flights.\n\nThe talks began on 5 January 2024.\n",
        encoding="utf-8",
    )
    (incoming / "2024-13-40-not-a-date.txt").write_text("Visas\n\nNothing here.\n", encoding="utf-8")
    ok("--database-url", "sqlite:///tracker.db", "ingest", str(incoming), "--as-of", AS_OF)
    statements = json.loads(ok("--database-url", "sqlite:///tracker.db", "history", "air-services", "--json").stdout)
    (statement,) = statements["statements"]
    assert statement["date"] == "2024-10-21" and statement["date_estimated"] is False


# --- reading it -------------------------------------------------------------------------


def on_a_terminal(columns: int, *args: str, cwd: Path) -> str:
    """The real `tracker` on a pseudo-terminal `columns` wide: what its user sees, escapes removed."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker", *args], stdout=follower, stderr=follower, cwd=cwd, env=env
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed once the process exited
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    text = b"".join(chunks).decode("utf-8")
    return re.sub(r"\x1b\[[0-9;]*m", "", text).replace("\r", "")


@pytest.mark.parametrize("columns", [80, 120])
def test_history_on_a_narrow_terminal_shows_the_whole_evidence(ran: Path, tmp_path: Path, columns: int) -> None:
    evidence = change_of(ran, "air-services")["evidence"]
    shown = on_a_terminal(columns, "--config", str(ran), "history", "air-services", cwd=tmp_path)
    assert all(len(line) <= columns for line in shown.splitlines()), shown
    words = " ".join(shown.split())
    assert " ".join(f"“{evidence}”".split()) in words, shown
    # Piped, the same command prints the table's plain lines, never cut.
    assert evidence in ok("--config", str(ran), "history", "air-services").stdout


def test_the_site_index_strips_carry_their_dates_and_chart_labels_stay_inside(ran: Path, tmp_path: Path) -> None:
    site = tmp_path / "reports" / "site"
    index = (site / "index.html").read_text(encoding="utf-8")
    changes = json.loads(ok("--config", str(ran), "changes", "--json").stdout)
    first = min(c["date"] for c in changes)
    assert f"Over time ({first} to {AS_OF})" in index
    assert index.count(f'<span class="strip-dates"><time datetime="{first}">{first}</time>') == index.count(
        '<svg class="strip"'
    )
    for page in (site / "commitments").glob("*.html"):
        svg = page.read_text(encoding="utf-8")
        width = 760  # the chart's viewBox (tracker.site.chart)
        for x, anchor, label in re.findall(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="(\w+)">([^<]+)</text>', svg):
            # 12px system-ui: about 7 units a character at most.
            extent = {"start": len(label) * 7, "middle": len(label) * 3.5, "end": 0}[anchor]
            assert float(x) + extent <= width, (page.name, label, x, anchor)


def test_a_rejection_reads_as_one_on_the_site_and_in_the_next_digest(ran: Path, tmp_path: Path) -> None:
    change = change_of(ran, "air-services")
    ok("--config", str(ran), "review", "reject", str(change["id"]), "--note", "The sentence is about 2020.")
    site = tmp_path / "reports" / "site"
    page = (site / "commitments" / "air-services.html").read_text(encoding="utf-8")
    assert "The sentence is about 2020. This statement no longer counts." in page
    assert ".. This" not in page
    digest_page = (site / "digests" / "1.html").read_text(encoding="utf-8")
    assert "✗ rejected by asha</strong> on " in digest_page
    (rejected,) = [a for a in digest_page.split("<article")[1:] if "rejected by asha" in a]
    assert "air-services.html" in rejected and "change confidence" not in rejected

    result = ok("--config", str(ran), "run", "--as-of", AS_OF)
    assert "earlier alert" in result.stdout and "revised" in result.stdout
    markdown = (tmp_path / "reports" / f"{AS_OF}-2.md").read_text(encoding="utf-8")
    revised = markdown.split("## Revised", 1)[1]
    assert "or an analyst rejected the alert" in revised
    assert "Why: rejected by asha on " in revised and "The sentence is about 2020." in revised
    assert "puts it at" not in revised.split("### Direct air services", 1)[1].split("###", 1)[0]


def test_site_url_links_the_email_and_the_digest_to_history_pages(tmp_path: Path, smtp: tuple[Handler, int]) -> None:
    handler, port = smtp
    config = tmp_path / "tracker.toml"
    config.write_text(
        'database_url = "sqlite:///tracker.db"\nsite_url = "https://desk.example.org/tracker/"\n' + email_table(port)
    )
    ok("--config", str(config), "run", "--as-of", AS_OF)
    link = "https://desk.example.org/tracker/commitments/air-services.html"
    (message,) = handler.received
    assert f"History: {link}" in message.get_body(("plain",)).get_content()
    assert f'href="{link}"' in message.get_body(("html",)).get_content()
    assert f"[History]({link})" in (tmp_path / "reports" / f"{AS_OF}.md").read_text(encoding="utf-8")
    assert f'<a href="{link}">' in (tmp_path / "reports" / f"{AS_OF}.html").read_text(encoding="utf-8")
    config.write_text('site_url = "desk.example.org"\n')
    bad = tracker("--config", str(config), "status")
    assert bad.exit_code == 1 and f"{config}: site_url: site_url must be an http(s) address" in bad.stderr


def test_a_short_chart_keeps_its_end_date_label_inside(tmp_path: Path) -> None:
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "2025-11-20-flights.txt").write_text(
        "Flights\n\nIndia and China agreed to resume direct flights.\n", encoding="utf-8"
    )
    config = tmp_path / "tracker.toml"
    config.write_text('database_url = "sqlite:///tracker.db"\nseeds_dir = ""\nfolders = ["incoming"]\n')
    ok("--config", str(config), "run", "--as-of", AS_OF)
    page = (tmp_path / "reports" / "site" / "commitments" / "air-services.html").read_text(encoding="utf-8")
    assert f'text-anchor="end">{AS_OF}</text>' in page
    assert 'text-anchor="start">2025-11-20</text>' in page


# --- noise ------------------------------------------------------------------------------

LATER_FEED = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Wire</title><link>{base}/</link><description>d</description>
<item><title>Flights next week</title><link>{base}/news/later</link><guid>{base}/news/later</guid>
<pubDate>Fri, 05 Dec 2025 09:00:00 GMT</pubDate><description>Short.</description></item>
</channel></rss>
"""


def test_a_page_dated_after_the_run_is_fetched_once_on_the_day_it_is_taken(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/feed.xml").respond_with_data(LATER_FEED.format(base=base), content_type="text/xml")
    page = "<html><body><article><p>India and China agreed to resume direct flights.</p></article></body></html>"
    httpserver.expect_request("/news/later").respond_with_data(page, content_type="text/html")
    config = tmp_path / "tracker.toml"
    config.write_text(
        f'database_url = "sqlite:///tracker.db"\nseeds_dir = ""\nfeeds = ["{base}/feed.xml"]\n' + LOOPBACK_ALLOWED
    )

    def page_fetches() -> int:
        return sum(1 for request, _ in httpserver.log if request.path == "/news/later")

    for day in ("2025-12-01", "2025-12-02"):
        result = ok("--config", str(config), "run", "--as-of", day)
        assert "1 dated after" in result.stdout
    assert page_fetches() == 0
    ok("--config", str(config), "run", "--as-of", "2025-12-05")
    assert page_fetches() == 1


def test_sources_add_tries_the_feed_once_and_says_what_came_back(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(
        LATER_FEED.format(base=httpserver.url_for("").rstrip("/")), content_type="application/rss+xml"
    )
    httpserver.expect_request("/gone.xml").respond_with_data("no", status=404)
    httpserver.expect_request("/page.html").respond_with_data("<html><body>hi</body></html>", content_type="text/html")
    (tmp_path / "tracker.toml").write_text(LOOPBACK_ALLOWED)
    db = ("--config", str(tmp_path / "tracker.toml"), "--database-url", "sqlite:///tracker.db")
    good = ok(*db, "sources", "add", httpserver.url_for("/feed.xml"))
    assert "Tried it now: HTTP 200, a feed of 1 entry." in good.stdout and good.stderr == ""
    missing = ok(*db, "sources", "add", httpserver.url_for("/gone.xml"))
    assert "Following feed #2" in missing.stdout
    assert "tried it now: HTTP 404" in missing.stderr and "tracker sources remove 2" in missing.stderr
    page = ok(*db, "sources", "add", httpserver.url_for("/page.html"))
    assert "tried it now: HTTP 200, but not a feed" in page.stderr
    before = len(httpserver.log)
    quiet = ok(*db, "sources", "add", httpserver.url_for("/later.xml"), "--no-check")
    assert len(httpserver.log) == before and quiet.stderr == ""


@pytest.mark.system
def test_the_schedule_logs_one_line_per_run_not_one_per_request(tmp_path: Path, httpserver: HTTPServer) -> None:
    from datetime import UTC, datetime, timedelta

    from tests.test_schedule import Scheduler

    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/feed.xml").respond_with_data(FEED.format(base=base), content_type="text/xml")
    config = tmp_path / "tracker.toml"
    feeds = f'feeds = [{{ url = "{base}/feed.xml", full_text = false }}]\n'
    config.write_text('seeds_dir = ""\n' + feeds + LOOPBACK_ALLOWED)
    at = (datetime.now(UTC) + timedelta(seconds=4)).strftime("%H:%M:%S")
    scheduler = Scheduler(tmp_path, f"sqlite:///{tmp_path / 'tracker.db'}", at, TRACKER_CONFIG=str(config))
    try:
        scheduler.wait_for("deliveries:")
    finally:
        assert scheduler.stop() == 0
    assert any(request.path == "/feed.xml" for request, _ in httpserver.log)
    assert not [line for line in scheduler.lines if "HTTP Request" in line or "httpx" in line], scheduler.lines


def test_the_digest_footer_states_the_accuracy_the_readme_gives(ran: Path, tmp_path: Path) -> None:
    from tracker.digest import ACCURACY_NOTE

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How accurate it is", 1)[1].split("\n## ", 1)[0]
    # The claim itself, figures included, in the same words in both places.
    claim = ACCURACY_NOTE.split(", the reader ", 1)[1].split(":", 1)[0]
    assert re.findall(r"\d\.\d\d", claim) and claim in " ".join(section.split())
    markdown = (tmp_path / "reports" / f"{AS_OF}.md").read_text(encoding="utf-8")
    assert " ".join(ACCURACY_NOTE.split()[-8:]) in " ".join(markdown.split())
