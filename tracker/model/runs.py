"""What a run reports: its record, its counts, failing sources and each delivery's outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from tracker.model.shaping import Shaped
from tracker.model.stored import (
    DeliveryView,
)

# --- what a run reports ----------------------------------------------------------------


@dataclass(frozen=True)
class SourceProblem(Shaped):
    name: str
    location: str
    since: str
    error: str
    failures: int
    # Past `error_after` failures in a row, or gone: an error, not a warning.
    in_error: bool


@dataclass(frozen=True)
class RunRecord:
    """One run as the runs table keeps it: when, as of which day, what it did and said."""

    id: int
    command: str
    started_at: datetime
    finished_at: datetime | None
    as_of: date
    ingested: int
    skipped: int
    failed: int
    deferred: int
    changes: int
    digest_id: int | None
    messages: tuple[str, ...]
    # None only on a database made before states were kept (and upgraded since).
    state: str | None


@dataclass(frozen=True)
class RunCounts:
    ingested: int
    skipped: int
    failed: int


@dataclass(frozen=True)
class DeliveryOutcome:
    """What happened to one delivery in this run."""

    delivery: DeliveryView
    ok: bool
    detail: str
    paths: tuple[Path, ...] = ()
    # The digest's own report files (the files channel): a run's summary names them, not a line of their own.
    report: bool = False


@dataclass(frozen=True)
class FeedTrial:
    """What one fetch of a feed's URL gave, when it is added: whether it reads as a feed, and in words."""

    ok: bool
    detail: str
