"""The second shipped catalogue, Australia–China, read on the labelled corpus written for it.

`tracker/data/australia-china.toml` is a catalogue a user could have written from the README:
seven commitments of another pair, its own sides, hosts and speakers. `tests/australia-china/`
holds 30 short articles written for this project about that pair (dated, in wire, ministry,
newspaper and notice styles) and the statements an analyst reads in them under the reading
conventions. The floors sit a few points under the figures measured when they were set
(README, "Writing a catalogue for another pair"), so a regression in the catalogue or in the
reader on a relationship it was not built on shows here.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.catalogue import COMMITMENT_KEYS, RELATIONSHIP_KEYS, SIDE_KEYS, load_catalogue
from tracker.catalogue_check import count_matches, read_articles
from tracker.cli import main
from tracker.resources import data_path

CATALOGUE = data_path("australia-china.toml")
CORPUS = Path(__file__).resolve().parent / "australia-china"

# Measured: statements P 0.82 R 0.56 F1 0.67; changes P 0.74 R 0.61 F1 0.67; final status 6 of 7.
STATEMENT_F1 = 0.58
CHANGE_F1 = 0.57
FINAL_ACCURACY = 0.8


def test_the_catalogue_ships_in_the_package_and_loads() -> None:
    assert CATALOGUE.is_file()
    catalogue = load_catalogue(CATALOGUE)
    assert catalogue.relationship_id == "AU-CN"
    assert set(catalogue.ids) == {
        "wine-duties",
        "rock-lobster",
        "red-meat",
        "visas",
        "pandas",
        "fta-review",
        "leaders-meeting",
    }
    assert {"australia", "china", "both", "other"} <= set(catalogue.actors)


def test_the_catalogue_uses_only_known_keys() -> None:
    raw = tomllib.loads(CATALOGUE.read_text(encoding="utf-8"))
    assert set(raw["relationship"]) <= RELATIONSHIP_KEYS
    for side in ("side_a", "side_b"):
        assert set(raw["relationship"][side]) <= SIDE_KEYS
    for item in raw["commitment"]:
        assert set(item) <= COMMITMENT_KEYS, item["id"]


def test_catalogue_check_passes_and_every_commitment_is_named_in_the_corpus() -> None:
    result = CliRunner().invoke(main, ["catalogue", "check", str(CATALOGUE)])
    assert result.exit_code == 0, result.output
    assert "7 commitments" in result.output
    counts = count_matches(load_catalogue(CATALOGUE), read_articles(CORPUS))
    assert all(count.articles > 0 for count in counts), counts


def _eval_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    # The run's own folder: no stray config or database is read from the checkout.
    monkeypatch.chdir(tmp_path)
    env = {"TRACKER_CATALOGUE": str(CATALOGUE), "TRACKER_CONFIG": None}
    result = CliRunner().invoke(main, ["eval", str(CORPUS), "--json", "--no-errors"], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_reader_holds_its_floor_on_the_second_catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    figures = _eval_json(tmp_path, monkeypatch)
    tracker = figures["tracker"]
    assert figures["articles"] == 30
    assert tracker["statements"]["f1"] >= STATEMENT_F1, tracker["statements"]
    assert tracker["changes"]["f1"] >= CHANGE_F1, tracker["changes"]
    assert tracker["final_status"]["accuracy"] >= FINAL_ACCURACY, tracker["final_status"]


def test_a_corpus_with_its_own_catalogue_reads_the_same_beside_another_relationship(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A corpus folder carrying catalogue.toml is read through it with nothing configured; with
    --beside the packaged relationship shares the database and the figures stay the corpus's."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    shutil.copy(CATALOGUE, corpus / "catalogue.toml")
    expected = _eval_json(tmp_path, monkeypatch)["tracker"]
    env = {"TRACKER_CATALOGUE": None, "TRACKER_CONFIG": None}
    runs = [
        CliRunner().invoke(main, ["eval", str(corpus), "--json", "--no-errors", *extra], env=env)
        for extra in ([], ["--beside", str(data_path("india-china.toml"))])
    ]
    for result in runs:
        assert result.exit_code == 0, result.output
        figures = json.loads(result.output)["tracker"]
        assert figures["statements"] == expected["statements"]
        assert figures["changes"] == expected["changes"]
    # The same relationship twice is refused before anything is read, in one line.
    clash = CliRunner().invoke(main, ["eval", str(corpus), "--beside", str(CATALOGUE)], env=env)
    assert clash.exit_code != 0
    assert "AU-CN" in clash.output and len(clash.output.strip().splitlines()) == 1
