"""The daily cycle: sources → articles → statements → status changes → digest.

The CLI and the scheduler both call `run_cycle` (or `ingest_paths`); nothing
here prints: progress and messages go to the callbacks the caller passes.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

from tracker.catalogue import Catalogue, Lexicon, load_catalogue, load_lexicon
from tracker.config import Config, FeedSource
from tracker.days import Start, today_in
from tracker.faults import checkpoint
from tracker.fetching import (
    FetchPolicy,
    assess,
    fetch_all,
    fetch_stream,
    has_secret,
    redact,
    same_origin,
    split_credentials,
    with_credentials,
)
from tracker.fulltext import needs_full_text, with_full_text
from tracker.model import (
    ArticleDraft,
    ChangeView,
    DeliveryOutcome,
    ExtractedStatement,
    FeedTrial,
    FetchOutcome,
    FetchRecord,
    FetchRequest,
    FetchResult,
    FoldInput,
    FoldScope,
    Message,
    RevisionView,
    RunCounts,
    RunState,
    SourceKind,
    SourceProblem,
    SourceSpec,
    SourceView,
)
from tracker.resources import bundled_dir
from tracker.sanitize import clean_line
from tracker.sources import MAX_TEXT_CHARS, SourceError, bound_text, iter_path, parse_feed
from tracker.store import Store
from tracker.timeline.corroboration import CorroborationPolicy
from tracker.timeline.fold import FoldPolicy, fold
from tracker.timeline.official import marked_official
from tracker.timeline.support import copy_candidates, marked_copies
from tracker.timeline.versions import WINDOW_DAYS, divergences

# What reads and renders (the parser, Jinja2, the delivery channels) is
# imported where it is used: `status`, `history` and `changes` load none of it.

# Exit statuses of `tracker run` and `tracker ingest` (documented in --help and README).
EXIT_OK = 0
EXIT_SOURCE_IN_ERROR = 3
EXIT_ALL_INPUTS_FAILED = 4

Progress = Callable[[Iterable[ArticleDraft]], Iterable[ArticleDraft]]


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
    messages: list[Message] = field(default_factory=list)
    site_files: list[Path] = field(default_factory=list)
    # Articles read again because their feed entry changed (counted in ingested too).
    updated: int = 0
    # Feeds that answered 304 Not Modified: nothing to read.
    not_modified: int = 0
    # Inputs (paths given or configured, feeds fetched) and how many gave nothing but errors.
    inputs: int = 0
    inputs_failed: int = 0
    # Followed feeds that are failing (this run, or waiting for their next attempt).
    source_problems: list[SourceProblem] = field(default_factory=list)
    digest_id: int | None = None
    deliveries: list[DeliveryOutcome] = field(default_factory=list)
    # A dry run: the digest it would have recorded was built and left unrecorded (its email preview, if any).
    dry_run: bool = False
    preview: Path | None = None
    # Deliveries failed max_attempts times, which runs no longer retry: an error until sent.
    deliveries_given_up: int = 0
    # The commitments the run's new articles made statements about, each from the earliest day stated.
    touched: dict[str, date] = field(default_factory=dict)
    # Every commitment the run folded again: the site pages to write anew.
    folded: set[str] = field(default_factory=set)

    @property
    def exit_status(self) -> int:
        """0 when the run did its job; a distinct status when every input failed or a source is in error."""
        if self.inputs and self.inputs_failed == self.inputs:
            return EXIT_ALL_INPUTS_FAILED
        if any(p.in_error for p in self.source_problems) or self.deliveries_given_up:
            return EXIT_SOURCE_IN_ERROR
        return EXIT_OK


@dataclass(frozen=True)
class Context:
    """What one invocation works with: configuration, store and rules (the lexicon read when first needed)."""

    config: Config
    store: Store
    catalogue: Catalogue

    @property
    def official_domains(self) -> tuple[str, ...]:
        """The domains `open` settled on: configured (else the catalogue's) and followed as official."""
        return self.config.official_domains or ()

    @cached_property
    def lexicon(self) -> Lexicon:
        # Compiling the cue patterns is most of opening; status, history and changes never read them.
        return load_lexicon(self.config.lexicon)

    @classmethod
    def open(cls, config: Config, create: bool = True, upgrade: bool = False) -> Context:
        """Open the store (creating an empty database's schema unless `create` is False) and the rules.

        With `create` False a database that does not exist, or holds no
        tracker tables, raises `NoDatabase` and nothing is created. A database
        at an older schema raises `OldSchema` unless `upgrade` (`tracker init`).
        """
        store = Store(config.database_url, create=create)
        try:
            if not create and store.is_empty():
                raise NoDatabase(store.database_url)
            if store.schema_is_newer():
                raise NewerSchema(store.database_url, store.schema_revision() or "")
            if upgrade:
                # Upgrading over corrupted pages would report a sound database.
                problem = store.integrity_problem()
                if problem is not None:
                    raise DamagedDatabase(store.database_url, problem)
                store.upgrade()
            store.ensure_schema()
            if not store.schema_is_current():
                raise OldSchema(store.database_url)
            catalogue = load_catalogue(config.catalogue)
            # The configuration's official feeds count from the first fold, before they are synced into the store.
            official = (
                (catalogue.official_hosts if config.official_domains is None else config.official_domains)
                + configured_official_hosts(config)
                + tuple(store.official_hosts())
            )
            # One set for every question of whether a source is official (the fold, the digest's
            # corroboration and versions, history, the site): the configured domains (else the
            # catalogue's) and the sources followed as official.
            config = replace(config, official_domains=official)
            store.policy = CorroborationPolicy(official_domains=official, threshold=config.confidence_threshold)
            if create:
                store.sync_catalogue(catalogue)
        except BaseException:
            store.close()
            raise
        return cls(config, store, catalogue)

    def close(self) -> None:
        self.store.close()


class NoDatabase(Exception):
    """A read-only command was pointed at a database that does not exist."""

    def __init__(self, database_url: str) -> None:
        super().__init__(database_url)
        self.database_url = database_url


class OldSchema(NoDatabase):
    """The database was made by an older tracker: `tracker init` upgrades it."""


def configured_official_hosts(config: Config) -> tuple[str, ...]:
    """The hosts of the feeds marked `official = true` in the configuration."""
    hosts = {urlsplit(feed.url).hostname for feed in config.feeds if feed.official}
    return tuple(sorted(h for h in hosts if h))


class NewerSchema(NoDatabase):
    """The database was made by a newer tracker: this one must neither use nor "upgrade" it."""

    def __init__(self, database_url: str, revision: str) -> None:
        super().__init__(database_url)
        self.revision = revision


class DamagedDatabase(NoDatabase):
    """The database file's own check fails (corrupted pages)."""

    def __init__(self, database_url: str, problem: str) -> None:
        super().__init__(database_url)
        self.problem = problem


def seeds_dir(config: Config) -> Path | None:
    if not config.use_seeds:
        return None
    return config.seeds_dir or bundled_dir("seeds")


def read_paths(
    paths: Iterable[Path], report: RunReport, warn: Callable[[str], None], start: Start | None = None
) -> Iterator[ArticleDraft]:
    """The articles of files, folders and feed files, read one at a time as they are wanted.

    Each path counts as an input; one that gave only errors counts as failed. `start`: when the
    catalogue's relationship began (a date before it is read as none).
    """
    for path in paths:
        report.inputs += 1
        read = errors = 0
        for item in iter_path(path, warn, start):
            checkpoint("read.file")
            if isinstance(item, SourceError):
                report.failed += 1
                errors += 1
                warn(f"error: {item}")
            else:
                read += 1
                yield item
        if errors and not read:
            report.inputs_failed += 1


def folder_paths(ctx: Context) -> list[Path]:
    """The seeds, the configured folders and the folders followed with `tracker sources add`."""
    configured = [p for p in [seeds_dir(ctx.config), *ctx.config.folders] if p is not None]
    ctx.store.sync_config_sources(source_specs(ctx.config), [str(p) for p in ctx.config.folders])
    known = {str(p) for p in configured}
    added = [
        Path(s.location)
        for s in ctx.store.subscriptions()
        if s.kind == SourceKind.FOLDER and s.enabled and not s.from_config and s.location not in known
    ]
    return configured + added


def source_specs(config: Config) -> list[SourceSpec]:
    """The configuration's feeds as subscriptions (locations redacted)."""
    return [
        SourceSpec(
            kind=SourceKind.FEED,
            location=redact(feed.url),
            name=feed.name or redact(feed.url),
            official=feed.official,
            full_text=feed.full_text,
            named=feed.name is not None,
        )
        for feed in config.feeds
    ]


def fetch_url(source: SourceView, configured: dict[str, FeedSource]) -> str:
    """The URL to fetch for a followed feed, with its secrets from the configuration.

    A source moved by a permanent redirect is fetched where it went, with the
    configured credentials only when it stayed at their origin (scheme, host
    and port): a password given for one server is never sent to another.
    """
    feed = configured.get(source.location)
    original = feed.url if feed is not None else source.location
    if source.url is None:
        return original
    _, credentials = split_credentials(original)
    if credentials and same_origin(source.url, original):
        return with_credentials(source.url, *credentials)
    return source.url


def due_feeds(sources: Sequence[SourceView], now: datetime) -> tuple[list[SourceView], list[SourceView]]:
    """(the enabled feeds due for a fetch, those waiting for their next fetch)."""
    feeds = [s for s in sources if s.kind == SourceKind.FEED and s.enabled]
    due = [s for s in feeds if s.next_fetch_at is None or s.next_fetch_at <= now]
    return due, [s for s in feeds if s not in due]


def read_feeds(ctx: Context, sink: ArticleSink, now: datetime | None = None) -> None:
    """Every followed feed that is due: fetched a few at a time, each one's entries stored before its fetch is recorded.

    A feed's new ETag is kept only once its entries are stored, so a run
    cut short fetches that feed again in full next time. One feed that fails
    is counted and the others still read.
    """
    config, report, warn = ctx.config, sink.report, sink.warn
    now = now or datetime.now(UTC).replace(tzinfo=None)
    ctx.store.sync_config_sources(source_specs(config), [str(p) for p in config.folders])
    configured = {redact(f.url): f for f in config.feeds}
    due, waiting = due_feeds(ctx.store.subscriptions(), now)
    for source in waiting:
        if source.failures:
            warn(
                f"warning: {source.location}: failed {source.failures} time{'s' if source.failures != 1 else ''} "
                f"in a row; next attempt after {source.next_fetch_at:%Y-%m-%d %H:%M} UTC"
            )
    # One budget for the run's fetching, feeds and their pages alike: no feed can hold the lock for hours.
    sink.fetch_policy = policy = replace(config.fetch, until=time.monotonic() + config.fetch.budget)
    requests = [FetchRequest(fetch_url(s, configured), etag=s.etag, last_modified=s.last_modified) for s in due]
    for index, result in fetch_stream(requests, policy):
        source = due[index]
        if result.outcome is FetchOutcome.NOT_STARTED:
            warn(f"warning: {source.location}: {result.error}")
            continue
        read_feed(ctx, sink, source, result, now, configured)
    for source in waiting:
        if source.failures:
            report.source_problems.append(
                SourceProblem(
                    source.name,
                    source.location,
                    _since(source, now),
                    source.last_error or "",
                    source.failures,
                    source.failures >= config.error_after,
                )
            )


def read_feed(
    ctx: Context,
    sink: ArticleSink,
    source: SourceView,
    result: FetchResult,
    now: datetime,
    configured: dict[str, FeedSource],
) -> None:
    """One feed's fetch result: its entries stored, then what the fetch says of the source recorded."""
    config, report, warn = ctx.config, sink.report, sink.warn
    checkpoint("fetch.feed")
    report.inputs += 1
    entries, result, title = _parse_result(
        source, result, today_in(ctx.config.timezone, now), warn, ctx.catalogue.start
    )
    health = assess(
        result,
        source.failures,
        now,
        interval=config.fetch_interval,
        backoff=config.fetch_backoff,
        backoff_max=config.fetch_backoff_max,
        error_after=config.error_after,
    )
    moved_to = None
    if result.moved_to and result.moved_to != fetch_url(source, configured):
        if has_secret(result.moved_to):
            warn(
                f"warning: {source.location}: moved permanently to {redact(result.moved_to)};"
                " not stored (it holds a secret)"
            )
        else:
            moved_to = result.moved_to
            warn(f"note: {source.location}: moved permanently to {moved_to}; the source now follows it")
    else:
        for hop in result.redirects:
            warn(f"note: {source.location}: redirected ({hop.status}) to {hop.location}")
    if result.outcome is FetchOutcome.NOT_MODIFIED:
        report.not_modified += 1
    if health.error is not None:
        report.failed += 1
        report.inputs_failed += 1
        level = "error" if health.alarming else "warning"
        if health.disable:
            warn(f"error: {source.location}: {health.error}: the server says it is gone; the source is disabled")
        else:
            parsed = result.error and result.error.startswith(source.location)
            where = "" if parsed else f"{source.location}: cannot fetch: "
            times = f"{health.failures} time{'s' if health.failures != 1 else ''}"
            warn(f"{level}: {where}{health.error} (failed {times} in a row)")
        report.source_problems.append(
            SourceProblem(
                source.name, source.location, _since(source, now), health.error, health.failures, health.alarming
            )
        )
    # Entries stored already as they stand in the feed cost nothing more (no page fetch, no extraction).
    unchanged = ctx.store.unchanged_entries(entries)
    report.skipped += len(unchanged)
    fresh = [d for i, d in enumerate(entries) if i not in unchanged]
    for draft in _full_text(ctx, source, fresh, warn, sink.as_of, sink.fetch_policy):
        sink.add(draft)
    sink.flush()
    # A feed holding entries dated after the run's day keeps no validators: a later day must read them in full.
    ok = result.outcome is FetchOutcome.OK and not any(d.published > sink.as_of for d in entries)
    ctx.store.record_fetches(
        [
            FetchRecord(
                source_id=source.id,
                at=now,
                status=result.status,
                failures=health.failures,
                error=health.error,
                next_fetch_at=health.next_fetch_at,
                etag=result.etag if ok else None,
                last_modified=result.last_modified if ok else None,
                moved_to=moved_to,
                disable=health.disable,
                title=title,
            )
        ]
    )
    checkpoint("fetch.recorded")


def try_feed(config: Config, url: str) -> FeedTrial:
    """Fetch a feed once, under the configured limits, and say what came back (nothing is stored)."""
    (result,) = fetch_all([FetchRequest(url)], config.fetch)
    status = f"HTTP {result.status}" if result.status is not None else "no answer"
    if result.outcome is not FetchOutcome.OK:
        return FeedTrial(False, f"{status}: {result.error or result.outcome.value}")
    try:
        entries = parse_feed(result.body, redact(url), lambda _message: None, content_type=result.content_type)
    except SourceError as exc:
        return FeedTrial(False, f"{status}, but not a feed: {exc}")
    count = len(entries)
    return FeedTrial(True, f"{status}, a feed of {count} entr{'ies' if count != 1 else 'y'}")


def _since(source: SourceView, now: datetime) -> str:
    return f"{(source.failing_since or now):%Y-%m-%d %H:%M} UTC"


def _parse_result(
    source: SourceView, result: FetchResult, fetched: date, warn: Callable[[str], None], start: Start | None = None
) -> tuple[list[ArticleDraft], FetchResult, str | None]:
    """(the feed's entries, the result, the feed's title); a feed that cannot be parsed is a failed result.

    `fetched` dates undated entries: the day in the configured time zone, as the run's day is.
    """
    if result.outcome is not FetchOutcome.OK:
        return [], result, None
    named = source.name if source.name != source.location else None
    try:
        entries = parse_feed(
            result.body,
            source.location,
            warn,
            source_name=named,
            fetched=fetched,
            content_type=result.content_type,
            start=start,
        )
    except SourceError as exc:
        return [], replace(result, outcome=FetchOutcome.FAILED, error=str(exc), etag=None, last_modified=None), None
    title = entries[0].source_name if entries and named is None else None
    return entries, result, title


def _full_text(
    ctx: Context,
    source: SourceView,
    entries: list[ArticleDraft],
    warn: Callable[[str], None],
    as_of: date,
    policy: FetchPolicy,
) -> list[ArticleDraft]:
    """Entries with short text get their page's text (when the source wants it).

    Entries dated after the run's day are left for a later run as they are: their
    pages are fetched on the day they are taken, not on every run before it.
    """
    wanted = ctx.config.full_text if source.full_text is None else source.full_text
    if not wanted or not entries:
        return entries
    minimum = ctx.config.full_text_min_chars
    short = [i for i, d in enumerate(entries) if d.published <= as_of and needs_full_text(d, minimum)]
    if not short:
        return entries
    fuller = with_full_text([entries[i] for i in short], policy, warn)
    out = list(entries)
    for i, draft in zip(short, fuller, strict=True):
        out[i] = draft
    return out


class ArticleSink:
    """Where read articles go: bounded, checked against what is stored, read for statements and stored, in batches.

    A batch (`batch_size` articles, fewer when an entry repeats one already
    in it) costs a few queries to find what is stored already, one parse of
    all its candidate sentences and one transaction; an interrupted run keeps
    every batch it committed. The commitments its statements name are
    gathered, each from its earliest day, for the fold (`touched`).
    """

    def __init__(
        self,
        ctx: Context,
        as_of: date,
        report: RunReport,
        warn: Callable[[str], None] | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.ctx, self.as_of, self.report = ctx, as_of, report
        self.warn: Callable[[str], None] = warn or (lambda _message: None)
        self.progress = progress
        self.batch_size = max(1, ctx.config.batch_size)
        # The limits of the run's fetches, its time budget included (set when the feeds are read).
        self.fetch_policy: FetchPolicy = ctx.config.fetch
        self._batch: list[tuple[ArticleDraft, str]] = []
        self._keys: set[str] = set()

    def add(self, draft: ArticleDraft) -> None:
        text, note = bound_text(draft.text)
        summary, summary_note = bound_text(draft.summary, max_chars=MAX_TEXT_CHARS // 10)
        if note or summary_note:
            draft = replace(draft, text=text, summary=summary)
        if draft.published > self.as_of:
            self.report.deferred += 1
            return
        # A second version of an entry waits for the batch holding the first to be stored.
        key = draft.guid or draft.url
        if key in self._keys or len(self._batch) >= self.batch_size:
            self.flush()
        self._keys.add(key)
        self._batch.append((draft, "; ".join(n for n in (note, summary_note) if n)))

    def add_all(self, drafts: Iterable[ArticleDraft]) -> None:
        for draft in self.progress(drafts) if self.progress else drafts:
            self.add(draft)
        self.flush()

    def flush(self) -> None:
        batch, self._batch, self._keys = self._batch, [], set()
        if not batch:
            return
        ctx, report = self.ctx, self.report
        fresh: list[tuple[ArticleDraft, str, bool]] = []
        # The version each update follows: an update that reads the same as it is no update.
        previous: dict[int, int] = {}
        for (draft, note), known in zip(batch, ctx.store.known([d for d, _ in batch]), strict=True):
            if known.stored:
                report.skipped += 1
                continue
            update = known.previous_id is not None
            if update:
                # The same entry with new text: read again, its statements dated at the update.
                draft = draft.as_update()
                if draft.published > self.as_of:
                    report.deferred += 1
                    continue
            if known.previous_id is not None:
                previous[len(fresh)] = known.previous_id
            fresh.append((draft, note, update))
        if not fresh:
            return
        from tracker.extraction import ArticleText, extract_many

        found = extract_many(
            [ArticleText(d.full_text, d.published, d.title) for d, _, _ in fresh],
            ctx.catalogue,
            ctx.lexicon,
            nlp_model=ctx.config.nlp_model,
        )
        checkpoint("extract.batch")
        if previous:
            # A view counter or a timestamp in the page changes bytes, not what the reader reads.
            read_before = ctx.store.statements_read(set(previous.values()))
            same = {
                i
                for i, previous_id in previous.items()
                if read_before[previous_id] == frozenset(_read_key(st) for st in found[i])
            }
            if same:
                report.skipped += len(same)
                fresh = [item for i, item in enumerate(fresh) if i not in same]
                found = [statements for i, statements in enumerate(found) if i not in same]
                if not fresh:
                    return
        ids = ctx.store.add_articles(
            [(d, statements) for (d, _, _), statements in zip(fresh, found, strict=True)], report.run_id
        )
        checkpoint("ingest.batch")
        for (draft, note, update), statements, article_id in zip(fresh, found, ids, strict=True):
            if article_id is None:
                report.skipped += 1
                continue
            report.ingested += 1
            report.updated += update
            for statement in statements:
                since = report.touched.get(statement.commitment_id)
                if since is None or draft.published < since:
                    report.touched[statement.commitment_id] = draft.published
            if note:
                self.warn(f"warning: {draft.origin}: {draft.url}: {note}")


def _read_key(statement: ExtractedStatement) -> tuple[str, str, str, str, str]:
    """What the reader took from a sentence, as `Store.statements_read` gives it for a stored article."""
    return (statement.commitment_id, statement.status, statement.actor, statement.evidence, statement.rule)


def store_articles(
    ctx: Context,
    drafts: Iterable[ArticleDraft],
    as_of: date,
    report: RunReport,
    progress: Progress | None = None,
    warn: Callable[[str], None] | None = None,
) -> None:
    """Extract statements from new articles and store both, in batches; duplicates are skipped.

    Each text is bounded first (`bound_text`): a warning names an article that was cut.
    """
    ArticleSink(ctx, as_of, report, warn, progress).add_all(drafts)


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
    corroboration = store.policy
    policy = FoldPolicy(threshold=ctx.config.confidence_threshold, weights=corroboration.weights)
    if scope is None:
        return len(store.apply_timeline(fold(_fold_inputs(store, None, corroboration), policy)))
    starts, scope = store.fold_starts(scope)
    timeline = fold(_fold_inputs(store, scope, corroboration), policy, starts)
    checkpoint("fold.before")
    new = len(store.apply_timeline(timeline, scope))
    checkpoint("fold.after")
    return new


def current_statuses(store: Store, corroborated: bool = True, until: date | None = None) -> dict[str, ChangeView]:
    """Each commitment's latest change: where it stands now (or on `until`) and since when (with its sources
    unless told not to)."""
    return {view.commitment_id: view for view in store.current_changes(corroborated, until)}


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
        store_articles(ctx, read_paths(paths, report, say, ctx.catalogue.start), as_of, report, progress, say)
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
        sink.add_all(read_paths(folder_paths(ctx), report, say, ctx.catalogue.start))
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
    from tracker.digest import build_digest, revision_items

    as_of = report.as_of
    report.dry_run = dry_run
    with ctx.store.exclusive("digest"):
        report.alerts = ctx.store.pending_alerts()
        # Alerts already delivered that a late article rewrote: the next digest says so.
        report.revisions = revisions = ctx.store.pending_revisions()
        checkpoint("alerts.after")
        if report.alerts or revisions or always:
            last = ctx.store.last_digest()
            since = last.as_of if last else None
            digest = build_digest(
                report.alerts,
                # The status table of a digest for a past day stands as of that day.
                current_statuses(ctx.store, until=as_of),
                ctx.catalogue,
                as_of,
                since,
                counts or RunCounts(report.ingested, report.skipped, report.failed),
                recent_divergences(ctx, last.as_of if last else None, as_of),
                source_problems=[p.as_json() for p in report.source_problems],
                site_url=ctx.config.site_url,
            )
            digest["revised"] = revision_items(revisions)
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
        pages = None if site_owed(ctx, report.run_id) else report.folded
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
        sink.add_all(read_paths(folders, report, say, ctx.catalogue.start))
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


def after_review(ctx: Context, commitment_id: str | None = None) -> int:
    """Fold again after an analyst's decision and rewrite the site; returns new changes.

    Only the reviewed commitment is folded again (from its first statement)
    when it is named. The site is drawn up to the day of the last run, as the run left it.
    """
    new = update_timeline(ctx, None if commitment_id is None else {commitment_id: None})
    last = ctx.store.runs(1)
    as_of = last[0].as_of if last else today_in(ctx.config.timezone)
    write_site_of(ctx, as_of, None if commitment_id is None else {commitment_id})
    return new


def recent_divergences(ctx: Context, after: date | None, until: date) -> list[dict]:
    """The two governments' differing versions dated after the last digest, up to the run's day."""
    # Two governments' versions count as one divergence within WINDOW_DAYS of each other.
    since = after - timedelta(days=WINDOW_DAYS) if after is not None else None
    found = divergences(ctx.store.statements(since=since, until=until), ctx.catalogue, ctx.official_domains)
    return [d.as_json() for d in found if (after is None or d.date > after) and d.date <= until]


def note_site_pages(ctx: Context, report: RunReport, warn: Callable[[str], None]) -> None:
    """Record the site pages the run's fold made stale, before the fold is marked done (see `mark_pages_pending`).

    The site is one channel among others: a site folder that cannot be
    written is a warning, never a reason to keep the digest from being recorded.
    """
    from tracker.site import forget_site_state, mark_pages_pending

    try:
        mark_pages_pending(ctx.config.site_path, report.folded)
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
    """The static site from what is stored: the pages of `commitments` (None: all), the index, new digests."""
    from tracker.site import write_site

    config = ctx.config
    return write_site(
        ctx.store,
        ctx.catalogue,
        config.site_path,
        config.reports_dir,
        config.templates_dir,
        as_of,
        commitments=commitments,
    )


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
