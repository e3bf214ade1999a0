"""Extraction on labelled sentences (tests/extraction_cases.toml) and on the seeds."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest

from tracker.catalogue import STATUSES, Catalogue, Lexicon, load_catalogue
from tracker.extraction import Rejection, attribution, extract_statements, split_sentences

ALL_CASES = tomllib.loads((Path(__file__).parent / "extraction_cases.toml").read_text(encoding="utf-8"))["case"]
# Rule cases must each pass; the cases of a new voice measure how the reader carries over.
CASES = [c for c in ALL_CASES if not c.get("voice")]
VOICES = sorted({c["voice"] for c in ALL_CASES if c.get("voice")})
# Agreement on each voice's sentences as measured when they were added (first measure
# transcripts 0.63, notices 0.61), now held as a floor: a fall below it is a regression.
VOICE_FLOOR = {"transcripts": 0.77, "notices": 0.73}


def _case_id(case: dict) -> str:
    return f"{case['kind']}:{case['text'][:50]}"


def test_cases_are_well_formed(catalogue: Catalogue) -> None:
    assert len(CASES) >= 60
    assert len(ALL_CASES) - len(CASES) >= 150
    for case in ALL_CASES:
        for expected in case["expect"]:
            assert expected["commitment"] in catalogue.ids, case["text"]
            assert expected["status"] in STATUSES, case["text"]
            assert expected["actor"] in catalogue.actors, case["text"]
    kinds = {case["kind"] for case in CASES}
    assert {"negation", "speculation", "retrospective", "other-country"} <= kinds


def _read(case: dict, catalogue: Catalogue, lexicon: Lexicon) -> tuple[list, list, list[Rejection]]:
    """What the reader takes from a case's sentence, and what the case expects."""
    text = f"{case['context']} {case['text']}" if case.get("context") else case["text"]
    rejections: list[Rejection] = []
    found = extract_statements(
        text, date.fromisoformat(case["date"]), catalogue, lexicon, rejections=rejections, per_sentence=True
    )
    index = len(split_sentences(text)) - 1
    got = sorted((s.commitment_id, s.status) for s in found if s.sentence_index == index)
    expected = sorted((e["commitment"], e["status"]) for e in case["expect"])
    return got, expected, [r for r in rejections if r.sentence_index == index]


@pytest.mark.parametrize("voice", VOICES)
def test_new_voice_agreement(voice: str, catalogue: Catalogue, lexicon: Lexicon) -> None:
    cases = [c for c in ALL_CASES if c.get("voice") == voice]
    assert len(cases) >= 80
    misses = []
    for case in cases:
        got, expected, _ = _read(case, catalogue, lexicon)
        if got != expected:
            misses.append(f"{case['kind']}: expected {expected}, got {got}: {case['text'][:90]}")
    agreement = 1 - len(misses) / len(cases)
    assert agreement >= VOICE_FLOOR[voice], f"{voice}: {agreement:.2f} < {VOICE_FLOOR[voice]}\n" + "\n".join(misses)


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_labelled_sentence(case: dict, catalogue: Catalogue, lexicon: Lexicon) -> None:
    # Only what the labelled sentence itself asserts: context sentences come first.
    got, expected, rejections = _read(case, catalogue, lexicon)
    assert got == expected, f"rejected: {[f'{r.commitment_id}: {r.describe()} [{r.path}]' for r in rejections]}"


def test_actor_agreement(catalogue: Catalogue, lexicon: Lexicon) -> None:
    """Who acts is often a matter of reading; most labelled actors must still agree."""
    agree = total = 0
    for case in CASES:
        text = f"{case['context']} {case['text']}" if case.get("context") else case["text"]
        found = extract_statements(text, date.fromisoformat(case["date"]), catalogue, lexicon)
        index = len(split_sentences(text)) - 1
        got = {(s.commitment_id, s.status): s.actor for s in found if s.sentence_index == index}
        for expected in case["expect"]:
            key = (expected["commitment"], expected["status"])
            if key in got:
                total += 1
                agree += got[key] == expected["actor"]
    assert total >= 60
    assert agree / total >= 0.85, f"actor agreement {agree}/{total}"


@pytest.mark.parametrize(
    ("sentence", "who"),
    [
        (
            "India and China agreed to resume flights, the Ministry of External Affairs said.",
            "the Ministry of External Affairs",
        ),
        (
            "Chinese Foreign Ministry spokesperson Lin Jian said China was ready to work with India.",
            "Chinese Foreign Ministry spokesperson Lin Jian",
        ),
        ("According to state-run Global Times, the two sides exchanged views.", "state-run Global Times"),
        ("IndiGo will fly from October 26, the airline said on Thursday, becoming the first carrier.", "the airline"),
        ("Flights could resume by winter, said analysts.", "analysts"),
        ("India and China agreed to resume direct flights.", ""),
    ],
)
def test_attribution_names_who_says_it(sentence: str, who: str) -> None:
    assert attribution(sentence) == who


def test_a_statement_records_its_attribution(catalogue: Catalogue, lexicon: Lexicon) -> None:
    text = "India and China have agreed to reopen border trade through Lipulekh, the Ministry of External Affairs said."
    (found,) = extract_statements(text, date(2025, 8, 19), catalogue, lexicon)
    assert (found.commitment_id, found.status, found.rule) == ("border-trade", "agreed", "agreed")
    assert found.attribution == "the Ministry of External Affairs"


def test_commentators_do_not_speak_for_a_side(catalogue: Catalogue, lexicon: Lexicon) -> None:
    text = "India and China have agreed to reopen border trade through Lipulekh, analysts said."
    rejections: list[Rejection] = []
    assert extract_statements(text, date(2025, 8, 19), catalogue, lexicon, rejections=rejections) == []
    assert [r.describe() for r in rejections] == ["not-a-party:agreed"]


def test_a_short_name_counts_once_the_article_has_named_the_commitment(catalogue: Catalogue, lexicon: Lexicon) -> None:
    text = (
        "The Kailash Mansarovar Yatra will be held between June and August, the Ministry of External Affairs said.\n\n"
        "India and China agreed in January that the yatra would resume. Registrations for the yatra are now open."
    )
    found = extract_statements(text, date(2025, 4, 26), catalogue, lexicon, per_sentence=True)
    assert [(s.sentence_index, s.commitment_id, s.status) for s in found] == [
        (0, "kailash-yatra", "in_progress"),
        (2, "kailash-yatra", "in_progress"),
    ]
    # As an article, it makes one statement about the yatra: the surer of the two (both countries
    # are named in its paragraph).
    (statement,) = extract_statements(text, date(2025, 4, 26), catalogue, lexicon)
    assert (statement.sentence_index, statement.status) == (2, "in_progress")


def test_a_short_name_alone_names_nothing(catalogue: Catalogue, lexicon: Lexicon) -> None:
    text = "Registrations for the yatra are now open, officials in New Delhi and Beijing said."
    assert extract_statements(text, date(2025, 4, 26), catalogue, lexicon) == []


def test_a_catalogue_of_another_relationship_reads_with_the_same_reader(tmp_path: Path, lexicon: Lexicon) -> None:
    # Nothing about India or China lives in code: another pair's catalogue loads and is read.
    path = tmp_path / "japan-korea.toml"
    path.write_text(
        """
[relationship]
id = "JP-KR"
title = "Japan–South Korea"
side_a = { actor = "japan", terms = ["Japan", "Japanese", "Tokyo"] }
side_b = { actor = "korea", terms = ["South Korea", "Korean", "Seoul"] }
others = ["China", "United States"]

[[commitment]]
id = "shuttle-diplomacy"
title = "Shuttle diplomacy"
restricting_side = "korea"
phrases = ["shuttle diplomacy"]
""",
        encoding="utf-8",
    )
    catalogue = load_catalogue(path)
    assert catalogue.actors == ("japan", "korea", "both", "other")
    text = "Japan and South Korea agreed to resume shuttle diplomacy, and Seoul's officials said visits would follow."
    (statement,) = extract_statements(text, date(2025, 1, 10), catalogue, lexicon)
    assert (statement.commitment_id, statement.status, statement.actor) == ("shuttle-diplomacy", "agreed", "both")


_TWO_DUTIES = """
[relationship]
id = "RU-FR"
title = "Ruritania–Freedonia"
side_a = { actor = "ruritania", terms = ["Ruritania", "Ruritanian", "Strelsau"] }
side_b = { actor = "freedonia", terms = ["Freedonia", "Freedonian", "Fredville"] }

[[commitment]]
id = "wine-duties"
title = "Freedonia's duties on Ruritanian wine"
restricting_side = "freedonia"
phrases = ["wine (?:duties|imports)", "duties on (?:ruritanian )?wine"]
aliases = ["(?:the )?duties"]

[[commitment]]
id = "barley-duties"
title = "Freedonia's duties on Ruritanian barley"
restricting_side = "freedonia"
phrases = ["barley (?:duties|imports)", "duties on (?:ruritanian )?barley"]
aliases = ["(?:the )?duties"]
"""


def _read_two_duties(
    tmp_path: Path, lexicon: Lexicon, text: str, catalogue_text: str = _TWO_DUTIES
) -> list[tuple[str, str]]:
    path = tmp_path / "ruritania-freedonia.toml"
    path.write_text(catalogue_text, encoding="utf-8")
    found = extract_statements(text, date(2025, 3, 3), load_catalogue(path), lexicon)
    return [(s.commitment_id, s.status) for s in found]


@pytest.mark.parametrize(
    ("last_named", "owner"),
    [
        ("Freedonia put duties on Ruritanian wine in 2019 and duties on Ruritanian barley in 2020.", "barley-duties"),
        ("Freedonia put duties on Ruritanian barley in 2020 and, earlier, duties on Ruritanian wine.", "wine-duties"),
    ],
)
def test_a_short_name_two_commitments_share_names_the_one_named_last(
    tmp_path: Path, lexicon: Lexicon, last_named: str, owner: str
) -> None:
    text = f"{last_named} The duties remain in force, Ruritania's trade minister said on Monday."
    assert _read_two_duties(tmp_path, lexicon, text) == [(owner, "suspended")]


def test_a_short_name_goes_to_the_commitment_its_sentence_names(tmp_path: Path, lexicon: Lexicon) -> None:
    text = (
        "Freedonia put duties on Ruritanian wine in 2019 and on Ruritanian barley imports in 2020. "
        "Fredville said the duties on Ruritanian wine remain in force."
    )
    assert _read_two_duties(tmp_path, lexicon, text) == [("wine-duties", "suspended")]


@pytest.mark.parametrize(
    "text",
    [
        # A trade case opened against the goods is the restriction's first step, not a resumption.
        "On Monday Fredville launched a fresh dumping probe against Ruritanian wine imports.",
        "Freedonia is looking at Ruritanian wine imports. The investigation has been launched at the request "
        "of Freedonian growers, the ministry said.",
        "Fredville decided to impose interim anti-subsidy measures on Ruritanian wine imports.",
        "Freedonia has announced countervailing measures on wine imports from Ruritania.",
    ],
)
def test_a_trade_case_opened_or_measures_decided_are_a_restriction(tmp_path: Path, lexicon: Lexicon, text: str) -> None:
    with_probe = _TWO_DUTIES.replace('aliases = ["(?:the )?duties"]', 'aliases = ["(?:the )?(?:duties|investigation)"]')
    assert _read_two_duties(tmp_path, lexicon, text, with_probe) == [("wine-duties", "suspended")]


@pytest.mark.parametrize(
    ("text", "status"),
    [
        # Duties cut but still levied: a partial release, whoever reports the cut.
        ("Fredville said that the duties on Ruritanian wine would be reduced from next month.", "in_progress"),
        ("Freedonia has lowered its anti-dumping duties on Ruritanian wine to 12 per cent.", "in_progress"),
        # Guards: a deal to cut them is an agreement; duties announced are imposed, not cut.
        ("Ruritania and Freedonia agreed to lower the duties on Ruritanian wine.", "agreed"),
        ("Freedonia announced on Monday steep duties on Ruritanian wine.", "suspended"),
    ],
)
def test_duties_cut_are_eased_not_lifted(tmp_path: Path, lexicon: Lexicon, text: str, status: str) -> None:
    assert _read_two_duties(tmp_path, lexicon, text) == [("wine-duties", status)]


@pytest.mark.parametrize(
    ("sentence", "actor"),
    [
        # The catalogue's restricting side (China for supplies, India for apps) stands unless
        # the subject names the other side as the doer.
        ("Meanwhile, New Delhi has halted urea shipments to China until further notice.", "india"),
        ("Shipments of Chinese fertiliser to India have been halted since June.", "china"),
        ("Chinese apps remain banned in India.", "india"),
        ("Even as New Delhi complains, Beijing has still not lifted its curbs on rare earth magnets.", "china"),
    ],
)
def test_who_restricts(sentence: str, actor: str, catalogue: Catalogue, lexicon: Lexicon) -> None:
    found = [s for s in extract_statements(sentence, date(2025, 8, 1), catalogue, lexicon) if s.status == "suspended"]
    assert [s.actor for s in found] == [actor]
