"""A catalogue or lexicon with a bad field is one line naming the file, the entry and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.catalogue import CatalogueError, load_catalogue, load_lexicon

DATA = Path(__file__).resolve().parents[1] / "tracker" / "data"
CUES = (DATA / "cues.toml").read_text(encoding="utf-8")
CATALOGUE = (DATA / "india-china.toml").read_text(encoding="utf-8")
FIRST_CUE = '[[cue]]\nname = "expedite"\nstatus = "in_progress"\nweight = 0.9\n'


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("weight = 0.9\n", 'weight = "high"\n', "cue[0].weight: must be a number above 0 and at most 1, not 'high'"),
        ("weight = 0.9\n", "weight = 7.5\n", "cue[0].weight: must be a number above 0 and at most 1, not 7.5"),
        ("weight = 0.9\n", "weight = -3\n", "cue[0].weight: must be a number above 0 and at most 1, not -3"),
        ("weight = 0.9\n", "weight = true\n", "cue[0].weight: must be a number above 0 and at most 1, not True"),
        ('name = "expedite"\n', 'name = ""\n', "cue[0].name: must be a non-empty string"),
    ],
)
def test_a_bad_cue_field_is_one_line(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert CUES.count(FIRST_CUE) == 1
    path = tmp_path / "cues.toml"
    path.write_text(CUES.replace(FIRST_CUE, FIRST_CUE.replace(old, new), 1), encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        load_lexicon(path)
    assert str(path) in str(caught.value) and expected in str(caught.value) and "\n" not in str(caught.value)


def test_cue_patterns_must_be_a_list_of_strings(tmp_path: Path) -> None:
    path = tmp_path / "cues.toml"
    # The first rule's patterns a bare string (its list kept under a key nobody reads).
    assert CUES.count(FIRST_CUE + "patterns = [") == 1
    bare = CUES.replace(FIRST_CUE + "patterns = [", FIRST_CUE + 'patterns = "x"\nkept = [', 1)
    path.write_text(bare, encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"cue\[0\]\.patterns: must be a list of non-empty strings"):
        load_lexicon(path)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('id = "air-services"', 'id = "../../x"', "commitment[0].id: '../../x' must be a slug"),
        ('id = "air-services"', "id = 7", "commitment[0].id: must be a non-empty string, not 7"),
        ('title = "Direct air services"', 'title = ""', "commitment[0].title: must be a non-empty string"),
        ('id = "kailash-yatra"', 'id = "air-services"', "commitment[1]: duplicate id 'air-services'"),
    ],
)
def test_a_bad_commitment_field_is_one_line(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in CATALOGUE
    path = tmp_path / "catalogue.toml"
    path.write_text(CATALOGUE.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    assert str(path) in str(caught.value) and expected in str(caught.value) and "\n" not in str(caught.value)


def test_phrases_must_be_strings(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.toml"
    start = CATALOGUE.index("phrases = [", CATALOGUE.index('id = "visas"'))
    end = CATALOGUE.index("]", start) + 1
    path.write_text(CATALOGUE[:start] + "phrases = [1, 2]" + CATALOGUE[end:], encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"commitment\[3\]\.phrases: must be a list of non-empty strings"):
        load_catalogue(path)


def test_the_packaged_files_pass_their_own_checks() -> None:
    assert len(load_catalogue().commitments) >= 7
    assert len(load_lexicon().cues) >= 10


@pytest.mark.parametrize(
    ("text", "commitment"),
    [
        ("Direct commercial flights will return next month.", "air-services"),
        ("talks on direct passenger air services", "air-services"),
        ("pilgrims bound for Mount Kang Rinpoche", "kailash-yatra"),
        ("trade through two Himalayan passes", "border-trade"),
        ("the new hydropower project on the Yarlung Tsangpo", "trans-border-rivers"),
    ],
)
def test_the_packaged_catalogue_names_common_variants(text: str, commitment: str) -> None:
    catalogue = load_catalogue(None)
    named = {c.id for c in catalogue.commitments if c.pattern.search(text)}
    assert commitment in named


def test_a_raised_only_phrase_is_a_mention_that_needs_raising() -> None:
    catalogue = load_catalogue(None)
    rivers = next(c for c in catalogue.commitments if c.id == "trans-border-rivers")
    assert rivers.raised_pattern is not None
    assert rivers.raised_pattern.fullmatch("mega dam on the Brahmaputra")
    assert not rivers.raised_pattern.fullmatch("hydrological data")


# --- each side of a made-up pair ------------------------------------------------------------------

PAIR = """
[relationship]
id = "RU-FR"
title = "Ruritania–Freedonia"
side_a = { actor = "ruritania", terms = ["Ruritania", "Strelsau"], official_hosts = ["foreign.gov.rt"] }
side_b = { actor = "freedonia", terms = ["Freedonia", "Fredville"] }

[[commitment]]
id = "ferry"
title = "The Strelsau–Fredville ferry"
phrases = ["ferry (?:service|link)"]
"""


def test_a_side_without_its_optional_fields_is_named_by_its_actor(tmp_path: Path) -> None:
    path = tmp_path / "pair.toml"
    path.write_text(PAIR, encoding="utf-8")
    pair = load_catalogue(path)
    assert pair.labels == {"ruritania": "Ruritania", "freedonia": "Freedonia"}
    assert pair.official_hosts == ("foreign.gov.rt",)
    assert pair.side_b.government_domains == () and pair.side_b.speakers is None


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'official_hosts = ["foreign.gov.rt"]',
            'official_hosts = ["https://foreign.gov.rt/"]',
            ("relationship.side_a.official_hosts[0]: 'https://foreign.gov.rt/' is not a host name such as mea.gov.in"),
        ),
        (
            'official_hosts = ["foreign.gov.rt"]',
            'official_hosts = "foreign.gov.rt"',
            ("relationship.side_a.official_hosts: must be a list of non-empty strings"),
        ),
        (
            'official_hosts = ["foreign.gov.rt"]',
            'government_domains = ["gov rt"]',
            ("relationship.side_a.government_domains[0]: 'gov rt' is not a host name such as gov.in"),
        ),
        (
            'official_hosts = ["foreign.gov.rt"]',
            'speakers = ["foreign (office"]',
            ("relationship.side_a.speakers: bad pattern"),
        ),
        ('official_hosts = ["foreign.gov.rt"]', "label = 7", "relationship.side_a.label: must be a non-empty string"),
        ('actor = "freedonia"', 'actor = "ruritania"', "relationship.side_b.actor: 'ruritania' is side_a's actor too"),
        ('actor = "freedonia"', 'actor = "both"', "relationship.side_b.actor: 'both' names no side"),
    ],
)
def test_a_bad_side_field_is_one_line(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in PAIR
    path = tmp_path / "pair.toml"
    path.write_text(PAIR.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    assert str(path) in str(caught.value) and expected in str(caught.value) and "\n" not in str(caught.value)
