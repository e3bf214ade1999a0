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

# Measured: statements P 0.78 R 0.51 F1 0.62; changes P 0.68 R 0.57 F1 0.62; final status 6 of 7.
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
