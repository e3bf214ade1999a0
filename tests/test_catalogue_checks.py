"""A catalogue or lexicon with a bad field is one line naming the file, the entry and the field."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tracker.catalogue import CatalogueError, load_catalogue, load_lexicon
from tracker.cli import main

DATA = Path(__file__).resolve().parents[1] / "tracker" / "data"
CUES = (DATA / "cues.toml").read_text(encoding="utf-8")
CATALOGUE = (DATA / "india-china.toml").read_text(encoding="utf-8")
FIRST_CUE = '[[cue]]\nname = "expedite"\nstatus = "in_progress"\nweight = 0.9\n'


def assert_one_line_error(path: Path, text: str, load: Callable[[Path], object], expected: str) -> None:
    """Loading `text` from `path` fails with one line that names the file and says `expected`."""
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        load(path)
    assert str(path) in str(caught.value) and expected in str(caught.value) and "\n" not in str(caught.value)


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
    assert_one_line_error(
        tmp_path / "cues.toml", CUES.replace(FIRST_CUE, FIRST_CUE.replace(old, new), 1), load_lexicon, expected
    )


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
    assert_one_line_error(tmp_path / "catalogue.toml", CATALOGUE.replace(old, new, 1), load_catalogue, expected)


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
            "relationship.side_a.speakers[0]: bad pattern 'foreign (office'",
        ),
        ('official_hosts = ["foreign.gov.rt"]', "label = 7", "relationship.side_a.label: must be a non-empty string"),
        ("[relationship]\n", '[relationship]\noperators = "ferry lines"\n', "relationship.operators: must be a list"),
        ("[relationship]\n", '[relationship]\noperators = ["ferry (line"]\n', "relationship.operators[0]: bad pattern"),
        ('actor = "freedonia"', 'actor = "ruritania"', "relationship.side_b.actor: 'ruritania' is side_a's actor too"),
        ('actor = "freedonia"', 'actor = "both"', "relationship.side_b.actor: 'both' names no side"),
    ],
)
def test_a_bad_side_field_is_one_line(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in PAIR
    assert_one_line_error(tmp_path / "pair.toml", PAIR.replace(old, new, 1), load_catalogue, expected)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("[relationship]\n", "[relationship]\nsince_year = 1920\n", "relationship.since_year: unknown key (allowed: "),
        (
            'terms = ["Freedonia", "Fredville"]',
            'terms = ["Freedonia"], lable = "F"',
            "relationship.side_b.lable: unknown key",
        ),
        (
            'id = "ferry"\n',
            'id = "ferry"\nphrase = ["ferries"]\n',
            "commitment[0].phrase: unknown key (allowed: aims, aliases,",
        ),
        (
            "[[commitment]]\n",
            '[relationships]\nid = "x"\n\n[[commitment]]\n',
            "relationships: unknown key (allowed: commitment, relationship)",
        ),
    ],
)
def test_an_unknown_key_is_refused_by_name_with_the_allowed_ones(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert old in PAIR
    assert_one_line_error(tmp_path / "pair.toml", PAIR.replace(old, new, 1), load_catalogue, expected)


def test_a_phrase_that_does_not_compile_is_named_by_its_place(tmp_path: Path) -> None:
    path = tmp_path / "pair.toml"
    path.write_text(
        PAIR.replace('phrases = ["ferry (?:service|link)"]', 'phrases = ["ferry", "crossings? ("]'), "utf-8"
    )
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    assert "commitment[0].phrases[1]: bad pattern 'crossings? (': missing ), unterminated subpattern" in str(
        caught.value
    )


# --- tracker catalogue check ----------------------------------------------------------------------

CHECKED = (
    PAIR
    + """
[[commitment]]
id = "grain"
title = "Freedonia's ban on Ruritanian grain"
phrases = ["grain (?:imports|exports|shipments)", "barley quotas?", "(?:ruritania|freedonia)"]
raised = ["silos? (?:[a-z]+ ){0,3}at the border"]
"""
)

# Made-up reporting on the made-up pair: a title, a blank line, the body.
ARTICLES = {
    "01-ferry.txt": "Ferry link to reopen\n\nRuritania and Freedonia agreed to reopen the ferry\nservice next month.",
    "02-grain.txt": "Grain talks\n\nFreedonia said grain imports from Ruritania would stay banned.",
    "03-grain.txt": "Shipments\n\nOfficials in Strelsau hoped grain shipments to Freedonia would resume.",
    "04-silos.txt": "Silos\n\nRuritania raised the new silos built at the border with Freedonia.",
    "05-visit.txt": "A visit\n\nThe Freedonian minister visited Ruritania for talks on culture.",
}


def write_articles(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "notes.md").write_text("Not an article: ferry service, grain imports.", encoding="utf-8")
    return folder


def check(*args: str) -> Result:
    return CliRunner().invoke(main, ["catalogue", "check", *args])


def test_check_loads_a_catalogue_and_compiles_its_phrases(tmp_path: Path) -> None:
    path = tmp_path / "pair.toml"
    path.write_text(CHECKED, encoding="utf-8")
    result = check(str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{path}: Ruritania–Freedonia (RU-FR), Ruritania and Freedonia: 2 commitments, 5 phrases compiled\n"
    )


@pytest.mark.parametrize("corpus", [False, True])
def test_check_counts_the_articles_each_commitment_and_phrase_match(tmp_path: Path, corpus: bool) -> None:
    path = tmp_path / "pair.toml"
    path.write_text(CHECKED, encoding="utf-8")
    folder = write_articles(tmp_path / "sample" / "articles" if corpus else tmp_path / "sample")
    result = check(str(path), "--articles", str(tmp_path / "sample"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1] == f"5 articles in {folder}"
    # The ferry is named across a line break; the grain by two phrases, and the silos once a side raises them.
    assert "ferry: 1 of 5 articles" in lines
    assert "  phrases[0] 'ferry (?:service|link)': 1" in lines
    assert "grain: 5 of 5 articles" in lines
    assert "  phrases[0] 'grain (?:imports|exports|shipments)': 2" in lines
    assert "  phrases[1] 'barley quotas?': 0" in lines
    assert "  raised[0] 'silos? (?:[a-z]+ ){0,3}at the border': 1" in lines
    assert result.stderr.splitlines() == [
        "warning: commitment 'grain' phrases[1] 'barley quotas?' matches no article (0)",
        "warning: commitment 'grain' phrases[2] '(?:ruritania|freedonia)' matches nearly every article (5)",
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('"barley quotas?"', '"barley (quotas?"', "commitment[1].phrases[1]: bad pattern 'barley (quotas?'"),
        ('id = "grain"', 'id = "ferry"', "commitment[1]: duplicate id 'ferry'"),
        ('title = "Freedonia', 'kinds = "state"\ntitle = "Freedonia', "commitment[1].kinds: unknown key"),
    ],
)
def test_check_refuses_a_bad_catalogue_in_one_line(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in CHECKED
    path = tmp_path / "pair.toml"
    path.write_text(CHECKED.replace(old, new, 1), encoding="utf-8")
    result = check(str(path), "--articles", str(write_articles(tmp_path / "sample")))
    assert result.exit_code == 1 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert str(path) in result.stderr and expected in result.stderr


def test_check_loads_no_database_parser_or_templates(tmp_path: Path) -> None:
    path = tmp_path / "pair.toml"
    path.write_text(CHECKED, encoding="utf-8")
    write_articles(tmp_path / "sample")
    loads = (
        "import sys\nfrom tracker.cli import main\ntry:\n    main(sys.argv[1:], standalone_mode=False)\n"
        "except SystemExit:\n    pass\nprint(' '.join(sorted({name.split('.')[0] for name in sys.modules})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", loads, "catalogue", "check", str(path), "--articles", str(tmp_path / "sample")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    loaded = set(done.stdout.split()[-400:])
    assert "grain: 5 of 5 articles" in done.stdout  # the command did run
    assert loaded & {"sqlalchemy", "alembic", "jinja2", "spacy", "feedparser", "httpx", "syntok"} == set()


def test_the_readme_s_example_catalogue_loads(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Writing a catalogue for another pair") :]
    example = section[section.index("```toml\n") + len("```toml\n") : section.index("```\n", section.index("```toml"))]
    path = tmp_path / "ru-fr.toml"
    path.write_text(example, encoding="utf-8")
    pair = load_catalogue(path)
    assert pair.labels == {"ruritania": "Ruritania", "freedonia": "Freedonia"}
    assert pair.ids == ["ferry"] and pair.official_hosts == ("foreign.gov.rt",)
    result = check(str(path))
    assert result.exit_code == 0 and "1 commitment, 2 phrases compiled" in result.stdout


def test_a_phrase_of_several_words_matches_them_hyphenated_and_nothing_inside_a_word() -> None:
    from tracker.catalogue import compile_phrases

    pattern = compile_phrases(["kailash(?: mansarovar)? yatra", "no flights", "[a ]b"], "phrases")
    assert pattern.search("the Kailash-Mansarovar Yatra resumed")
    assert pattern.search("the Kailash Mansarovar yatra")
    assert pattern.search("a kailash-yatra")
    # A hyphen joins words of a phrase, never a phrase to a word around it.
    assert not pattern.search("non-stop no-flights-zone")
    # Spaces inside a character class stay what they were.
    assert pattern.search(" b") and not pattern.search("-b")


@pytest.mark.parametrize(
    ("key", "text"),
    [
        # Without the key no release reads as partial.
        ("partial", "for most of the products"),
        # Without the key no subject is read as a sub-national government.
        ("provincial", "the chief minister urged"),
    ],
)
def test_optional_modifiers_may_be_left_out_and_are_checked_when_given(tmp_path: Path, key: str, text: str) -> None:
    start = CUES.index(f"{key} = [")
    end = CUES.index("]\n", start) + 2
    path = tmp_path / "cues.toml"
    path.write_text(CUES[:start] + CUES[end:], encoding="utf-8")
    assert getattr(load_lexicon(path), key).search(text) is None
    assert getattr(load_lexicon(), key).search(text) is not None
    assert_one_line_error(
        path, CUES[:start] + f"{key} = [1]\n" + CUES[end:], load_lexicon, f"modifiers.{key}: must be a list"
    )


def test_government_voice_may_be_left_out_then_any_caller_counts(tmp_path: Path) -> None:
    from datetime import date

    from tracker.extraction import extract_statements

    start = CUES.index("government_voice = [")
    end = CUES.index("]\n", start) + 2
    path = tmp_path / "cues.toml"
    path.write_text(CUES[:start] + CUES[end:], encoding="utf-8")
    catalogue = load_catalogue()
    text = (
        "India and China are slowly mending ties. "
        "A temple trust's head priest called for the early reopening of border trade through Nathu La."
    )

    def read(lexicon_path: Path | None) -> list[tuple[str, str]]:
        lexicon = load_lexicon(lexicon_path) if lexicon_path else load_lexicon()
        found = extract_statements(text, date(2025, 9, 2), catalogue, lexicon)
        return [(s.commitment_id, s.status) for s in found]

    # Without the list nobody's call is judged by its caller; with it, a priest's call is advocacy.
    assert load_lexicon(path).government_voice is None
    assert read(path) == [("border-trade", "proposed")]
    assert read(None) == []
    assert_one_line_error(
        path,
        CUES[:start] + "government_voice = [1]\n" + CUES[end:],
        load_lexicon,
        "modifiers.government_voice: must be a list",
    )


def _without_words_table() -> str:
    return CUES[: CUES.index("\n# Words the reading of the parse looks for by lemma")] + "\n"


def test_word_sets_are_data_and_a_lexicon_without_them_reads_with_the_packaged_ones(tmp_path: Path) -> None:
    from datetime import date

    from tracker.extraction import extract_statements

    catalogue = load_catalogue()
    text = "Beijing tightened checks on Indian pharmaceutical imports in retaliation for India's ban on Chinese apps."

    def read(lexicon_path: Path) -> list[tuple[str, str]]:
        found = extract_statements(text, date(2025, 9, 2), catalogue, load_lexicon(lexicon_path))
        return [(s.commitment_id, s.status) for s in found]

    older = tmp_path / "older.toml"
    older.write_text(_without_words_table(), encoding="utf-8")
    assert load_lexicon(older).words == load_lexicon().words
    # The ban named as what provoked the act is its cause, not news of the ban.
    assert read(older) == []
    edited = tmp_path / "edited.toml"
    edited.write_text(CUES.replace('cause_nouns = ["retaliation", ', 'cause_nouns = ['), encoding="utf-8")
    assert "retaliation" not in load_lexicon(edited).words.cause_nouns
    assert read(edited) == [("chinese-apps", "suspended")]


def test_a_word_set_added_after_a_words_table_was_written_reads_as_packaged(tmp_path: Path) -> None:
    start = CUES.index("\nprocesses = [")
    older = tmp_path / "older.toml"
    older.write_text(CUES[:start] + CUES[CUES.index("]", start) + 1 :], encoding="utf-8")
    assert "disengagement" in load_lexicon(older).words.processes
    own = tmp_path / "own.toml"
    own.write_text(CUES[:start] + '\nprocesses = ["withdrawal"]' + CUES[CUES.index("]", start) + 1 :], encoding="utf-8")
    assert load_lexicon(own).words.processes == {"withdrawal"}


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("", '[words]\nsteps = ["step"]\n', "words: missing field 'talk_verbs'"),
        ("words = 3\n", "", "words: must be a table of word lists"),
        ("", '[words]\nsteps = "step"\n', "words.steps: must be a list"),
    ],
)
def test_a_bad_word_set_is_one_line_naming_it(tmp_path: Path, before: str, after: str, expected: str) -> None:
    text = before + _without_words_table() + after
    assert_one_line_error(tmp_path / "cues.toml", text, load_lexicon, expected)
