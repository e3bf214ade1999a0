"""Where read articles go: bounded, checked against what is stored, read for statements and stored in batches."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date

from tracker.faults import checkpoint
from tracker.fetching import (
    FetchPolicy,
)
from tracker.model import (
    ArticleDraft,
    RelatedStatement,
)
from tracker.pipeline.context import (
    Context,
)
from tracker.pipeline.report import Progress, RunReport
from tracker.sources import MAX_TEXT_CHARS, bound_text


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

        texts = [ArticleText(d.full_text, d.published, d.title) for d, _, _ in fresh]
        # Each article read against every relationship's catalogue: the reader's scope keeps each to its own pair.
        read = [
            (catalogue.relationship_id, extract_many(texts, catalogue, ctx.lexicon, nlp_model=ctx.config.nlp_model))
            for catalogue in ctx.catalogues
        ]
        found = [
            [RelatedStatement(relationship_id, s) for relationship_id, per_article in read for s in per_article[i]]
            for i in range(len(texts))
        ]
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
            for related in statements:
                key = (related.relationship_id, related.statement.commitment_id)
                since = report.touched.get(key)
                if since is None or draft.published < since:
                    report.touched[key] = draft.published
            if note:
                self.warn(f"warning: {draft.origin}: {draft.url}: {note}")


def _read_key(related: RelatedStatement) -> tuple[str, str, str, str, str, str]:
    """What the reader took from a sentence, as `Store.statements_read` gives it for a stored article."""
    s = related.statement
    return (related.relationship_id, s.commitment_id, s.status, s.actor, s.evidence, s.rule)


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
