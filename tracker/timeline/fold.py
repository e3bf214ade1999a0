"""The fold: statements into each commitment's status timeline.

Pure functions over plain data, implementing the rules of change:

1. the first statement about a commitment sets its status;
2. a positive statement higher on the ladder than the current positive status is progress;
3. a positive statement at or below the current level is a reaffirmation;
4. from a negative state, any positive statement is a change (resumption);
5. a negative statement that differs from the current status is a setback;
6. several changes of one commitment on one day collapse into one.

Whether a change is sure enough to become the level later statements are
compared against is the day's support for it (`timeline.support`), the rule
the digest's corroboration uses too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import groupby
from typing import Protocol, TypeVar

from tracker.catalogue import NEGATIVE_STATUSES, POSITIVE_LADDER
from tracker.model import ChangeKind, CommitmentKey, FoldInput, FoldStart, StatusChange
from tracker.timeline.support import Weights, combined, counted_once, is_sure


def resume_from(last: DatedLevel | None, last_sure: DatedLevel | None, day: date) -> tuple[FoldStart, date]:
    """Where to fold a commitment from when statements dated `day` or later are new: (its start, the first day to fold).

    `last` is its last current change before `day`, `last_sure` the last of
    those that was sure (its level its own status). After a sure change
    nothing but a change moves the commitment, so the fold goes on from it at
    `day`. After an unsure one a restatement may have made it sure on a day
    with no change of its own, so the fold goes back to the day after the
    last sure change (or to the first statement, when none was sure).
    """
    if last is None:
        return FoldStart(None, None), day
    if last.level == last.to_status:
        return FoldStart(last.to_status, last.level), day
    if last_sure is None:
        return FoldStart(None, None), date.min
    return FoldStart(last_sure.to_status, last_sure.to_status), last_sure.date + timedelta(days=1)


def is_negative(status: str) -> bool:
    return status in NEGATIVE_STATUSES


def next_status(current: str | None, stated: str) -> str | None:
    """The status after a statement, or None when it changes nothing (rules 1–5)."""
    if current is None:
        return stated
    if is_negative(stated):
        return stated if stated != current else None
    if is_negative(current):
        return stated
    if POSITIVE_LADDER.index(stated) > POSITIVE_LADDER.index(current):
        return stated
    return None


def change_kind(from_status: str | None, to_status: str) -> ChangeKind:
    if from_status is None:
        return ChangeKind.NEW
    if is_negative(to_status):
        return ChangeKind.SETBACK
    if is_negative(from_status):
        return ChangeKind.RESUMPTION
    if POSITIVE_LADDER.index(to_status) > POSITIVE_LADDER.index(from_status):
        return ChangeKind.PROGRESS
    # Only a collapsed day can end lower on the ladder than it began.
    return ChangeKind.SETBACK


@dataclass(frozen=True)
class FoldPolicy:
    """When a change is sure enough to become the level later statements are compared against.

    A change whose day's support (`timeline.support`: copies of one story
    counted once, stories combined by noisy-OR under `weights`) stays below
    `threshold` is still reported, as an unconfirmed signal, but the
    timeline keeps comparing with the last sure status until another article
    states it again. So one misreading at the top of the ladder cannot turn
    every later true change into a reaffirmation.
    """

    threshold: float = 0.0
    weights: Weights = field(default_factory=Weights)


def _day_support(items: Sequence[FoldInput], status: str, policy: FoldPolicy) -> float:
    """The support of the day's articles for `status`: each article's best statement, copies left out."""
    stating = counted_once([i for i in items if i.status == status], lambda i: i.article_order, lambda i: i.confidence)
    return combined(((i.confidence, i.official) for i in stating if i.copy_of is None), policy.weights)


def fold(
    statements: Iterable[FoldInput],
    policy: FoldPolicy | None = None,
    start: Mapping[CommitmentKey, FoldStart] | None = None,
) -> list[StatusChange]:
    """Every status change, in order, from statements of any commitments.

    Without a policy (or with threshold 0) every change is sure and the rules
    of change apply exactly; with one, unsure changes are shown but do not
    set the level (see `FoldPolicy`). `start` gives, per commitment, where it
    stood before the first statement given (an incremental fold: the
    statements from some day on, starting from the last change before that
    day); a commitment not in it starts with no status.
    """
    policy = policy or FoldPolicy()
    start = start or {}
    ordered = sorted(
        statements, key=lambda s: (s.relationship_id, s.commitment_id, s.published, s.article_order, s.sentence_index)
    )
    changes: list[StatusChange] = []
    for (relationship_id, commitment_id), items in groupby(ordered, key=lambda s: (s.relationship_id, s.commitment_id)):
        begin = start.get((relationship_id, commitment_id), FoldStart(None, None))
        shown: str | None = begin.shown  # what the timeline says now
        level: str | None = begin.level  # the last sure status, which statements are compared against
        for day, day_group in groupby(items, key=lambda s: s.published):
            day_items = list(day_group)
            before, level_before = shown, level
            running = level
            for statement in day_items:
                running = next_status(running, statement.status) or running
            if running is not None and running != level:
                # Sure by the day's own support, or stated again after an unsure day.
                if is_sure(_day_support(day_items, running, policy), policy.threshold) or running == shown:
                    level = running
                shown = running
            if shown != before and shown is not None:
                # The day's evidence for where it ended: the surest statement of
                # that status, the earliest among equals.
                cause = max(
                    (s for s in day_items if s.status == shown),
                    key=lambda s: (s.confidence, -day_items.index(s)),
                ).key
                kind = change_kind(level_before if before != level_before else before, shown)
                changes.append(StatusChange(commitment_id, before, shown, day, cause, kind, level, relationship_id))
    changes.sort(key=lambda c: (c.date, c.relationship_id, c.commitment_id))
    return changes


class DatedLevel(Protocol):
    """A stored change as a fold resumes from it."""

    @property
    def to_status(self) -> str: ...

    @property
    def level(self) -> str | None: ...

    @property
    def date(self) -> date: ...


class DatedChange(Protocol):
    """A status change as stored or as folded: which commitment, when, to what."""

    @property
    def commitment_id(self) -> str: ...

    @property
    def date(self) -> date: ...

    @property
    def to_status(self) -> str: ...


ChangeT = TypeVar("ChangeT", bound=DatedChange)


def current_statuses(changes: Iterable[ChangeT]) -> dict[str, ChangeT]:
    """Each commitment's latest change: its current status and since when."""
    latest: dict[str, ChangeT] = {}
    for change in sorted(changes, key=lambda c: c.date):
        latest[change.commitment_id] = change
    return latest
