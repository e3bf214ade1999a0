"""The database's tables as SQLAlchemy models.

Alembic owns the schema (see `alembic/`) and its environment imports this
module alone; the store (`tracker.store`) reads and writes these tables.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from tracker.model import DeliveryState, SourceKind


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


# Named as migration 0008 names them, so that a later migration can find them on every database.
_UQ_STATEMENTS = "uq_statements_article_commitment_sentence"
_UQ_CHANGES = "uq_status_changes_commitment_change"


def _commitment_key(table: str) -> ForeignKeyConstraint:
    """A row about a commitment names it by relationship and id together."""
    return ForeignKeyConstraint(
        ["relationship_id", "commitment_id"],
        ["commitments.relationship_id", "commitments.id"],
        name=f"fk_{table}_commitment",
    )


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # A feed's URL as configured, redacted (no password, no secret query value).
    location: Mapped[str] = mapped_column(String(2000), unique=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(20), default=SourceKind.OUTLET.value)
    # Where the feed is now, after a permanent redirect (None: at its location).
    url: Mapped[str | None] = mapped_column(String(2000))
    official: Mapped[bool] = mapped_column(Boolean, default=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    from_config: Mapped[bool] = mapped_column(Boolean, default=False)
    # None: the configuration's full_text setting.
    full_text: Mapped[bool | None] = mapped_column(Boolean)
    etag: Mapped[str | None] = mapped_column(String(1000))
    last_modified: Mapped[str | None] = mapped_column(String(200))
    last_fetch_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)
    next_fetch_at: Mapped[datetime | None] = mapped_column(DateTime)
    failing_since: Mapped[datetime | None] = mapped_column(DateTime)
    # A worker's claim while it fetches and ingests the source, and the day it last finished it.
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    done_for: Mapped[date | None] = mapped_column(Date)


class Run(Base):
    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    command: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    as_of: Mapped[date] = mapped_column(Date)
    ingested: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    deferred: Mapped[int] = mapped_column(Integer, default=0)
    changes_found: Mapped[int] = mapped_column(Integer, default=0)
    # One line per problem, as JSON: the run's warnings and errors.
    messages: Mapped[str] = mapped_column(Text, default="[]")
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("digests.id"))
    # When what it stored was folded; NULL on a run killed before its fold (the next run folds it).
    folded_at: Mapped[datetime | None] = mapped_column(DateTime)
    # A RunState; NULL only on a database made before states were kept (and upgraded since).
    state: Mapped[str | None] = mapped_column(String(20), default="running")


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    # Not unique: an updated story keeps its URL (see previous_id).
    url: Mapped[str] = mapped_column(String(2000), index=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # A feed entry's GUID (its id, else its link); empty for article files.
    guid: Mapped[str | None] = mapped_column(String(2000), index=True)
    # The version of the same entry this one updates.
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"))
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text)
    published: Mapped[date] = mapped_column(Date, index=True)
    ingested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), index=True)
    # As the entry or the manifest names it; None when it names nobody.
    author: Mapped[str | None] = mapped_column(String(300))
    # No date of its own: dated from its feed, its fetch or its file's modification time.
    date_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    # Its place among the articles of its day (`fold_order`), fixed when stored.
    fold_order: Mapped[str | None] = mapped_column(String(80))

    source: Mapped[Source] = relationship()
    statements: Mapped[list[Statement]] = relationship(back_populates="article", cascade="all, delete-orphan")


class Commitment(Base):
    """A catalogue's commitment: its id is unique within its relationship only (two pairs may both track `visas`)."""

    __tablename__ = "commitments"

    relationship_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # The status the last digest reported; alerts are about moving away from it.
    alerted_status: Mapped[str | None] = mapped_column(String(40))


class Statement(Base):
    __tablename__ = "statements"
    __table_args__ = (
        UniqueConstraint("article_id", "relationship_id", "commitment_id", "sentence_index", name=_UQ_STATEMENTS),
        _commitment_key("statements"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    relationship_id: Mapped[str] = mapped_column(String(20))
    commitment_id: Mapped[str] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(20))
    evidence: Mapped[str] = mapped_column(Text)
    sentence_index: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float)
    rule: Mapped[str] = mapped_column(String(100))
    # Who the sentence says it comes from ("the Ministry of External Affairs").
    attribution: Mapped[str] = mapped_column(String(200), default="")

    article: Mapped[Article] = relationship(back_populates="statements")


class Digest(Base):
    __tablename__ = "digests"

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    since: Mapped[date | None] = mapped_column(Date)
    change_count: Mapped[int] = mapped_column(Integer, default=0)
    files: Mapped[str] = mapped_column(Text, default="[]")
    # The digest as built (JSON); files and messages are rendered from it.
    payload: Mapped[str | None] = mapped_column(Text)


class Delivery(Base):
    """The outbox: one digest handed to one channel, and how that went."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("digest_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id"))
    channel: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20), index=True, default=DeliveryState.QUEUED.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)


class Change(Base):
    """A status change in a commitment's timeline (rows are never deleted)."""

    __tablename__ = "status_changes"
    __table_args__ = (
        UniqueConstraint(
            "relationship_id", "commitment_id", "date", "from_status", "to_status", "statement_id", name=_UQ_CHANGES
        ),
        Index("ix_status_changes_commitment_date", "relationship_id", "commitment_id", "date"),
        _commitment_key("status_changes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    relationship_id: Mapped[str] = mapped_column(String(20))
    commitment_id: Mapped[str] = mapped_column(String(100), index=True)
    from_status: Mapped[str | None] = mapped_column(String(40))
    to_status: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    date: Mapped[date] = mapped_column(Date, index=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id"), index=True)
    found_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Set when a later fold no longer produces this change (a late article
    # rewrote history); kept so that nothing once reported disappears.
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when the change is folded into history without an alert: a late
    # article that does not move the current status.
    quiet: Mapped[bool] = mapped_column(Boolean, default=False)
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("digests.id"))
    # Set on a reported change that a later fold superseded, once a digest told the reader.
    revised_digest_id: Mapped[int | None] = mapped_column(ForeignKey("digests.id"))
    # What later statements are compared against after it (FoldPolicy); NULL on rows made before it was kept.
    level: Mapped[str | None] = mapped_column(String(40))

    statement: Mapped[Statement] = relationship()


class Review(Base):
    """An analyst's decision: confirm or reject a change, or set a status. Never deleted.

    A rejection names the article (by URL, which survives re-extraction) whose
    statement about the commitment no longer drives the fold. A set status is
    stored as a statement of its own, from an article whose source is the analyst.
    """

    __tablename__ = "reviews"
    __table_args__ = (_commitment_key("reviews"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # confirm, reject, set
    relationship_id: Mapped[str] = mapped_column(String(20))
    commitment_id: Mapped[str] = mapped_column(String(100), index=True)
    change_id: Mapped[int | None] = mapped_column(ForeignKey("status_changes.id"))
    article_url: Mapped[str | None] = mapped_column(String(2000))
    statement_id: Mapped[int | None] = mapped_column(ForeignKey("statements.id", ondelete="SET NULL"))
    status: Mapped[str | None] = mapped_column(String(40))
    day: Mapped[date | None] = mapped_column(Date)
    evidence: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    reviewer: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
