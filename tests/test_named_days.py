"""How a date named in a sentence is placed against the article's own day (the reader's dates)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tracker.extraction.dates import DATED_ANCHOR, DATED_ENTRY, DATED_WHEN, START_ON, NamedDay, dated_before

PUBLISHED = date(2025, 9, 10)


def _named(pattern: re.Pattern[str], text: str) -> NamedDay:
    match = pattern.search(text)
    assert match is not None, text
    return NamedDay.of(match)


@pytest.mark.parametrize(
    ("text", "before"),
    [
        ("in 2024", True),
        ("in 2025", False),
        ("during the 1990s", True),
        ("in March", True),  # this year's March, before September
        ("in September", False),  # the article's own month
        ("in November", True),  # later in the year than the article: last year's
        ("in November 2025", False),
        ("on 2 September", True),  # eight days before: background
        ("on 5 September", False),  # within the week: still the news
        ("on Sept. 1, 2025", True),
        ("on Oct. 3, 2024", True),
        ("in early March 2026", False),
        ("on 31 February", False),  # no such day: not read as a date
    ],
)
def test_a_past_anchor_lies_before_the_article(text: str, before: bool) -> None:
    assert _named(DATED_ANCHOR, f"talks were held {text}").before(PUBLISHED) is before


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("from 24 September", date(2025, 9, 24)),
        ("starting from 1 December", date(2025, 12, 1)),
        ("with effect from January 5", date(2026, 1, 5)),  # next year's, within the horizon
        ("with effect from January 15", None),  # beyond the horizon of 120 days
        ("from March 1, 2026", date(2026, 3, 1)),
        ("from 1 September", None),  # already past
        ("from June", None),  # this year's is past, next year's beyond the horizon
        ("effective from 1 July 2025", None),  # a year named, and past
        ("from 30 February", None),
    ],
)
def test_a_start_still_to_come(text: str, start: date | None) -> None:
    assert _named(START_ON, f"the waiver applies {text}").start_after(PUBLISHED, 120) == start


@pytest.mark.parametrize(
    ("text", "before"),
    [
        ("21 October 2024: the two sides announce a patrolling arrangement", True),
        ("October 21, 2024 - the two sides announce a patrolling arrangement", True),
        ("September 2025: talks resume", False),
        ("8 September 2025: talks resume", False),
        ("The talks of 21 October 2024 were a turning point", False),  # not an entry's opening
    ],
)
def test_a_timeline_entry_dated_before_the_article(text: str, before: bool) -> None:
    assert dated_before(text, PUBLISHED) is before


def test_a_scene_set_by_when_names_its_year_or_lies_before_anyway() -> None:
    assert _named(DATED_WHEN, "in March 2023 when the pact was signed").before(PUBLISHED)
    assert not _named(DATED_WHEN, "in 2025, when flights resumed").before(PUBLISHED)
    last = DATED_WHEN.search("last summer, when the route reopened")
    assert last is not None and last.group("year") is None
    assert DATED_ENTRY.match("no date here: none") is None
