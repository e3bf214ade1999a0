"""The timeline: a fold's changes applied, and changes and statements read back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select

from tracker.faults import checkpoint
from tracker.model import FoldScope, StatementView, StatusChange, StoredChange, StoredCommitment
from tracker.schema import Article, Change, Commitment, Source, Statement
from tracker.store._base import StoreBase
from tracker.store._rows import change_views, in_scope, latest_changes, relationship_of, stored_level


class TimelineMixin(StoreBase):
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
                query = query.where(in_scope(scope, Change.relationship_id, Change.commitment_id, Change.date))
            stored: dict[tuple, Change] = {
                (c.relationship_id, c.commitment_id, c.date, c.from_status, c.to_status, c.statement_id): c
                for c in session.scalars(query)
            }
            wanted = set()
            added: list[Change] = []
            for change in timeline:
                relationship_id = change.relationship_id or relationship_of(session, change.commitment_id)
                key = (
                    relationship_id,
                    change.commitment_id,
                    change.date,
                    change.from_status,
                    change.to_status,
                    change.cause,
                )
                wanted.add(key)
                row = stored.get(key)
                if row is None:
                    row = Change(
                        relationship_id=relationship_id,
                        commitment_id=change.commitment_id,
                        from_status=change.from_status,
                        to_status=change.to_status,
                        kind=change.kind,
                        date=change.date,
                        statement_id=change.cause,
                        level=stored_level(change.level),
                    )
                    session.add(row)
                    added.append(row)
                else:
                    if row.superseded:
                        row.superseded = False
                    if row.level != stored_level(change.level):
                        row.level = stored_level(change.level)
            for key, row in stored.items():
                if key not in wanted and not row.superseded:
                    row.superseded = True
            session.flush()
            new_ids = [row.id for row in added]
            checkpoint("fold.uncommitted")
        return new_ids

    def changes(
        self,
        since: date | None = None,
        commitment_id: str | None = None,
        limit: int | None = None,
        corroborated: bool = True,
        relationship_id: str | None = None,
    ) -> list[StoredChange]:
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
            if relationship_id is not None:
                query = query.where(Change.relationship_id == relationship_id)
            if limit is not None:
                newest = query.order_by(Change.date.desc(), Change.commitment_id.desc(), Change.id.desc()).limit(limit)
                rows = list(reversed(session.scalars(newest).all()))
            else:
                rows = list(session.scalars(query.order_by(Change.date, Change.commitment_id, Change.id)))
            return change_views(session, rows, corroborated)

    def current_changes(self, corroborated: bool = True, until: date | None = None) -> list[StoredChange]:
        """Each commitment's latest current change (its status now and since when), in one query.

        `corroborated` False: without the supporting sources (for a listing that does not print them).
        `until`: where each stood on that day (changes dated after it left out).
        """
        with self.sessions() as session:
            return change_views(session, latest_changes(session, until), corroborated)

    def statements(
        self,
        commitment_id: str | None = None,
        since: date | None = None,
        until: date | None = None,
        limit: int | None = None,
        relationship_id: str | None = None,
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
            if relationship_id is not None:
                query = query.where(Statement.relationship_id == relationship_id)
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
                    relationship_id=s.relationship_id,
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

    def count_statements(
        self, commitment_id: str | None = None, since: date | None = None, relationship_id: str | None = None
    ) -> int:
        with self.sessions() as session:
            query = select(func.count()).select_from(Statement).join(Article, Article.id == Statement.article_id)
            if commitment_id is not None:
                query = query.where(Statement.commitment_id == commitment_id)
            if relationship_id is not None:
                query = query.where(Statement.relationship_id == relationship_id)
            if since is not None:
                query = query.where(Article.published >= since)
            return session.scalar(query) or 0

    def commitments(self) -> list[StoredCommitment]:
        with self.sessions() as session:
            return [
                StoredCommitment(row.id, row.title, row.description, row.alerted_status)
                for row in session.scalars(select(Commitment).order_by(Commitment.id))
            ]
