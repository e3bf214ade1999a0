"""The archive-scale benchmark kit: the corpus generator, the archive builder and the runner, at tiny sizes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from tracker.catalogue import Catalogue
from tracker.cli import main as cli
from tracker.schema import Article, Change, Statement
from tracker.sources import SourceError, iter_path
from tracker.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import archive
import bench_archive
from corpus import STATUSES, Corpus, write_feeds

pytestmark = pytest.mark.system


def feed_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_the_same_seed_writes_byte_identical_feeds(tmp_path: Path) -> None:
    first = write_feeds(Corpus(7).articles(240), tmp_path / "a", per_feed=50)
    write_feeds(Corpus(7).articles(240), tmp_path / "b", per_feed=50)
    write_feeds(Corpus(8).articles(240), tmp_path / "c", per_feed=50)
    assert len(first) >= 240 // 50
    assert feed_bytes(tmp_path / "a") == feed_bytes(tmp_path / "b")
    assert feed_bytes(tmp_path / "a") != feed_bytes(tmp_path / "c")


def test_feeds_parse_with_the_intended_share_of_commitment_sentences(tmp_path: Path, catalogue: Catalogue) -> None:
    articles = list(Corpus(3, per_day=200).articles(1000))
    paths = write_feeds(iter(articles), tmp_path, per_feed=50)
    assert {p.suffix for p in paths} == {".xml", ".atom"}
    assert all(len(feedparser.parse(p.read_bytes()).entries) <= 50 for p in paths)
    problems: list[str] = []
    drafts = [d for item in iter_path(tmp_path, problems.append) if not isinstance(d := item, SourceError)]
    assert not problems
    assert len(drafts) == 1000
    assert len({d.guid for d in drafts}) == len({d.url for d in drafts}) == 1000
    by_guid = {d.guid: d for d in drafts}

    labelled = [a for a in articles if a.labels]
    assert 0.25 <= len(labelled) / len(articles) <= 0.35
    assert all(len(a.labels) <= 3 for a in articles)
    assert 400 <= sum(a.words for a in articles) / len(articles) <= 650
    assert {label.status for a in labelled for label in a.labels} == set(STATUSES)
    assert {label.commitment_id for a in labelled for label in a.labels} == {c.id for c in catalogue.commitments}
    for article in labelled:
        text = by_guid[article.guid].text
        assert all(label.sentence in text for label in article.labels)
    # An article without a label names no commitment: its background and other news are just that.
    for article in articles:
        if not article.labels:
            text = by_guid[article.guid].text
            assert not [c.id for c in catalogue.commitments if c.pattern.search(text)], article.title


def test_an_archive_builds_folded_and_reported(sqlite_url: str) -> None:
    report = archive.build_archive(sqlite_url, 300, batch_size=70)
    labels = sum(len(a.labels) for a in Corpus(archive.ARCHIVE_SEED).articles(300))
    assert report.articles == 300 and report.statements == labels and report.changes > 0
    store = Store(sqlite_url)
    try:
        with store.engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(Article.__table__)).scalar_one() == 300
            assert connection.execute(select(func.count()).select_from(Statement.__table__)).scalar_one() == labels
            unreported = connection.execute(
                select(func.count()).select_from(Change.__table__).where(Change.__table__.c.digest_id.is_(None))
            ).scalar_one()
        assert unreported == 0
        assert store.pending_alerts() == []
    finally:
        store.close()
    result = CliRunner().invoke(cli, ["--database-url", sqlite_url, "status", "--json"], catch_exceptions=False)
    assert result.exit_code == 0
    statuses = json.loads(result.output)
    named = [item["status"] for item in statuses.values() if item["status"] is not None]
    assert named and set(named) <= set(STATUSES)


def run_tiny(tmp_path: Path, *backend: str) -> dict:
    out = tmp_path / "out.json"
    argv = ["--archive", "300", "--day", "20", "--ingest", "20", "--sizes", "60", "--repeat", "1"]
    # The duplicate whole-process runs (ingest as a process, commands on the day's database) are left out.
    argv += ["--skip", "ingest-process,commands-day"]
    code = bench_archive.main([*argv, *backend, "--workdir", str(tmp_path / "work"), "--json", str(out)])
    assert code == 0
    return json.loads(out.read_text(encoding="utf-8"))


def check_figures(figures: dict) -> None:
    assert figures["ingest"]["ingested"] == 20
    assert figures["ingest"]["ingest_over_parse"] > 0 and figures["ingest"]["ingest_over_floor"] > 0
    assert figures["archive"]["articles"] == 300
    assert figures["day_empty"]["ingested"] == figures["day_archive"]["ingested"] == 20
    assert figures["day_ratio"]["wall"] > 0
    commands = figures["commands_archive"]
    assert commands["tracker status"]["error"] is None and commands["tracker status"]["best_s"] > 0
    assert commands["tracker --help"]["best_s"] > 0
    # An option the command lacks is recorded as an error, not a crash.
    assert all(c["best_s"] is not None or c["error"] for c in commands.values())
    assert figures["rss"]["60"]["exit"] == 0 and figures["rss"]["60"]["peak_rss_mb"] > 10


def test_the_runner_runs_end_to_end_on_sqlite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = run_tiny(tmp_path, "--backends", "sqlite")
    check_figures(results["backends"]["sqlite"])
    assert "archive day / empty day" in capsys.readouterr().out


def test_the_runner_runs_end_to_end_on_postgresql(tmp_path: Path, postgres_url: str) -> None:
    results = run_tiny(tmp_path, "--backends", "postgresql", "--postgres-url", postgres_url)
    check_figures(results["backends"]["postgresql"])
