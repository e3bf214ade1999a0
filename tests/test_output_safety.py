"""Hostile article text through every output: digests, terminal listings, CSV."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

# rich's own Markdown parser (installed with rich), used to read the digest as a renderer would.
from markdown_it import MarkdownIt

from tests.support.environment import clear_environment
from tests.support.hostile import FORMULA, write_fixture_articles
from tracker import terminal
from tracker.cli import main
from tracker.sanitize import csv_cell, escape_markdown, strip_controls

# Any control character but the line break; what a terminal may act on.
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
SGR = re.compile(r"\x1b\[[0-9;]*m")


# The command line as a new user meets it (the fixture is shared, in conftest).
pytestmark = pytest.mark.usefixtures("clean_environment")


def invoke(db_url: str, *args: str) -> Result:
    result = CliRunner().invoke(main, ["--database-url", db_url, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def hostile_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds and the fixture articles (hostile ones among them), run as of 2025-12-01 in a folder of
    their own, once for this module: the tests below only read the database and the digest files."""
    folder = tmp_path_factory.mktemp("hostile")
    with pytest.MonkeyPatch.context() as monkeypatch:
        clear_environment(monkeypatch, folder)
        db_url = f"sqlite:///{folder / 'hostile.db'}"
        invoke(db_url, "ingest", str(write_fixture_articles(folder / "incoming")), "--as-of", "2025-12-01")
        invoke(db_url, "run", "--as-of", "2025-12-01")
    return folder


@pytest.fixture
def hostile_db(hostile_world: Path) -> str:
    return f"sqlite:///{hostile_world / 'hostile.db'}"


def markdown(*rules: str) -> MarkdownIt:
    """A CommonMark renderer that, unlike the default, lets every link through: what a careless reader does."""
    renderer = MarkdownIt("commonmark").enable(list(rules))
    renderer.validateLink = lambda url: True  # type: ignore[method-assign]
    return renderer


def digest_file(world: Path, suffix: str) -> str:
    (path,) = (world / "reports").glob(f"*{suffix}")
    return path.read_text(encoding="utf-8")


def test_the_markdown_digest_carries_no_injected_link_image_or_html(hostile_world: Path) -> None:
    text = digest_file(hostile_world, ".md")
    assert "alert(1)" in text  # the hostile change is in the digest, as text
    html = markdown("table").render(text)
    assert "<img" not in html
    assert "<script" not in html
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs, "the seeds' sources are http(s) links"
    assert all(h.startswith(("http://", "https://")) for h in hrefs), hrefs
    assert not CONTROL.search(text)


def test_the_html_digest_escapes_article_text(hostile_world: Path) -> None:
    text = digest_file(hostile_world, ".html")
    assert "<script>alert" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert 'href="javascript:' not in text.lower()


@pytest.mark.parametrize(
    "command",
    [
        ["status"],
        ["changes"],
        ["history", "air-services"],
        ["history", "border-trade"],
        ["runs"],
        ["runs", "--messages"],
        ["status", "--csv"],
        ["changes", "--csv"],
        ["history", "visas", "--csv"],
        ["runs", "--csv", "--messages"],
    ],
)
def test_listings_print_no_control_characters(hostile_db: str, command: list[str]) -> None:
    result = invoke(hostile_db, *command)
    assert "alert(" in result.stdout or "runs" in command
    assert not CONTROL.search(result.stdout), repr(CONTROL.search(result.stdout))
    assert "pwned" not in result.stdout


def test_the_runs_summary_counts_messages_instead_of_listing_them(hostile_db: str) -> None:
    summary = invoke(hostile_db, "runs").stdout
    assert "no manifest entry" not in summary
    assert "1 warning" in summary
    listed = invoke(hostile_db, "runs", "--messages").stdout
    assert "no manifest entry and no date in the text" in listed
    assert json.loads(invoke(hostile_db, "runs", "--json").stdout)[-1]["warnings"] == 1


def test_explain_strips_control_characters() -> None:
    text = "India and China agreed to resume direct flights \x1b]0;pwned\x07 today."
    result = CliRunner().invoke(main, ["explain", text, "--date", "2025-07-01"])
    assert result.exit_code == 0, result.output
    assert "statement: air-services agreed" in result.stdout
    assert not CONTROL.search(result.stdout)
    rows = list(csv.reader(io.StringIO(CliRunner().invoke(main, ["explain", text, "--csv"]).stdout)))
    assert rows[0][0] == "kind" and rows[1][:2] == ["statement", "air-services"]
    assert "\x1b" not in rows[1][-1]


def test_on_a_terminal_only_the_tables_own_colour_codes_are_written(hostile_db: str) -> None:
    from tracker.config import load_config
    from tracker.pipeline import Context, current_statuses

    ctx = Context.open(load_config(overrides={"database_url": hostile_db}))
    try:
        screen = terminal.Screen(terminal=True, width=100)
        commitments = [(c.id, c.title) for c in ctx.catalogue.commitments]
        terminal.render_status(screen, commitments, current_statuses(ctx.views))
        changes = ctx.views.changes()
        terminal.render_changes(screen, changes, dict(commitments))
        entries = terminal.history_entries(ctx.store.statements("border-trade"), ctx.views.changes())
        terminal.render_history(screen, "Border trade", "border-trade", entries)
    finally:
        ctx.close()
    out = screen.text()
    assert SGR.search(out), "a terminal gets colour"
    assert not CONTROL.search(SGR.sub("", out))
    assert "pwned" not in out
    # rich markup in an article is shown as text, not turned into a link.
    assert "\x1b]8;" not in out
    wide = terminal.Screen(terminal=True, width=400)
    terminal.render_history(wide, "Border trade", "border-trade", entries)
    assert "[link=javascript:alert(2)]click[/link]" in SGR.sub("", wide.text())
    # Evidence is cut to the width of the terminal.
    assert max(len(line) for line in SGR.sub("", out).splitlines()) <= 100


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(hostile_db: str) -> None:
    rows = list(csv.DictReader(io.StringIO(invoke(hostile_db, "history", "visas", "--csv").stdout)))
    assert "'" + FORMULA + " India and China agreed to ease visas." in [r["evidence"] for r in rows]
    for command in (["status", "--csv"], ["changes", "--csv"], ["history", "visas", "--csv"]):
        for row in csv.reader(io.StringIO(invoke(hostile_db, *command).stdout)):
            assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("plain", "plain"), (-1, "-1")],
)
def test_csv_cell(value: object, expected: str) -> None:
    assert csv_cell(value) == expected


@pytest.mark.parametrize(
    "text",
    [
        "[x](javascript:alert(1))",
        "![](http://evil.example/pixel.png)",
        "<img src=x onerror=alert(1)>",
        "<http://evil.example>",
        "[a]: javascript:alert(1)",
        "`code` **bold** _em_ ~~strike~~ | cell |",
        "1. a list",
        "- a list",
        "&#106;avascript",
    ],
)
def test_escaped_markdown_renders_as_the_same_text(text: str) -> None:
    html = markdown("table", "strikethrough").render(f"> {escape_markdown(text)}\n")
    assert "<a " not in html and "<img" not in html and "<code" not in html and "<strong" not in html
    assert "<ol" not in html and "<ul" not in html and "<del" not in html


def test_strip_controls_removes_whole_escape_sequences() -> None:
    assert strip_controls("a\x1b]0;title\x07b\x1b[31mc\x1b[0m\x9b2Jd\u202ee") == "abcde"
    assert strip_controls("one\ntwo\tthree") == "one two three"
