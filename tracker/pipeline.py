"""The daily cycle: sources → articles → statements → status changes → digest.

The CLI and the scheduler both call `run_cycle` (or `ingest_paths`); nothing
here prints: progress and messages go to the callbacks the caller passes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from tracker.catalogue import Catalogue, Lexicon, load_catalogue, load_lexicon
from tracker.comparison import CorroborationPolicy, FoldPolicy, fold
from tracker.comparison import current_statuses as latest_changes
from tracker.config import Config
from tracker.delivery import Outcome, deliver, queue_digest
from tracker.digest import RunCounts, build_digest, revision_items
from tracker.extraction import extract_statements
from tracker.resources import bundled_dir
from tracker.site import write_site
from tracker.sources import ArticleDraft, SourceError, fetch, iter_path, parse_feed
from tracker.storage import ChangeView, RevisionView, Store
from tracker.versions import divergences

Progress = Callable[[Sequence[ArticleDraft]], Iterable[ArticleDraft]]


@dataclass
class RunReport:
    run_id: int
    as_of: date
    ingested: int = 0
    skipped: int = 0
    failed: int = 0
    deferred: int = 0
    new_changes: int = 0
    alerts: list[ChangeView] = field(default_factory=list)
    revisions: list[RevisionView] = field(default_factory=list)
    digest_files: list[Path] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    site_files: list[Path] = field(default_factory=list)
    digest_id: int | None = None
    deliveries: list[Outcome] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    """What one invocation works with: configuration, store and rules."""

    config: Config
    store: Store
    catalogue: Catalogue
    lexicon: Lexicon

    @classmethod
    def open(cls, config: Config) -> Context:
        policy = CorroborationPolicy(official_domains=config.official_domains, threshold=config.confidence_threshold)
        store = Store(config.database_url, policy)
        store.ensure_schema()
        catalogue = load_catalogue(config.catalogue)
        store.sync_catalogue(catalogue)
        return cls(config, store, catalogue, load_lexicon(config.lexicon))

    def close(self) -> None:
        self.store.close()


def seeds_dir(config: Config) -> Path | None:
    if not config.use_seeds:
        return None
    return config.seeds_dir or bundled_dir("seeds")


def read_paths(paths: Iterable[Path], report: RunReport, warn: Callable[[str], None]) -> list[ArticleDraft]:
    drafts: list[ArticleDraft] = []
    for path in paths:
        for item in iter_path(path, warn):
            if isinstance(item, SourceError):
                report.failed += 1
                warn(f"error: {item}")
            else:
                drafts.append(item)
    return drafts


def read_feeds(ctx: Context, report: RunReport, warn: Callable[[str], None]) -> list[ArticleDraft]:
    """Every configured feed; one that fails is counted and the others still read."""
    drafts: list[ArticleDraft] = []
    for feed in ctx.config.feeds:
        name = feed.name or feed.url
        try:
            entries = parse_feed(fetch(feed.url), feed.url, warn, source_name=feed.name)
        except SourceError as exc:
            failures = ctx.store.record_source_result(name, feed.url, str(exc))
            report.failed += 1
            # A feed that is down once is noise; one down run after run is news.
            level = "error" if failures >= ctx.config.error_after else "warning"
            warn(f"{level}: {exc} (failed {failures} time{'s' if failures != 1 else ''} in a row)")
            continue
        ctx.store.record_source_result(name, feed.url, None)
        drafts.extend(entries)
    return drafts


def store_articles(
    ctx: Context,
    drafts: Sequence[ArticleDraft],
    as_of: date,
    report: RunReport,
    progress: Progress | None = None,
) -> None:
    """Extract statements from new articles and store both; duplicates are skipped."""
    items = progress(drafts) if progress else drafts
    for draft in items:
        if draft.published > as_of:
            report.deferred += 1
            continue
        if ctx.store.has_article(draft):
            report.skipped += 1
            continue
        statements = extract_statements(
            draft.full_text,
            draft.published,
            ctx.catalogue,
            ctx.lexicon,
            title=draft.title,
            nlp_model=ctx.config.nlp_model,
        )
        if ctx.store.add_article(draft, statements, report.run_id):
            report.ingested += 1
        else:
            report.skipped += 1


def update_timeline(ctx: Context) -> int:
    """Fold every stored statement again and record what changed; returns new changes."""
    policy = FoldPolicy(threshold=ctx.config.confidence_threshold)
    return len(ctx.store.apply_timeline(fold(ctx.store.fold_inputs(), policy)))


def current_statuses(store: Store) -> dict[str, ChangeView]:
    return latest_changes(store.changes())


def _finish(ctx: Context, report: RunReport, digest_id: int | None = None) -> None:
    ctx.store.finish_run(
        report.run_id,
        ingested=report.ingested,
        skipped=report.skipped,
        failed=report.failed,
        deferred=report.deferred,
        changes_found=report.new_changes,
        messages=report.messages,
        digest_id=digest_id,
    )


def ingest_paths(
    ctx: Context,
    paths: Sequence[Path],
    as_of: date,
    progress: Progress | None = None,
    warn: Callable[[str], None] | None = None,
) -> RunReport:
    """Ingest files, folders or feed files, then extract and compare; writes no digest."""
    report = RunReport(run_id=ctx.store.start_run("ingest", as_of), as_of=as_of)
    say = _collector(report, warn)
    store_articles(ctx, read_paths(paths, report, say), as_of, report, progress)
    report.new_changes = update_timeline(ctx)
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
    report = RunReport(run_id=ctx.store.start_run("run", as_of), as_of=as_of)
    say = _collector(report, warn)
    paths = [p for p in [seeds_dir(ctx.config), *ctx.config.folders] if p is not None]
    drafts = read_paths(paths, report, say) + read_feeds(ctx, report, say)
    store_articles(ctx, drafts, as_of, report, progress)
    report.new_changes = update_timeline(ctx)
    report.alerts = ctx.store.pending_alerts()
    # Alerts already delivered that a late article rewrote: the next digest says so.
    report.revisions = revisions = ctx.store.pending_revisions()
    if report.alerts or revisions or always:
        last = ctx.store.last_digest()
        since = last.as_of if last else None
        digest = build_digest(
            report.alerts,
            current_statuses(ctx.store),
            ctx.catalogue,
            as_of,
            since,
            RunCounts(report.ingested, report.skipped, report.failed),
            recent_divergences(ctx, last.as_of if last else None, as_of),
        )
        digest["revised"] = revision_items(revisions)
        revised_ids = [r.reported.id for r in revisions]
        stored = queue_digest(ctx.store, ctx.config, digest, [c.id for c in report.alerts], revised_ids, since=since)
        report.digest_id = stored.id
        report.digest_files = [ctx.config.reports_dir / Path(name).name for name in stored.files]
    report.deliveries = deliver(ctx.store, ctx.config, dry_run=dry_run, warn=say)
    report.site_files = write_site_of(ctx, as_of)
    _finish(ctx, report, report.digest_id)
    return report


def after_review(ctx: Context) -> int:
    """Fold again after an analyst's decision and rewrite the site; returns new changes.

    The site is drawn up to the day of the last run, as the run left it.
    """
    new = update_timeline(ctx)
    last = ctx.store.runs(1)
    as_of = last[0].as_of if last else date.today()
    write_site_of(ctx, as_of)
    return new


def recent_divergences(ctx: Context, after: date | None, until: date) -> list[dict]:
    """India's and China's differing versions dated after the last digest, up to the run's day."""
    found = divergences(ctx.store.statements(), ctx.config.official_domains)
    return [d.as_json() for d in found if (after is None or d.date > after) and d.date <= until]


def write_site_of(ctx: Context, as_of: date) -> list[Path]:
    """The static site, written afresh from what is stored."""
    config = ctx.config
    return write_site(ctx.store, ctx.catalogue, config.site_path, config.reports_dir, config.templates_dir, as_of)


def _collector(report: RunReport, warn: Callable[[str], None] | None) -> Callable[[str], None]:
    def say(message: str) -> None:
        report.messages.append(message)
        if warn:
            warn(message)

    return say
