"""The command line through click's CliRunner, on a SQLite file in a temporary folder."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from tests.support.environment import clear_environment
from tracker.catalogue import Catalogue
from tracker.cli import main
from tracker.config import CONFIG_ENV, ConfigError, load_config
from tracker.resources import bundled_dir
from tracker.schema import Article
from tracker.store import Store

ROOT = Path(__file__).resolve().parents[1]
SEED = "003_d1265f6050ffd7cf.txt"
CHANGE_KEYS = {"commitment", "from_status", "to_status", "date", "source_url", "evidence"}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# The command line as a new user meets it (the fixture is shared, in conftest).
pytestmark = pytest.mark.usefixtures("clean_environment")


@pytest.fixture
def db_url(database_url: str) -> str:
    """The commands on each test database: a SQLite file and PostgreSQL."""
    return database_url


def invoke(db_url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--database-url", db_url, *args], catch_exceptions=False)


def ok(db_url: str, *args: str) -> Result:
    result = invoke(db_url, *args)
    assert result.exit_code == 0, result.output
    return result


def as_json(db_url: str, *args: str) -> object:
    return json.loads(ok(db_url, *args, "--json").stdout)


@pytest.fixture(scope="module")
def ran(module_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database after `tracker run --as-of 2025-12-01` on the seeds, built once per test database for
    the tests below that only read it."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        clear_environment(monkeypatch, tmp_path_factory.mktemp("ran"))
        ok(module_database_url, "run", "--as-of", "2025-12-01")
    return module_database_url


# --- run, changes, status, history ------------------------------------------------------


def test_run_writes_a_digest_into_the_working_folder(db_url: str, tmp_path: Path) -> None:
    result = ok(db_url, "run", "--as-of", "2025-12-01")
    assert "2 ingested" in result.stdout
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == [
        "2025-12-01.html",
        "2025-12-01.json",
        "2025-12-01.md",
        "changes.atom",
        "site",
    ]
    assert (tmp_path / "reports" / "site" / "index.html").is_file()
    assert "Site written: reports/site/index.html" in result.stdout  # the site's front page, not its first file
    again = ok(db_url, "run", "--as-of", "2025-12-01")
    assert "0 ingested, 2 skipped" in again.stdout
    assert "no digest written" in again.stdout


def test_changes_json(ran: str, catalogue: Catalogue) -> None:
    items = as_json(ran, "changes")
    assert isinstance(items, list) and items
    for item in items:
        assert set(item) >= CHANGE_KEYS, item
        assert ISO_DATE.match(item["date"]), item["date"]
        assert item["commitment"] in catalogue.ids
        assert item["to_status"] and item["evidence"] and item["source_url"]
    assert [i["date"] for i in items] == sorted(i["date"] for i in items)

    seen: set[str] = set()
    for item in items:
        # from_status is null exactly for a commitment's first status.
        assert (item["from_status"] is None) == (item["commitment"] not in seen), item
        seen.add(item["commitment"])

    air = [(i["date"], i["from_status"], i["to_status"]) for i in items if i["commitment"] == "air-services"]
    assert air == [("2025-01-27", None, "proposed"), ("2025-06-13", "proposed", "in_progress")]


def test_changes_since(ran: str) -> None:
    items = as_json(ran, "changes", "--since", "2025-06-01")
    assert items
    assert {i["date"][:7] for i in items} == {"2025-06"}
    everything = as_json(ran, "changes")
    assert len(items) == len([i for i in everything if i["date"] >= "2025-06-01"]) < len(everything)


def test_changes_json_carries_confidence_and_sources(ran: str) -> None:
    items = as_json(ran, "changes")
    assert items
    for item in items:
        confidence = item["confidence"]
        assert isinstance(confidence, float) and 0.0 <= confidence <= 1.0, item
        assert isinstance(item["confirmed"], bool), item
        # The default threshold is 0.6; equal counts as confirmed.
        assert item["confirmed"] == (confidence >= 0.6), item
        sources = item["sources"]
        assert isinstance(sources, list) and sources, item
        for source in sources:
            assert set(source) == {"url", "source_name", "title", "official", "evidence", "copy", "copy_of"}, source
            assert isinstance(source["official"], bool)
            # A copy names the article that counts for it, which is listed too.
            assert source["copy"] is (source["copy_of"] is not None), source
            assert source["copy_of"] is None or source["copy_of"] in [s["url"] for s in sources], source
            assert source["url"] and source["source_name"] and source["title"] and source["evidence"]
        # The article that caused the change is among those that support it.
        assert item["source_url"] in [s["url"] for s in sources], item
    air = [i for i in items if i["commitment"] == "air-services"]
    assert air[-1]["confirmed"] is True
    assert air[-1]["sources"][0]["url"] == "seed:000_f3c9956e5a0c5f1b"
    assert air[-1]["sources"][0]["official"] is False
    assert air[-1]["sources"][0]["source_name"] == "Seed documents"
    assert "expedite" in air[-1]["sources"][0]["evidence"]


def test_status_json(ran: str, catalogue: Catalogue) -> None:
    payload = as_json(ran, "status")
    assert isinstance(payload, dict)
    assert sorted(payload) == sorted(catalogue.ids)
    for entry in payload.values():
        assert {"status", "since", "evidence", "source_url"} <= set(entry)
    air = payload["air-services"]
    assert (air["status"], air["since"]) == ("in_progress", "2025-06-13")
    assert "expedite" in air["evidence"]
    assert air["source_url"] == "seed:000_f3c9956e5a0c5f1b"
    assert payload["visas"]["status"] == "agreed"


def test_status_before_any_run_lists_every_commitment_as_unknown(db_url: str, catalogue: Catalogue) -> None:
    ok(db_url, "init")
    payload = as_json(db_url, "status")
    assert sorted(payload) == sorted(catalogue.ids)
    assert {entry["status"] for entry in payload.values()} == {None}


def test_history_json_is_in_date_order(ran: str) -> None:
    payload = as_json(ran, "history", "air-services")
    assert payload["commitment"] == "air-services"
    statements, changes = payload["statements"], payload["changes"]
    assert len(statements) >= 2 and len(changes) == 2
    assert [s["date"] for s in statements] == sorted(s["date"] for s in statements)
    assert [c["date"] for c in changes] == ["2025-01-27", "2025-06-13"]
    assert {s["commitment"] for s in statements} == {"air-services"}


def test_history_of_an_unknown_commitment(ran: str, catalogue: Catalogue) -> None:
    result = invoke(ran, "history", "nope")
    assert result.exit_code != 0
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert "nope" in message
    for commitment_id in catalogue.ids:
        assert commitment_id in message
    assert "Traceback" not in result.output


# --- ingest, dates, init --------------------------------------------------------------


def test_ingesting_a_seed_file_twice_stores_it_once(db_url: str) -> None:
    seed = bundled_dir("seeds") / SEED
    first = ok(db_url, "ingest", str(seed), "--as-of", "2025-12-01")
    assert "1 ingested" in first.stdout
    second = ok(db_url, "ingest", str(seed), "--as-of", "2025-12-01")
    assert "0 ingested, 1 skipped" in second.stdout
    store = Store(db_url)
    try:
        with store.sessions() as session:
            assert session.scalars(select(Article.url)).all() == ["seed:003_d1265f6050ffd7cf"]
        assert [c.date.isoformat() for c in store.changes(commitment_id="air-services")] == ["2025-01-27"]
    finally:
        store.close()


@pytest.mark.parametrize("command", [["run"], ["ingest", "."], ["changes", "--since"]])
def test_a_bad_date_is_a_clear_error(db_url: str, command: list[str]) -> None:
    option = [] if command[-1] == "--since" else ["--as-of"]
    result = invoke(db_url, *command, *option, "2025-13-01")
    assert result.exit_code == 2
    assert "2025-13-01" in result.stderr
    assert "YYYY-MM-DD" in result.stderr
    assert "Traceback" not in result.output


def test_init(db_url: str, tmp_path: Path) -> None:
    result = ok(db_url, "init")
    assert "newest schema" in result.stdout
    if db_url.startswith("sqlite"):
        assert Path(db_url.removeprefix("sqlite:///")).exists()
    ok(db_url, "init")  # again: nothing to do, no error
    store = Store(db_url)
    try:
        assert not store.is_empty()
        assert len(store.commitments()) > 0
    finally:
        store.close()


def test_init_hides_the_database_password() -> None:
    # Nothing listens on port 1: opening fails, and the message must not print the password.
    result = CliRunner().invoke(main, ["--database-url", "postgresql+psycopg://tracker:s3cret@127.0.0.1:1/x", "init"])
    assert result.exit_code == 1
    assert "s3cret" not in result.output
    assert "cannot open the database" in result.stderr
    assert "Traceback" not in result.output


def test_a_bad_database_url_is_a_clear_error() -> None:
    result = CliRunner().invoke(main, ["--database-url", "not a url", "status"])
    assert result.exit_code == 1
    assert "not a url" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_missing_database_driver_is_a_clear_error() -> None:
    # No MySQL driver is a dependency of the tracker, so this driver is never installed.
    result = CliRunner().invoke(main, ["--database-url", "mysql+mysqldb://x@127.0.0.1/y", "status"])
    assert result.exit_code == 1
    assert "driver is not installed (MySQLdb)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# --- help -------------------------------------------------------------------------------


def test_every_command_has_help_with_examples() -> None:
    runner = CliRunner()
    missing = []
    for name, command in [("tracker", main), *sorted(main.commands.items())]:
        assert isinstance(command, click.Command)
        args = ["--help"] if command is main else [name, "--help"]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
        text = command.help or ""
        first_line = text.strip().splitlines()[0] if text.strip() else ""
        if not first_line or "Examples:" not in text or "Examples:" not in result.stdout:
            missing.append(name)
            continue
        examples = result.stdout.split("Examples:", 1)[1]
        if "tracker" not in examples:
            missing.append(name)
    assert missing == [], f"commands without help text and an Examples: section: {missing}"


# --- README and CI ----------------------------------------------------------------------


def fenced_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```[^\n]*\n(.*?)^```", markdown, flags=re.MULTILINE | re.DOTALL)


def test_the_readme_test_command_is_what_ci_runs() -> None:
    readme = ROOT / "README.md"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    blocks = fenced_blocks(readme.read_text(encoding="utf-8")) if readme.exists() else []
    if not blocks:
        pytest.skip("README.md has no fenced code block yet, so it gives no test command to compare with .ci/run")
    commands = [
        line.strip().removeprefix("$ ")
        for block in blocks
        for line in block.splitlines()
        if re.search(r"\bpytest\b", line) and not line.strip().startswith("#")
    ]
    assert commands, "README.md shows code but no test command (a line running pytest)"
    # The first command that runs pytest is the README's test command; CI must run exactly it.
    test_command = commands[0]
    ci_lines = {line.strip() for line in ci.splitlines()}
    assert test_command in ci_lines, f"README test command not in .ci/run verbatim: {test_command}"


# --- configuration --------------------------------------------------------------------


def test_configuration_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conf_dir = tmp_path / "conf"
    conf_dir.mkdir()
    file = conf_dir / "tracker.toml"
    file.write_text(
        'database_url = "sqlite:///from-file.db"\n'
        'reports_dir = "file-reports"\n'
        'timezone = "Asia/Kolkata"\n'
        'templates_dir = "file-templates"\n',
        encoding="utf-8",
    )
    # File over default; relative paths are relative to the file's folder.
    from_file = load_config(file)
    assert from_file.database_url == f"sqlite:///{conf_dir / 'from-file.db'}"
    assert from_file.reports_dir == conf_dir / "file-reports"
    assert from_file.timezone == "Asia/Kolkata"
    assert from_file.schedule_time == "06:00"  # the default, untouched
    assert from_file.source == str(file)

    # Environment over file.
    monkeypatch.setenv("TRACKER_DATABASE_URL", "sqlite:///from-env.db")
    monkeypatch.setenv("TRACKER_REPORTS_DIR", str(tmp_path / "env-reports"))
    from_env = load_config(file)
    assert from_env.database_url == "sqlite:///from-env.db"
    assert from_env.reports_dir == tmp_path / "env-reports"
    assert from_env.timezone == "Asia/Kolkata"

    # Flags over environment; a flag left unset (None) changes nothing.
    flagged = load_config(file, {"database_url": "sqlite:///from-flag.db", "reports_dir": None})
    assert flagged.database_url == "sqlite:///from-flag.db"
    assert flagged.reports_dir == tmp_path / "env-reports"
    assert flagged.templates_dir == conf_dir / "file-templates"

    # The file is found through TRACKER_CONFIG too.
    monkeypatch.setenv(CONFIG_ENV, str(file))
    assert load_config().timezone == "Asia/Kolkata"


def test_default_configuration(tmp_path: Path) -> None:
    config = load_config()  # no tracker.toml in the working folder
    assert config.database_url == "sqlite:///tracker.db"
    assert config.source is None
    assert config.use_seeds is True


def test_seeds_turned_off_in_the_file_can_be_turned_on_by_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "tracker.toml"
    file.write_text('seeds_dir = ""\n', encoding="utf-8")
    assert load_config(file).use_seeds is False
    monkeypatch.setenv("TRACKER_SEEDS_DIR", str(tmp_path / "my-seeds"))
    config = load_config(file)
    assert (config.use_seeds, config.seeds_dir) == (True, tmp_path / "my-seeds")


def test_database_flag_wins_over_environment_in_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    ok(f"sqlite:///{tmp_path / 'flag.db'}", "init")
    assert (tmp_path / "flag.db").exists()
    assert not (tmp_path / "env.db").exists()


def test_a_bad_config_key_names_the_file_and_the_key(tmp_path: Path) -> None:
    file = tmp_path / "tracker.toml"
    file.write_text('database_url = "sqlite:///x.db"\nreport_dir = "typo"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(file)
    assert str(file) in str(caught.value)
    assert "report_dir" in str(caught.value)

    result = CliRunner().invoke(main, ["--config", str(file), "status"])
    assert result.exit_code == 1
    assert str(file) in result.stderr and "report_dir" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('feeds = "https://example.org/feed.xml"\n', "feeds"),
        ("error_after = true\n", "error_after"),
        ("error_after = 0\n", "error_after"),
        ("folders = [1]\n", "folders"),
        ("reports_dir = 5\n", "reports_dir"),
    ],
)
def test_a_bad_config_value_names_the_file_and_the_key(tmp_path: Path, text: str, key: str) -> None:
    file = tmp_path / "tracker.toml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(f"{file}: {key}")):
        load_config(file)


def test_a_missing_named_config_file_is_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "absent.toml"), "status"])
    assert result.exit_code == 1
    assert "absent.toml" in result.stderr


def test_explain_names_the_rule_and_the_reason_for_what_was_not_taken() -> None:
    result = CliRunner().invoke(
        main,
        [
            "explain",
            "--date",
            "2025-08-19",
            "India and China agreed to reopen border trade, but no decision has been taken on direct flights.",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "statement: border-trade agreed (actor both, confidence 90%, rule agreed)" in result.output
    assert "not taken: air-services:" in result.output
    assert "statement: air-services" not in result.output


def test_explain_without_a_tracked_commitment() -> None:
    result = CliRunner().invoke(main, ["explain", "The weather in Delhi was pleasant."])
    assert result.exit_code == 0
    assert result.output.strip() == "No tracked commitment is named."


LOADS = """
import sys
from tracker.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})))
"""


def loaded_by(*args: str, cwd: Path) -> set[str]:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", LOADS, *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=120
    )
    return set(done.stdout.split()[-400:])


HEAVY = {"sqlalchemy", "alembic", "jinja2", "spacy", "feedparser", "httpx", "trafilatura", "syntok", "apprise"}


def test_help_and_the_read_commands_load_only_what_they_use(db_url: str, tmp_path: Path) -> None:
    """--help loads no database, parser, template or network code; status, history and changes
    load the database code but no migrations, parser, templates or fetcher."""
    assert loaded_by("--help", cwd=tmp_path) & HEAVY == set()
    ok(db_url, "init")
    for command in (["status"], ["history", "air-services"], ["changes", "--limit", "5"]):
        loaded = loaded_by("--database-url", db_url, *command, cwd=tmp_path)
        assert "sqlalchemy" in loaded, command  # the command did run
        assert loaded & HEAVY == {"sqlalchemy"}, command
