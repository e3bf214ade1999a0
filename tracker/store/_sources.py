"""Sources: subscriptions, what each fetch did to them, and the workers' leases on feeds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tracker.model import FetchRecord, SourceKind, SourceSpec, SourceView
from tracker.schema import Article, Source
from tracker.store._base import StoreBase
from tracker.store._rows import find_source


class SourcesMixin(StoreBase):
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
            row = find_source(session, key)
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
            row = find_source(session, key)
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
