"""Each government's version: who speaks for which government, and when their versions differ."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from tests.support.hostile import write_fixture_articles
from tracker.cli import main
from tracker.model import StatementView
from tracker.timeline.versions import divergences, government_of


def said(day: date, status: str, url: str, attribution: str = "", commitment: str = "visas") -> StatementView:
    return StatementView(commitment, status, "both", f"{status} on {day}", 0.9, "r", attribution, day, "", url, "")


MEA = "https://www.mea.gov.in/readout"
MFA = "https://www.fmprc.gov.cn/eng/readout"
PRESS = "https://news.example/story"


def test_whose_version_a_statement_is() -> None:
    assert government_of(said(date(2025, 1, 1), "agreed", MEA)) == "india"
    assert government_of(said(date(2025, 1, 1), "agreed", MFA)) == "china"
    assert government_of(said(date(2025, 1, 1), "agreed", "https://pib.gov.in/x")) == "india"
    assert government_of(said(date(2025, 1, 1), "agreed", PRESS, "the Ministry of External Affairs")) == "india"
    assert government_of(said(date(2025, 1, 1), "agreed", PRESS, "the Chinese foreign ministry")) == "china"
    assert government_of(said(date(2025, 1, 1), "agreed", PRESS, "analysts")) is None
    assert government_of(said(date(2025, 1, 1), "agreed", "seed:abc")) is None
    # An official domain of the configuration counts for its country.
    assert government_of(said(date(2025, 1, 1), "agreed", "https://indianembassy.example.in/x"), ["example.in"]) == (
        "india"
    )


def test_versions_of_the_same_days_that_differ() -> None:
    day = date(2025, 8, 19)
    found = divergences([said(day, "agreed", MEA), said(date(2025, 8, 20), "in_progress", MFA)])
    assert [(d.india.status, d.china.status, d.date) for d in found] == [("agreed", "in_progress", date(2025, 8, 20))]
    # The same status, days too far apart, another commitment, or a non-government source: no divergence.
    assert divergences([said(day, "agreed", MEA), said(day, "agreed", MFA)]) == []
    assert divergences([said(day, "agreed", MEA), said(date(2025, 8, 22), "in_progress", MFA)]) == []
    assert divergences([said(day, "agreed", MEA), said(day, "in_progress", MFA, commitment="air-services")]) == []
    assert divergences([said(day, "agreed", MEA), said(day, "in_progress", PRESS)]) == []


def test_history_flags_the_differing_versions(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    db = f"sqlite:///{tmp_path / 'v.db'}"
    runner = CliRunner()
    folder = str(write_fixture_articles(tmp_path / "incoming"))
    assert runner.invoke(main, ["--database-url", db, "ingest", folder, "--as-of", "2025-12-01"]).exit_code == 0
    text = runner.invoke(main, ["--database-url", db, "history", "trans-border-rivers"]).stdout
    assert "⚠ India's version; China says in progress" in text
    assert "⚠ China's version; India says agreed" in text
    payload = json.loads(runner.invoke(main, ["--database-url", db, "history", "trans-border-rivers", "--json"]).stdout)
    assert {"commitment", "title", "statements", "changes"} <= set(payload)
    assert payload["divergences"][0]["india"]["status"] == "agreed"
    assert payload["divergences"][0]["china"]["status"] == "in_progress"
