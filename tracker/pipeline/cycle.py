"""The daily cycle, a plain ingest and a worker's day: the stages in order, each run recorded however it ends."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from tracker.catalogue import Catalogue
from tracker.days import today_in
from tracker.faults import checkpoint
from tracker.fetching import (
    fetch_all,
    redact,
)
from tracker.model import (
    CommitmentKey,
    FetchRequest,
    Message,
    RunCounts,
    RunState,
)
from tracker.pipeline.context import (
    Context,
)
from tracker.pipeline.folding import (
    current_statuses,
    fold_touched,
    recover_unfolded,
    update_timeline,
)
from tracker.pipeline.inputs import (
    fetch_url,
    folder_paths,
    read_feed,
    read_feeds,
    read_paths,
)
from tracker.pipeline.report import Progress, RunReport
from tracker.pipeline.sink import ArticleSink, store_articles
from tracker.pipeline.site_pages import (
    note_site_pages,
    site_owed,
    write_site_of,
    write_site_safely,
)
from tracker.sanitize import clean_line
from tracker.timeline.versions import WINDOW_DAYS, divergences


def describe_failure(exc: BaseException) -> str:
    """One line about what stopped a run: no SQL, no parameters, no article text, no traceback."""
    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(exc, SQLAlchemyError):
        # The driver's own message; SQLAlchemy's adds the statement and its parameters (article text).
        cause = getattr(exc, "orig", None) or exc
        text = (str(cause).strip().splitlines() or [""])[0].split("[SQL:", 1)[0].strip()
        return f"the database failed: {text or type(cause).__name__}"
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return f"cannot use{where}: {exc.strerror or type(exc).__name__}"
    text = (str(exc).strip().splitlines() or [""])[0]
    return clean_line(f"{type(exc).__name__}: {text}"[:300])


def _abandon(ctx: Context, report: RunReport, exc: BaseException) -> None:
    """Record what a run stopped by an error (failed) or a signal (interrupted) had done by then."""
    state = RunState.INTERRUPTED if isinstance(exc, KeyboardInterrupt | SystemExit) else RunState.FAILED
    why = "interrupted" if state is RunState.INTERRUPTED else f"failed: {describe_failure(exc)}"
    report.messages.append(Message("error", f"the run {why}"))
    # The database may be what failed: the error itself is what matters then.
    with contextlib.suppress(Exception):
        _finish(ctx, report, report.digest_id, state)


def _finish(ctx: Context, report: RunReport, digest_id: int | None = None, state: RunState = RunState.FINISHED) -> None:
    ctx.store.finish_run(
        report.run_id,
        ingested=report.ingested,
        skipped=report.skipped,
        failed=report.failed,
        deferred=report.deferred,
        changes_found=report.new_changes,
        messages=report.messages,
        digest_id=digest_id,
        state=state,
    )


def ingest_paths(
    ctx: Context,
    paths: Sequence[Path],
    as_of: date,
    progress: Progress | None = None,
    warn: Callable[[str], None] | None = None,
) -> RunReport:
    """Ingest files, folders or feed files, then extract and compare; writes no digest."""
    ctx.lexicon  # noqa: B018 - read now: a bad lexicon stops the run before it starts
    report = RunReport(run_id=ctx.store.start_run("ingest", as_of), as_of=as_of)
    say = _collector(report, warn)
    try:
        ctx.store.interrupt_stale_runs(report.run_id)
        recovered = recover_unfolded(ctx, report)
        store_articles(ctx, read_paths(paths, report, say, ctx.start), as_of, report, progress, say)
        report.new_changes = fold_touched(ctx, report)
        note_site_pages(ctx, report, say)
        ctx.store.mark_folded([report.run_id, *recovered])
    except BaseException as exc:
        _abandon(ctx, report, exc)
        raise
    _finish(ctx, report)
    return report


def run_cycle(
    ctx: Context,
    as_of: date,
    always: bool = False,
    progress: Progress | None = None,
    warn: Callable[[str], None] | None = None,
    dry_run: bool = False,
) -> RunReport:
    """One daily cycle: seeds, folders and feeds in; digest out when a status changed.

    The digest is recorded in the outbox with its changes marked reported in one
    transaction, then delivered (files, email, notifications); deliveries an
    earlier run left queued go out too.
    """
    ctx.lexicon  # noqa: B018 - read now: a bad lexicon stops the run before it starts
    report = RunReport(run_id=ctx.store.start_run("run", as_of), as_of=as_of)
    say = _collector(report, warn)
    try:
        # Under the run lock alone: a run still "running" was killed.
        ctx.store.interrupt_stale_runs(report.run_id)
        recovered = recover_unfolded(ctx, report)
        sink = ArticleSink(ctx, as_of, report, say, progress)
        sink.add_all(read_paths(folder_paths(ctx), report, say, ctx.start))
        read_feeds(ctx, sink)
        report.new_changes = fold_touched(ctx, report)
        note_site_pages(ctx, report, say)
        ctx.store.mark_folded([report.run_id, *recovered])
        checkpoint("fold.marked")
        finish_day(ctx, report, always=always, dry_run=dry_run, warn=say)
    except BaseException as exc:
        _abandon(ctx, report, exc)
        raise
    _finish(ctx, report, report.digest_id)
    return report


def finish_day(
    ctx: Context,
    report: RunReport,
    always: bool = False,
    dry_run: bool = False,
    warn: Callable[[str], None] | None = None,
    counts: RunCounts | None = None,
) -> None:
    """The day's digest when a status changed (or `always`), its delivery, and the site.

    One process at a time: the digest is recorded in the outbox with its
    changes marked reported in one transaction, so a second process finds
    nothing left to report; deliveries an earlier run left queued go out too.
    A dry run records and sends nothing: it writes the email it would send.
    """
    from tracker.delivery import deliver, queue_digest
    from tracker.delivery.preview import write_preview
    from tracker.digest import RelationshipPart, build_desk_digest

    as_of = report.as_of
    report.dry_run = dry_run
    with ctx.store.exclusive("digest"):
        report.alerts = ctx.views.pending_alerts()
        # Alerts already delivered that a late article rewrote: the next digest says so.
        report.revisions = revisions = ctx.views.pending_revisions()
        checkpoint("alerts.after")
        if report.alerts or revisions or always:
            last = ctx.store.last_digest()
            since = last.as_of if last else None
            found = recent_divergences_by_relationship(ctx, last.as_of if last else None, as_of)
            parts = [
                RelationshipPart(
                    catalogue,
                    # The status table of a digest for a past day stands as of that day; each its own relationship's.
                    current_statuses(ctx.views, until=as_of, relationship_id=catalogue.relationship_id),
                    [c for c in report.alerts if _of(c.relationship_id, catalogue, ctx)],
                    found.get(catalogue.relationship_id, []),
                    [r for r in revisions if _of(r.reported.relationship_id, catalogue, ctx)],
                )
                for catalogue in ctx.catalogues
            ]
            digest = build_desk_digest(
                parts,
                as_of,
                since,
                counts or RunCounts(report.ingested, report.skipped, report.failed),
                source_problems=[p.as_json() for p in report.source_problems],
                site_url=ctx.config.site_url,
            )
            revised_ids = [r.reported.id for r in revisions]
            if dry_run:
                # Nothing recorded, marked reported or queued: the next real run reports these changes once.
                report.preview = write_preview(ctx.config, digest, ctx.store.digest_files())
            else:
                checkpoint("digest.before")
                stored = queue_digest(
                    ctx.store, ctx.config, digest, [c.id for c in report.alerts], revised_ids, since=since
                )
                checkpoint("digest.after")
                report.digest_id = stored.id
                report.digest_files = [ctx.config.reports_dir / Path(name).name for name in stored.files]
        # A dry run sends nothing, not even what earlier runs left queued.
        if not dry_run:
            report.deliveries = deliver(ctx.store, ctx.config, warn=warn or (lambda _message: None))
        report.deliveries_given_up = len(ctx.store.deliveries(["failed"]))
        # After a run that could not write the site, which pages are current is unknown: all of them.
        pages = None if site_owed(ctx, report.run_id) else report.folded_pages
        report.site_files = write_site_safely(ctx, as_of, pages, warn)
        checkpoint("site.after")


def run_worker(
    ctx: Context,
    as_of: date,
    owner: str,
    warn: Callable[[str], None] | None = None,
    lease_seconds: float = 600.0,
    poll_seconds: float = 1.0,
    now: Callable[[], datetime] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> RunReport:
    """One of several workers sharing a PostgreSQL database for the day `as_of`.

    Each reads the seeds and folders (one at a time; what another stored is
    skipped), then claims due feeds one by one with a lease, stores each
    one's entries and folds what they state before marking it done, so no
    feed is fetched or ingested twice at once and a worker that dies leaves a
    lease that runs out. Once no feed of the day is left, claimed or not, the
    day's digest is built, once, by whichever worker gets there first: the
    others find nothing left to report.
    """
    clock = now or (lambda: datetime.now(UTC).replace(tzinfo=None))
    ctx.lexicon  # noqa: B018 - read now: a bad lexicon stops the run before it starts
    report = RunReport(run_id=ctx.store.start_run("worker", as_of), as_of=as_of)
    say = _collector(report, warn)
    sink = ArticleSink(ctx, as_of, report, say)
    # What a killed run stored is folded again (harmless for a live worker's); only a plain run marks it done.
    recover_unfolded(ctx, report)
    with ctx.store.exclusive("folders"):
        folders = folder_paths(ctx)
        sink.add_all(read_paths(folders, report, say, ctx.start))
    report.new_changes += fold_touched(ctx, report)
    config = ctx.config
    configured = {redact(f.url): f for f in config.feeds}
    while True:
        source = ctx.store.lease_feed(owner, as_of, clock(), lease_seconds)
        if source is None:
            if ctx.store.feeds_left(as_of) == 0:
                break
            sleep(poll_seconds)  # another worker holds the last feeds: wait for them, or for a lease to run out
            continue
        started = clock()
        if source.next_fetch_at is None or source.next_fetch_at <= started:
            request = FetchRequest(fetch_url(source, configured), etag=source.etag, last_modified=source.last_modified)
            (result,) = fetch_all([request], config.fetch)
            read_feed(ctx, sink, source, result, started, configured)
            report.new_changes += fold_touched(ctx, report)
        ctx.store.finish_lease(source.id, owner, as_of)
    ctx.store.mark_folded([report.run_id])
    _finish(ctx, report)
    finish_day(ctx, report, warn=say, counts=ctx.store.day_counts(as_of, "worker"))
    _finish(ctx, report, report.digest_id)
    return report


def after_review(ctx: Context, commitment: CommitmentKey | None = None) -> int:
    """Fold again after an analyst's decision and rewrite the site; returns new changes.

    Only the reviewed commitment is folded again (from its first statement)
    when it is named. The site is drawn up to the day of the last run, as the run left it.
    """
    new = update_timeline(ctx, None if commitment is None else {commitment: None})
    last = ctx.store.runs(1)
    as_of = last[0].as_of if last else today_in(ctx.config.timezone)
    write_site_of(ctx, as_of, None if commitment is None else {f"{commitment[0]}/{commitment[1]}"})
    return new


def recent_divergences(ctx: Context, after: date | None, until: date) -> list[dict]:
    """The two governments' differing versions dated after the last digest, up to the run's day."""
    return [d for found in recent_divergences_by_relationship(ctx, after, until).values() for d in found]


def recent_divergences_by_relationship(ctx: Context, after: date | None, until: date) -> dict[str, list[dict]]:
    """`recent_divergences` by relationship id, each read against its own catalogue's sides."""
    # Two governments' versions count as one divergence within WINDOW_DAYS of each other.
    since = after - timedelta(days=WINDOW_DAYS) if after is not None else None
    # Each relationship's own sides: statements of another pair are never one side's version.
    return {
        catalogue.relationship_id: [
            d.as_json()
            for d in divergences(
                ctx.store.statements(since=since, until=until, relationship_id=catalogue.relationship_id),
                catalogue,
                ctx.official_domains,
            )
            if (after is None or d.date > after) and d.date <= until
        ]
        for catalogue in ctx.catalogues
    }


def _of(relationship_id: str, catalogue: Catalogue, ctx: Context) -> bool:
    """Whether a change belongs to `catalogue`'s section; one of no followed relationship, to the first's
    (reported somewhere rather than marked reported unseen)."""
    if relationship_id == catalogue.relationship_id:
        return True
    return catalogue is ctx.catalogue and relationship_id not in {c.relationship_id for c in ctx.catalogues}


# A run keeps (and stores) this many of its messages; all of them are still printed.
MAX_KEPT_MESSAGES = 1000


def _collector(report: RunReport, warn: Callable[[str], None] | None) -> Callable[[str], None]:
    """Messages printed as they come and kept on the report, up to MAX_KEPT_MESSAGES and a count of the rest."""
    left_out = 0

    def say(message: str) -> None:
        nonlocal left_out
        # One line, whatever a file name or a feed put into it.
        message = Message.parse(clean_line(message))
        if len(report.messages) < MAX_KEPT_MESSAGES:
            report.messages.append(message)
        else:
            # The last kept place becomes the count: the message it held is one of those left out.
            left_out += 2 if left_out == 0 else 1
            report.messages[-1] = Message("note", f"{left_out} more message{'s' if left_out != 1 else ''} not kept")
        if warn:
            warn(message)

    return say
