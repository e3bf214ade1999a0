"""Analyst review: decisions change the fold as described, are kept, survive reruns; export."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.support.databases import copy_folder, database_copy
from tests.support.environment import clear_environment
from tests.support.hostile import FORMULA, write_fixture_articles
from tracker.cli import main
from tracker.config import CONFIG_ENV, ENV_KEYS, Config
from tracker.pipeline import Context, after_review, current_statuses, ingest_paths, run_cycle
from tracker.store import ReviewError

AS_OF = date(2025, 12, 1)


@pytest.fixture
def ctx(database_url: str, tmp_path: Path) -> Iterator[Context]:
    config = Config(
        database_url=database_url,
        reports_dir=tmp_path / "reports",
        folders=(write_fixture_articles(tmp_path / "incoming"),),
    )
    context = Context.open(config)
    run_cycle(context, AS_OF)
    yield context
    context.close()


def status_of(ctx: Context, commitment_id: str) -> str:
    return current_statuses(ctx.views)[commitment_id].to_status


def change_to(ctx: Context, commitment_id: str, status: str) -> int:
    return next(c.id for c in ctx.views.changes(commitment_id=commitment_id) if c.to_status == status)


def test_a_rejected_change_no_longer_drives_the_fold_and_stays_rejected(ctx: Context) -> None:
    assert status_of(ctx, "air-services") == "suspended"
    setback = change_to(ctx, "air-services", "suspended")
    ctx.store.review_change("reject", setback, "asha", "an airline is not a party")
    after_review(ctx)
    assert status_of(ctx, "air-services") == "in_progress"
    # A rerun (and a forced digest) folds again from stored statements: the rejection holds.
    again = run_cycle(ctx, AS_OF, always=True)
    assert status_of(ctx, "air-services") == "in_progress"
    assert again.new_changes == 0
    (review,) = ctx.store.reviews("air-services")
    assert (review.kind, review.reviewer, review.status, review.note) == (
        "reject",
        "asha",
        "suspended",
        "an airline is not a party",
    )
    # Nothing is deleted: the statement is still in history, the change is kept as superseded.
    assert any(s.status == "suspended" for s in ctx.store.statements("air-services"))
    page = (ctx.config.site_path / "commitments" / "air-services.html").read_text(encoding="utf-8")
    assert "✗ Rejected by asha" in page and "an airline is not a party" in page


def test_a_rejected_statement_no_longer_corroborates(sqlite_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "two"
    folder.mkdir()
    stories = {
        "a.txt": ("https://one.example/a", "India and China agreed to reopen border trade through Nathu La."),
        "b.txt": ("https://two.example/b", "Officials said India and China agreed to resume border trade next year."),
    }
    manifest = []
    for name, (url, text) in stories.items():
        (folder / name).write_text(f"Border trade\n\n{text}\n", encoding="utf-8")
        manifest.append(f'[[article]]\nfile = "{name}"\ndate = 2025-07-01\nsource = "{name}"\nurl = "{url}"\n')
    (folder / "manifest.toml").write_text("\n".join(manifest), encoding="utf-8")
    context = Context.open(Config(database_url=sqlite_url, reports_dir=tmp_path / "r", use_seeds=False))
    try:
        ingest_paths(context, [folder], AS_OF)
        (change,) = context.views.changes(commitment_id="border-trade")
        assert len(change.sources) == 2
        context.store.review_change("reject", change.id, "asha", "the first story misreads the readout")
        after_review(context)
        (kept,) = context.views.changes(commitment_id="border-trade")
        assert [s["url"] for s in kept.sources] == [u for u, _ in stories.values() if u != change.source_url]
        assert kept.confidence < change.confidence
    finally:
        context.close()


def test_a_set_status_is_a_statement_with_the_analyst_as_source(ctx: Context) -> None:
    ctx.store.review_set("air-services", "implemented", date(2025, 10, 26), "asha", "The first flight landed.")
    assert after_review(ctx) == 1
    latest = current_statuses(ctx.views)["air-services"]
    assert (latest.to_status, latest.date, latest.source_name) == ("implemented", date(2025, 10, 26), "Analyst review")
    assert latest.evidence == "The first flight landed."
    run_cycle(ctx, AS_OF)
    assert status_of(ctx, "air-services") == "implemented"
    statement = next(s for s in ctx.store.statements("air-services") if s.source_name == "Analyst review")
    assert (statement.rule, statement.attribution, statement.confidence) == ("analyst-review", "analyst asha", 1.0)


def test_a_confirmed_change_leaves_the_list_awaiting_review(ctx: Context) -> None:
    waiting = ctx.views.awaiting_review(100)
    first = waiting[0]
    assert first.date == max(c.date for c in waiting)  # newest first
    ctx.store.review_change("confirm", first.id, "asha", "the readout agrees")
    assert first.id not in {c.id for c in ctx.views.awaiting_review(100)}
    assert len(ctx.views.awaiting_review(100)) == len(waiting) - 1
    with pytest.raises(ReviewError, match="no status change #99999"):
        ctx.store.review_change("confirm", 99999, "asha")


# --- through the command line ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture articles ingested and run as of 2025-12-01 through the command line, once for this module."""
    folder = tmp_path_factory.mktemp("review")
    with pytest.MonkeyPatch.context() as monkeypatch:
        clear_environment(monkeypatch, folder)
        db = f"sqlite:///{folder / 'review.db'}"
        ok(db, "ingest", str(write_fixture_articles(folder / "incoming")), "--as-of", "2025-12-01")
        ok(db, "run", "--as-of", "2025-12-01")
    return folder


@pytest.fixture
def cli_db(cli_world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A copy of that database and its reports in the test's own folder, for the test to change."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    for env in ENV_KEYS.values():
        monkeypatch.delenv(env, raising=False)
    with database_copy(f"sqlite:///{cli_world / 'review.db'}", tmp_path) as db:
        copy_folder(cli_world, tmp_path, "reports")
        yield db


def ok(db: str, *args: str) -> Result:
    result = CliRunner().invoke(main, ["--database-url", db, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_review_commands(cli_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    waiting = json.loads(ok(cli_db, "review", "--json").stdout)
    setback = next(c for c in waiting if c["commitment"] == "air-services" and c["to_status"] == "suspended")
    out = ok(cli_db, "review", "reject", str(setback["id"]), "--note", "not a party", "--by", "asha").stdout
    assert f"Rejected change #{setback['id']} of air-services" in out
    monkeypatch.setenv("TRACKER_REVIEWER", "li")
    ok(cli_db, "review", "set", "visas", "implemented", "--date", "2025-11-01", "--note", "Visas are issued.")
    status = json.loads(ok(cli_db, "status", "--json").stdout)
    assert status["air-services"]["status"] == "in_progress"
    assert status["visas"]["status"] == "implemented"
    history = ok(cli_db, "history", "air-services").stdout
    assert "✗ rejected by asha" in history and f"rejected change #{setback['id']}" in history
    payload = json.loads(ok(cli_db, "history", "visas", "--json").stdout)
    assert payload["reviews"][0]["reviewer"] == "li" and payload["reviews"][0]["kind"] == "set"
    unknown = CliRunner().invoke(main, ["--database-url", cli_db, "review", "confirm", "99999", "--by", "x"])
    assert unknown.exit_code == 1 and "no status change #99999" in unknown.output
    assert "Traceback" not in unknown.output


@pytest.mark.parametrize("what", ["commitments", "statements", "changes", "reviews"])
def test_export(cli_db: str, what: str) -> None:
    ok(cli_db, "review", "confirm", "1", "--by", "=cmd|' /C calc'!A0", "--note", "+1")
    items = json.loads(ok(cli_db, "export", "--what", what, "--format", "json").stdout)
    rows = list(csv.reader(io.StringIO(ok(cli_db, "export", "--what", what, "--format", "csv").stdout)))
    assert len(rows) == len(items) + 1
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row
    if what == "statements":
        evidence = rows[0].index("evidence")
        assert any(r[evidence] == "'" + FORMULA + " India and China agreed to ease visas." for r in rows)
        # The relationship follows the columns a database of one relationship had.
        assert rows[0][-1] == "relationship" and {r[-1] for r in rows[1:]} == {"IN-CN"}
    if what == "reviews":
        assert items[0]["reviewer"].startswith("=") and rows[1][6].startswith("'=")


def test_review_export_is_a_corpus_eval_reads(cli_db: str, tmp_path: Path) -> None:
    waiting = json.loads(ok(cli_db, "review", "--json").stdout)
    setback = next(c for c in waiting if c["commitment"] == "air-services" and c["to_status"] == "suspended")
    kept = next(c for c in waiting if c["id"] != setback["id"])
    ok(cli_db, "review", "reject", str(setback["id"]), "--note", "an airline is not a party", "--by", "asha")
    ok(cli_db, "review", "confirm", str(kept["id"]), "--by", "li")
    ok(cli_db, "review", "set", "visas", "implemented", "--date", "2025-11-01", "--note", "Issued.", "--by", "li")
    out = ok(cli_db, "review", "export", str(tmp_path / "reviewed")).stdout
    assert "Wrote 2 reviewed articles (2 decisions)" in out
    labels = json.loads((tmp_path / "reviewed" / "labels.json").read_text(encoding="utf-8"))
    by_kind = {("confirmed" if item["statements"] else "rejected"): item for item in labels}
    assert by_kind["confirmed"]["statements"] == [
        {
            "commitment": kept["commitment"],
            "status": kept["to_status"],
            "actor": kept["actor"],
            "evidence": kept["evidence"],
        }
    ]
    assert by_kind["confirmed"]["judged"] == [kept["commitment"]]
    assert by_kind["rejected"]["rejected"] == [
        {"commitment": "air-services", "status": "suspended", "evidence": setback["evidence"]}
    ]
    for item in labels:
        text = (tmp_path / "reviewed" / "articles" / f"{item['id']}.txt").read_text(encoding="utf-8")
        assert text.startswith(item["title"] + "\n\n")
    # The reader reads the same as when the analysts reviewed it: the confirmed statement is
    # right, the rejected status is read again (a false positive), nothing else is judged.
    result = json.loads(ok(cli_db, "eval", str(tmp_path / "reviewed"), "--json").stdout)
    assert result["tracker"]["statements"]["tp"] == 1
    assert result["tracker"]["statements"]["fp"] == 1
    assert result["tracker"]["statements"]["fn"] == 0
    # An export never overwrites a corpus.
    again = CliRunner().invoke(main, ["--database-url", cli_db, "review", "export", str(tmp_path / "reviewed")])
    assert again.exit_code == 1 and "exists and is not an empty folder" in again.output
