"""Each government's version: who speaks for which government, and when their versions differ."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.hostile import write_fixture_articles
from tracker.catalogue import Catalogue, load_catalogue
from tracker.cli import main
from tracker.delivery.files import render_report
from tracker.digest import build_digest, sides_of
from tracker.model import RunCounts, StatementView
from tracker.terminal import history_entries
from tracker.timeline.versions import divergences, government_of

CATALOGUE = load_catalogue()


def said(day: date, status: str, url: str, attribution: str = "", commitment: str = "visas") -> StatementView:
    return StatementView(commitment, status, "both", f"{status} on {day}", 0.9, "r", attribution, day, "", url, "")


MEA = "https://www.mea.gov.in/readout"
MFA = "https://www.fmprc.gov.cn/eng/readout"
PRESS = "https://news.example/story"


def test_whose_version_a_statement_is() -> None:
    assert government_of(said(date(2025, 1, 1), "agreed", MEA), CATALOGUE) == "india"
    assert government_of(said(date(2025, 1, 1), "agreed", MFA), CATALOGUE) == "china"
    assert government_of(said(date(2025, 1, 1), "agreed", "https://pib.gov.in/x"), CATALOGUE) == "india"
    assert (
        government_of(said(date(2025, 1, 1), "agreed", PRESS, "the Ministry of External Affairs"), CATALOGUE) == "india"
    )
    assert government_of(said(date(2025, 1, 1), "agreed", PRESS, "the Chinese foreign ministry"), CATALOGUE) == "china"
    assert government_of(said(date(2025, 1, 1), "agreed", PRESS, "analysts"), CATALOGUE) is None
    assert government_of(said(date(2025, 1, 1), "agreed", "seed:abc"), CATALOGUE) is None
    # An official domain of the configuration counts for its country.
    assert government_of(
        said(date(2025, 1, 1), "agreed", "https://indianembassy.example.in/x"), CATALOGUE, ["example.in"]
    ) == ("india")


def test_versions_of_the_same_days_that_differ() -> None:
    day = date(2025, 8, 19)
    found = divergences([said(day, "agreed", MEA), said(date(2025, 8, 20), "in_progress", MFA)], CATALOGUE)
    assert [(d.side_a.status, d.side_b.status, d.date) for d in found] == [("agreed", "in_progress", date(2025, 8, 20))]
    # The same status, days too far apart, another commitment, or a non-government source: no divergence.
    assert divergences([said(day, "agreed", MEA), said(day, "agreed", MFA)], CATALOGUE) == []
    assert divergences([said(day, "agreed", MEA), said(date(2025, 8, 22), "in_progress", MFA)], CATALOGUE) == []
    assert (
        divergences([said(day, "agreed", MEA), said(day, "in_progress", MFA, commitment="air-services")], CATALOGUE)
        == []
    )
    assert divergences([said(day, "agreed", MEA), said(day, "in_progress", PRESS)], CATALOGUE) == []


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


# --- a made-up pair: its sides, their sites and speakers come from its catalogue ----------------------

PAIR = """
[relationship]
id = "RU-FR"
title = "Ruritania–Freedonia"

[relationship.side_a]
actor = "ruritania"
label = "Ruritania"
terms = ["Ruritania", "Ruritanian", "Strelsau"]
official_hosts = ["foreign.gov.rt"]
government_domains = ["gov.rt"]
speakers = ["ruritanian foreign office", "strelsau"]

[relationship.side_b]
actor = "freedonia"
label = "the Free State"
terms = ["Freedonia", "Freedonian", "Fredville"]
government_domains = ["gov.fd"]
speakers = ["freedonian chancellery"]

[[commitment]]
id = "ferry"
title = "The Strelsau–Fredville ferry"
phrases = ["ferry (?:service|link)"]
"""


@pytest.fixture()
def pair(tmp_path: Path) -> Catalogue:
    path = tmp_path / "ru-fr.toml"
    path.write_text(PAIR, encoding="utf-8")
    return load_catalogue(path)


def test_a_pair_s_governments_are_its_catalogue_s(pair: Catalogue) -> None:
    ferry = "ferry"
    assert government_of(said(date(2025, 1, 1), "agreed", "https://www.foreign.gov.rt/x", commitment=ferry), pair) == (
        "ruritania"
    )
    assert government_of(said(date(2025, 1, 1), "agreed", "https://ports.gov.fd/x", commitment=ferry), pair) == (
        "freedonia"
    )
    assert government_of(said(date(2025, 1, 1), "agreed", PRESS, "the Freedonian chancellery"), pair) == "freedonia"
    assert government_of(said(date(2025, 1, 1), "agreed", PRESS, "officials in Strelsau"), pair) == "ruritania"
    # The packaged pair's sites and speakers are nobody's here.
    assert government_of(said(date(2025, 1, 1), "agreed", MEA), pair) is None
    assert government_of(said(date(2025, 1, 1), "agreed", PRESS, "the Ministry of External Affairs"), pair) is None
    # A source configured as official under a side's country domain speaks for that side.
    embassy = said(date(2025, 1, 1), "agreed", "https://embassy.example.fd/x")
    assert government_of(embassy, pair) is None
    assert government_of(embassy, pair, ["example.fd"]) == "freedonia"
    assert pair.official_hosts == ("foreign.gov.rt",)


def test_a_pair_s_versions_are_named_by_its_labels(pair: Catalogue) -> None:
    day = date(2025, 8, 19)
    found = divergences(
        [
            said(day, "agreed", "https://foreign.gov.rt/a", commitment="ferry"),
            said(day, "in_progress", "https://ports.gov.fd/b", commitment="ferry"),
        ],
        pair,
    )
    assert [d.as_json()["ruritania"]["status"] for d in found] == ["agreed"]
    assert found[0].as_json()["freedonia"]["status"] == "in_progress"
    entries = history_entries([found[0].side_a, found[0].side_b], [], found, (), pair.labels)
    assert [e.flag for e in entries] == [
        "⚠ Ruritania's version; the Free State says in progress",
        "⚠ the Free State's version; Ruritania says agreed",
    ]
    digest = build_digest([], {}, pair, day, None, RunCounts(1, 0, 0), [d.as_json() for d in found])
    assert digest["sides"] == [
        {"actor": "ruritania", "label": "Ruritania"},
        {"actor": "freedonia", "label": "the Free State"},
    ]
    rendered = render_report(digest)
    for ext in ("html", "md"):
        assert "Ruritania's version" in rendered[ext] and "the Free State's version" in rendered[ext], ext
        assert "Ruritania's and the Free State's official statements" in rendered[ext], ext
        assert "India" not in rendered[ext] and "China" not in rendered[ext], ext


def test_a_digest_stored_before_it_named_its_sides_labels_them_by_their_actors() -> None:
    stored = {
        "divergences": [{"commitment": "visas", "date": "2025-08-20", "india": {}, "china": {}}],
        "changes": [{"actor": "both"}, {"actor": "china"}],
    }
    assert sides_of(stored) == {"india": "India", "china": "China"}
    assert sides_of({"sides": [{"actor": "freedonia", "label": "the Free State"}]}) == {"freedonia": "the Free State"}
