"""The static site as one channel among others: written after a run or a review, a failure only a warning."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date
from pathlib import Path

from tracker.pipeline.context import (
    Context,
)
from tracker.pipeline.report import RunReport


def note_site_pages(ctx: Context, report: RunReport, warn: Callable[[str], None]) -> None:
    """Record the site pages the run's fold made stale, before the fold is marked done (see `mark_pages_pending`).

    The site is one channel among others: a site folder that cannot be
    written is a warning, never a reason to keep the digest from being recorded.
    """
    from tracker.site import forget_site_state, mark_pages_pending

    try:
        mark_pages_pending(ctx.config.site_path, report.folded_pages)
    except OSError as exc:
        warn(_site_warning(ctx, exc))
        forget_site_state(ctx.config.site_path)


def write_site_safely(
    ctx: Context, as_of: date, commitments: Collection[str] | None, warn: Callable[[str], None] | None
) -> list[Path]:
    """`write_site_of`, with a site that cannot be written a warning (the digest and its deliveries stand)."""
    from tracker.site import forget_site_state

    try:
        return write_site_of(ctx, as_of, commitments)
    except (OSError, ValueError) as exc:
        if warn:
            warn(_site_warning(ctx, exc))
        # Whatever was half done, the next write that can is of the whole site.
        forget_site_state(ctx.config.site_path)
        return []


SITE_WARNING = "warning: site "


def site_owed(ctx: Context, run_id: int) -> bool:
    """Whether an earlier run failed to write (or to note) the site since it was last written."""
    for run in ctx.store.runs(50):
        if run.id >= run_id:
            continue
        if any(message.startswith(SITE_WARNING) for message in run.messages):
            return True
        if run.command in ("run", "worker") and run.state in (None, "finished"):
            # That run wrote the site.
            return False
    return False


def _site_warning(ctx: Context, exc: OSError | ValueError) -> str:
    if isinstance(exc, ValueError):
        return f"{SITE_WARNING}{ctx.config.site_path}: {exc}; the digest and its other deliveries are not affected"
    reason = exc.strerror or type(exc).__name__
    where = exc.filename or ctx.config.site_path
    return (
        f"{SITE_WARNING}{ctx.config.site_path}: cannot write {where}: {reason}; "
        "the digest and its other deliveries are not affected, and the site is written again by the next run"
    )


def write_site_of(ctx: Context, as_of: date, commitments: Collection[str] | None = None) -> list[Path]:
    """The static site from what is stored: the pages of `commitments` (`relationship/id`, or None: all),
    the index, new digests; every followed relationship's."""
    from tracker.site import write_site

    config = ctx.config
    return write_site(
        ctx.views,
        ctx.catalogues,
        config.site_path,
        config.reports_dir,
        config.templates_dir,
        as_of,
        commitments=commitments,
    )
