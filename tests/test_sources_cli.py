"""`tracker sources`, exit statuses, read-only commands without a database, the [fetch]
configuration and the 0002 migration, on real files, a real HTTP server and real databases."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer
from sqlalchemy import text

from tracker.cli import main
from tracker.config import ConfigError, load_config
from tracker.pipeline import EXIT_ALL_INPUTS_FAILED, EXIT_SOURCE_IN_ERROR
from tracker.store import Store

OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Desk</title></head><body>
  <outline text="Ministries">
    <outline type="rss" text="MEA" title="Ministry of External Affairs" xmlUrl="https://mea.test/rss.xml"/>
    <outline type="rss" text="FMPRC" xmlUrl="https://fmprc.test/rss.xml"/>
  </outline>
  <outline type="rss" text="Wire" xmlUrl="https://wire.test/feed.atom"/>
  <outline type="rss" text="Wire again" xmlUrl="https://wire.test/feed.atom"/>
  <outline text="Not a feed" htmlUrl="https://example.test/"/>
</body></opml>
"""


# The command line as a new user meets it (the fixture is shared, in conftest).
pytestmark = pytest.mark.usefixtures("clean_environment")


def invoke(db_url: str, *args: str, config: Path | None = None) -> Result:
    prefix = ["--config", str(config)] if config else []
    return CliRunner().invoke(main, [*prefix, "--database-url", db_url, *args], catch_exceptions=False)


@pytest.fixture
def db_url(database_url: str) -> str:
    """The commands on each test database: a SQLite file and PostgreSQL."""
    return database_url


# --- sources ---------------------------------------------------------------------------------


def test_add_list_remove(db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()

    added = invoke(db_url, "sources", "add", "https://mea.test/rss.xml", "--name", "MEA", "--official")
    again = invoke(db_url, "sources", "add", "https://mea.test/rss.xml")
    invoke(db_url, "sources", "add", str(folder))
    listed = invoke(db_url, "sources", "list", "--json")

    assert added.exit_code == 0, added.output
    assert "Following feed #1: MEA" in added.output
    assert "Already following" in again.output
    rows = json.loads(listed.stdout)
    assert [(r["kind"], r["name"], r["official"], r["failures"], r["articles"]) for r in rows] == [
        ("feed", "MEA", True, 0, 0),
        ("folder", "incoming", False, 0, 0),
    ]
    text_list = invoke(db_url, "sources", "list").output
    assert "MEA [feed, official] enabled" in text_list
    assert "next fetch next run" in text_list

    removed = invoke(db_url, "sources", "remove", "MEA")
    assert removed.exit_code == 0, removed.output
    assert [r["name"] for r in json.loads(invoke(db_url, "sources", "list", "--json").stdout)] == ["incoming"]
    missing = invoke(db_url, "sources", "remove", "MEA")
    assert missing.exit_code == 1
    assert "no followed source 'MEA'" in missing.output


def test_a_url_with_a_secret_is_refused(db_url: str) -> None:
    for url in ("https://desk:hunter2@wire.test/rss", "https://wire.test/rss?api_key=SEKRET"):
        result = invoke(db_url, "sources", "add", url)
        assert result.exit_code == 1
        assert "hunter2" not in result.output and "SEKRET" not in result.output
        assert "configuration file" in result.output


def test_not_a_url_nor_a_folder(db_url: str) -> None:
    result = invoke(db_url, "sources", "add", "no-such-folder")
    assert result.exit_code == 1
    assert "no-such-folder: neither an http(s) feed URL nor a folder" in result.output


def test_opml_import_and_export(db_url: str, tmp_path: Path) -> None:
    opml = tmp_path / "desk.opml"
    opml.write_text(OPML, encoding="utf-8")

    first = invoke(db_url, "sources", "import", str(opml))
    second = invoke(db_url, "sources", "import", str(opml))
    exported = invoke(db_url, "sources", "export")

    assert "3 feeds added, 0 already followed" in first.output
    assert "0 feeds added, 3 already followed" in second.output
    assert exported.exit_code == 0
    reimported = tmp_path / "again.opml"
    reimported.write_text(exported.stdout, encoding="utf-8")
    from tracker.opml import read_opml

    assert [(o.url, o.title) for o in read_opml(reimported.read_bytes(), "again.opml")] == [
        ("https://mea.test/rss.xml", "Ministry of External Affairs"),
        ("https://fmprc.test/rss.xml", "FMPRC"),
        ("https://wire.test/feed.atom", "Wire"),
    ]


def test_opml_that_is_not_opml_is_one_error(db_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.opml"
    bad.write_text("<html><body>nope", encoding="utf-8")
    result = invoke(db_url, "sources", "import", str(bad))
    assert result.exit_code == 1
    assert f"{bad}: not readable OPML" in result.output


def test_config_feeds_are_listed_redacted_and_cannot_be_removed_here(db_url: str, tmp_path: Path) -> None:
    config = tmp_path / "tracker.toml"
    config.write_text(
        'seeds_dir = ""\nfeeds = [{ url = "https://wire.test/rss", name = "Wire", username = "desk",'
        ' password = "hunter2" }, "https://keyed.test/rss?token=SEKRET"]\n',
        encoding="utf-8",
    )
    invoke(db_url, "init", config=config)

    listed = invoke(db_url, "sources", "list", config=config)
    removed = invoke(db_url, "sources", "remove", "Wire", config=config)

    assert listed.exit_code == 0, listed.output
    assert "https://***@wire.test/rss" in listed.output
    assert "https://keyed.test/rss?token=***" in listed.output
    assert "hunter2" not in listed.output and "SEKRET" not in listed.output
    assert removed.exit_code == 1
    assert "remove it there" in removed.output


# --- read-only commands and exit statuses ----------------------------------------------------------


@pytest.mark.parametrize(
    "args", [("status",), ("changes",), ("history", "air-services"), ("runs",), ("sources", "list")]
)
def test_read_only_commands_create_no_database(tmp_path: Path, args: tuple[str, ...]) -> None:
    path = tmp_path / "typo" / "trackr.db"

    result = invoke(f"sqlite:///{path}", *args)

    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert f"no tracker database at sqlite:///{path}" in result.output
    assert "tracker init" in result.output
    assert not path.exists() and not path.parent.exists()


def test_ingest_exit_statuses(db_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "one.txt").write_bytes(b"\x00\x01\x02" * 10)
    (bad / "two.txt").write_text("   \n", encoding="utf-8")
    good = tmp_path / "good.txt"
    good.write_text("India and China meet\n\nThey met on 27 January 2025.", encoding="utf-8")

    assert invoke(db_url, "ingest", str(tmp_path / "missing.txt")).exit_code == EXIT_ALL_INPUTS_FAILED
    assert invoke(db_url, "ingest", str(bad)).exit_code == EXIT_ALL_INPUTS_FAILED
    assert invoke(db_url, "ingest", str(bad), str(good)).exit_code == 0


def test_run_exit_statuses(db_url: str, tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/down.rss").respond_with_data("down", status=500)
    config = tmp_path / "tracker.toml"
    config.write_text(
        f'seeds_dir = ""\nerror_after = 2\nfeeds = ["{httpserver.url_for("/down.rss")}"]\n'
        '[fetch]\nretries = 0\nbackoff = 0\nallow = ["127.0.0.1", "localhost"]\n',
        encoding="utf-8",
    )
    all_failed = invoke(db_url, "run", "--as-of", "2025-12-01", config=config)
    assert all_failed.exit_code == EXIT_ALL_INPUTS_FAILED
    assert "Source failing" in all_failed.output

    # With the seeds on, the run reads something; the feed past error_after is an error.
    config.write_text(config.read_text(encoding="utf-8").replace('seeds_dir = ""\n', ""), encoding="utf-8")
    in_error = invoke(db_url, "run", "--as-of", "2025-12-01", config=config)
    assert in_error.exit_code == EXIT_SOURCE_IN_ERROR
    assert "Source in error" in in_error.output


def test_run_help_documents_the_exit_statuses() -> None:
    helptext = CliRunner().invoke(main, ["run", "--help"]).output
    assert f"{EXIT_SOURCE_IN_ERROR} when a followed source" in " ".join(helptext.split())
    assert f"{EXIT_ALL_INPUTS_FAILED} when every input failed" in " ".join(helptext.split())


# --- configuration ------------------------------------------------------------------------------


def test_fetch_table_and_feed_keys(tmp_path: Path) -> None:
    path = tmp_path / "tracker.toml"
    path.write_text(
        "full_text = false\nfull_text_min_chars = 300\n"
        'feeds = [{ url = "https://wire.test/rss", username = "d@sk", password = "p:w", official = true,'
        " full_text = true }]\n"
        "[fetch]\ntotal_timeout = 15\nmax_bytes = 1000000\nconcurrency = 2\ninterval = 3600\nbackoff = 60\n",
        encoding="utf-8",
    )
    config = load_config(path)
    assert (config.fetch.total_timeout, config.fetch.max_bytes, config.fetch.concurrency) == (15.0, 1_000_000, 2)
    assert (config.fetch_interval, config.fetch_backoff, config.full_text, config.full_text_min_chars) == (
        3600.0,
        60.0,
        False,
        300,
    )
    (feed,) = config.feeds
    assert (feed.url, feed.official, feed.full_text) == ("https://d%40sk:p%3Aw@wire.test/rss", True, True)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("[fetch]\ntimeout = 3\n", "fetch.timeout: unknown key"),
        ("[fetch]\nconcurrency = 0\n", "fetch.concurrency"),
        ('feeds = [{ url = "https://x.test/", user = "a" }]\n', "unknown key 'user'"),
        ("full_text = 1\n", "full_text"),
    ],
)
def test_bad_fetch_settings_name_the_key(tmp_path: Path, body: str, named: str) -> None:
    path = tmp_path / "tracker.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=named.replace(".", r"\.").replace("[", r"\[")):
        load_config(path)


# --- the 0002 migration on a populated database ---------------------------------------------------


def test_an_older_schema_asks_for_tracker_init(db_url: str) -> None:
    store = Store(db_url)
    store.upgrade("0001")
    store.close()

    refused = invoke(db_url, "status")
    upgraded = invoke(db_url, "init")
    status = invoke(db_url, "status")

    assert refused.exit_code == 1
    assert "older schema; upgrade it with `tracker init`" in refused.output
    assert upgraded.exit_code == 0, upgraded.output
    assert status.exit_code == 0, status.output


def test_upgrade_from_0001_keeps_the_data(database_url: str) -> None:
    store = Store(database_url)
    try:
        store.upgrade("0001")
        with store.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO sources (id, name, location, failures) VALUES (1, 'Desk', 'https://d.test/rss', 2)")
            )
            connection.execute(
                text(
                    "INSERT INTO articles (id, source_id, url, content_hash, title, summary, text, published,"
                    " ingested_at) VALUES (1, 1, 'https://d.test/a', 'h1', 'T', '', 'body', :d, :d)"
                ),
                {"d": date(2025, 1, 27)},
            )
        store.upgrade()
        (source,) = store.subscriptions() or [None]
    except Exception:
        store.close()
        raise
    try:
        # An old source is an outlet, not a subscription; its row and articles are kept.
        assert source is None
        with store.engine.begin() as connection:
            row = connection.execute(text("SELECT kind, enabled, failures FROM sources")).one()
            assert tuple(row) == ("outlet", True, 2)
            # Two versions of one URL may now be stored.
            connection.execute(
                text(
                    "INSERT INTO articles (id, source_id, url, content_hash, title, summary, text, published,"
                    " ingested_at, previous_id) VALUES (2, 1, 'https://d.test/a', 'h2', 'T', '', 'b2', :d, :d, 1)"
                ),
                {"d": date(2025, 1, 28)},
            )
        # Back to 0001, the later version keeps its row under a URL of its own.
        store.downgrade("0001")
        with store.engine.connect() as connection:
            urls = list(connection.execute(text("SELECT url FROM articles ORDER BY id")).scalars())
        assert urls[0] == "https://d.test/a" and urls[1].startswith("https://d.test/a#version-")
    finally:
        store.close()


def test_a_folder_added_as_a_source_is_read_by_the_run(db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "visas.txt").write_text(
        "Visa measures\n\nOn 13 June 2025 India and China agreed on practical measures to facilitate visa processes.",
        encoding="utf-8",
    )
    config = tmp_path / "tracker.toml"
    config.write_text('seeds_dir = ""\n', encoding="utf-8")

    invoke(db_url, "sources", "add", str(folder), config=config)
    ran = invoke(db_url, "run", "--as-of", "2025-12-01", config=config)
    listed = json.loads(invoke(db_url, "sources", "list", "--json", config=config).stdout)

    assert ran.exit_code == 0, ran.output
    assert "1 ingested" in ran.output
    assert [(r["kind"], r["articles"]) for r in listed] == [("folder", 1)]


def test_a_feed_removed_from_the_configuration_is_no_longer_fetched(
    db_url: str, tmp_path: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/feed.rss").respond_with_data(
        "<rss version='2.0'><channel><title>W</title></channel></rss>"
    )
    config = tmp_path / "tracker.toml"
    config.write_text(
        f'seeds_dir = ""\nfeeds = ["{httpserver.url_for("/feed.rss")}"]\n[fetch]\nallow = ["127.0.0.1"]\n',
        encoding="utf-8",
    )
    invoke(db_url, "run", "--as-of", "2025-12-01", config=config)
    config.write_text('seeds_dir = ""\n', encoding="utf-8")

    invoke(db_url, "run", "--as-of", "2025-12-01", config=config)
    listed = json.loads(invoke(db_url, "sources", "list", "--json", config=config).stdout)

    assert len(httpserver.log) == 1
    assert [(r["enabled"], r["disabled_reason"]) for r in listed] == [(False, "removed from the configuration")]
