"""The run's inputs: files and folders read one article at a time, and the followed feeds fetched and recorded."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

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
    FeedTrial,
    FetchOutcome,
    FetchRecord,
    FetchRequest,
    FetchResult,
    SourceKind,
    SourceProblem,
    SourceSpec,
    SourceView,
)
from tracker.pipeline.context import (
    Context,
)
from tracker.pipeline.report import RunReport
from tracker.resources import bundled_dir
from tracker.sources import SourceError, iter_path, parse_feed

if TYPE_CHECKING:
    from tracker.pipeline.sink import ArticleSink


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
    entries, result, title = _parse_result(source, result, today_in(ctx.config.timezone, now), warn, ctx.start)
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
