"""Storage: the database models and every query the tracker makes.

Alembic owns the schema (see `alembic/`); this module owns reading and writing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, sessionmaker
from sqlalchemy.pool import NullPool

from tracker.catalogue import Catalogue
from tracker.comparison import CorroborationPolicy, FoldInput, StatusChange, Support, corroborate
from tracker.extraction import ExtractedStatement
from tracker.resources import bundled_dir
from tracker.sources import ArticleDraft, content_hash


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class SourceKind(StrEnum):
    FEED = "feed"
    FOLDER = "folder"
    # Where articles came from that is no subscription: an outlet named in a
    # folder's manifest, a feed file given to `tracker ingest`.
    OUTLET = "outlet"


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
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    # As the entry or the manifest names it; None when it names nobody.
    author: Mapped[str | None] = mapped_column(String(300))
    # No date of its own: dated from its feed, its fetch or its file's modification time.
    date_estimated: Mapped[bool] = mapped_column(Boolean, default=False)

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
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
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
    state: Mapped[str] = mapped_column(String(20), index=True, default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)


class Change(Base):
    """A status change in a commitment's timeline (rows are never deleted)."""

    __tablename__ = "status_changes"
    __table_args__ = (UniqueConstraint("commitment_id", "date", "from_status", "to_status", "statement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[str] = mapped_column(ForeignKey("commitments.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(40))
    to_status: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    date: Mapped[date] = mapped_column(Date, index=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id"))
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


REVIEW_SOURCE = "Analyst review"
REVIEW_RULE = "analyst-review"


# --- plain views handed to the digest and the CLI -----------------------------------


@dataclass(frozen=True)
class SourceSpec:
    """A feed or folder to follow, as the configuration or `tracker sources add` gives it."""

    kind: SourceKind
    # Redacted: no password, no secret query value (the configuration keeps those).
    location: str
    name: str
    official: bool = False
    full_text: bool | None = None
    # The name was given, not guessed from the location.
    named: bool = False


@dataclass(frozen=True)
class SourceView:
    id: int
    kind: SourceKind
    name: str
    location: str
    url: str | None
    official: bool
    enabled: bool
    disabled_reason: str | None
    from_config: bool
    full_text: bool | None
    etag: str | None
    last_modified: str | None
    failures: int
    last_error: str | None
    last_fetch_at: datetime | None
    last_success_at: datetime | None
    last_status: int | None
    next_fetch_at: datetime | None
    failing_since: datetime | None
    articles: int

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "name": self.name,
            "location": self.location,
            "url": self.url,
            "official": self.official,
            "enabled": self.enabled,
            "disabled_reason": self.disabled_reason,
            "from_config": self.from_config,
            "failures": self.failures,
            "last_error": self.last_error,
            "last_fetch_at": self.last_fetch_at.isoformat() if self.last_fetch_at else None,
            "last_status": self.last_status,
            "next_fetch_at": self.next_fetch_at.isoformat() if self.next_fetch_at else None,
            "failing_since": self.failing_since.isoformat() if self.failing_since else None,
            "articles": self.articles,
        }


@dataclass(frozen=True)
class FetchRecord:
    """What one fetch did to a source."""

    source_id: int
    at: datetime
    status: int | None
    failures: int
    error: str | None
    next_fetch_at: datetime | None
    etag: str | None = None
    last_modified: str | None = None
    moved_to: str | None = None
    disable: bool = False
    # The feed's own title, for a source named only by its URL.
    title: str | None = None


@dataclass(frozen=True)
class ChangeView:
    id: int
    commitment_id: str
    commitment_title: str
    from_status: str | None
    to_status: str
    kind: str
    date: date
    evidence: str
    actor: str
    # The change's confidence, from every article of the day that supports it.
    confidence: float
    confirmed: bool
    sources: tuple[dict, ...]
    rule: str
    attribution: str
    source_name: str
    source_url: str
    article_title: str

    @property
    def setback(self) -> bool:
        return self.kind == "setback"

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "commitment": self.commitment_id,
            "commitment_title": self.commitment_title,
            "from_status": self.from_status,
            "to_status": self.to_status,
            "kind": self.kind,
            "setback": self.setback,
            "date": self.date.isoformat(),
            "source_url": self.source_url,
            "source_name": self.source_name,
            "article_title": self.article_title,
            "evidence": self.evidence,
            "actor": self.actor,
            "confidence": self.confidence,
            "confirmed": self.confirmed,
            "sources": list(self.sources),
            "rule": self.rule,
            "attribution": self.attribution,
        }


@dataclass(frozen=True)
class StatementView:
    commitment_id: str
    status: str
    actor: str
    evidence: str
    confidence: float
    rule: str
    attribution: str
    date: date
    source_name: str
    source_url: str
    article_title: str
    author: str | None = None
    date_estimated: bool = False

    def as_json(self) -> dict:
        return {
            "commitment": self.commitment_id,
            "status": self.status,
            "actor": self.actor,
            "evidence": self.evidence,
            "confidence": self.confidence,
            "rule": self.rule,
            "attribution": self.attribution,
            "date": self.date.isoformat(),
            "source_url": self.source_url,
            "source_name": self.source_name,
            "article_title": self.article_title,
            "author": self.author,
            "date_estimated": self.date_estimated,
        }


@dataclass(frozen=True)
class DigestRecord:
    id: int
    as_of: date
    since: date | None
    change_count: int
    file_names: tuple[str, ...]


@dataclass(frozen=True)
class ReviewView:
    id: int
    kind: str
    commitment_id: str
    change_id: int | None
    article_url: str | None
    status: str | None
    day: date | None
    evidence: str
    note: str
    reviewer: str
    created_at: datetime

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "commitment": self.commitment_id,
            "change_id": self.change_id,
            "article_url": self.article_url,
            "status": self.status,
            "day": self.day.isoformat() if self.day else None,
            "evidence": self.evidence,
            "note": self.note,
            "reviewer": self.reviewer,
            "created_at": self.created_at.isoformat(timespec="seconds"),
        }


class ReviewError(ValueError):
    """A review that cannot be recorded (an unknown change, say); the message says why."""


def alembic_config(database_url: str) -> AlembicConfig:
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
                path.parent.mkdir(parents=True, exist_ok=True)
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
        config = alembic_config(self.database_url)
        with self._migration_engine() as engine, engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                # Two first runs at once: the second waits here, then finds the schema made.
                connection.execute(text("SELECT pg_advisory_xact_lock(7472)"))
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

    def downgrade(self, revision: str) -> None:
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

    def schema_is_current(self) -> bool:
        """The database is at the newest migration (a populated older one needs `tracker init`)."""
        from alembic.migration import MigrationContext
        from alembic.script import ScriptDirectory

        heads = set(ScriptDirectory.from_config(alembic_config(self.database_url)).get_heads())
        with self.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
        return current == heads

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
            run = Run(command=command_name, as_of=as_of)
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
    ) -> None:
        with self.sessions.begin() as session:
            run = session.get_one(Run, run_id)
            run.ingested, run.skipped, run.failed, run.deferred = ingested, skipped, failed, deferred
            run.changes_found, run.digest_id = changes_found, digest_id
            run.messages = json.dumps(list(messages))
            run.finished_at = utcnow()

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

    def has_article(self, draft: ArticleDraft) -> bool:
        with self.sessions() as session:
            return _stored_copy(session, draft) is not None

    def is_update(self, draft: ArticleDraft) -> bool:
        """A feed entry whose GUID or link is stored with other text: a new version of that article."""
        with self.sessions() as session:
            return _previous_version(session, draft) is not None

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

    def add_article(self, draft: ArticleDraft, statements: Iterable[ExtractedStatement], run_id: int) -> bool:
        """Store an article with its statements; False if it was already stored."""
        with self.sessions.begin() as session:
            # Checked again inside the transaction that writes it.
            if _stored_copy(session, draft) is not None:
                return False
            article = Article(
                source_id=self.source_id(session, draft.source_name, _source_location(draft)),
                url=draft.url,
                guid=draft.guid or None,
                previous_id=_previous_version(session, draft),
                content_hash=draft.content_hash,
                title=draft.title,
                summary=draft.summary,
                text=draft.text,
                published=draft.published,
                run_id=run_id,
                author=draft.author[:300] or None,
                date_estimated=draft.date_estimated,
            )
            article.statements = [
                Statement(
                    commitment_id=s.commitment_id,
                    status=s.status,
                    actor=s.actor,
                    evidence=s.evidence,
                    sentence_index=s.sentence_index,
                    confidence=s.confidence,
                    rule=s.rule,
                    attribution=s.attribution[:200],
                )
                for s in statements
            ]
            session.add(article)
            return True

    def fold_inputs(self) -> list[FoldInput]:
        """Every statement the fold reads: all but those an analyst rejected."""
        with self.sessions() as session:
            rejected = {
                (url, cid)
                for url, cid in session.execute(
                    select(Review.article_url, Review.commitment_id).where(Review.kind == "reject")
                )
            }
            order = _article_orders(session)
            rows = session.execute(
                select(
                    Statement.id,
                    Statement.commitment_id,
                    Statement.status,
                    Article.published,
                    Article.id,
                    Statement.sentence_index,
                    Statement.confidence,
                    Article.url,
                ).join(Article)
            )
            return [
                FoldInput(
                    key=sid,
                    commitment_id=cid,
                    status=status,
                    published=published,
                    article_order=order[article_id],
                    sentence_index=index,
                    confidence=confidence,
                    official=self.policy.is_official(url),
                )
                for sid, cid, status, published, article_id, index, confidence, url in rows
                if (url, cid) not in rejected
            ]

    # --- the timeline ---------------------------------------------------------

    def apply_timeline(self, timeline: Sequence[StatusChange]) -> list[int]:
        """Make the stored timeline equal to a fresh fold; returns the ids of new changes.

        Changes the fold still produces are kept as they are (with their digest);
        those it no longer produces are marked superseded, never deleted.
        """
        new_ids: list[int] = []
        with self.sessions.begin() as session:
            stored: dict[tuple, Change] = {
                (c.commitment_id, c.date, c.from_status, c.to_status, c.statement_id): c
                for c in session.scalars(select(Change))
            }
            wanted = set()
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
                    )
                    session.add(row)
                    session.flush()
                    new_ids.append(row.id)
                elif row.superseded:
                    row.superseded = False
            for key, row in stored.items():
                if key not in wanted and not row.superseded:
                    row.superseded = True
        return new_ids

    def _supports(self, session: Session, row: Change) -> list[Support]:
        """The day's articles that state the status a change moved to, best statement each."""
        best: dict[int, Statement] = {}
        query = (
            select(Statement)
            .join(Article)
            .where(
                Statement.commitment_id == row.commitment_id,
                Statement.status == row.to_status,
                Article.published == row.date,
            )
        )
        rejected = set(
            session.scalars(
                select(Review.article_url).where(Review.kind == "reject", Review.commitment_id == row.commitment_id)
            )
        )
        for statement in session.scalars(query):
            if statement.article.url in rejected:
                continue  # an analyst took it out: it supports nothing
            current = best.get(statement.article_id)
            if current is None or statement.confidence > current.confidence:
                best[statement.article_id] = statement
        return [
            Support(
                url=s.article.url,
                source_name=s.article.source.name,
                title=s.article.title,
                evidence=s.evidence,
                confidence=s.confidence,
                text=s.article.text,
            )
            for s in best.values()
        ]

    def _change_views(self, session: Session, rows: Iterable[Change]) -> list[ChangeView]:
        views = []
        for row in rows:
            statement = row.statement
            article = statement.article
            commitment = session.get_one(Commitment, row.commitment_id)
            support = corroborate(self._supports(session, row), self.policy)
            views.append(
                ChangeView(
                    id=row.id,
                    commitment_id=row.commitment_id,
                    commitment_title=commitment.title,
                    from_status=row.from_status,
                    to_status=row.to_status,
                    kind=row.kind,
                    date=row.date,
                    evidence=statement.evidence,
                    actor=statement.actor,
                    confidence=support.confidence,
                    confirmed=support.confirmed,
                    sources=support.sources,
                    rule=statement.rule,
                    attribution=statement.attribution,
                    source_name=article.source.name,
                    source_url=article.url,
                    article_title=article.title,
                )
            )
        return views

    def changes(self, since: date | None = None, commitment_id: str | None = None) -> list[ChangeView]:
        """The current timeline (superseded changes left out), oldest first."""
        with self.sessions() as session:
            query = select(Change).where(Change.superseded.is_(False))
            if since is not None:
                query = query.where(Change.date >= since)
            if commitment_id is not None:
                query = query.where(Change.commitment_id == commitment_id)
            rows = session.scalars(query.order_by(Change.date, Change.commitment_id, Change.id))
            return self._change_views(session, rows)

    def statements(self, commitment_id: str | None = None) -> list[StatementView]:
        """Statements in fold order: by date, article, sentence."""
        with self.sessions() as session:
            query = select(Statement).join(Article)
            if commitment_id is not None:
                query = query.where(Statement.commitment_id == commitment_id)
            rows = session.scalars(query.order_by(Article.published, Article.content_hash, Statement.sentence_index))
            return [
                StatementView(
                    commitment_id=s.commitment_id,
                    status=s.status,
                    actor=s.actor,
                    evidence=s.evidence,
                    confidence=s.confidence,
                    rule=s.rule,
                    attribution=s.attribution,
                    date=s.article.published,
                    source_name=s.article.source.name,
                    source_url=s.article.url,
                    article_title=s.article.title,
                    author=s.article.author,
                    date_estimated=s.article.date_estimated,
                )
                for s in rows
            ]

    def commitments(self) -> list[Commitment]:
        with self.sessions() as session:
            return list(session.scalars(select(Commitment).order_by(Commitment.id)))

    # --- digests --------------------------------------------------------------

    def pending_alerts(self) -> list[ChangeView]:
        """Changes not yet in a digest that move a commitment away from what was last reported.

        A commitment whose current status equals its last reported status had
        only history rewritten (a late article): its new changes are marked
        quiet instead of alerted.
        """
        with self.sessions.begin() as session:
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
                if reported is not None and reported == current.get(row.commitment_id):
                    row.quiet = True
                else:
                    alerts.append(row)
            return self._change_views(session, alerts)

    def _current_status(self, session: Session) -> dict[str, str]:
        latest: dict[str, str] = {}
        rows = session.scalars(select(Change).where(Change.superseded.is_(False)).order_by(Change.date, Change.id))
        for row in rows:
            latest[row.commitment_id] = row.to_status
        return latest

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
        if kind not in ("confirm", "reject"):
            raise ReviewError(f"unknown review {kind!r}: confirm or reject")
        with self.sessions.begin() as session:
            change = session.get(Change, change_id)
            if change is None:
                raise ReviewError(f"no status change #{change_id}; `tracker review` lists them")
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
                kind="set", commitment_id=commitment_id, status=status, day=day, note=note, reviewer=reviewer[:200]
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

    def awaiting_review(self, limit: int = 20) -> list[ChangeView]:
        """Current changes no analyst has confirmed or rejected, newest first."""
        with self.sessions() as session:
            reviewed = select(Review.change_id).where(Review.change_id.is_not(None))
            rows = session.scalars(
                select(Change)
                .where(Change.superseded.is_(False), Change.id.not_in(reviewed))
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
                views = self._change_views(session, [row, *([newest] if newest else [])])
                revisions.append(
                    RevisionView(
                        reported=views[0],
                        reported_in=reported_in.as_of,
                        now_status=current.to_status if current else None,
                        now_since=current.date if current else None,
                        because=views[1] if newest else None,
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
            row.state, row.updated_at = "sending", utcnow()

    def finish_attempt(self, delivery_id: int, error: str | None, max_attempts: int) -> DeliveryView:
        """Sent, or back in the queue with the error (failed after max_attempts)."""
        with self.sessions.begin() as session:
            row = session.get_one(Delivery, delivery_id)
            row.updated_at = utcnow()
            if error is None:
                row.state, row.sent_at, row.last_error = "sent", row.updated_at, None
            else:
                row.state = "failed" if row.attempts >= max_attempts else "queued"
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
                .where(Delivery.state == "sending")
            ):
                row.state, row.updated_at = "interrupted", utcnow()
                row.last_error = "the run stopped after handing it over and before recording the answer"
                found.append(_delivery_view(row, as_of))
            return found

    def requeue(self, delivery_id: int) -> None:
        with self.sessions.begin() as session:
            row = session.get_one(Delivery, delivery_id)
            row.state, row.updated_at = "queued", utcnow()


def _review_view(row: Review) -> ReviewView:
    return ReviewView(
        id=row.id,
        kind=row.kind,
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


def _article_orders(session: Session) -> dict[int, str]:
    """Each article's place among the articles of its day: its text's hash.

    A later version of an entry sorts right after the version it updates (its
    first version's hash, then its depth), so an update that restates the
    story on the same day does not take over the changes its first version caused.
    """
    rows = {
        aid: (previous, digest)
        for aid, previous, digest in session.execute(select(Article.id, Article.previous_id, Article.content_hash))
    }
    orders: dict[int, str] = {}
    for aid in rows:
        depth, current = 0, aid
        seen = {aid}
        while (previous := rows[current][0]) is not None and previous in rows and previous not in seen:
            seen.add(previous)
            current, depth = previous, depth + 1
        orders[aid] = rows[current][1] if depth == 0 else f"{rows[current][1]}~{depth:06d}"
    return orders


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


@dataclass(frozen=True)
class RevisionView:
    """An alert already delivered that the timeline no longer holds, and why."""

    reported: ChangeView
    reported_in: date
    now_status: str | None
    now_since: date | None
    because: ChangeView | None


@dataclass(frozen=True)
class StoredDigest:
    id: int
    as_of: date
    created_at: datetime
    change_count: int
    files: tuple[str, ...]
    payload: dict | None


@dataclass(frozen=True)
class DeliveryView:
    id: int
    digest_id: int
    as_of: date
    channel: str
    state: str
    attempts: int
    last_error: str | None
    message_id: str | None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None


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
        state=row.state,
        attempts=row.attempts,
        last_error=row.last_error,
        message_id=row.message_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        sent_at=row.sent_at,
    )


def _stored_copy(session: Session, draft: ArticleDraft) -> int | None:
    """The id of a stored article with the same normalised text, or (article files) the same URL.

    A feed entry (one with a GUID) under a stored GUID or URL but with other
    text is no copy: it is an update (see `_previous_version`).
    """
    if draft.guid:
        return session.scalar(select(Article.id).where(Article.content_hash == draft.content_hash))
    return session.scalar(
        select(Article.id).where((Article.url == draft.url) | (Article.content_hash == draft.content_hash)).limit(1)
    )


def _previous_version(session: Session, draft: ArticleDraft) -> int | None:
    """The latest stored version of a feed entry: by its GUID, else by its link."""
    if not draft.guid:
        return None
    for condition in (Article.guid == draft.guid, Article.url == draft.url):
        found = session.scalar(select(Article.id).where(condition).order_by(Article.id.desc()).limit(1))
        if found is not None:
            return found
    return None


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
