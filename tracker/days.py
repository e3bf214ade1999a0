"""The window of days the tracker accepts, from a user or from a feed.

A day far outside it (`0001-01-01`, `9999-12-31`) is no news and breaks date
arithmetic downstream (a fold's window, a chart's axis): such a day is refused
with one line where a user gives it, and read as no date where a feed or a
file gives it. The epoch itself (1970-01-01) is what a missing timestamp turns
into, so it is read as no date too, and so is a day before the relationship a
catalogue follows began (its `since`, when it gives one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

# Before any relationship a catalogue follows could hold a commitment the tracker reads about.
EARLIEST_DAY = date(1950, 1, 1)
# Far enough ahead for any run, yet every window computed from it stays a valid date.
LATEST_DAY = date(2199, 12, 31)
EPOCH = date(1970, 1, 1)


def out_of_range(day: date) -> str | None:
    """Why a day given by a user cannot be used; None when it can."""
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        return f"{day.isoformat()} is outside {EARLIEST_DAY.isoformat()} to {LATEST_DAY.isoformat()}"
    return None


@dataclass(frozen=True)
class Start:
    """When the relationship a catalogue follows began: no article about it is dated before."""

    day: date
    relationship: str


def implausible(day: date, start: Start | None = None) -> str | None:
    """Why a day a feed or a file gives is no real publication date; None when it may be one."""
    if day == EPOCH:
        return "1970-01-01, the epoch, a placeholder for a missing date"
    if start is not None and EARLIEST_DAY <= day < start.day:
        return f"{day.isoformat()}, before {start.relationship} relations began ({start.day.isoformat()})"
    return out_of_range(day)


def today_in(timezone: str, now: datetime | None = None) -> date:
    """The day it is in `timezone` (the configuration's): the one clock a run's day and a fetch's day are read on.

    `now` is a naive UTC time (as the database keeps them) or an aware one.
    """
    from zoneinfo import ZoneInfo

    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(timezone)).date()
