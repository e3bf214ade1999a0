"""The timeline's rules, table-tested without a database."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.model import REVIEW_RULE, FoldInput
from tracker.timeline.alerts import is_quiet
from tracker.timeline.official import is_official, marked_official
from tracker.timeline.ordering import fold_order, review_order
from tracker.timeline.review import analyst_statement

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
