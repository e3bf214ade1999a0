"""Reading real text's shapes: lines of an excerpt, meetings that are held, agreements to keep working, calls in talks.

Every sentence here is written for the test; the catalogue of a made-up pair
(Ruritania–Freedonia) shows the reader keys on how a status is stated, not on
one relationship's words.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tracker.catalogue import CatalogueError, CommitmentKind, Lexicon, load_catalogue, load_lexicon
from tracker.extraction import extract_statements, split_sentences

PAIR = """
[relationship]
id = "RU-FR"
title = "Ruritania–Freedonia"
side_a = { actor = "ruritania", terms = ["Ruritania", "Ruritanian", "Strelsau"] }
side_b = { actor = "freedonia", terms = ["Freedonia", "Freedonian", "Fredville"] }
others = ["Sylvania"]

[[commitment]]
id = "summits"
title = "Summits and ministerial talks"
phrases = ["summit(?: meeting)?", "foreign ministers'? (?:meeting|talks)"]

[[commitment]]
id = "ferry"
title = "The Strelsau–Fredville ferry"
phrases = ["ferry (?:service|link)", "ferries"]

[[commitment]]
id = "advisory"
title = "Advisories against travel"
phrases = ["travel(?:ling)? to (?:Ruritania|Freedonia)", "advisory"]

[[commitment]]
id = "detainees"
title = "Ruritanian nationals detained in Freedonia"
phrases = ["Ruritanian (?:nationals|citizens|engineers?)"]

[[commitment]]
id = "visa-waiver"
title = "Visa-free entry"
phrases = ["visa waiver", "visa fees?"]

[[commitment]]
id = "river"
title = "The shared Silver river"
phrases = ["river data", "Silver river commission"]
# A dam upstream is this commitment only when a side raises it.
raised = ["dams? (?:[a-z-]+ ){0,4}on the Silver river"]

[[commitment]]
id = "pilgrimage"
title = "Ruritanian pilgrims' visits to the Fredville shrine"
phrases = ["Ruritanian pilgrims", "the Fredville shrine"]

[[commitment]]
id = "grain"
title = "Freedonia's ban on Ruritanian grain"
phrases = ["grain (?:imports|exports|shipments)"]
"""


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("pair") / "ru-fr.toml"
    path.write_text(PAIR, encoding="utf-8")
    return load_catalogue(path)


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


def read(text: str, pair, lexicon: Lexicon, day: str = "2025-05-10") -> list[tuple[str, str]]:
    found = extract_statements(text, date.fromisoformat(day), pair, lexicon)
    return sorted((s.commitment_id, s.status) for s in found)


def test_a_title_naming_meetings_makes_a_meeting_commitment(pair) -> None:
    kinds = {c.id: c.kind for c in pair.commitments}
    assert kinds.pop("summits") == CommitmentKind.MEETING
    assert set(kinds.values()) == {CommitmentKind.STATE}


def test_a_bad_kind_is_one_line_naming_the_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(PAIR.replace('id = "ferry"', 'id = "ferry"\nkind = "event"'), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"commitment\[1\]\.kind: must be one of 'state', 'meeting', not 'event'"):
        load_catalogue(path)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kinds", '["festival"]', r"cue\[0\]\.kinds: each must be one of"),
        ("kinds", '"meeting"', r"cue\[0\]\.kinds: must be a list"),
        ("ceiling", '"yes"', r"cue\[0\]\.ceiling: must be true or false"),
    ],
)
def test_bad_cue_fields_are_one_line_naming_the_field(tmp_path: Path, field: str, value: str, message: str) -> None:
    text = (Path(__file__).parent.parent / "tracker" / "data" / "cues.toml").read_text(encoding="utf-8")
    text = text.replace('[[cue]]\nname = "expedite"', f'[[cue]]\n{field} = {value}\nname = "expedite"', 1)
    path = tmp_path / "cues.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError, match=message):
        load_lexicon(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Held is done for a meeting; the same verb says nothing of a ferry.
        ("The Ruritanian and Freedonian leaders held their first summit meeting in Strelsau on Friday.", "implemented"),
        ("The foreign ministers' meeting of Ruritania and Freedonia took place in Fredville on Monday.", "implemented"),
        ("Ruritania and Freedonia will hold a summit in Fredville on 12 June.", "in_progress"),
        ("Ruritania and Freedonia agreed to hold a summit later this year.", "agreed"),
        ("Ruritania and Freedonia discussed holding a summit.", "under_discussion"),
        ("The summit between Ruritania and Freedonia has been postponed.", "stalled"),
        # Begun is held; leaders on their way to it, or a day set "ahead of" it, are under way.
        ("The summit of Ruritania and Freedonia kicked off in Fredville on Friday.", "implemented"),
        ("The Ruritanian premier landed in Fredville on Sunday for the summit with Freedonia.", "in_progress"),
        ("Ahead of the summit with Freedonia, the Ruritanian premier named trade his priority.", "in_progress"),
    ],
)
def test_a_meeting_is_held(text: str, expected: str, pair, lexicon: Lexicon) -> None:
    assert read(text, pair, lexicon) == [("summits", expected)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The two sides' people meeting is a meeting of leaders, though no summit is named.
        (
            "The Ruritanian president met his Freedonian counterpart in Strelsau on Monday.",
            [("summits", "implemented")],
        ),
        ("On Friday the Freedonian premier met with President Anna Vogel of Ruritania.", [("summits", "implemented")]),
        # Set for a day: under way.
        (
            "The Freedonian premier will meet his Ruritanian counterpart in Strelsau on 12 June.",
            [("summits", "in_progress")],
        ),
        # Not when the people met are of the same side, or are not a government's.
        ("The Ruritanian president met the Ruritanian premier in Strelsau before flying to Freedonia.", []),
        ("The Ruritanian president met business leaders in Freedonia on Monday.", []),
    ],
)
def test_the_two_sides_people_meeting_is_a_meeting_of_leaders(
    text: str, expected: list[tuple[str, str]], pair, lexicon: Lexicon
) -> None:
    found = extract_statements(text, date(2025, 5, 10), pair, lexicon)
    assert sorted((s.commitment_id, s.status) for s in found) == expected
    assert {s.actor for s in found} <= {"both"}


def test_only_a_meeting_of_leaders_takes_encounters_unless_the_catalogue_says(tmp_path: Path) -> None:
    path = tmp_path / "ru-fr.toml"
    path.write_text(PAIR, encoding="utf-8")
    assert [c.id for c in load_catalogue(path).commitments if c.encounters] == ["summits"]
    path.write_text(PAIR.replace('title = "Summits and ministerial talks"', 'title = "Ministerial talks"'), "utf-8")
    assert [c.id for c in load_catalogue(path).commitments if c.encounters] == []
    path.write_text(PAIR.replace('id = "summits"', 'id = "summits"\nencounters = false'), encoding="utf-8")
    assert [c.id for c in load_catalogue(path).commitments if c.encounters] == []
    path.write_text(PAIR.replace('id = "summits"', 'id = "summits"\nencounters = "yes"'), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"commitment\[0\]\.encounters: must be true or false"):
        load_catalogue(path)


def test_held_talks_about_a_state_commitment_are_talks(pair, lexicon: Lexicon) -> None:
    text = "Officials of Ruritania and Freedonia held talks on restoring the ferry service on Tuesday."
    assert read(text, pair, lexicon) == [("ferry", "under_discussion")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ruritania and Freedonia agreed to promote the resumption of the ferry service.", "under_discussion"),
        ("Ruritania and Freedonia decided to work towards an early resumption of the ferry link.", "under_discussion"),
        # Steps agreed are an agreement, whatever they are for.
        ("Ruritania and Freedonia agreed to take steps to promote the ferry service.", "agreed"),
        ("Ruritania and Freedonia agreed to resume the ferry service.", "agreed"),
        ("Ruritania and Freedonia agreed to expedite the resumption of the ferry service.", "in_progress"),
    ],
)
def test_an_agreement_to_keep_working_is_under_discussion(text: str, expected: str, pair, lexicon: Lexicon) -> None:
    assert read(text, pair, lexicon) == [("ferry", expected)]


def test_a_call_put_in_talks_is_under_discussion_and_a_public_call_is_proposed(pair, lexicon: Lexicon) -> None:
    public = "Ruritania has repeatedly called on Freedonia to lift its ban on grain imports."
    assert read(public, pair, lexicon) == [("grain", "proposed")]
    in_talks = "During the talks, Ruritania urged Freedonia to lift its ban on grain imports."
    assert read(in_talks, pair, lexicon) == [("grain", "under_discussion")]
    meeting = (
        "Ruritanian and Freedonian foreign ministers met in Strelsau.\n\n"
        "The Ruritanian minister asked Freedonia to lift its ban on grain imports."
    )
    assert ("grain", "under_discussion") in read(meeting, pair, lexicon)


@pytest.mark.parametrize(
    "text",
    [
        "Freedonia revoked the licences for grain imports from Ruritania.",
        "Freedonia has held grain imports from Ruritania in abeyance.",
        "Grain shipments from Ruritania are no longer allowed into Freedonia.",
        "Freedonia has decided to suspend grain imports from Ruritania.",
        "Freedonia announced that it would halt grain imports from Ruritania from Monday.",
    ],
)
def test_restrictions_imposed_by_an_act_are_suspensions(text: str, pair, lexicon: Lexicon) -> None:
    assert read(text, pair, lexicon) == [("grain", "suspended")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Papers given to the travellers prepare the journey.
        ("Freedonia has issued 300 visas to Ruritanian pilgrims for the spring festival.", "in_progress"),
        ("Freedonia has granted visas to a group of Ruritanian pilgrims ahead of the festival.", "in_progress"),
        # The travellers got there.
        ("The first group of Ruritanian pilgrims reached Fredville on Sunday, Freedonia said.", "implemented"),
    ],
)
def test_travellers_prepared_and_arrived(text: str, expected: str, pair, lexicon: Lexicon) -> None:
    assert ("pilgrimage", expected) in read(text, pair, lexicon)


def test_a_clause_dated_in_an_earlier_year_sets_the_scene(pair, lexicon: Lexicon) -> None:
    text = "When Freedonia restored the ferry service in 2022, grain imports from Ruritania stayed banned."
    assert ("ferry", "implemented") not in read(text, pair, lexicon)


def test_a_decision_with_its_start_date_is_in_progress(pair, lexicon: Lexicon) -> None:
    dated = "Ruritania welcomed Freedonia's decision to resume the ferry service from 12 June."
    assert read(dated, pair, lexicon) == [("ferry", "in_progress")]
    undated = "Ruritania welcomed Freedonia's decision to resume the ferry service."
    assert read(undated, pair, lexicon) == [("ferry", "agreed")]


def test_a_stall_told_in_the_plain_past_yields_to_news_of_a_move(pair, lexicon: Lexicon) -> None:
    told = (
        "The ferry service was put on hold amid friction between Ruritania and Freedonia. "
        "Ruritania and Freedonia have since agreed to restart the ferry service next spring."
    )
    assert read(told, pair, lexicon) == [("ferry", "agreed")]
    # A stall reported now still outranks the agreement it stalls.
    now = (
        "Ruritania and Freedonia agreed to restart the ferry service in March. "
        "The ferry service remains on hold, Freedonian officials said."
    )
    assert read(now, pair, lexicon) == [("ferry", "stalled")]


def test_a_setback_that_opens_the_article_is_its_news(pair, lexicon: Lexicon) -> None:
    lead = (
        "Freedonia has barred Ruritanian pilgrims from the Fredville shrine until further notice. "
        "Ruritanian clerics in Strelsau urged both governments to let the Ruritanian pilgrims travel. "
        "Ruritania has asked Freedonia to reopen the Fredville shrine to Ruritanian pilgrims."
    )
    assert read(lead, pair, lexicon) == [("pilgrimage", "suspended")]
    # Restated further down, the same restriction yields to the call to lift it.
    restated = (
        "Ruritania has asked Freedonia to reopen the Fredville shrine to Ruritanian pilgrims. "
        "Freedonia has barred Ruritanian pilgrims from the Fredville shrine since the spring."
    )
    assert read(restated, pair, lexicon) == [("pilgrimage", "proposed")]
    # Told in the plain past, even in the lead, it is background.
    past = (
        "Freedonia barred Ruritanian pilgrims from the Fredville shrine in 2019. "
        "Ruritania has asked Freedonia to reopen the Fredville shrine to Ruritanian pilgrims."
    )
    assert read(past, pair, lexicon) == [("pilgrimage", "proposed")]


def test_a_restriction_kept_until_a_condition_is_met_holds_now(pair, lexicon: Lexicon) -> None:
    text = "Freedonia said grain imports from Ruritania will remain suspended until Ruritania changes its rules."
    assert read(text, pair, lexicon) == [("grain", "suspended")]


# --- lines of an excerpt -----------------------------------------------------------------


def test_a_headline_line_is_a_sentence_of_its_own() -> None:
    text = "Ferry Talks Resume After Long Pause\nOfficials met in Strelsau on Monday."
    assert [s.text for s in split_sentences(text)] == [
        "Ferry Talks Resume After Long Pause",
        "Officials met in Strelsau on Monday.",
    ]


def test_a_long_standfirst_ends_where_a_dateline_starts_the_story() -> None:
    standfirst = (
        "Ministers open the way to a revised ferry agreement, easier crossing permits, "
        "new customs posts and a joint commission on fisheries"
    )
    text = f"{standfirst}\nStrelsau: Ruritania and Freedonia agreed on Monday to speed up the ferry talks."
    assert [s.text for s in split_sentences(text)] == [
        standfirst,
        "Strelsau: Ruritania and Freedonia agreed on Monday to speed up the ferry talks.",
    ]


def test_a_line_broken_inside_a_sentence_stays_one_sentence() -> None:
    for text in (
        "Ruritania and Freedonia agreed to\nresume the ferry service in June.",
        "The ferries will sail via Strelsau and\nFredville from June.",
        "The ferry service, halted since 2020,\nWill resume in June.",
    ):
        assert len(split_sentences(text)) == 1, text


def test_list_items_end_at_their_line_and_offsets_hold() -> None:
    text = (
        "Freedonia announced that it had:\n- Closed its ports to Ruritanian ships\n"
        "- Cancelled grain import licences\n\nA new paragraph."
    )
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Freedonia announced that it had:",
        "- Closed its ports to Ruritanian ships",
        "- Cancelled grain import licences",
        "A new paragraph.",
    ]
    assert [s.paragraph for s in sentences] == [0, 0, 0, 1]
    assert all(text[s.start : s.start + len(s.text)] == s.text for s in sentences)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A completed step reported in passing holds.
        ("Ruritania appreciated Freedonia's cooperation for the resumption of the ferry service.", "implemented"),
        ("The move comes following the resumption of the ferry link between Strelsau and Fredville.", "implemented"),
        # A topic listed or a goal needed is no news of a step.
        ("The speech covered several themes, including the resumption of the Ruritania–Freedonia ferry link.", None),
        # Talks between the two that cover it are talks about it.
        (
            "Their talks covered several themes, including the resumption of the Ruritania–Freedonia ferry link.",
            "under_discussion",
        ),
        # A side stressing the need for it calls for it (a government's call made in public: proposed).
        ("Ruritania underlined the need for the resumption of the ferry link with Freedonia.", "proposed"),
        ("Ruritania and Freedonia also addressed the resumption of the ferry service.", "under_discussion"),
        # What a resumption still waits on is no news of it, and no denial of it either.
        ("No date has been set for the resumption of the ferry service between Ruritania and Freedonia.", None),
        # A step that starts a period is done.
        ("Trade between Ruritania and Freedonia has grown since the reopening of the ferry link.", "implemented"),
    ],
)
def test_a_resumption_named_in_passing(text: str, expected: str | None, pair, lexicon: Lexicon) -> None:
    assert read(text, pair, lexicon) == ([("ferry", expected)] if expected else [])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Freedonian operators will cut the ferry service to Strelsau from next week.", ("ferry", "suspended")),
        ("Freedonia urged its citizens to avoid travelling to Ruritania for now.", ("advisory", "suspended")),
        ("Freedonia issued a travel advisory against Ruritania on Friday.", ("advisory", "suspended")),
        ("Two Ruritanian engineers are still being held by Freedonian authorities.", ("detainees", "suspended")),
        ("A Freedonian court sentenced a Ruritanian engineer to three years in prison.", ("detainees", "suspended")),
        ("Freedonia has extended its visa waiver for Ruritanian visitors by one year.", ("visa-waiver", "implemented")),
        ("Freedonia has cut visa fees for Ruritanian travellers.", ("visa-waiver", "implemented")),
        ("Freedonia's premier will not meet the Ruritanian leader at the summit.", ("summits", "stalled")),
    ],
)
def test_restrictions_and_easings_by_their_verbs(text: str, expected: tuple, pair, lexicon: Lexicon) -> None:
    commitment, status = expected
    got = dict(read(text, pair, lexicon))
    assert got.get(commitment) == status, got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Work promised by an agreement is the agreement; the same work reported under way is in progress.
        ("Ruritania and Freedonia agreed to finalise the modalities of the ferry service.", "agreed"),
        ("Officials of Ruritania and Freedonia are finalising the modalities of the ferry service.", "in_progress"),
        ("Ruritania and Freedonia agreed to make preparations for the ferry service.", "agreed"),
        # A start on the article's own day is the start; a later date is a schedule.
        ("Freedonia will resume the ferry service to Strelsau from today, officials said.", "implemented"),
        ("Freedonia will resume the ferry service to Strelsau from 12 June, officials said.", "in_progress"),
        ("The ferry service between Strelsau and Fredville is being started again.", "in_progress"),
    ],
)
def test_promised_work_and_starts(text: str, expected: str, pair, lexicon: Lexicon) -> None:
    assert read(text, pair, lexicon) == [("ferry", expected)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The ferry service between Ruritania and Freedonia is set to resume on 3 March.", "in_progress"),
        ("The ferry service between Ruritania and Freedonia is all set to resume soon.", "agreed"),
        ("The ferry service between Ruritania and Freedonia is due to resume.", "in_progress"),
        # A hedge in the cue's own words: a wire's guess is no schedule.
        ("Ruritania and Freedonia will likely resume the ferry service as early as May, a wire reported.", None),
    ],
)
def test_plans_with_and_without_a_calendar(text: str, expected: str | None, pair, lexicon: Lexicon) -> None:
    assert read(text, pair, lexicon) == ([("ferry", expected)] if expected else [])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Freedonia has extended the ban on grain imports from Ruritania until 23 November.", ("grain", "suspended")),
        ("Ruritanian traders will not be allowed to send grain shipments to Freedonia.", ("grain", "suspended")),
        ("The first ferry service from Strelsau set out on Tuesday for Fredville.", ("ferry", "implemented")),
    ],
)
def test_bans_prolonged_and_journeys_made(text: str, expected: tuple, pair, lexicon: Lexicon) -> None:
    commitment, status = expected
    assert dict(read(text, pair, lexicon)).get(commitment) == status


@pytest.mark.parametrize(
    "text",
    [
        "At their summit meeting in Strelsau on Friday, the Ruritanian and Freedonian leaders agreed on grain.",
        "At the outset of the summit meeting, the Ruritanian leader thanked Freedonia for its welcome.",
    ],
)
def test_something_done_at_a_meeting_says_it_was_held(text: str, pair, lexicon: Lexicon) -> None:
    assert dict(read(text, pair, lexicon)).get("summits") == "implemented"


def test_a_meeting_to_come_is_not_held(pair, lexicon: Lexicon) -> None:
    text = "At the summit meeting next month, Ruritania will ask Freedonia to restore the ferry service."
    assert dict(read(text, pair, lexicon)).get("summits") != "implemented"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Officials in Ruritania have already started preparations for the ferry service to Fredville.", "in_progress"),
        ("Ruritania and Freedonia successfully concluded the ferry service handover process on Monday.", "implemented"),
        # A connective before the subordinate clause: its cue stays in it.
        ("However, while other routes have long since resumed, the Ruritania–Freedonia ferry service has not.", None),
    ],
)
def test_preparations_processes_and_leading_clauses(text: str, expected: str | None, pair, lexicon: Lexicon) -> None:
    assert dict(read(text, pair, lexicon)).get("ferry") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A side's restriction named as bearing on the present is in force (the corpus
        # analysts read it so); one named as a thing of an earlier year is background.
        ("Freedonia's ban on grain imports has hurt Ruritanian farmers, officials in Strelsau said.", "suspended"),
        ("Freedonia's ban on grain imports hurt Ruritanian farmers in 2019, officials in Strelsau said.", None),
        ("Freedonia's ban on grain imports remains in force, Ruritania said.", "suspended"),
        # A long-standing halt restated is the suspension, not a stall reported now.
        ("The ferry service between Ruritania and Freedonia has been on hold since the 2020 floods.", "suspended"),
        ("The ferry service between Ruritania and Freedonia has made no progress since the May pledge.", "stalled"),
        # Duties and tariffs are restrictions: put on, kept, met by the goods, named with their owner.
        ("Freedonia has slapped duties of 80 per cent on grain imports from Ruritania.", "suspended"),
        ("Freedonia is keeping its tariffs on grain imports from Ruritania.", "suspended"),
        ("Ruritanian grain shipments to Fredville still face duties of 80 per cent.", "suspended"),
        ("Freedonia's tariffs on grain imports have hurt Ruritanian farmers, officials in Strelsau said.", "suspended"),
        ("Freedonia imposed tariffs on grain imports from Ruritania in 2019.", None),
        ("Freedonia charges a 40 per cent tariff on grain imports from Ruritania.", "suspended"),
        ("Freedonia has begun adding a 40 per cent tariff to grain imports from Ruritania.", "suspended"),
        ("Ruritanian farmers are grappling with steep Freedonian duties on grain imports.", "suspended"),
        # The restriction itself suspended is eased; with a day to come, the easing is under way.
        ("Freedonia has suspended its duties on grain imports from Ruritania.", "implemented"),
        ("Freedonia will suspend its duties on grain imports from Ruritania from 1 March.", "in_progress"),
        ("Ruritanian grain imports will no longer be subject to Freedonian duties from March.", "in_progress"),
        # Named as the cause of another act, a restriction is background.
        ("Freedonia raised duties on Ruritanian wine in retaliation for Ruritania's tariffs on grain imports.", None),
        ("The Ruritanian premier raised trade irritants over grain imports with Freedonia.", "under_discussion"),
    ],
)
def test_restrictions_named_and_halts_restated(text: str, expected: str | None, pair, lexicon: Lexicon) -> None:
    commitment = "grain" if "grain" in text else "ferry"
    assert dict(read(text, pair, lexicon)).get(commitment) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A report of the upstream project is not the commitment; a side raising it is.
        ("Freedonia began building a large dam on the Silver river on Monday, Ruritania's press reported.", None),
        (
            "Ruritania raised its concerns over the dam on the Silver river with Freedonia during the talks.",
            "under_discussion",
        ),
        ("Ruritania urged Freedonia to halt the new dam on the Silver river.", "proposed"),
        # The phrases of the commitment itself read as always.
        ("Freedonia resumed sharing river data with Ruritania on Monday.", "implemented"),
    ],
)
def test_a_thing_a_side_may_raise_counts_only_when_raised(
    text: str, expected: str | None, pair, lexicon: Lexicon
) -> None:
    assert dict(read(text, pair, lexicon)).get("river") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Discussions were held between Ruritania and Freedonia on the ferry service.", "under_discussion"),
        (
            "Ruritania and Freedonia have made further progress on the modalities to restart the ferry service.",
            "in_progress",
        ),
        # Progress promised belongs to the agreement.
        ("Ruritania and Freedonia agreed to make progress on the modalities for the ferry service.", "agreed"),
    ],
)
def test_talks_held_in_the_passive_and_progress_on_the_details(
    text: str, expected: str, pair, lexicon: Lexicon
) -> None:
    assert dict(read(text, pair, lexicon)).get("ferry") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ruritania and Freedonia are preparing for the resumption of the ferry service.", "in_progress"),
        ("Operators are gearing up to restart the ferry service between Ruritania and Freedonia.", "in_progress"),
        # Preparing for something else is no preparation of the commitment.
        (
            "Ruritanian towns are preparing for a hard winter while the ferry service to Freedonia remains suspended.",
            "suspended",
        ),
        # A noun of resumption by another word is still one.
        ("Ruritania and Freedonia announced the recommencement of the ferry service on Monday.", "implemented"),
    ],
)
def test_getting_ready_for_a_resumption_is_preparing_it(text: str, expected: str, pair, lexicon: Lexicon) -> None:
    assert dict(read(text, pair, lexicon)).get("ferry") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Freedonia is now allowing grain imports from Ruritania again.", "implemented"),
        ("Freedonia should allow grain imports from Ruritania again, Strelsau said.", None),
        # "again" with no enabling verb before it is no resumption: the ban criticised is in force.
        ("Freedonia's ban on grain imports was criticised again by Ruritania.", "suspended"),
    ],
)
def test_letting_something_happen_again_is_its_resumption(
    text: str, expected: str | None, pair, lexicon: Lexicon
) -> None:
    assert dict(read(text, pair, lexicon)).get("grain") == expected


def test_a_process_started_is_work_under_way(pair, lexicon: Lexicon) -> None:
    text = "Ruritania has started the process of restoring the ferry service to Freedonia."
    assert dict(read(text, pair, lexicon)).get("ferry") == "in_progress"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A ban imposed, however it is qualified.
        ("Freedonia imposed a full ban on grain imports from Ruritania.", "suspended"),
        ("Freedonia's new rules impose a sweeping ban on grain imports from Ruritania.", "suspended"),
        # A concern voiced is a representation: in talks it is the matter raised, in public a proposal.
        (
            "During talks in Fredville, Ruritania's minister voiced strong concerns over the ban on grain imports.",
            "under_discussion",
        ),
        ("Ruritania voiced its concern over Freedonia's ban on grain imports in a statement on Monday.", "proposed"),
    ],
)
def test_bans_imposed_and_concerns_voiced(text: str, expected: str, pair, lexicon: Lexicon) -> None:
    assert dict(read(text, pair, lexicon)).get("grain") == expected


def test_an_operator_the_catalogue_names_acts_for_neither_side(tmp_path: Path, lexicon: Lexicon) -> None:
    text = "Strelsau Ferry Lines will restart the ferry service between Ruritania and Freedonia from 3 June."
    path = tmp_path / "operators.toml"
    operators = PAIR.replace('others = ["Sylvania"]', 'others = ["Sylvania"]\noperators = ["ferry lines"]')
    path.write_text(operators, encoding="utf-8")
    with_operators = load_catalogue(path)
    day = date(2025, 5, 10)
    [statement] = extract_statements(text, day, with_operators, lexicon)
    assert (statement.status, statement.actor) == ("in_progress", "other")
    # Without the list, the name's place says which side acts.
    path.write_text(PAIR, encoding="utf-8")
    assert [s.actor for s in extract_statements(text, day, load_catalogue(path), lexicon)] == ["ruritania"]


def test_an_operator_that_reports_is_a_source_not_the_doer(tmp_path: Path, lexicon: Lexicon) -> None:
    path = tmp_path / "operators.toml"
    operators = PAIR.replace('others = ["Sylvania"]', 'others = ["Sylvania"]\noperators = ["ferry lines?"]')
    path.write_text(operators, encoding="utf-8")
    text = "A ferry line said the ferry service between Ruritania and Freedonia remains suspended."
    [statement] = extract_statements(text, date(2025, 5, 10), load_catalogue(path), lexicon)
    assert (statement.status, statement.actor) == ("suspended", "both")
