"""Which new changes alert the reader, and which are folded into history quietly."""

from __future__ import annotations

from datetime import date


def is_quiet(
    day: date, last_reported_day: date | None, reported_status: str | None, current_status: str | None
) -> bool:
    """A new change that only rewrites history: no alert.

    A commitment whose current status equals its last reported status had
    only history rewritten when its new changes are dated no later than the
    last digest's day (a late article). Changes dated after it are news,
    alerted even when the commitment ends where it began (a setback and a
    recovery between two digests).
    """
    rewrites_history = last_reported_day is not None and day <= last_reported_day
    return rewrites_history and reported_status is not None and reported_status == current_status
