"""The timeline's rules, table-tested without a database."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.model import REVIEW_RULE, FoldInput, Support
from tracker.timeline.alerts import is_quiet
from tracker.timeline.corroboration import CorroborationPolicy, corroborate
from tracker.timeline.fold import FoldPolicy, fold
from tracker.timeline.official import is_official, marked_official
from tracker.timeline.ordering import fold_order, review_order
from tracker.timeline.review import analyst_statement
from tracker.timeline.support import Weights, combined, copy_candidates, marked_copies, stories

DIGEST_DAY = date(2025, 6, 30)


@pytest.mark.parametrize(
    ("previous", "digest", "order"),
    [
        (None, "ab12", "ab12"),
        ("ab12", "cd34", "ab12~000001"),
        ("ab12~000001", "ef56", "ab12~000002"),
    ],
)
def test_an_update_sorts_right_after_what_it_updates(previous: str | None, digest: str, order: str) -> None:
    assert fold_order(previous, digest) == order


def test_an_analysts_status_sorts_after_the_days_articles_in_the_order_given() -> None:
    hashes = ["0" * 64, "f" * 64, fold_order("f" * 64, "0")]
    assert sorted([review_order(10), *hashes, review_order(9)]) == [*hashes, review_order(9), review_order(10)]


@pytest.mark.parametrize(
    ("day", "last_reported_day", "reported", "current", "quiet"),
    [
        # A late article that leaves the commitment where the last digest said: history only.
        (date(2025, 6, 20), DIGEST_DAY, "agreed", "agreed", True),
        (DIGEST_DAY, DIGEST_DAY, "agreed", "agreed", True),
        # Dated after the last digest: news, even when it ends where it began.
        (date(2025, 7, 1), DIGEST_DAY, "agreed", "agreed", False),
        # A late article that moves the current status away from what was reported.
        (date(2025, 6, 20), DIGEST_DAY, "agreed", "stalled", False),
        # Nothing reported yet, or no digest yet.
        (date(2025, 6, 20), DIGEST_DAY, None, "agreed", False),
        (date(2025, 6, 20), None, "agreed", "agreed", False),
    ],
)
def test_which_new_changes_are_quiet(
    day: date, last_reported_day: date | None, reported: str | None, current: str | None, quiet: bool
) -> None:
    assert is_quiet(day, last_reported_day, reported, current) is quiet


def test_an_analysts_status_is_a_sure_statement_naming_its_rule() -> None:
    stated = analyst_statement("air-services", "in_progress", "asha", "")
    assert (stated.status, stated.actor, stated.confidence, stated.rule) == ("in_progress", "both", 1.0, REVIEW_RULE)
    assert stated.evidence == "Set to in progress by asha" and stated.attribution == "analyst asha"
    assert analyst_statement("air-services", "agreed", "asha", "The first flight landed.").evidence == (
        "The first flight landed."
    )


@pytest.mark.parametrize(
    ("url", "official"),
    [
        ("https://mea.gov.in/press", True),
        ("https://www.mea.gov.in/press", True),
        ("https://MEA.GOV.IN/press", True),
        ("https://notmea.gov.in/press", False),
        ("https://mea.gov.in.example.com/", False),
        ("file:///articles/a.txt", False),
        ("", False),
    ],
)
def test_official_is_the_domain_or_a_subdomain(url: str, official: bool) -> None:
    assert is_official(url, ("mea.gov.in", "fmprc.gov.cn")) is official


def test_fold_inputs_are_marked_by_their_articles_source() -> None:
    inputs = [
        FoldInput(1, "air-services", "agreed", date(2025, 1, 1), "a", 0, source_url="https://mea.gov.in/1"),
        FoldInput(2, "air-services", "agreed", date(2025, 1, 1), "b", 0, source_url="https://wire.test/2"),
    ]
    assert [i.official for i in marked_official(inputs, ("mea.gov.in",))] == [True, False]


WIRE = (
    "India and China agreed on Monday to resume direct flights between the two countries this winter, "
    "the civil aviation ministry said after talks in New Delhi between officials of both sides."
)
REWRITE = WIRE.replace("this winter", "from the winter schedule")
OWN_WORDS = "Flights between Delhi and Beijing will start again in the winter, a spokesperson told reporters on Monday."
DAY_1, DAY_2 = date(2025, 9, 1), date(2025, 9, 8)


def _day(*articles: tuple[int, str, float]) -> tuple[list[FoldInput], dict[int, str], list[Support]]:
    """Day 1: one sure article says the flights are agreed; day 2: `articles` (id, text, confidence) say
    they are implemented."""
    inputs = [
        FoldInput("s0", "direct-flights", "agreed", DAY_1, "a0", 0, 0.9, source_url="https://a.test/0", article_id=0)
    ]
    texts = {0: "India and China agreed to resume flights."}
    supports = []
    for article, text, confidence in articles:
        url = f"https://outlet{article}.test/story"
        inputs.append(
            FoldInput(
                f"s{article}",
                "direct-flights",
                "implemented",
                DAY_2,
                f"a{article}",
                0,
                confidence,
                source_url=url,
                article_id=article,
            )
        )
        texts[article] = text
        supports.append(Support(url, f"Outlet {article}", "Flights", text, confidence, text))
    return inputs, texts, supports


@pytest.mark.parametrize(
    ("articles", "confidence", "confirmed"),
    [
        # Two copies of one wire story at 0.5: one story, 0.9 × 0.5 = 0.45, an unconfirmed signal.
        (((1, WIRE, 0.5), (2, REWRITE, 0.5)), 0.45, False),
        # Two stories in their own words at 0.5: 1 − 0.55² = 0.70, confirmed.
        (((1, WIRE, 0.5), (2, OWN_WORDS, 0.5)), 0.7, True),
        # A copy of a surer story adds nothing to it.
        (((1, WIRE, 0.8), (2, REWRITE, 0.5)), 0.72, True),
    ],
)
def test_the_fold_and_the_digest_weigh_syndicated_copies_alike(
    articles: tuple[tuple[int, str, float], ...], confidence: float, confirmed: bool
) -> None:
    inputs, texts, supports = _day(*articles)
    policy = CorroborationPolicy(threshold=0.6)
    digest = corroborate(supports, policy)
    assert (digest.confidence, digest.confirmed) == (confidence, confirmed)
    wanted = copy_candidates(inputs)
    assert wanted == [[a for a, _, _ in articles]]
    marked = marked_copies(inputs, {a: texts[a] for a in wanted[0]}, policy.weights)
    changes = fold(marked, FoldPolicy(threshold=0.6, weights=policy.weights))
    implemented = changes[-1]
    assert (implemented.to_status, implemented.date) == ("implemented", DAY_2)
    # Sure in the fold (the level later statements are compared against) exactly when the digest confirms it.
    assert (implemented.level == "implemented") is confirmed
    assert implemented.level == ("implemented" if confirmed else "agreed")


def test_copies_count_once_by_their_surest_member_the_same_one_for_every_caller() -> None:
    members = [("b", WIRE, 0.5), ("a", REWRITE, 0.5), ("c", OWN_WORDS, 0.4)]
    found = stories(members, lambda m: m[1], lambda m: m[2], lambda m: m[0], Weights())
    # Among equals the first URL counts; the copy follows it.
    assert [(counted[0], [c[0] for c in copies]) for counted, copies in found] == [("a", ["b"]), ("c", [])]
    assert combined([(0.5, False), (0.4, False)], Weights()) == round(1 - 0.55 * 0.64, 2)
    assert combined([(0.5, True)], Weights()) == 0.5


def test_a_group_without_every_text_is_left_unmarked() -> None:
    inputs, texts, _ = _day((1, WIRE, 0.5), (2, REWRITE, 0.5))
    assert marked_copies(inputs, {1: texts[1]}, Weights()) == inputs
    assert [i.copy_of for i in marked_copies(inputs, texts, Weights())] == [None, None, "a1"]
