"""Dates named in a sentence, and one way of placing them against the article's own day.

The reader asks two questions of a named date: does it lie before the article (a past
anchor, a timeline entry, a scene set "in 2022, when …"), and is it a start still to
come ("from 24 July")? A date often leaves its year to the reader; `NamedDay` holds what
the text says and settles the rest the same way for every pattern that finds one.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTH_ALT = "|".join(name for name in calendar.month_name if name)
# Wire style abbreviates a month before its day: "on Oct. 24, 2019", "on Sept. 3".
_MONTH_ABBR = {"sept": 9, **{name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}}
_MONTH_ABBR_ALT = "|".join(sorted((name.capitalize() for name in _MONTH_ABBR), key=len, reverse=True))
_WEEKDAY_ALT = "|".join(name.lower() for name in calendar.day_name)

# "in April", "in early April 2025", "on January 27", "in 2020": anchors that date an event.
DATED_ANCHOR = re.compile(
    # The day may come first, as much of the press writes it: "on 24 October 2019".
    rf"\b(?i:in|on|during|by) (?:(?P<day_first>\d{{1,2}})(?:st|nd|rd|th)? )?(?i:early |mid-|late |the end of )?"
    rf"(?P<month>{MONTH_ALT}|(?:{_MONTH_ABBR_ALT})\.(?= \d))(?: (?P<day>\d{{1,2}}))?(?:,? (?P<year>(?:19|20)\d\d))?\b"
    rf"|\b(?i:in|during) (?i:the )?(?i:early |mid-|late |the end of )?(?P<year_only>(?:19|20)\d\d)s?\b"
)
# "21 October 2024: New Delhi announces…": an entry of a timeline, dated in its first words.
DATED_ENTRY = re.compile(
    rf"^\s*(?:(?P<day_first>\d{{1,2}}) )?(?P<month>{MONTH_ALT})(?: (?P<day>\d{{1,2}}),?)?"
    rf" (?P<year>(?:19|20)\d\d)\s*[:–—-]"
)
# A day named just before "when": "in March 2023 when …", "in 2020, when …".
DATED_WHEN = re.compile(
    rf"(?:(?:\b(?P<month>{MONTH_ALT}) )?\b(?P<year>(?:19|20)\d\d)"
    r"|\b(?P<last>last (?:summer|winter|spring|autumn|year|month|week))|\b(?:years?|months?) ago),? when\b",
    re.IGNORECASE,
)
# Words that put a start on a day: "from 24 July", "with effect from March 1".
# A day a thing is put down for is its start too: "the first flight is scheduled for 26 October".
START_WORDS = (
    r"from|starting(?: from| on)?|beginning(?: on)?|with effect from|effective(?: from)?"
    r"|(?:scheduled|slated|due|planned|fixed|set) (?:for|on)"
)
# A start put on a day, to be resolved against the article's: "starting from 30 November",
# "with effect from March 1, 2026".
START_ON = re.compile(
    rf"\b(?:{START_WORDS})\s+(?:the\s+)?"
    rf"(?:(?P<day_first>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?)?(?P<month>{MONTH_ALT})\b"
    rf"(?:\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b)?(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?",
    re.IGNORECASE,
)
# A day named after a future act puts it on the calendar: "will extend the waiver from 24 July".
DAY_AHEAD = re.compile(
    rf"\b(?:{START_WORDS}|on|by)\s+(?:the\s+)?"
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?)?(?:{MONTH_ALT}|{_WEEKDAY_ALT})\b",
    re.IGNORECASE,
)

# A day named within a week before the article is still its news ("on Monday, 1 September").
_NEWS_DAYS = 7


@dataclass(frozen=True)
class NamedDay:
    """What a date in the text names: a year alone, a month (its year perhaps left out) or a day."""

    year: int | None
    month: int | None
    day: int | None

    @classmethod
    def of(cls, match: re.Match[str]) -> NamedDay:
        """Read the named groups any of the date patterns above may set."""
        groups = match.groupdict()
        year = groups.get("year") or groups.get("year_only")
        name = (groups.get("month") or "").rstrip(".").lower()
        month = (MONTHS.get(name) or _MONTH_ABBR.get(name)) if name else None
        day = groups.get("day") or groups.get("day_first")
        return cls(int(year) if year else None, month, int(day) if day else None)

    def before(self, published: date) -> bool:
        """Whether the date lies before the article's: a year before its year, a month before
        its month, a day more than a week before it. A month named without a year, later in
        the year than the article's, is last year's."""
        if self.month is None:
            return self.year is not None and self.year < published.year
        year = self.year if self.year is not None else published.year - (self.month > published.month)
        if self.day is None:
            return (year, self.month) < (published.year, published.month)
        try:
            return (published - date(year, self.month, self.day)).days > _NEWS_DAYS
        except ValueError:
            return False

    def start_after(self, published: date, horizon_days: int) -> date | None:
        """The day a start falls on, when it lies after the article's. Without its year it is
        this year's or next year's, whichever lies within `horizon_days` ahead of the article."""
        if self.month is None:
            return None
        years = [self.year] if self.year is not None else [published.year, published.year + 1]
        for year in years:
            try:
                start = date(year, self.month, self.day or 1)
            except ValueError:
                return None
            if self.year is not None:
                return start if start > published else None
            if 0 < (start - published).days <= horizon_days:
                return start
        return None


def anchor_is_past(match: re.Match[str], published: date) -> bool:
    return NamedDay.of(match).before(published)


def dated_before(text: str, published: date) -> bool:
    """Whether the text opens as a timeline entry dated before the article."""
    entry = DATED_ENTRY.match(text)
    return entry is not None and NamedDay.of(entry).before(published)
