"""The fold: statements folded again into each commitment's status changes, and what a run's articles touched."""

from __future__ import annotations

from datetime import date

from tracker.faults import checkpoint
from tracker.model import (
    ChangeView,
    FoldInput,
    FoldScope,
)
from tracker.pipeline.context import (
    Context,
)
from tracker.pipeline.report import RunReport
from tracker.store import Store
from tracker.timeline.corroboration import CorroborationPolicy
from tracker.timeline.fold import FoldPolicy, fold
from tracker.timeline.official import marked_official
from tracker.timeline.support import copy_candidates, marked_copies
from tracker.views import Views

# Articles whose texts are read at a time to find copies of one story: bounded, however large the fold.
COPY_BATCH = 500


def _fold_inputs(store: Store, scope: FoldScope | None, corroboration: CorroborationPolicy) -> list[FoldInput]:
    """The statements the fold reads, official sources and copies of one story marked as the digest finds them."""
    inputs = marked_official(store.fold_inputs(scope), corroboration.official_domains)
    batch: list[int] = []
    groups = copy_candidates(inputs)
    for i, group in enumerate(groups):
        batch.extend(group)
        if len(batch) >= COPY_BATCH or i == len(groups) - 1:
            inputs = marked_copies(inputs, store.article_texts(batch), corroboration.weights)
            batch = []
    return inputs


def update_timeline(ctx: Context, scope: FoldScope | None = None) -> int:
    """Fold statements again and record what changed; returns new changes.

    With a scope (the commitments a run's articles named, each from the
    earliest day they were stated on) only those are folded, from where each
    stood the day before; without one, every stored statement.
    """
    store = ctx.store
    # The digest's weights and official sources: a change the fold calls sure, the digest calls confirmed.
    corroboration = ctx.policy
    policy = FoldPolicy(threshold=ctx.config.confidence_threshold, weights=corroboration.weights)
    if scope is None:
        return len(store.apply_timeline(fold(_fold_inputs(store, None, corroboration), policy)))
    starts, scope = store.fold_starts(scope)
    timeline = fold(_fold_inputs(store, scope, corroboration), policy, starts)
    checkpoint("fold.before")
    new = len(store.apply_timeline(timeline, scope))
    checkpoint("fold.after")
    return new


def current_statuses(
    views: Views, corroborated: bool = True, until: date | None = None, relationship_id: str | None = None
) -> dict[str, ChangeView]:
    """Each commitment's latest change: where it stands now (or on `until`) and since when (with its sources
    unless told not to); of one relationship when named (ids are unique within one only)."""
    return views.current_statuses(corroborated, until, relationship_id)


def recover_unfolded(ctx: Context, report: RunReport) -> list[int]:
    """Put what earlier runs stored but never folded (they were killed first) into this run's fold.

    Returns those runs; a run holding the lock alone marks them folded with its own.
    """
    runs, scope = ctx.store.unfolded(report.run_id)
    for commitment_id, day in scope.items():
        since = report.touched.get(commitment_id)
        if since is None or day < since:
            report.touched[commitment_id] = day
    return runs


def fold_touched(ctx: Context, report: RunReport) -> int:
    """Fold what the run's articles stated about (one process at a time); returns new changes."""
    if not report.touched:
        return 0
    with ctx.store.exclusive("fold"):
        new = update_timeline(ctx, report.touched)
    report.folded.update(report.touched)
    report.touched = {}
    return new
