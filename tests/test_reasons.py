"""Each reason a mention is not a statement, with its own table of sentences.

A row is (sentence, commitment): the sentence names the commitment, and the
unit under test is the reason it is not taken; a row marked TAKEN is a near
miss that the unit must let through.
"""

from __future__ import annotations

from datetime import date

import pytest

from tracker.catalogue import Catalogue, Lexicon
from tracker.extraction import Reason, Rejection, extract_statements

DAY = date(2025, 9, 1)
TAKEN = None

NEGATED = [
    ("No agreement has been reached by India and China on direct flights.", "air-services", Reason.NEGATED),
    ("India and China have not agreed on a date for direct flights.", "air-services", Reason.NEGATED),
    ("India and China never discussed the Kailash Mansarovar Yatra at the meeting.", "kailash-yatra", Reason.NEGATED),
    ("Nothing has been finalised between India and China on direct flights.", "air-services", Reason.NEGATED),
    # A negation the cue carries is its meaning: still not resumed is suspended.
    ("Direct flights between India and China have still not resumed.", "air-services", TAKEN),
    ("China has not lifted its export curbs on rare earths for India.", "supply-chains", TAKEN),
]

HEDGED = [
    ("Direct flights between India and China could be restored before winter.", "air-services", Reason.HEDGED),
    ("India and China may agree on border trade at the next round.", "border-trade", Reason.HEDGED),
    ("If the talks go well, India and China will reopen border trade in June.", "border-trade", Reason.HEDGED),
    ("Direct flights between India and China are likely to be resumed this year.", "air-services", Reason.HEDGED),
    (
        "Once the modalities are settled, direct flights between India and China will be resumed.",
        "air-services",
        Reason.HEDGED,
    ),
    # A commitment reported, not a hedge: "agreed that … would".
    ("India and China agreed that direct flights would resume on 26 October.", "air-services", TAKEN),
    # "May" the month is no hedge.
    ("For the first time since May, Indian pilgrims reached Lake Mansarovar on Tuesday.", "kailash-yatra", TAKEN),
]

UNCONFIRMED = [
    ("China has reportedly eased rare earth exports to India.", "supply-chains", Reason.UNCONFIRMED),
    ("I read that India and China have restarted border trade.", "border-trade", Reason.UNCONFIRMED),
    (
        "China is said to have eased rare earth exports to India.",
        "supply-chains",
        Reason.UNCONFIRMED,
    ),
    ("India and China resumed border trade through Shipki La on Monday, officials said.", "border-trade", TAKEN),
    # Another outlet's report retold, and the outlet's own unnamed sourcing.
    ("A business daily reported that China has halted rare earth exports to India.", "supply-chains",
     Reason.UNCONFIRMED),
    ("Beijing has tightened its curbs on rare earth shipments bound for India, it was learned on Friday.",
     "supply-chains", Reason.UNCONFIRMED),
    ("India and China have restarted border trade through Shipki La, an official said, requesting anonymity.",
     "border-trade", Reason.UNCONFIRMED),
    ("A wire report said New Delhi is engaging with Beijing on supplies of rare earth magnets.", "supply-chains",
     Reason.UNCONFIRMED),
]

NOT_A_PARTY = [
    ("Industry bodies have called for direct flights between India and China.", "air-services", Reason.NOT_A_PARTY),
    ("Analysts urged India and China to ease visas.", "visas", Reason.NOT_A_PARTY),
    ("India and China should agree on border trade soon, analysts said.", "border-trade", Reason.HEDGED),
    ("China has called for direct flights between India and China.", "air-services", TAKEN),
    # A third country's call is not a side's; a third country reporting the sides' act is only a source.
    ("The US urged India and China to restart trade at the Lipulekh pass.", "border-trade", Reason.NOT_A_PARTY),
    ("Delhi and Beijing have agreed to bring back trade at the Lipulekh pass, Nepal's envoy said.", "border-trade",
     TAKEN),
]

RETROSPECTIVE = [
    (
        "India and China had agreed in January to resume the Kailash Mansarovar Yatra.",
        "kailash-yatra",
        Reason.RETROSPECTIVE,
    ),
    ("Direct flights between India and China were suspended in early 2020.", "air-services", Reason.RETROSPECTIVE),
    (
        "Having discussed trans-border rivers in April, India and China met again.",
        "trans-border-rivers",
        Reason.RETROSPECTIVE,
    ),
    (
        "Ties improved after India and China completed the disengagement at Depsang and Demchok.",
        "lac-border",
        Reason.RETROSPECTIVE,
    ),
    ("Direct flights between India and China were halted due to the pandemic.", "air-services", Reason.RETROSPECTIVE),
    # Present states hold, whatever they date.
    ("Direct flights between India and China have been suspended since 2020.", "air-services", TAKEN),
    ("India's ban on Chinese apps, imposed in 2020, remains in force.", "chinese-apps", TAKEN),
    # A quotation its own attribution dates to an earlier day.
    ("India and China have restarted border trade through Shipki La, the ministry said at the time.", "border-trade",
     Reason.RETROSPECTIVE),
    # "For the first time since …" measures how new the news is; it does not date it.
    ("Indian pilgrims reached Lake Mansarovar on Tuesday, a first since the halt of 2020.",
     "kailash-yatra", TAKEN),
    # An event named after "after" on an adjunct of the clause dates it, whatever the adjunct hangs on.
    ("In a relief for traders after the disengagement agreement between India and China, trucks crossed into Tibet"
     " through Shipki La on Monday.", "lac-border", Reason.RETROSPECTIVE),
]

OTHER_RELATIONSHIP = [
    (
        "Pakistan has extended its airspace ban, and China's direct flights to Nepal resumed.",
        "air-services",
        Reason.OTHER_RELATIONSHIP,
    ),
    ("The United States and China agreed to ease rare earth exports.", "supply-chains", Reason.OTHER_RELATIONSHIP),
    ("India and China agreed to ease rare earth exports.", "supply-chains", TAKEN),
]

QUESTION = [
    ("Q: Have India and China agreed to resume direct flights?", "air-services", Reason.QUESTION),
    ("Will India and China reopen border trade this year?", "border-trade", Reason.QUESTION),
    # A question turn ends where the next speaker's answer begins, or at the next list item.
    (
        "MODERATOR: Will border trade recover soon? And what about tourism?\n"
        "SPOKESPERSON: Delhi and Beijing have agreed to bring back direct flights.",
        "air-services",
        TAKEN,
    ),
    (
        "Backdrop: trade and travel\n"
        "- Delhi and Beijing have agreed to bring back direct flights.\n- Can trade recover?",
        "air-services",
        TAKEN,
    ),
    ("MODERATOR: Will the Kailash Mansarovar Yatra resume? Please tell us.", "kailash-yatra", Reason.QUESTION),
]

IN_PASSING = [
    ("India and China called for de-escalation along the border.", "lac-border", Reason.IN_PASSING),
    ("India and China called for the early resumption of border talks.", "lac-border", TAKEN),
]

EMBEDDED_NOMINAL = [
    (
        "The speech covered several themes, including the resumption of direct flights between India and China.",
        "air-services",
        Reason.EMBEDDED_NOMINAL,
    ),
    ("India and China welcomed the resumption of the Kailash Mansarovar Yatra.", "kailash-yatra", TAKEN),
]

TABLES = {
    "negated": NEGATED,
    "hedged": HEDGED,
    "unconfirmed": UNCONFIRMED,
    "not-a-party": NOT_A_PARTY,
    "retrospective": RETROSPECTIVE,
    "other-relationship": OTHER_RELATIONSHIP,
    "question": QUESTION,
    "embedded-nominal": EMBEDDED_NOMINAL,
    "in-passing": IN_PASSING,
}
ROWS = [(unit, *row) for unit, table in TABLES.items() for row in table]


@pytest.mark.parametrize(("unit", "text", "commitment", "reason"), ROWS, ids=[f"{r[0]}:{r[1][:40]}" for r in ROWS])
def test_reason_unit(
    unit: str, text: str, commitment: str, reason: Reason | None, catalogue: Catalogue, lexicon: Lexicon
) -> None:
    rejections: list[Rejection] = []
    found = extract_statements(text, DAY, catalogue, lexicon, rejections=rejections, per_sentence=True)
    taken = [s for s in found if s.commitment_id == commitment]
    why = [r for r in rejections if r.commitment_id == commitment]
    if reason is None:
        assert taken, f"{unit}: should be a statement; rejected as {[r.describe() for r in why]}"
        return
    assert not taken, f"{unit}: taken as {taken[0].status} by {taken[0].rule}"
    assert why and why[0].reason == reason, f"{unit}: rejected as {[r.describe() for r in why]}"


def test_every_reason_has_a_table() -> None:
    named = {reason for _, _, _, reason in ROWS if reason is not None}
    assert {
        Reason.NEGATED,
        Reason.HEDGED,
        Reason.UNCONFIRMED,
        Reason.NOT_A_PARTY,
        Reason.RETROSPECTIVE,
        Reason.OTHER_RELATIONSHIP,
        Reason.QUESTION,
    } <= named
