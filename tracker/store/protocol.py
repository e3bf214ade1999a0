"""What the rest of the tracker may ask of the store, topic by topic (`Store` is all of them)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

from tracker.model import (
    ArticleDraft,
    CommitmentKey,
    DeliveryView,
    DigestRecord,
    ExtractedStatement,
    FetchRecord,
    FoldInput,
    FoldScope,
    FoldStart,
    KnownDraft,
    RelatedStatement,
    ReviewedArticle,
    ReviewView,
    RunCounts,
    RunRecord,
    RunState,
    SourceSpec,
    SourceView,
    StatementView,
    StatusChange,
    StoredArticle,
    StoredChange,
    StoredCommitment,
    StoredDigest,
    StoredRevision,
)

if TYPE_CHECKING:
    from tracker.catalogue import Catalogue


class SchemaStore(Protocol):
    """The schema."""

    def upgrade(self, revision: str = "head") -> None:
        """Upgrade to `revision`, by default the newest (the migrations form one line)."""
        ...

    def downgrade(self, revision: str) -> None: ...

    def is_empty(self) -> bool:
        """No tables of the tracker's; Alembic's own bookkeeping table does not count."""
        ...

    def ensure_schema(self) -> None:
        """Upgrade an empty database; leave a populated one to `tracker init`."""
        ...

    def schema_revision(self) -> str | None:
        """The migration the database is at (None: none recorded)."""
        ...

    def schema_is_newer(self) -> bool:
        """At a migration this tracker does not know: made by a newer tracker (it must not be "upgraded")."""
        ...

    def integrity_problem(self) -> str | None:
        """SQLite's own check of its pages: the first problem it finds, or None (other databases: None)."""
        ...

    def schema_is_current(self) -> bool:
        """The database is at the newest migration (a populated older one needs `tracker init`)."""
        ...


class CatalogueStore(Protocol):
    """The catalogue."""

    def sync_catalogue(self, catalogue: Catalogue) -> None: ...


class RunsStore(Protocol):
    """Runs."""

    def start_run(self, command_name: str, as_of: date) -> int: ...

    def finish_run(
        self,
        run_id: int,
        *,
        ingested: int,
        skipped: int,
        failed: int,
        deferred: int,
        changes_found: int,
        messages: Sequence[str],
        digest_id: int | None,
        state: RunState = RunState.FINISHED,
    ) -> None:
        """What the run did, and how it ended (a failed or interrupted run records what it did by then)."""
        ...

    def interrupt_stale_runs(self, current_run: int) -> list[int]:
        """Runs still "running" that no process runs any more (called by a run holding the lock alone)."""
        ...

    def day_counts(self, as_of: date, command: str) -> RunCounts:
        """Articles ingested, skipped and failed by the finished runs of one command for a day (the day's workers)."""
        ...

    def unfolded(self, current_run: int) -> tuple[list[int], dict[CommitmentKey, date]]:
        """Earlier runs whose stored articles were never folded (killed first), and what those articles state."""
        ...

    def mark_folded(self, run_ids: Sequence[int]) -> None: ...

    def runs(self, limit: int = 20) -> list[RunRecord]: ...


class SourcesStore(Protocol):
    """Sources and the workers' leases on feeds."""

    def sync_config_sources(self, feeds: Sequence[SourceSpec], folders: Sequence[str]) -> None:
        """Make the configuration's feeds and folders subscriptions in the table, in one transaction."""
        ...

    def add_source(self, spec: SourceSpec) -> tuple[SourceView, bool]:
        """Subscribe to a feed or folder; (the source, whether it is new as a subscription)."""
        ...

    def remove_source(self, key: str) -> SourceView | None:
        """Stop following a source (by id, location or name); its articles stay."""
        ...

    def find_source(self, key: str) -> SourceView | None: ...

    def subscriptions(self) -> list[SourceView]:
        """Every feed and folder followed, in the order they were added."""
        ...

    def lease_feed(self, owner: str, as_of: date, now: datetime, seconds: float) -> SourceView | None:
        """Claim one enabled feed not yet done for `as_of` and not claimed by a live lease; None when there is none."""
        ...

    def finish_lease(self, source_id: int, owner: str, as_of: date) -> None:
        """The feed is done for `as_of`: its lease is given up."""
        ...

    def feeds_left(self, as_of: date) -> int:
        """Enabled feeds not yet done for `as_of`, claimed or not."""
        ...

    def record_fetches(self, records: Sequence[FetchRecord]) -> None:
        """Store what each fetch of a run did to its source, in one transaction."""
        ...

    def official_hosts(self) -> list[str]:
        """The hosts of sources marked official (`tracker sources add --official`, `official = true`)."""
        ...


class ArticlesStore(Protocol):
    """Articles and statements."""

    def stored_article(self, key: str) -> StoredArticle | None:
        """An article by its number, else by its URL (the newest version of an updated story)."""
        ...

    def has_article(self, draft: ArticleDraft) -> bool: ...

    def known(self, drafts: Sequence[ArticleDraft]) -> list[KnownDraft]:
        """What is stored already of each draft: a copy of it, or an earlier version it updates."""
        ...

    def add_article(
        self, draft: ArticleDraft, statements: Iterable[ExtractedStatement | RelatedStatement], run_id: int
    ) -> bool:
        """Store an article with its statements; False if it was already stored."""
        ...

    def add_articles(
        self, items: Sequence[tuple[ArticleDraft, Sequence[ExtractedStatement | RelatedStatement]]], run_id: int
    ) -> list[int | None]:
        """Store a batch of articles with their statements in one transaction; each one's id, None for a copy."""
        ...

    def statements_read(
        self, article_ids: Collection[int]
    ) -> dict[int, frozenset[tuple[str, str, str, str, str, str]]]:
        """What the reader took from each article: (relationship, commitment, status, actor, evidence, rule)."""
        ...

    def unchanged_entries(self, drafts: Sequence[ArticleDraft]) -> set[int]:
        """Indexes of feed drafts whose text is what their GUID's latest stored version was read from."""
        ...

    def fold_inputs(self, scope: FoldScope | None = None) -> list[FoldInput]:
        """The statements the fold reads: all but those an analyst rejected."""
        ...

    def article_texts(self, article_ids: Collection[int]) -> dict[int, str]:
        """Articles' texts by id (the body, as corroboration compares them for copies)."""
        ...

    def fold_starts(self, scope: FoldScope) -> tuple[dict[CommitmentKey, FoldStart], FoldScope]:
        """Where each commitment of a scope stood before its day: (starts, the scope to fold)."""
        ...


class TimelineStore(Protocol):
    """The timeline."""

    def apply_timeline(self, timeline: Sequence[StatusChange], scope: FoldScope | None = None) -> list[int]:
        """Make the stored timeline equal to a fresh fold; returns the ids of new changes."""
        ...

    def changes(
        self,
        since: date | None = None,
        commitment_id: str | None = None,
        limit: int | None = None,
        corroborated: bool = True,
        relationship_id: str | None = None,
    ) -> list[StoredChange]:
        """The current timeline (superseded changes left out), oldest first."""
        ...

    def current_changes(self, corroborated: bool = True, until: date | None = None) -> list[StoredChange]:
        """Each commitment's latest current change (its status now and since when), in one query."""
        ...

    def statements(
        self,
        commitment_id: str | None = None,
        since: date | None = None,
        until: date | None = None,
        limit: int | None = None,
        relationship_id: str | None = None,
    ) -> list[StatementView]:
        """Statements in fold order: by date, article, sentence (with `limit`, the newest that many, in that order)."""
        ...

    def count_statements(
        self, commitment_id: str | None = None, since: date | None = None, relationship_id: str | None = None
    ) -> int: ...

    def commitments(self) -> list[StoredCommitment]: ...


class DigestsStore(Protocol):
    """Digests."""

    def pending_alerts(self) -> list[StoredChange]:
        """Changes not yet in a digest that move a commitment away from what was last reported."""
        ...

    def record_digest(
        self,
        as_of: date,
        since: date | None,
        change_ids: Sequence[int],
        files: Sequence[str],
        *,
        payload: str | None = None,
        channels: Sequence[str] = (),
        revised_ids: Sequence[int] = (),
    ) -> int:
        """Record a digest, mark its changes (and the revisions it tells) reported, and queue one delivery
        per channel: all in one transaction."""
        ...

    def last_digest(self) -> DigestRecord | None: ...

    def digests(self) -> list[DigestRecord]:
        """Every digest written, oldest first."""
        ...

    def digest_changes(self, digest_id: int) -> list[StoredChange]:
        """The changes one digest reported, as they were reported (superseded ones too)."""
        ...


class ReviewStore(Protocol):
    """Analyst review."""

    def review_change(self, kind: str, change_id: int, reviewer: str, note: str = "") -> ReviewView:
        """Confirm or reject a change; a rejection takes its statement out of the fold."""
        ...

    def review_set(
        self,
        commitment_id: str,
        status: str,
        day: date,
        reviewer: str,
        note: str,
        run_id: int | None = None,
        relationship_id: str | None = None,
    ) -> ReviewView:
        """An analyst's status: stored as a statement of its own, from the analyst as source."""
        ...

    def reviews(self, commitment_id: str | None = None, relationship_id: str | None = None) -> list[ReviewView]:
        """Every review, oldest first."""
        ...

    def reviewed_articles(self) -> list[ReviewedArticle]:
        """Each article an analyst confirmed or rejected a statement of, with its text and those decisions."""
        ...

    def awaiting_review(self, limit: int = 20, relationship_id: str | None = None) -> list[StoredChange]:
        """Current changes no analyst has confirmed or rejected, newest first."""
        ...

    def pending_revisions(self) -> list[StoredRevision]:
        """Reported changes that a later fold superseded, not yet told to the reader."""
        ...


class OutboxStore(Protocol):
    """Delivery: the outbox."""

    def digest_files(self) -> list[str]:
        """Every file name any recorded digest has, written yet or not."""
        ...

    def stored_digest(self, digest_id: int | None = None) -> StoredDigest | None:
        """One recorded digest (the latest when no id is given)."""
        ...

    def stored_digests(self) -> list[StoredDigest]:
        """Every recorded digest that kept its payload, oldest first."""
        ...

    def deliveries(self, states: Sequence[str] | None = None, digest_id: int | None = None) -> list[DeliveryView]: ...

    def start_attempt(self, delivery_id: int, message_id: str | None = None) -> None:
        """Count an attempt before it is made, so a crash still counts it."""
        ...

    def mark_sending(self, delivery_id: int) -> None:
        """The point of no return: from here the far side may hold the message."""
        ...

    def finish_attempt(self, delivery_id: int, error: str | None, max_attempts: int) -> DeliveryView:
        """Sent, or back in the queue with the error (failed after max_attempts)."""
        ...

    def interrupt_sending(self) -> list[DeliveryView]:
        """Deliveries a dead run left at the point of no return: marked interrupted."""
        ...

    def interrupt(self, delivery_id: int, error: str) -> DeliveryView:
        """A delivery handed over whose answer was lost or late: interrupted, never resent unless asked."""
        ...

    def requeue(self, delivery_id: int) -> None: ...


class SectionsStore(Protocol):
    """Sections one process holds at a time."""

    def close(self) -> None: ...

    def exclusive(self, section: str) -> AbstractContextManager[None]:
        """One process at a time in `section` (the fold, the digest); on SQLite the run lock already is that."""
        ...


class StoreProtocol(
    SchemaStore,
    CatalogueStore,
    RunsStore,
    SourcesStore,
    ArticlesStore,
    TimelineStore,
    DigestsStore,
    ReviewStore,
    OutboxStore,
    SectionsStore,
    Protocol,
):
    """The whole store."""
