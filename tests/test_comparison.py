"""The rules of change, one by one, on plain data (no database).

The rules are those of the domain model:
1. the first statement about a commitment sets its status;
2. a positive statement higher on the ladder is progress;
3. a positive statement at or below the current level is a reaffirmation;
4. from a negative state, any positive statement is a change (resumption);
5. a negative statement that differs from the current status is a setback;
6. several changes of one commitment on one day collapse into one.
"""

from __future__ import annotations

from datetime import date

import pytest

from tracker.catalogue import NEGATIVE_STATUSES, POSITIVE_LADDER
from tracker.model import FoldInput, StatusChange
from tracker.timeline.fold import FoldPolicy, change_kind, current_statuses, fold, next_status

FLIGHTS = "direct-flights"
YATRA = "kailash-yatra"


def stmt(
    key: str,
    status: str,
    published: date,
    *,
    commitment_id: str = FLIGHTS,
    article_order: str = "a",
    sentence_index: int = 0,
    confidence: float = 1.0,
) -> FoldInput:
    """A statement for the fold; the key names it in the changes it causes."""
    return FoldInput(
        key=key,
        commitment_id=commitment_id,
        status=status,
        published=published,
        article_order=article_order,
        sentence_index=sentence_index,
        confidence=confidence,
    )


def transitions(changes: list[StatusChange]) -> list[tuple[str | None, str, date, str]]:
    """Each change as (from, to, date, kind), the part most tests compare."""
    return [(c.from_status, c.to_status, c.date, c.kind) for c in changes]


JAN = date(2025, 1, 27)
JUN = date(2025, 6, 13)
AUG = date(2025, 8, 18)
OCT = date(2025, 10, 26)


# Rule 1 ---------------------------------------------------------------------------------------------


def test_rule1_first_statement_sets_status() -> None:
    """Rule 1: the first statement about a commitment sets its status, a change from none of kind "new"."""
    assert next_status(None, "proposed") == "proposed"
    assert next_status(None, "suspended") == "suspended"
    assert change_kind(None, "under_discussion") == "new"
    assert change_kind(None, "suspended") == "new"

    changes = fold([stmt("s1", "under_discussion", JAN)])

    assert changes == [StatusChange(FLIGHTS, None, "under_discussion", JAN, "s1", "new", "under_discussion")]


def test_rule1_first_statement_may_be_negative() -> None:
    """Rule 1: a first statement that is negative still sets the status, as "new" rather than a setback."""
    changes = fold([stmt("s1", "suspended", JAN)])

    assert transitions(changes) == [(None, "suspended", JAN, "new")]


# Rule 2 ---------------------------------------------------------------------------------------------


def test_rule2_higher_positive_is_progress() -> None:
    """Rule 2: a positive statement higher on the ladder than the current positive status is progress."""
    assert next_status("proposed", "agreed") == "agreed"
    assert next_status("agreed", "in_progress") == "in_progress"
    assert change_kind("proposed", "agreed") == "progress"

    changes = fold([stmt("jan", "proposed", JAN), stmt("jun", "in_progress", JUN)])

    assert transitions(changes) == [(None, "proposed", JAN, "new"), ("proposed", "in_progress", JUN, "progress")]
    assert changes[1].cause == "jun"


def test_rule2_every_step_up_the_ladder_is_progress() -> None:
    """Rule 2: climbing the whole ladder, one statement a day, gives one progress change per step."""
    days = [date(2025, 1, d) for d in range(1, len(POSITIVE_LADDER) + 1)]
    statements = [stmt(f"s{i}", status, day) for i, (status, day) in enumerate(zip(POSITIVE_LADDER, days, strict=True))]

    changes = fold(statements)

    assert [c.to_status for c in changes] == list(POSITIVE_LADDER)
    assert [c.kind for c in changes] == ["new"] + ["progress"] * (len(POSITIVE_LADDER) - 1)
    assert [c.from_status for c in changes] == [None, *POSITIVE_LADDER[:-1]]


# Rule 3 ---------------------------------------------------------------------------------------------


def test_rule3_lower_positive_is_reaffirmation() -> None:
    """Rule 3: "agreed" in August after "in_progress" in June is a reaffirmation, not a change."""
    assert next_status("in_progress", "agreed") is None

    changes = fold([stmt("jun", "in_progress", JUN), stmt("aug", "agreed", AUG)])

    assert transitions(changes) == [(None, "in_progress", JUN, "new")]
    assert current_statuses(changes)[FLIGHTS].to_status == "in_progress"


def test_rule3_equal_positive_is_reaffirmation() -> None:
    """Rule 3: the same positive status stated again is no change."""
    assert next_status("under_discussion", "under_discussion") is None

    changes = fold([stmt("jan", "under_discussion", JAN), stmt("jun", "under_discussion", JUN)])

    assert transitions(changes) == [(None, "under_discussion", JAN, "new")]


def test_rule3_reaffirmation_does_not_lower_the_bar() -> None:
    """Rule 3: after a reaffirmation at a lower level, only a statement above the kept level is progress."""
    changes = fold(
        [
            stmt("jun", "in_progress", JUN),
            stmt("aug", "agreed", AUG),  # reaffirmation: status stays in_progress
            stmt("oct", "implemented", OCT),
        ]
    )

    assert transitions(changes) == [
        (None, "in_progress", JUN, "new"),
        ("in_progress", "implemented", OCT, "progress"),
    ]


# Rule 4 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("negative", sorted(NEGATIVE_STATUSES))
@pytest.mark.parametrize("positive", POSITIVE_LADDER)
def test_rule4_any_positive_after_negative_is_resumption(negative: str, positive: str) -> None:
    """Rule 4: from a negative state, any positive statement is a change of kind "resumption"."""
    assert next_status(negative, positive) == positive
    assert change_kind(negative, positive) == "resumption"


def test_rule4_low_positive_after_suspension_is_a_change() -> None:
    """Rule 4: even "proposed", the lowest rung, after "suspended" is a change (resumption)."""
    changes = fold([stmt("jan", "suspended", JAN), stmt("jun", "proposed", JUN)])

    assert transitions(changes) == [(None, "suspended", JAN, "new"), ("suspended", "proposed", JUN, "resumption")]
    assert changes[1].cause == "jun"


def test_rule4_resumption_lowers_the_ladder_level() -> None:
    """Rule 4: after implemented → suspended → proposed, a later "agreed" is progress from proposed."""
    changes = fold(
        [
            stmt("s1", "implemented", date(2020, 1, 1)),
            stmt("s2", "suspended", date(2020, 6, 1)),
            stmt("s3", "proposed", JAN),
            stmt("s4", "agreed", JUN),
        ]
    )

    assert [(c.from_status, c.to_status, c.kind) for c in changes] == [
        (None, "implemented", "new"),
        ("implemented", "suspended", "setback"),
        ("suspended", "proposed", "resumption"),
        ("proposed", "agreed", "progress"),
    ]


# Rule 5 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("positive", POSITIVE_LADDER)
def test_rule5_negative_after_positive_is_setback(positive: str) -> None:
    """Rule 5: a negative statement that differs from the current (positive) status is a setback."""
    changes = fold([stmt("jan", positive, JAN), stmt("jun", "stalled", JUN)])

    assert transitions(changes) == [(None, positive, JAN, "new"), (positive, "stalled", JUN, "setback")]
    assert changes[1].cause == "jun"


def test_rule5_same_negative_again_is_no_change() -> None:
    """Rule 5: the same negative status stated again is no change."""
    assert next_status("suspended", "suspended") is None
    assert next_status("stalled", "stalled") is None

    changes = fold([stmt("jan", "suspended", JAN), stmt("jun", "suspended", JUN)])

    assert transitions(changes) == [(None, "suspended", JAN, "new")]


def test_rule5_suspended_to_stalled_is_a_setback() -> None:
    """Rule 5: suspended → stalled is a change (two different negative states), flagged as a setback."""
    assert next_status("suspended", "stalled") == "stalled"
    assert change_kind("suspended", "stalled") == "setback"

    changes = fold([stmt("jan", "suspended", JAN), stmt("jun", "stalled", JUN)])

    assert transitions(changes) == [(None, "suspended", JAN, "new"), ("suspended", "stalled", JUN, "setback")]


# Rule 6 ---------------------------------------------------------------------------------------------


def test_rule6_changes_on_one_day_collapse_into_one() -> None:
    """Rule 6: proposed → agreed → in_progress on one day is one change, from the status before the day."""
    changes = fold(
        [
            stmt("jan", "proposed", JAN),
            stmt("a", "under_discussion", JUN, article_order="x", sentence_index=0),
            stmt("b", "agreed", JUN, article_order="x", sentence_index=1),
            stmt("c", "in_progress", JUN, article_order="y", sentence_index=0),
        ]
    )

    assert transitions(changes) == [(None, "proposed", JAN, "new"), ("proposed", "in_progress", JUN, "progress")]
    assert changes[1].cause == "c"


def test_rule6_first_day_collapses_from_none() -> None:
    """Rule 6: on the first day, several statements give one change from none to the day's end status."""
    changes = fold([stmt("a", "proposed", JAN, sentence_index=0), stmt("b", "agreed", JAN, sentence_index=1)])

    assert transitions(changes) == [(None, "agreed", JAN, "new")]
    assert changes[0].cause == "b"


def test_rule6_day_ending_where_it_began_gives_no_change() -> None:
    """Rule 6: agreed → suspended → agreed on one day ends equal to where it began: no change at all."""
    changes = fold(
        [
            stmt("jan", "agreed", JAN),
            stmt("a", "suspended", JUN, article_order="x"),
            stmt("b", "agreed", JUN, article_order="y"),
        ]
    )

    assert transitions(changes) == [(None, "agreed", JAN, "new")]


def test_rule6_day_ending_in_a_setback_is_flagged() -> None:
    """Rule 6: agreed → implemented → stalled on one day collapses to agreed → stalled, a setback."""
    changes = fold(
        [
            stmt("jan", "agreed", JAN),
            stmt("a", "implemented", JUN, sentence_index=0),
            stmt("b", "stalled", JUN, sentence_index=1),
        ]
    )

    assert transitions(changes)[1:] == [("agreed", "stalled", JUN, "setback")]
    assert changes[1].cause == "b"


def test_rule6_day_ending_lower_than_it_began_is_a_setback() -> None:
    """Rule 6: in_progress → suspended → proposed on one day ends lower than it began: flagged as a setback."""
    assert change_kind("in_progress", "proposed") == "setback"

    changes = fold(
        [
            stmt("jan", "in_progress", JAN),
            stmt("a", "suspended", JUN, sentence_index=0),
            stmt("b", "proposed", JUN, sentence_index=1),
        ]
    )

    assert transitions(changes)[1:] == [("in_progress", "proposed", JUN, "setback")]


def test_rule6_cause_is_the_most_confident_statement_of_the_end_status() -> None:
    """Rule 6: a collapsed change is caused by the highest-confidence statement of the status the day ends in."""
    changes = fold(
        [
            stmt("low", "agreed", JUN, article_order="a", sentence_index=0, confidence=0.6),
            stmt("neg", "suspended", JUN, article_order="a", sentence_index=1, confidence=0.99),
            stmt("high", "agreed", JUN, article_order="b", sentence_index=0, confidence=0.9),
            stmt("mid", "agreed", JUN, article_order="c", sentence_index=0, confidence=0.8),
        ]
    )

    assert len(changes) == 1
    assert (changes[0].from_status, changes[0].to_status) == (None, "agreed")
    assert changes[0].cause == "high"


def test_rule6_cause_ties_go_to_the_earliest_statement() -> None:
    """Rule 6: among end-status statements of equal confidence, the earliest (article, then sentence) is the cause."""
    changes = fold(
        [
            stmt("later-article", "agreed", JUN, article_order="b", sentence_index=0, confidence=0.7),
            stmt("later-sentence", "agreed", JUN, article_order="a", sentence_index=5, confidence=0.7),
            stmt("earliest", "agreed", JUN, article_order="a", sentence_index=2, confidence=0.7),
            stmt("weaker", "agreed", JUN, article_order="a", sentence_index=0, confidence=0.5),
        ]
    )

    assert [c.cause for c in changes] == ["earliest"]


# Ordering -------------------------------------------------------------------------------------------


def test_late_article_folds_into_its_place_by_date() -> None:
    """Publication order: an article dated before newer ones but given last is folded in its place by date."""
    # article_order follows arrival, so the late article also sorts last among articles.
    statements = [
        stmt("jun", "agreed", JUN, article_order="001"),
        stmt("oct", "implemented", OCT, article_order="002"),
        stmt("jan-late", "proposed", JAN, article_order="003"),  # arrives last, dated first
    ]

    changes = fold(statements)

    assert transitions(changes) == [
        (None, "proposed", JAN, "new"),
        ("proposed", "agreed", JUN, "progress"),
        ("agreed", "implemented", OCT, "progress"),
    ]
    assert [c.cause for c in changes] == ["jan-late", "jun", "oct"]


def test_late_article_can_change_history_without_changing_the_present() -> None:
    """Publication order: a late "suspended" between two positives adds a setback and a resumption in history."""
    changes = fold(
        [
            stmt("jan", "agreed", JAN, article_order="001"),
            stmt("oct", "implemented", OCT, article_order="002"),
            stmt("jun-late", "suspended", JUN, article_order="003"),
        ]
    )

    assert transitions(changes) == [
        (None, "agreed", JAN, "new"),
        ("agreed", "suspended", JUN, "setback"),
        ("suspended", "implemented", OCT, "resumption"),
    ]
    assert current_statuses(changes)[FLIGHTS].to_status == "implemented"


def test_within_a_day_article_order_comes_before_sentence_index() -> None:
    """Publication order: within a day, statements go by article_order first, then sentence_index."""
    # Article a (suspended) then b (agreed): the day ends agreed. By sentence index alone it would end suspended.
    changes = fold(
        [
            stmt("b0", "agreed", JUN, article_order="b", sentence_index=0),
            stmt("a9", "suspended", JUN, article_order="a", sentence_index=9),
        ]
    )

    assert [(c.to_status, c.cause) for c in changes] == [("agreed", "b0")]


def test_within_an_article_sentence_index_orders_statements() -> None:
    """Publication order: within one article, the later sentence is folded last, whatever the input order."""
    changes = fold(
        [
            stmt("s3", "stalled", JUN, sentence_index=3),
            stmt("s1", "under_discussion", JUN, sentence_index=1),
        ]
    )

    assert [(c.to_status, c.cause) for c in changes] == [("stalled", "s3")]

    changes = fold(
        [
            stmt("s1", "stalled", JUN, sentence_index=1),
            stmt("s3", "under_discussion", JUN, sentence_index=3),
        ]
    )

    assert [(c.to_status, c.cause) for c in changes] == [("under_discussion", "s3")]


# Commitments ----------------------------------------------------------------------------------------


def test_commitments_do_not_interact() -> None:
    """Statements of different commitments are folded apart: one's status never affects another's changes."""
    changes = fold(
        [
            stmt("f-jan", "in_progress", JAN, commitment_id=FLIGHTS),
            stmt("y-jan", "suspended", JAN, commitment_id=YATRA),
            stmt("f-jun", "agreed", JUN, commitment_id=FLIGHTS),  # reaffirmation for flights
            stmt("y-jun", "under_discussion", JUN, commitment_id=YATRA),  # resumption for the yatra
            stmt("y-aug", "suspended", AUG, commitment_id=YATRA, article_order="a"),
            stmt("f-aug", "suspended", AUG, commitment_id=FLIGHTS, article_order="b"),
        ]
    )

    by_commitment = {
        cid: [(c.from_status, c.to_status, c.date, c.kind) for c in changes if c.commitment_id == cid]
        for cid in (FLIGHTS, YATRA)
    }
    assert by_commitment[FLIGHTS] == [
        (None, "in_progress", JAN, "new"),
        ("in_progress", "suspended", AUG, "setback"),
    ]
    assert by_commitment[YATRA] == [
        (None, "suspended", JAN, "new"),
        ("suspended", "under_discussion", JUN, "resumption"),
        ("under_discussion", "suspended", AUG, "setback"),
    ]
    # Changes come out in date order across commitments.
    assert [c.date for c in changes] == sorted(c.date for c in changes)


def test_same_day_collapse_is_per_commitment() -> None:
    """Rule 6: a day that ends equal for one commitment still reports another commitment's change that day."""
    changes = fold(
        [
            stmt("f0", "agreed", JAN, commitment_id=FLIGHTS),
            stmt("f1", "stalled", JUN, commitment_id=FLIGHTS, sentence_index=0),
            stmt("y1", "proposed", JUN, commitment_id=YATRA, sentence_index=1),
            stmt("f2", "agreed", JUN, commitment_id=FLIGHTS, sentence_index=2),
        ]
    )

    assert [(c.commitment_id, c.from_status, c.to_status, c.date) for c in changes] == [
        (FLIGHTS, None, "agreed", JAN),
        (YATRA, None, "proposed", JUN),
    ]


def test_no_statements_no_changes() -> None:
    """Rule 1 has nothing to start from: no statements give no changes and no current statuses."""
    assert fold([]) == []
    assert current_statuses([]) == {}


# --- a timeline that one misreading cannot lock ---------------------------------------

SURE = FoldPolicy(threshold=0.6)


def test_an_unsure_change_is_shown_but_does_not_set_the_level() -> None:
    # A weak single-source "implemented" (a misreading, say) between two sure statements.
    timeline = fold(
        [
            stmt("agreed", "agreed", date(2025, 1, 27)),
            stmt("weak", "implemented", date(2025, 3, 1), confidence=0.5),
            stmt("expedite", "in_progress", date(2025, 6, 13)),
        ],
        SURE,
    )
    assert [(c.from_status, c.to_status, c.cause) for c in timeline] == [
        (None, "agreed", "agreed"),
        ("agreed", "implemented", "weak"),
        # Compared with the sure level (agreed), in progress is progress, not a reaffirmation.
        ("implemented", "in_progress", "expedite"),
    ]
    assert timeline[-1].kind == "progress"


def test_without_a_policy_the_rules_of_change_apply_exactly() -> None:
    statements = [
        stmt("agreed", "agreed", date(2025, 1, 27)),
        stmt("weak", "implemented", date(2025, 3, 1), confidence=0.5),
        stmt("expedite", "in_progress", date(2025, 6, 13)),
    ]
    assert [c.cause for c in fold(statements)] == ["agreed", "weak"]


def test_an_unsure_change_stated_again_becomes_sure() -> None:
    timeline = fold(
        [
            stmt("agreed", "agreed", date(2025, 1, 27)),
            stmt("weak", "implemented", date(2025, 3, 1), confidence=0.5),
            stmt("again", "implemented", date(2025, 3, 5), article_order="b", confidence=0.5),
            stmt("expedite", "in_progress", date(2025, 6, 13)),
        ],
        SURE,
    )
    # Stated on a second day, implemented is the level: the later in-progress reaffirms.
    assert [c.cause for c in timeline] == ["agreed", "weak"]


def test_a_day_of_weak_sources_together_can_be_sure() -> None:
    # Two independent articles at 0.45 each: 1 - (1 - 0.405)^2 = 0.65 >= 0.6.
    timeline = fold(
        [
            stmt("agreed", "agreed", date(2025, 1, 27)),
            stmt("one", "implemented", date(2025, 3, 1), article_order="a", confidence=0.45),
            stmt("two", "implemented", date(2025, 3, 1), article_order="b", confidence=0.45),
            stmt("expedite", "in_progress", date(2025, 6, 13)),
        ],
        SURE,
    )
    assert [c.cause for c in timeline] == ["agreed", "one"]


def test_an_official_source_weighs_more() -> None:
    official = FoldInput("mea", FLIGHTS, "implemented", date(2025, 3, 1), "a", 0, confidence=0.62, official=True)
    other = FoldInput("paper", FLIGHTS, "implemented", date(2025, 3, 1), "a", 0, confidence=0.62)
    later = stmt("expedite", "in_progress", date(2025, 6, 13))
    first = stmt("agreed", "agreed", date(2025, 1, 27))
    # 0.62 from a ministry is sure (0.62); from a newspaper it is 0.9 × 0.62 = 0.56, unsure.
    assert [c.cause for c in fold([first, official, later], SURE)] == ["agreed", "mea"]
    assert [c.cause for c in fold([first, other, later], SURE)] == ["agreed", "paper", "expedite"]


# --- folding from where a commitment stood (the incremental fold) -------------------------

ALL_STATUSES = [*POSITIVE_LADDER, *sorted(NEGATIVE_STATUSES)]


@pytest.mark.parametrize("seed", range(60))
def test_folding_the_tail_from_the_last_change_equals_folding_everything(seed: int) -> None:
    """Split anywhere: the changes from the split day on, folded from the last change before it, are the same."""
    import random

    from tracker.timeline.fold import resume_from

    rng = random.Random(seed)
    policy = FoldPolicy(threshold=0.6)
    statements = [
        stmt(
            f"s{i}",
            rng.choice(ALL_STATUSES),
            date(2025, 1, 1 + rng.randrange(25)),
            commitment_id=rng.choice([FLIGHTS, YATRA]),
            article_order=rng.choice("abc"),
            sentence_index=i,
            confidence=rng.choice([0.3, 0.5, 0.8, 1.0]),
        )
        for i in range(rng.randrange(2, 30))
    ]
    everything = fold(statements, policy)
    split = date(2025, 1, 1 + rng.randrange(26))
    for commitment_id in (FLIGHTS, YATRA):
        own = [c for c in everything if c.commitment_id == commitment_id]
        before = [c for c in own if c.date < split]
        sure = [c for c in before if c.level == c.to_status]
        start, first_day = resume_from(before[-1] if before else None, sure[-1] if sure else None, split)
        tail = fold(
            [s for s in statements if s.commitment_id == commitment_id and s.published >= first_day],
            policy,
            {("", commitment_id): start},
        )
        assert tail == [c for c in own if c.date >= first_day]
