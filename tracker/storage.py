"""Storage: the database models and every query the tracker makes.

Alembic owns the schema (see `alembic/`); this module owns reading and writing.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    insert,
    inspect,
    or_,
    select,
    text,
)
from sqlalchemy.engine import Engine, Row
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import (
    DeclarativeBase,
    InstrumentedAttribute,
    Mapped,
    Session,
    mapped_column,
    relationship,
    sessionmaker,
)
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.elements import ColumnElement

from tracker.catalogue import Catalogue
from tracker.comparison import CorroborationPolicy, corroborate, resume_from
from tracker.faults import checkpoint
from tracker.model import (
    REVIEW_RULE,
    REVIEW_SOURCE,
    ArticleDraft,
    ChangeKind,
    ChangeView,
    DeliveryState,
    DeliveryView,
    DigestRecord,
    ExtractedStatement,
    FetchRecord,
    FoldInput,
    FoldScope,
    FoldStart,
    KnownDraft,
    ReviewedArticle,
    ReviewedStatement,
    ReviewKind,
    ReviewView,
    RevisionView,
    RunCounts,
    RunState,
    SourceKind,
    SourceSpec,
    SourceView,
    StatementView,
    StatusChange,
    StoredArticle,
    StoredDigest,
    Support,
    content_hash,
)
from tracker.private import touch_private
from tracker.resources import bundled_dir

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


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
    __tablename__ = "commitments"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    relationship_id: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # The status the last digest reported; alerts are about moving away from it.
    alerted_status: Mapped[str | None] = mapped_column(String(40))


class Statement(Base):
    __tablename__ = "statements"
    __table_args__ = (UniqueConstraint("article_id", "commitment_id", "sentence_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    commitment_id: Mapped[str] = mapped_column(ForeignKey("commitments.id"), index=True)
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
        UniqueConstraint("commitment_id", "date", "from_status", "to_status", "statement_id"),
        Index("ix_status_changes_commitment_date", "commitment_id", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[str] = mapped_column(ForeignKey("commitments.id"), index=True)
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

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # confirm, reject, set
    commitment_id: Mapped[str] = mapped_column(ForeignKey("commitments.id"), index=True)
    change_id: Mapped[int | None] = mapped_column(ForeignKey("status_changes.id"))
    article_url: Mapped[str | None] = mapped_column(String(2000))
    statement_id: Mapped[int | None] = mapped_column(ForeignKey("statements.id", ondelete="SET NULL"))
    status: Mapped[str | None] = mapped_column(String(40))
    day: Mapped[date | None] = mapped_column(Date)
    evidence: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    reviewer: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ReviewError(ValueError):
    """A review that cannot be recorded (an unknown change, say); the message says why."""


class AlreadyReviewed(ReviewError):
    """The change has this decision already; `earlier` is the review that made it."""

    def __init__(self, earlier: ReviewView) -> None:
        super().__init__(f"change #{earlier.change_id} was already {earlier.kind}ed")
        self.earlier = earlier


# The newest migration in alembic/versions (a test checks the two agree): read
# here so that opening a database does not load Alembic and its scripts.
SCHEMA_HEAD = "0007"


def alembic_config(database_url: str) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(bundled_dir("alembic")))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def _sqlite_autocommit_driver(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # The driver emits no BEGIN or COMMIT of its own; SQLAlchemy's "begin" event does.
    dbapi_connection.isolation_level = None


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Store:
    """The tracker's database: one engine, short sessions, every query in one place."""

    def __init__(self, database_url: str, policy: CorroborationPolicy | None = None, create: bool = True) -> None:
        """`create` False: a SQLite file that does not exist is not made (the store is empty)."""
        self.database_url = database_url
        self.policy = policy or CorroborationPolicy()
        engine_url = database_url
        if database_url.startswith("sqlite:///") and not database_url.startswith("sqlite:///:memory:"):
            path = Path(database_url.removeprefix("sqlite:///").split("?", 1)[0])
            if create:
                # Made here, owner-only, before SQLite opens it (its journal and WAL files take its mode).
                touch_private(path)
            elif not path.exists():
                # Read-only: SQLite would create the file on connecting; a memory database stands in.
                engine_url = "sqlite://"
        self.engine: Engine = create_engine(engine_url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    # --- schema ---------------------------------------------------------------

    def upgrade(self, revision: str = "head") -> None:
        """Upgrade to `revision`, by default the newest (the migrations form one line)."""
        from alembic import command

        config = alembic_config(self.database_url)
        with self._migration_engine() as engine, engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                # Two first runs at once: the second waits here, then finds the schema made.
                connection.execute(text("SELECT pg_advisory_xact_lock(7472)"))
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

    def downgrade(self, revision: str) -> None:
        from alembic import command

        config = alembic_config(self.database_url)
        with self._migration_engine() as engine, engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, revision)

    @contextmanager
    def _migration_engine(self) -> Iterator[Engine]:
        """The engine migrations run on: on SQLite, one whose DDL is transactional.

        Python's sqlite3 commits before each CREATE TABLE unless it is told to
        leave transactions alone; then a run killed halfway through creating
        the schema leaves no half-made database behind. Its connections leave
        foreign keys off (no pragma listener): SQLite changes a table's
        constraints by copying it into a new one and dropping the old, which
        enforced foreign keys forbid while other tables' rows point at it.
        """
        if self.engine.dialect.name != "sqlite":
            yield self.engine
            return
        engine = create_engine(self.database_url, poolclass=NullPool)
        event.listen(engine, "connect", _sqlite_autocommit_driver)
        event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN IMMEDIATE"))
        try:
            yield engine
        finally:
            engine.dispose()

    def is_empty(self) -> bool:
        """No tables of the tracker's; Alembic's own bookkeeping table does not count.

        A database downgraded to "base" keeps an empty `alembic_version` table:
        it holds no data and is as empty as a new one.
        """
        # Neither does the scheduler's job table, which APScheduler makes itself.
        return not (set(inspect(self.engine).get_table_names()) - {"alembic_version", "apscheduler_jobs"})

    def ensure_schema(self) -> None:
        """Upgrade an empty database; leave a populated one to `tracker init`."""
        if self.is_empty():
            self.upgrade()

    def schema_revision(self) -> str | None:
        """The migration the database is at (None: none recorded)."""
        with self.engine.connect() as connection:
            try:
                found = sorted(connection.scalars(text("SELECT version_num FROM alembic_version")))
            except DBAPIError:
                return None
        return found[-1] if found else None

    def schema_is_newer(self) -> bool:
        """At a migration this tracker does not know: made by a newer tracker (it must not be "upgraded")."""
        revision = self.schema_revision()
        if revision is None:
            return False
        return not revision.isdigit() or int(revision) > int(SCHEMA_HEAD)

    def integrity_problem(self) -> str | None:
        """SQLite's own check of its pages: the first problem it finds, or None (other databases: None)."""
        if self.engine.dialect.name != "sqlite":
            return None
        with self.engine.connect() as connection:
            try:
                rows = [str(r) for r in connection.scalars(text("PRAGMA quick_check(1)"))]
            except DBAPIError as exc:
                return (str(exc.orig).splitlines() or ["unreadable"])[0]
        return None if rows == ["ok"] else (rows[0] if rows else "no answer")

    def schema_is_current(self) -> bool:
        """The database is at the newest migration (a populated older one needs `tracker init`)."""
        with self.engine.connect() as connection:
            try:
                current = set(connection.scalars(text("SELECT version_num FROM alembic_version")))
            except DBAPIError:
                return False
        return current == {SCHEMA_HEAD}

    # --- catalogue ------------------------------------------------------------

    def sync_catalogue(self, catalogue: Catalogue) -> None:
        try:
            self._sync_catalogue(catalogue)
        except IntegrityError:
            # Another process inserted the same commitments first; now they are there to update.
            self._sync_catalogue(catalogue)

    def _sync_catalogue(self, catalogue: Catalogue) -> None:
        with self.sessions.begin() as session:
            for item in catalogue.commitments:
                row = session.get(Commitment, item.id)
                if row is None:
                    session.add(
                        Commitment(
                            id=item.id,
                            relationship_id=catalogue.relationship_id,
                            title=item.title,
                            description=item.description,
                        )
                    )
                else:
                    row.title, row.description = item.title, item.description

    # --- runs -----------------------------------------------------------------

    def start_run(self, command_name: str, as_of: date) -> int:
        with self.sessions.begin() as session:
            run = Run(command=command_name, as_of=as_of, state=RunState.RUNNING)
            session.add(run)
            session.flush()
            return run.id

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
        with self.sessions.begin() as session:
            run = session.get_one(Run, run_id)
            run.ingested, run.skipped, run.failed, run.deferred = ingested, skipped, failed, deferred
            run.changes_found, run.digest_id = changes_found, digest_id
            run.messages = json.dumps(list(messages))
            run.finished_at = utcnow()
            run.state = state

    def interrupt_stale_runs(self, current_run: int) -> list[int]:
        """Runs still "running" that no process runs any more (called by a run holding the lock alone).

        Each is marked interrupted, with the articles it stored counted as ingested.
        """
        with self.sessions.begin() as session:
            stale = list(session.scalars(select(Run).where(Run.state == RunState.RUNNING, Run.id != current_run)))
            for run in stale:
                run.state = RunState.INTERRUPTED
                run.ingested = session.scalar(select(func.count()).where(Article.run_id == run.id)) or 0
                run.digest_id = run.digest_id or session.scalar(
                    select(func.max(Digest.id)).where(Digest.created_at >= run.started_at)
                )
            return [run.id for run in stale]

    def day_counts(self, as_of: date, command: str) -> RunCounts:
        """Articles ingested, skipped and failed by the finished runs of one command for a day (the day's workers)."""
        with self.sessions() as session:
            ingested, skipped, failed = session.execute(
                select(func.sum(Run.ingested), func.sum(Run.skipped), func.sum(Run.failed)).where(
                    Run.command == command, Run.as_of == as_of, Run.finished_at.is_not(None)
                )
            ).one()
        return RunCounts(ingested or 0, skipped or 0, failed or 0)

    def unfolded(self, current_run: int) -> tuple[list[int], dict[str, date]]:
        """Earlier runs whose stored articles were never folded (killed first), and what those articles state.

        (their ids, each commitment stated about with the earliest day stated)
        """
        with self.sessions() as session:
            runs = list(session.scalars(select(Run.id).where(Run.folded_at.is_(None), Run.id != current_run)))
            if not runs:
                return [], {}
            rows = session.execute(
                select(Statement.commitment_id, func.min(Article.published))
                .join(Article, Article.id == Statement.article_id)
                .where(Article.run_id.in_(runs))
                .group_by(Statement.commitment_id)
            )
            return runs, {cid: day for cid, day in rows}

    def mark_folded(self, run_ids: Sequence[int]) -> None:
        with self.sessions.begin() as session:
            for run in session.scalars(select(Run).where(Run.id.in_(list(run_ids)))):
                run.folded_at = utcnow()

    def runs(self, limit: int = 20) -> list[Run]:
        with self.sessions() as session:
            return list(session.scalars(select(Run).order_by(Run.id.desc()).limit(limit)))

    # --- sources --------------------------------------------------------------

    def source_id(self, session: Session, name: str, location: str) -> int:
        source = session.scalar(select(Source).where(Source.location == location))
        if source is None:
            source = Source(name=name, location=location)
            session.add(source)
            session.flush()
        return source.id

    def record_source_result(self, name: str, location: str, error: str | None) -> int:
        """Count consecutive failures of a source; returns the count after this result."""
        with self.sessions.begin() as session:
            source = session.get_one(Source, self.source_id(session, name, location))
            if error is None:
                source.failures, source.last_error, source.last_success_at = 0, None, utcnow()
            else:
                source.failures += 1
                source.last_error = error
            return source.failures

    def sync_config_sources(self, feeds: Sequence[SourceSpec], folders: Sequence[str]) -> None:
        """Make the configuration's feeds and folders subscriptions in the table, in one transaction.

        A source that left the configuration is no longer fetched (disabled,
        with the reason); one that comes back is enabled again.
        """
        removed = "removed from the configuration"
        wanted = {spec.location: spec for spec in feeds}
        wanted.update({f: SourceSpec(SourceKind.FOLDER, f, Path(f).name or f) for f in folders})
        with self.sessions.begin() as session:
            rows = {r.location: r for r in session.scalars(select(Source).where(Source.location.in_(list(wanted))))}
            for location, spec in wanted.items():
                row = rows.get(location)
                if row is None:
                    row = Source(name=spec.name, location=location, failures=0)
                    session.add(row)
                elif row.kind == SourceKind.OUTLET and spec.name:
                    row.name = spec.name
                if spec.name and spec.named:
                    row.name = spec.name
                row.kind, row.from_config = spec.kind.value, True
                row.official, row.full_text = spec.official, spec.full_text
                if not row.enabled and row.disabled_reason == removed:
                    row.enabled, row.disabled_reason = True, None
            for row in session.scalars(select(Source).where(Source.from_config.is_(True))):
                if row.location not in wanted and row.enabled:
                    row.enabled, row.disabled_reason = False, removed

    def add_source(self, spec: SourceSpec) -> tuple[SourceView, bool]:
        """Subscribe to a feed or folder; (the source, whether it is new as a subscription)."""
        with self.sessions.begin() as session:
            row = session.scalar(select(Source).where(Source.location == spec.location))
            created = row is None or row.kind == SourceKind.OUTLET
            if row is None:
                row = Source(name=spec.name, location=spec.location, failures=0)
                session.add(row)
            if created or spec.named:
                row.name = spec.name
            row.kind, row.official = spec.kind.value, spec.official or row.official
            if spec.full_text is not None:
                row.full_text = spec.full_text
            if not row.enabled and created:
                row.enabled, row.disabled_reason = True, None
            session.flush()
            return self._source_views(session, [row])[0], created

    def remove_source(self, key: str) -> SourceView | None:
        """Stop following a source (by id, location or name); its articles stay.

        A source with articles stays in the table as their outlet; one without is deleted.
        """
        with self.sessions.begin() as session:
            row = _find_source(session, key)
            if row is None:
                return None
            view = self._source_views(session, [row])[0]
            has_articles = session.scalar(select(Article.id).where(Article.source_id == row.id).limit(1))
            if has_articles is None:
                session.delete(row)
            else:
                row.kind, row.from_config, row.next_fetch_at = SourceKind.OUTLET.value, False, None
            return view

    def find_source(self, key: str) -> SourceView | None:
        with self.sessions() as session:
            row = _find_source(session, key)
            return self._source_views(session, [row])[0] if row else None

    def subscriptions(self) -> list[SourceView]:
        """Every feed and folder followed, in the order they were added."""
        with self.sessions() as session:
            rows = list(session.scalars(select(Source).where(Source.kind != SourceKind.OUTLET).order_by(Source.id)))
            return self._source_views(session, rows)

    # --- workers: leases on followed feeds ---------------------------------------

    def lease_feed(self, owner: str, as_of: date, now: datetime, seconds: float) -> SourceView | None:
        """Claim one enabled feed not yet done for `as_of` and not claimed by a live lease; None when there is none.

        On PostgreSQL the row is taken with FOR UPDATE SKIP LOCKED, so
        workers asking at once each get a different feed and none waits.
        """
        with self.sessions.begin() as session:
            row = session.scalar(
                select(Source)
                .where(
                    Source.kind == SourceKind.FEED,
                    Source.enabled.is_(True),
                    or_(Source.done_for.is_(None), Source.done_for < as_of),
                    or_(Source.lease_until.is_(None), Source.lease_until < now),
                )
                .order_by(Source.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if row is None:
                return None
            row.lease_owner, row.lease_until = owner[:200], now + timedelta(seconds=seconds)
            session.flush()
            return self._source_views(session, [row])[0]

    def finish_lease(self, source_id: int, owner: str, as_of: date) -> None:
        """The feed is done for `as_of`: its lease is given up."""
        with self.sessions.begin() as session:
            row = session.get_one(Source, source_id, with_for_update=True)
            if row.lease_owner == owner[:200]:
                row.lease_owner, row.lease_until = None, None
            row.done_for = as_of

    def feeds_left(self, as_of: date) -> int:
        """Enabled feeds not yet done for `as_of`, claimed or not."""
        with self.sessions() as session:
            return (
                session.scalar(
                    select(func.count())
                    .select_from(Source)
                    .where(
                        Source.kind == SourceKind.FEED,
                        Source.enabled.is_(True),
                        or_(Source.done_for.is_(None), Source.done_for < as_of),
                    )
                )
                or 0
            )

    @contextmanager
    def exclusive(self, section: str) -> Iterator[None]:
        """One process at a time in `section` (the fold, the digest); on SQLite the run lock already is that.

        A PostgreSQL session advisory lock on a connection of its own, which
        the server releases should the holder die.
        """
        if self.engine.dialect.name != "postgresql":
            yield
            return
        key = int.from_bytes(hashlib.sha256(f"tracker:{section}".encode()).digest()[:4], "big") & 0x7FFFFFFF
        with self.engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()

    def _source_views(self, session: Session, rows: Sequence[Source]) -> list[SourceView]:
        counts = dict(
            session.execute(
                select(Article.source_id, func.count())
                .where(Article.source_id.in_([r.id for r in rows]))
                .group_by(Article.source_id)
            ).all()
        )
        views = []
        for row in rows:
            articles = counts.get(row.id, 0)
            if row.kind == SourceKind.FOLDER:
                # A folder's articles belong to its outlets ("folder#outlet").
                articles = (
                    session.scalar(
                        select(func.count())
                        .select_from(Article)
                        .join(Source)
                        .where(Source.location.startswith(f"{row.location}#", autoescape=True))
                    )
                    or 0
                )
            views.append(
                SourceView(
                    id=row.id,
                    kind=SourceKind(row.kind),
                    name=row.name,
                    location=row.location,
                    url=row.url,
                    official=row.official,
                    enabled=row.enabled,
                    disabled_reason=row.disabled_reason,
                    from_config=row.from_config,
                    full_text=row.full_text,
                    etag=row.etag,
                    last_modified=row.last_modified,
                    failures=row.failures,
                    last_error=row.last_error,
                    last_fetch_at=row.last_fetch_at,
                    last_success_at=row.last_success_at,
                    last_status=row.last_status,
                    next_fetch_at=row.next_fetch_at,
                    failing_since=row.failing_since,
                    articles=articles,
                )
            )
        return views

    def record_fetches(self, records: Sequence[FetchRecord]) -> None:
        """Store what each fetch of a run did to its source, in one transaction."""
        with self.sessions.begin() as session:
            for record in records:
                row = session.get_one(Source, record.source_id)
                row.last_fetch_at, row.last_status = record.at, record.status
                row.failures, row.last_error, row.next_fetch_at = record.failures, record.error, record.next_fetch_at
                if record.error is None:
                    row.last_success_at, row.failing_since = record.at, None
                elif row.failing_since is None:
                    row.failing_since = record.at
                if record.etag is not None or record.last_modified is not None:
                    row.etag, row.last_modified = record.etag, record.last_modified
                if record.moved_to is not None:
                    row.url = record.moved_to
                if record.disable:
                    row.enabled, row.disabled_reason = False, record.error
                if record.title and row.name == row.location:
                    row.name = record.title[:200]

    def official_hosts(self) -> list[str]:
        """The hosts of sources marked official (`tracker sources add --official`, `official = true`)."""
        with self.sessions() as session:
            rows = session.scalars(select(Source).where(Source.official.is_(True)))
            hosts = {urlsplit(r.url or r.location).hostname for r in rows}
        return sorted(h for h in hosts if h)

    def sources_in_error(self, error_after: int) -> list[SourceView]:
        """Followed sources that failed `error_after` times in a row or were disabled by their server."""
        return [
            s
            for s in self.subscriptions()
            if s.kind == SourceKind.FEED
            and (s.failures >= error_after or (not s.enabled and s.disabled_reason and s.last_error))
        ]

    # --- articles and statements ---------------------------------------------

    def stored_article(self, key: str) -> StoredArticle | None:
        """An article by its number, else by its URL (the newest version of an updated story)."""
        with self.sessions() as session:
            if key.isdigit():
                row = session.get(Article, int(key))
            else:
                row = session.scalars(select(Article).where(Article.url == key).order_by(Article.id.desc())).first()
            if row is None:
                return None
            return StoredArticle(row.id, row.url, row.title, row.summary or "", row.text, row.published)

    def has_article(self, draft: ArticleDraft) -> bool:
        return self.known([draft])[0].stored

    def is_update(self, draft: ArticleDraft) -> bool:
        """A feed entry whose GUID or link is stored with other text: a new version of that article."""
        return self.known([draft])[0].previous_id is not None

    def known(self, drafts: Sequence[ArticleDraft]) -> list[KnownDraft]:
        """What is stored already of each draft: a copy of it, or an earlier version it updates.

        A handful of queries for the whole batch, whatever its size. A copy is
        a stored article with the same normalised text or (article files, which
        have no GUID) the same URL; a feed entry under a stored GUID, else link,
        but with other text is an update of that entry's latest version.
        """
        if not drafts:
            return []
        with self.sessions() as session:
            return _known(session, drafts)

    def add_article(self, draft: ArticleDraft, statements: Iterable[ExtractedStatement], run_id: int) -> bool:
        """Store an article with its statements; False if it was already stored."""
        return self.add_articles([(draft, list(statements))], run_id)[0] is not None

    def add_articles(
        self, items: Sequence[tuple[ArticleDraft, Sequence[ExtractedStatement]]], run_id: int
    ) -> list[int | None]:
        """Store a batch of articles with their statements in one transaction; each one's id, None for a copy.

        What is stored already is looked up again inside the transaction that
        writes (one query for the batch), and a copy of an earlier member of
        the same batch is no new article either. Should another process store
        one of them between that look-up and the insert, the batch is written
        again one article at a time, each in its own savepoint.
        """
        if not items:
            return []
        try:
            with self.sessions.begin() as session:
                inserted = self._insert_batch(session, items, run_id)
                checkpoint("ingest.uncommitted")
                return inserted
        except IntegrityError:
            ids: list[int | None] = []
            with self.sessions.begin() as session:
                for item in items:
                    try:
                        with session.begin_nested():
                            ids.extend(self._insert_batch(session, [item], run_id))
                    except IntegrityError:
                        ids.append(None)
            return ids

    def _insert_batch(
        self, session: Session, items: Sequence[tuple[ArticleDraft, Sequence[ExtractedStatement]]], run_id: int
    ) -> list[int | None]:
        known = _known(session, [draft for draft, _ in items])
        sources = self._source_ids(session, {(d.source_name, _source_location(d)) for d, _ in items})
        seen_hashes: set[str] = set()
        seen_links: set[str] = set()
        rows: list[dict] = []
        kept: list[int] = []
        for i, ((draft, _), found) in enumerate(zip(items, known, strict=True)):
            digest = draft.content_hash
            if found.stored or digest in seen_hashes or (not draft.guid and draft.url in seen_links):
                continue
            seen_hashes.add(digest)
            if not draft.guid:
                seen_links.add(draft.url)
            kept.append(i)
            rows.append(
                {
                    "source_id": sources[(draft.source_name, _source_location(draft))],
                    "url": draft.url,
                    "guid": draft.guid or None,
                    "previous_id": found.previous_id,
                    "content_hash": digest,
                    "title": draft.title,
                    "summary": draft.summary,
                    "text": draft.text,
                    "published": draft.published,
                    "run_id": run_id,
                    "author": draft.author[:300] or None,
                    "date_estimated": draft.date_estimated,
                    "fold_order": fold_order(found.previous_order, digest),
                }
            )
        ids: list[int | None] = [None] * len(items)
        if not rows:
            return ids
        inserted = session.scalars(insert(Article).returning(Article.id, sort_by_parameter_order=True), rows).all()
        statements: list[dict] = []
        for i, article_id in zip(kept, inserted, strict=True):
            ids[i] = article_id
            statements.extend(statement_row(article_id, s) for s in items[i][1])
        if statements:
            session.execute(insert(Statement), statements)
        return ids

    def _source_ids(self, session: Session, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """The source of each (name, location), made when it is new; one query for those there."""
        by_location = {
            location: sid
            for sid, location in session.execute(
                select(Source.id, Source.location).where(Source.location.in_({loc for _, loc in wanted}))
            )
        }
        ids = {}
        for name, location in sorted(wanted):
            if location not in by_location:
                by_location[location] = self.source_id(session, name, location)
            ids[(name, location)] = by_location[location]
        return ids

    def statements_read(self, article_ids: Collection[int]) -> dict[int, frozenset[tuple[str, str, str, str, str]]]:
        """What the reader took from each article: (commitment, status, actor, evidence, rule) of its statements."""
        found: dict[int, set[tuple[str, str, str, str, str]]] = {i: set() for i in article_ids}
        if not article_ids:
            return {}
        with self.sessions() as session:
            for chunk in _chunks([str(i) for i in article_ids]):
                rows = session.execute(
                    select(
                        Statement.article_id,
                        Statement.commitment_id,
                        Statement.status,
                        Statement.actor,
                        Statement.evidence,
                        Statement.rule,
                    ).where(Statement.article_id.in_([int(i) for i in chunk]))
                )
                for article_id, *key in rows:
                    found[article_id].add(tuple(key))  # type: ignore[arg-type]
        return {i: frozenset(keys) for i, keys in found.items()}

    def unchanged_entries(self, drafts: Sequence[ArticleDraft]) -> set[int]:
        """Indexes of feed drafts whose text is what their GUID's latest stored version was read from.

        Used before fetching full text: an entry whose feed text has not
        changed since it was stored costs no page fetch.
        """
        guids = {d.guid for d in drafts if d.guid}
        if not guids:
            return set()
        with self.sessions() as session:
            latest: dict[str, set[str]] = {}
            rows = session.execute(
                select(Article.guid, Article.summary, Article.text).where(Article.guid.in_(guids)).order_by(Article.id)
            )
            for guid, summary, text in rows:
                if guid:
                    # What the feed gave: the summary (full text fetched), the text, or both.
                    latest[guid] = {content_hash(summary), content_hash(text), content_hash(f"{summary} {text}")}
        return {i for i, d in enumerate(drafts) if d.guid in latest and content_hash(d.full_text) in latest[d.guid]}

    def fold_inputs(self, scope: FoldScope | None = None) -> list[FoldInput]:
        """The statements the fold reads: all but those an analyst rejected.

        With a scope, only its commitments' statements, each from its day on
        (None: all of that commitment's); without one, every statement.
        """
        with self.sessions() as session:
            rejects = select(Review.article_url, Review.commitment_id).where(Review.kind == ReviewKind.REJECT)
            query = select(
                Statement.id,
                Statement.commitment_id,
                Statement.status,
                Article.published,
                Article.fold_order,
                Article.content_hash,
                Statement.sentence_index,
                Statement.confidence,
                Article.url,
            ).join(Article)
            if scope is not None:
                if not scope:
                    return []
                rejects = rejects.where(Review.commitment_id.in_(list(scope)))
                query = query.where(_in_scope(scope, Statement.commitment_id, Article.published))
                days = [since for since in scope.values() if since is not None]
                if len(days) == len(scope):
                    # Only articles of those days on: found by their date, not by walking each timeline.
                    query = query.where(Article.published >= min(days))
            rejected = {(url, cid) for url, cid in session.execute(rejects)}
            return [
                FoldInput(
                    key=sid,
                    commitment_id=cid,
                    status=status,
                    published=published,
                    article_order=order or digest,
                    sentence_index=index,
                    confidence=confidence,
                    official=self.policy.is_official(url),
                )
                for sid, cid, status, published, order, digest, index, confidence, url in session.execute(query)
                if (url, cid) not in rejected
            ]

    def fold_starts(self, scope: FoldScope) -> tuple[dict[str, FoldStart], FoldScope]:
        """Where each commitment of a scope stood before its day: (starts, the scope to fold).

        From its last current changes before the day (`resume_from`). A
        change stored before changes kept their level does not know it: that
        commitment is folded from its first statement instead (once; the fold
        then fills the levels in).
        """
        starts: dict[str, FoldStart] = {}
        widened: dict[str, date | None] = {}
        with self.sessions() as session:
            for commitment_id, day in scope.items():
                if day is None:
                    widened[commitment_id] = None
                    continue
                before = select(Change.to_status, Change.level, Change.date).where(
                    Change.commitment_id == commitment_id, Change.superseded.is_(False), Change.date < day
                )
                newest = (Change.date.desc(), Change.id.desc())
                last = session.execute(before.order_by(*newest).limit(1)).first()
                if last is not None and last.level is None:
                    widened[commitment_id] = None
                    continue
                last_sure = None
                if last is not None and last.level != last.to_status:
                    last_sure = session.execute(
                        before.where(Change.level == Change.to_status).order_by(*newest).limit(1)
                    ).first()
                start, first_day = resume_from(_resumable(last), _resumable(last_sure), day)
                starts[commitment_id] = start
                widened[commitment_id] = None if first_day == date.min else first_day
        return starts, widened

    # --- the timeline ---------------------------------------------------------

    def apply_timeline(self, timeline: Sequence[StatusChange], scope: FoldScope | None = None) -> list[int]:
        """Make the stored timeline equal to a fresh fold; returns the ids of new changes.

        With a scope the fold covered only its commitments from their days
        on, and only that part of the stored timeline is compared with it.
        Changes the fold still produces are kept as they are (with their
        digest); those it no longer produces are marked superseded, never deleted.
        """
        new_ids: list[int] = []
        with self.sessions.begin() as session:
            query = select(Change)
            if scope is not None:
                if not scope:
                    return []
                query = query.where(_in_scope(scope, Change.commitment_id, Change.date))
            stored: dict[tuple, Change] = {
                (c.commitment_id, c.date, c.from_status, c.to_status, c.statement_id): c for c in session.scalars(query)
            }
            wanted = set()
            added: list[Change] = []
            for change in timeline:
                key = (change.commitment_id, change.date, change.from_status, change.to_status, change.cause)
                wanted.add(key)
                row = stored.get(key)
                if row is None:
                    row = Change(
                        commitment_id=change.commitment_id,
                        from_status=change.from_status,
                        to_status=change.to_status,
                        kind=change.kind,
                        date=change.date,
                        statement_id=change.cause,
                        level=_stored_level(change.level),
                    )
                    session.add(row)
                    added.append(row)
                else:
                    if row.superseded:
                        row.superseded = False
                    if row.level != _stored_level(change.level):
                        row.level = _stored_level(change.level)
            for key, row in stored.items():
                if key not in wanted and not row.superseded:
                    row.superseded = True
            session.flush()
            new_ids = [row.id for row in added]
            checkpoint("fold.uncommitted")
        return new_ids

    def _supports(self, session: Session, rows: Sequence[Change]) -> dict[tuple[str, str, date], list[Support]]:
        """For each change, the day's articles that state the status it moved to, best statement each.

        One query for all the changes asked about (in groups), whatever their number.
        """
        wanted = sorted({(r.commitment_id, r.to_status, r.date) for r in rows})
        if not wanted:
            return {}
        rejected = {
            (url, cid)
            for url, cid in session.execute(
                select(Review.article_url, Review.commitment_id).where(
                    Review.kind == ReviewKind.REJECT, Review.commitment_id.in_({w[0] for w in wanted})
                )
            )
        }
        best: dict[tuple[str, str, date], dict[int, tuple[float, Support]]] = {}
        asked = set(wanted)
        days = sorted({day for _, _, day in wanted})
        commitments = sorted({cid for cid, _, _ in wanted})
        for start in range(0, len(days), _IN_CHUNK):
            # Found through the articles of those days (the date index), then the statements of each
            # article: a commitment's whole timeline is never walked.
            query = (
                select(
                    Statement.commitment_id,
                    Statement.status,
                    Article.published,
                    Statement.article_id,
                    Statement.confidence,
                    Statement.evidence,
                    Article.url,
                    Article.title,
                    Article.text,
                    Source.name,
                )
                .select_from(Article)
                .join(Statement, Statement.article_id == Article.id)
                .join(Source, Source.id == Article.source_id)
                .where(Article.published.in_(days[start : start + _IN_CHUNK]), Statement.commitment_id.in_(commitments))
                .order_by(Statement.id)
            )
            for cid, status, day, article_id, confidence, evidence, url, title, body, source_name in session.execute(
                query
            ):
                if (cid, status, day) not in asked or (url, cid) in rejected:
                    continue  # another status, or an analyst took it out: it supports nothing
                own = best.setdefault((cid, status, day), {})
                current = own.get(article_id)
                if current is None or confidence > current[0]:
                    own[article_id] = (
                        confidence,
                        Support(
                            url=url,
                            source_name=source_name,
                            title=title,
                            evidence=evidence,
                            confidence=confidence,
                            text=body,
                        ),
                    )
        return {key: [support for _, support in own.values()] for key, own in best.items()}

    def _change_views(self, session: Session, rows: Iterable[Change], corroborated: bool = True) -> list[ChangeView]:
        """Views of changes: their statement, article and source loaded with them, supports in one query.

        `corroborated` False leaves the supporting sources out (confidence is
        the causing statement's own): for listings that do not print them.
        """
        rows = list(rows)
        if not rows:
            return []
        titles = {cid: title for cid, title in session.execute(select(Commitment.id, Commitment.title))}
        details = {
            change_id: (statement, article, source)
            for change_id, statement, article, source in session.execute(
                select(Change.id, Statement, Article, Source)
                .join(Statement, Statement.id == Change.statement_id)
                .join(Article, Article.id == Statement.article_id)
                .join(Source, Source.id == Article.source_id)
                .where(Change.id.in_([r.id for r in rows]))
            )
        }
        supports = self._supports(session, rows) if corroborated else {}
        views = []
        for row in rows:
            statement, article, source = details[row.id]
            if corroborated:
                support = corroborate(supports.get((row.commitment_id, row.to_status, row.date), []), self.policy)
                confidence, confirmed, listed = support.confidence, support.confirmed, support.sources
            else:
                confidence = statement.confidence
                confirmed, listed = confidence >= self.policy.threshold, ()
            views.append(
                ChangeView(
                    id=row.id,
                    commitment_id=row.commitment_id,
                    commitment_title=titles.get(row.commitment_id, row.commitment_id),
                    from_status=row.from_status,
                    to_status=row.to_status,
                    kind=ChangeKind(row.kind),
                    date=row.date,
                    evidence=statement.evidence,
                    actor=statement.actor,
                    confidence=confidence,
                    confirmed=confirmed,
                    sources=listed,
                    rule=statement.rule,
                    attribution=statement.attribution,
                    source_name=source.name,
                    source_url=article.url,
                    article_title=article.title,
                )
            )
        return views

    def changes(
        self,
        since: date | None = None,
        commitment_id: str | None = None,
        limit: int | None = None,
        corroborated: bool = True,
    ) -> list[ChangeView]:
        """The current timeline (superseded changes left out), oldest first.

        With `limit`, the newest `limit` of them (still oldest first): views
        are built only for what is asked for.
        """
        with self.sessions() as session:
            query = select(Change).where(Change.superseded.is_(False))
            if since is not None:
                query = query.where(Change.date >= since)
            if commitment_id is not None:
                query = query.where(Change.commitment_id == commitment_id)
            if limit is not None:
                newest = query.order_by(Change.date.desc(), Change.commitment_id.desc(), Change.id.desc()).limit(limit)
                rows = list(reversed(session.scalars(newest).all()))
            else:
                rows = list(session.scalars(query.order_by(Change.date, Change.commitment_id, Change.id)))
            return self._change_views(session, rows, corroborated)

    def current_changes(self, corroborated: bool = True, until: date | None = None) -> list[ChangeView]:
        """Each commitment's latest current change (its status now and since when), in one query.

        `corroborated` False: without the supporting sources (for a listing that does not print them).
        `until`: where each stood on that day (changes dated after it left out).
        """
        with self.sessions() as session:
            return self._change_views(session, _latest_changes(session, until), corroborated)

    def statements(
        self,
        commitment_id: str | None = None,
        since: date | None = None,
        until: date | None = None,
        limit: int | None = None,
    ) -> list[StatementView]:
        """Statements in fold order: by date, article, sentence (with `limit`, the newest that many, in that order)."""
        with self.sessions() as session:
            query = (
                select(Statement, Article, Source)
                .join(Article, Article.id == Statement.article_id)
                .join(Source, Source.id == Article.source_id)
            )
            if commitment_id is not None:
                query = query.where(Statement.commitment_id == commitment_id)
            if since is not None:
                query = query.where(Article.published >= since)
            if until is not None:
                query = query.where(Article.published <= until)
            order = (Article.published, Article.content_hash, Statement.sentence_index)
            if limit is not None:
                newest = query.order_by(*(c.desc() for c in order)).limit(limit)
                rows: list[tuple[Statement, Article, Source]] = [
                    (r[0], r[1], r[2]) for r in reversed(session.execute(newest).all())
                ]
            else:
                rows = [(r[0], r[1], r[2]) for r in session.execute(query.order_by(*order))]
            return [
                StatementView(
                    commitment_id=s.commitment_id,
                    status=s.status,
                    actor=s.actor,
                    evidence=s.evidence,
                    confidence=s.confidence,
                    rule=s.rule,
                    attribution=s.attribution,
                    date=a.published,
                    source_name=src.name,
                    source_url=a.url,
                    article_title=a.title,
                    author=a.author,
                    date_estimated=a.date_estimated,
                )
                for s, a, src in rows
            ]

    def count_statements(self, commitment_id: str | None = None, since: date | None = None) -> int:
        with self.sessions() as session:
            query = select(func.count()).select_from(Statement).join(Article, Article.id == Statement.article_id)
            if commitment_id is not None:
                query = query.where(Statement.commitment_id == commitment_id)
            if since is not None:
                query = query.where(Article.published >= since)
            return session.scalar(query) or 0

    def commitments(self) -> list[Commitment]:
        with self.sessions() as session:
            return list(session.scalars(select(Commitment).order_by(Commitment.id)))

    # --- digests --------------------------------------------------------------

    def pending_alerts(self) -> list[ChangeView]:
        """Changes not yet in a digest that move a commitment away from what was last reported.

        A commitment whose current status equals its last reported status had
        only history rewritten when its new changes are dated no later than
        the last digest's day (a late article): those are marked quiet instead
        of alerted. Changes dated after it are news, alerted even when the
        commitment ends where it began (a setback and a recovery between two
        digests).
        """
        with self.sessions.begin() as session:
            last_reported_day = session.scalar(select(Digest.as_of).order_by(Digest.id.desc()).limit(1))
            pending = list(
                session.scalars(
                    select(Change)
                    .where(Change.superseded.is_(False), Change.digest_id.is_(None), Change.quiet.is_(False))
                    .order_by(Change.date, Change.commitment_id, Change.id)
                )
            )
            current = self._current_status(session)
            alerts = []
            for row in pending:
                commitment = session.get_one(Commitment, row.commitment_id)
                reported = commitment.alerted_status
                rewrites_history = last_reported_day is not None and row.date <= last_reported_day
                if rewrites_history and reported is not None and reported == current.get(row.commitment_id):
                    row.quiet = True
                else:
                    alerts.append(row)
            return self._change_views(session, alerts)

    def _current_status(self, session: Session) -> dict[str, str]:
        return {row.commitment_id: row.to_status for row in _latest_changes(session)}

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
        """Record a digest, mark its changes (and the revisions it tells) reported, and
        queue one delivery per channel: all in one transaction."""
        with self.sessions.begin() as session:
            digest = Digest(
                as_of=as_of, since=since, change_count=len(change_ids), files=json.dumps(list(files)), payload=payload
            )
            session.add(digest)
            session.flush()
            for row in session.scalars(select(Change).where(Change.id.in_(change_ids))):
                row.digest_id = digest.id
            if revised_ids:
                for row in session.scalars(select(Change).where(Change.id.in_(revised_ids))):
                    row.revised_digest_id = digest.id
            for channel in channels:
                session.add(Delivery(digest_id=digest.id, channel=channel))
            current = self._current_status(session)
            for commitment in session.scalars(select(Commitment)):
                commitment.alerted_status = current.get(commitment.id)
            session.flush()
            checkpoint("digest.uncommitted")
            return digest.id

    def last_digest(self) -> Digest | None:
        with self.sessions() as session:
            return session.scalar(select(Digest).order_by(Digest.id.desc()).limit(1))

    def digests(self) -> list[DigestRecord]:
        """Every digest written, oldest first."""
        with self.sessions() as session:
            return [
                DigestRecord(d.id, d.as_of, d.since, d.change_count, tuple(json.loads(d.files)))
                for d in session.scalars(select(Digest).order_by(Digest.id))
            ]

    def digest_changes(self, digest_id: int) -> list[ChangeView]:
        """The changes one digest reported, as they were reported (superseded ones too)."""
        with self.sessions() as session:
            rows = session.scalars(
                select(Change).where(Change.digest_id == digest_id).order_by(Change.date, Change.commitment_id)
            )
            return self._change_views(session, rows)

    # --- analyst review ---------------------------------------------------------

    def review_change(self, kind: str, change_id: int, reviewer: str, note: str = "") -> ReviewView:
        """Confirm or reject a change; a rejection takes its statement out of the fold."""
        if kind not in (ReviewKind.CONFIRM, ReviewKind.REJECT):
            raise ReviewError(f"unknown review {kind!r}: confirm or reject")
        with self.sessions.begin() as session:
            change = session.get(Change, change_id)
            if change is None:
                raise ReviewError(f"no status change #{change_id}; `tracker review` lists them")
            earlier = session.scalars(
                select(Review).where(Review.change_id == change.id, Review.kind == kind).order_by(Review.id).limit(1)
            ).first()
            if earlier is not None:
                # A second identical decision adds nothing; the first one stands (re-running a command is safe).
                raise AlreadyReviewed(_review_view(earlier))
            statement = change.statement
            review = Review(
                kind=kind,
                commitment_id=change.commitment_id,
                change_id=change.id,
                article_url=statement.article.url,
                status=change.to_status,
                day=change.date,
                evidence=statement.evidence,
                note=note,
                reviewer=reviewer[:200],
            )
            session.add(review)
            session.flush()
            return _review_view(review)

    def review_set(
        self, commitment_id: str, status: str, day: date, reviewer: str, note: str, run_id: int | None = None
    ) -> ReviewView:
        """An analyst's status: stored as a statement of its own, from the analyst as source."""
        with self.sessions.begin() as session:
            if session.get(Commitment, commitment_id) is None:
                raise ReviewError(f"unknown commitment {commitment_id!r}")
            review = Review(
                kind=ReviewKind.SET,
                commitment_id=commitment_id,
                status=status,
                day=day,
                note=note,
                reviewer=reviewer[:200],
            )
            session.add(review)
            session.flush()
            url = f"review:{review.id}"
            article = Article(
                source_id=self.source_id(session, REVIEW_SOURCE, "review:analysts"),
                url=url,
                content_hash=hashlib.sha256(url.encode()).hexdigest(),
                title=f"Analyst review by {reviewer}",
                text=note,
                published=day,
                run_id=run_id,
                # After the day's articles, and analysts' settings of one day in the order they were given
                # ("~" sorts after every hash; the review's id keeps their order).
                fold_order=f"~review~{review.id:012d}",
            )
            article.statements = [
                Statement(
                    commitment_id=commitment_id,
                    status=status,
                    actor="both",
                    evidence=note or f"Set to {status.replace('_', ' ')} by {reviewer}",
                    sentence_index=0,
                    confidence=1.0,
                    rule=REVIEW_RULE,
                    attribution=f"analyst {reviewer}"[:200],
                )
            ]
            session.add(article)
            session.flush()
            review.statement_id = article.statements[0].id
            review.article_url = url
            review.evidence = article.statements[0].evidence
            return _review_view(review)

    def reviews(self, commitment_id: str | None = None) -> list[ReviewView]:
        """Every review, oldest first."""
        with self.sessions() as session:
            query = select(Review).order_by(Review.id)
            if commitment_id is not None:
                query = query.where(Review.commitment_id == commitment_id)
            return [_review_view(r) for r in session.scalars(query)]

    def reviewed_articles(self) -> list[ReviewedArticle]:
        """Each article an analyst confirmed or rejected a statement of, with its text and those decisions.

        A later decision on the same article, commitment and status replaces
        an earlier one (an analyst may change their mind); reviews are read
        oldest first.
        """
        with self.sessions() as session:
            reviews = list(
                session.scalars(
                    select(Review).where(Review.kind.in_((ReviewKind.CONFIRM, ReviewKind.REJECT))).order_by(Review.id)
                )
            )
            urls = {r.article_url for r in reviews if r.article_url}
            articles: dict[str, Article] = {}
            if urls:
                for article in session.scalars(select(Article).where(Article.url.in_(urls)).order_by(Article.id)):
                    # The newest version of an updated story is the one read now.
                    articles[article.url] = article
            decided: dict[str, dict[tuple[str, str], ReviewedStatement]] = defaultdict(dict)
            for review in reviews:
                if review.article_url not in articles or review.status is None:
                    continue
                actor = "both"
                if review.statement_id is not None:
                    statement = session.get(Statement, review.statement_id)
                    actor = statement.actor if statement is not None else actor
                decided[review.article_url][(review.commitment_id, review.status)] = ReviewedStatement(
                    commitment_id=review.commitment_id,
                    status=review.status,
                    actor=actor,
                    evidence=review.evidence or "",
                    confirmed=review.kind == ReviewKind.CONFIRM,
                    reviewer=review.reviewer,
                )
            out = []
            for url, statements in decided.items():
                article = articles[url]
                out.append(
                    ReviewedArticle(
                        article_id=article.id,
                        url=url,
                        title=article.title,
                        summary=article.summary or "",
                        text=article.text,
                        published=article.published,
                        source_name=article.source.name,
                        statements=tuple(statements.values()),
                    )
                )
            return sorted(out, key=lambda a: (a.published, a.article_id))

    def awaiting_review(self, limit: int = 20) -> list[ChangeView]:
        """Current changes no analyst has confirmed or rejected, newest first."""
        with self.sessions() as session:
            reviewed = select(Review.change_id).where(Review.change_id.is_not(None))
            # An analyst's own `review set` is a decision already, not the machine's work to check.
            analysts = select(Statement.id).where(Statement.rule == REVIEW_RULE)
            rows = session.scalars(
                select(Change)
                .where(Change.superseded.is_(False), Change.id.not_in(reviewed), Change.statement_id.not_in(analysts))
                .order_by(Change.date.desc(), Change.id.desc())
                .limit(limit)
            )
            return self._change_views(session, rows)

    def pending_revisions(self) -> list[RevisionView]:
        """Reported changes that a later fold superseded, not yet told to the reader.

        Each comes with where the commitment stands now and the change that
        most recently arrived for it (the late article behind the revision).
        """
        with self.sessions() as session:
            rows = list(
                session.scalars(
                    select(Change)
                    .where(
                        Change.superseded.is_(True),
                        Change.digest_id.is_not(None),
                        Change.revised_digest_id.is_(None),
                    )
                    .order_by(Change.commitment_id, Change.date, Change.id)
                )
            )
            revisions = []
            for row in rows:
                current = session.scalars(
                    select(Change)
                    .where(Change.commitment_id == row.commitment_id, Change.superseded.is_(False))
                    .order_by(Change.date.desc(), Change.id.desc())
                    .limit(1)
                ).first()
                newest = session.scalars(
                    select(Change)
                    .join(Statement, Statement.id == Change.statement_id)
                    .join(Article, Article.id == Statement.article_id)
                    .where(Change.commitment_id == row.commitment_id, Change.superseded.is_(False))
                    .order_by(Article.ingested_at.desc(), Article.id.desc(), Change.id.desc())
                    .limit(1)
                ).first()
                reported_in = session.get_one(Digest, row.digest_id)
                rejection = session.scalars(
                    select(Review)
                    .where(Review.change_id == row.id, Review.kind == ReviewKind.REJECT)
                    .order_by(Review.id.desc())
                    .limit(1)
                ).first()
                views = self._change_views(session, [row, *([newest] if newest else [])])
                revisions.append(
                    RevisionView(
                        reported=views[0],
                        reported_in=reported_in.as_of,
                        now_status=current.to_status if current else None,
                        now_since=current.date if current else None,
                        because=views[1] if newest and rejection is None else None,
                        rejected=_review_view(rejection) if rejection is not None else None,
                    )
                )
            return revisions

    # --- delivery: the outbox ---------------------------------------------------

    def digest_files(self) -> list[str]:
        """Every file name any recorded digest has, written yet or not."""
        with self.sessions() as session:
            return [name for files in session.scalars(select(Digest.files)) for name in json.loads(files)]

    def stored_digest(self, digest_id: int | None = None) -> StoredDigest | None:
        """One recorded digest (the latest when no id is given)."""
        with self.sessions() as session:
            if digest_id is None:
                row = session.scalar(select(Digest).order_by(Digest.id.desc()).limit(1))
            else:
                row = session.get(Digest, digest_id)
            return _stored_digest(row) if row else None

    def stored_digests(self) -> list[StoredDigest]:
        """Every recorded digest that kept its payload, oldest first."""
        with self.sessions() as session:
            rows = session.scalars(select(Digest).where(Digest.payload.is_not(None)).order_by(Digest.id))
            return [_stored_digest(row) for row in rows]

    def deliveries(self, states: Sequence[str] | None = None, digest_id: int | None = None) -> list[DeliveryView]:
        with self.sessions() as session:
            query = select(Delivery, Digest.as_of).join(Digest, Digest.id == Delivery.digest_id)
            if states is not None:
                query = query.where(Delivery.state.in_(list(states)))
            if digest_id is not None:
                query = query.where(Delivery.digest_id == digest_id)
            return [_delivery_view(row, as_of) for row, as_of in session.execute(query.order_by(Delivery.id))]

    def start_attempt(self, delivery_id: int, message_id: str | None = None) -> None:
        """Count an attempt before it is made, so a crash still counts it."""
        with self.sessions.begin() as session:
            row = session.get_one(Delivery, delivery_id)
            row.attempts += 1
            row.updated_at = utcnow()
            if message_id is not None:
                row.message_id = message_id

    def mark_sending(self, delivery_id: int) -> None:
        """The point of no return: from here the far side may hold the message."""
        with self.sessions.begin() as session:
            row = session.get_one(Delivery, delivery_id)
            row.state, row.updated_at = DeliveryState.SENDING, utcnow()

    def finish_attempt(self, delivery_id: int, error: str | None, max_attempts: int) -> DeliveryView:
        """Sent, or back in the queue with the error (failed after max_attempts)."""
        with self.sessions.begin() as session:
            row = session.get_one(Delivery, delivery_id)
            row.updated_at = utcnow()
            if error is None:
                row.state, row.sent_at, row.last_error = DeliveryState.SENT, row.updated_at, None
            else:
                row.state = DeliveryState.FAILED if row.attempts >= max_attempts else DeliveryState.QUEUED
                row.last_error = error[:2000]
            as_of = session.get_one(Digest, row.digest_id).as_of
            return _delivery_view(row, as_of)

    def interrupt_sending(self) -> list[DeliveryView]:
        """Deliveries a dead run left at the point of no return: marked interrupted.

        Called under the run lock, so nobody else is sending them now.
        """
        with self.sessions.begin() as session:
            found = []
            for row, as_of in session.execute(
                select(Delivery, Digest.as_of)
                .join(Digest, Digest.id == Delivery.digest_id)
                .where(Delivery.state == DeliveryState.SENDING)
            ):
                row.state, row.updated_at = DeliveryState.INTERRUPTED, utcnow()
                row.last_error = "the run stopped after handing it over and before recording the answer"
                found.append(_delivery_view(row, as_of))
            return found

    def interrupt(self, delivery_id: int, error: str) -> DeliveryView:
        """A delivery handed over whose answer was lost or late: interrupted, never resent unless asked."""
        with self.sessions.begin() as session:
            row = session.get_one(Delivery, delivery_id)
            row.state, row.updated_at, row.last_error = DeliveryState.INTERRUPTED, utcnow(), error[:2000]
            as_of = session.get_one(Digest, row.digest_id).as_of
            return _delivery_view(row, as_of)

    def requeue(self, delivery_id: int) -> None:
        with self.sessions.begin() as session:
            row = session.get_one(Delivery, delivery_id)
            row.state, row.updated_at = DeliveryState.QUEUED, utcnow()


def _review_view(row: Review) -> ReviewView:
    return ReviewView(
        id=row.id,
        kind=ReviewKind(row.kind),
        commitment_id=row.commitment_id,
        change_id=row.change_id,
        article_url=row.article_url,
        status=row.status,
        day=row.day,
        evidence=row.evidence or "",
        note=row.note or "",
        reviewer=row.reviewer,
        created_at=row.created_at or utcnow(),
    )


@dataclass(frozen=True)
class _Resumable:
    to_status: str
    level: str | None
    date: date


def _resumable(row: Row | None) -> _Resumable | None:
    return None if row is None else _Resumable(row.to_status, _level_of(row.level), row.date)


def _stored_level(level: str | None) -> str:
    # "" is "no sure status yet"; NULL is kept for rows made before the level was stored.
    return level or ""


def _level_of(stored: str | None) -> str | None:
    return stored or None


def _latest_changes(session: Session, until: date | None = None) -> list[Change]:
    """Each commitment's latest current change (by date, then id), in one query; with `until`, as of that day.

    One index probe per commitment (status_changes by commitment and date),
    however long the timelines are.
    """
    conditions = [Change.commitment_id == Commitment.id, Change.superseded.is_(False)]
    if until is not None:
        conditions.append(Change.date <= until)
    latest = (
        select(Change.id)
        .where(*conditions)
        .order_by(Change.date.desc(), Change.id.desc())
        .limit(1)
        .correlate(Commitment)
        .scalar_subquery()
    )
    return list(
        session.scalars(
            select(Change).where(Change.id.in_(select(latest).select_from(Commitment))).order_by(Change.commitment_id)
        )
    )


def _in_scope(scope: FoldScope, commitment: InstrumentedAttribute, day: InstrumentedAttribute) -> ColumnElement[bool]:
    """Rows of a scope's commitments, each from its day on."""
    whole = [cid for cid, since in scope.items() if since is None]
    conditions: list[ColumnElement[bool]] = [commitment.in_(whole)] if whole else []
    conditions += [(commitment == cid) & (day >= since) for cid, since in scope.items() if since is not None]
    return or_(*conditions)


def fold_order(previous_order: str | None, digest: str) -> str:
    """An article's place among its day's articles: its text's hash; an update sorts right after what it updates.

    (Its first version's hash, then its depth: so an update that restates the
    story on the same day does not take over the changes its first version caused.)
    """
    if previous_order is None:
        return digest
    root, _, depth = previous_order.partition("~")
    return f"{root}~{int(depth or 0) + 1:06d}"


def _find_source(session: Session, key: str) -> Source | None:
    """A followed source by id, location or name (a location first: names need not be unique)."""
    followed = select(Source).where(Source.kind != SourceKind.OUTLET)
    if key.isdigit():
        row = session.scalar(followed.where(Source.id == int(key)))
        if row is not None:
            return row
    row = session.scalar(followed.where(Source.location == key))
    if row is None:
        row = session.scalar(followed.where(Source.name == key).order_by(Source.id).limit(1))
    return row


def _stored_digest(row: Digest) -> StoredDigest:
    return StoredDigest(
        id=row.id,
        as_of=row.as_of,
        created_at=row.created_at,
        change_count=row.change_count,
        files=tuple(json.loads(row.files)),
        payload=json.loads(row.payload) if row.payload else None,
    )


def _delivery_view(row: Delivery, as_of: date) -> DeliveryView:
    return DeliveryView(
        id=row.id,
        digest_id=row.digest_id,
        as_of=as_of,
        channel=row.channel,
        state=DeliveryState(row.state),
        attempts=row.attempts,
        last_error=row.last_error,
        message_id=row.message_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        sent_at=row.sent_at,
    )


def statement_row(article_id: int, statement: ExtractedStatement) -> dict:
    """A statement as a row of the statements table (for bulk inserts)."""
    return {
        "article_id": article_id,
        "commitment_id": statement.commitment_id,
        "status": statement.status,
        "actor": statement.actor,
        "evidence": statement.evidence,
        "sentence_index": statement.sentence_index,
        "confidence": statement.confidence,
        "rule": statement.rule,
        "attribution": statement.attribution[:200],
    }


# Bound parameters per IN list: well under SQLite's and PostgreSQL's limits.
_IN_CHUNK = 500


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    items = sorted(set(values))
    for i in range(0, len(items), _IN_CHUNK):
        yield items[i : i + _IN_CHUNK]


def _known(session: Session, drafts: Sequence[ArticleDraft]) -> list[KnownDraft]:
    hashes: set[str] = set()
    for chunk in _chunks(d.content_hash for d in drafts):
        hashes.update(session.scalars(select(Article.content_hash).where(Article.content_hash.in_(chunk))))
    stored_links: set[str] = set()
    for chunk in _chunks(d.url for d in drafts if not d.guid):
        stored_links.update(session.scalars(select(Article.url).where(Article.url.in_(chunk))))
    latest_by: dict[str, dict[str, tuple[int, str | None]]] = {"guid": {}, "url": {}}
    for column_name, column, values in (
        ("guid", Article.guid, [d.guid for d in drafts if d.guid]),
        ("url", Article.url, [d.url for d in drafts if d.guid]),
    ):
        for chunk in _chunks(values):
            newest = (
                select(column.label("key"), func.max(Article.id).label("id")).where(column.in_(chunk)).group_by(column)
            ).subquery()
            for key, aid, order in session.execute(
                select(newest.c.key, newest.c.id, Article.fold_order).join(Article, Article.id == newest.c.id)
            ):
                latest_by[column_name][key] = (aid, order)
    found = []
    for draft in drafts:
        if draft.content_hash in hashes or (not draft.guid and draft.url in stored_links):
            found.append(KnownDraft(stored=True))
            continue
        previous = None
        if draft.guid:
            previous = latest_by["guid"].get(draft.guid) or latest_by["url"].get(draft.url)
        found.append(KnownDraft(False, *previous) if previous else KnownDraft(False))
    return found


def _source_location(draft: ArticleDraft) -> str:
    """Where a source is: a feed's URL or file; for article files, the folder and the outlet.

    A folder's manifest may name several outlets; each is its own source.
    """
    origin = draft.origin
    if origin.startswith(("http://", "https://")):
        return origin
    path = Path(origin)
    if path.suffix.lower() in {".xml", ".rss", ".atom"}:
        return str(path)
    return f"{path.parent}#{draft.source_name}"
