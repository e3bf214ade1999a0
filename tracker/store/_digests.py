"""Digests: the alerts waiting for one, and recording it in one transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from tracker.faults import checkpoint
from tracker.model import DigestRecord, StoredChange
from tracker.schema import Change, Commitment, Delivery, Digest
from tracker.store._base import StoreBase
from tracker.store._rows import change_views, current_status
from tracker.timeline.alerts import is_quiet


def _digest_record(row: Digest) -> DigestRecord:
    return DigestRecord(row.id, row.as_of, row.since, row.change_count, tuple(json.loads(row.files)))


class DigestsMixin(StoreBase):
    def pending_alerts(self) -> list[StoredChange]:
        """Changes not yet in a digest that move a commitment away from what was last reported.

        Those that only rewrite history (`timeline.alerts.is_quiet`) are marked quiet instead of alerted.
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
            current = current_status(session)
            alerts = []
            for row in pending:
                key = (row.relationship_id, row.commitment_id)
                commitment = session.get_one(Commitment, key)
                if is_quiet(row.date, last_reported_day, commitment.alerted_status, current.get(key)):
                    row.quiet = True
                else:
                    alerts.append(row)
            return change_views(session, alerts)

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
            current = current_status(session)
            for commitment in session.scalars(select(Commitment)):
                commitment.alerted_status = current.get((commitment.relationship_id, commitment.id))
            session.flush()
            checkpoint("digest.uncommitted")
            return digest.id

    def last_digest(self) -> DigestRecord | None:
        with self.sessions() as session:
            row = session.scalar(select(Digest).order_by(Digest.id.desc()).limit(1))
            return None if row is None else _digest_record(row)

    def digests(self) -> list[DigestRecord]:
        """Every digest written, oldest first."""
        with self.sessions() as session:
            return [_digest_record(d) for d in session.scalars(select(Digest).order_by(Digest.id))]

    def digest_changes(self, digest_id: int) -> list[StoredChange]:
        """The changes one digest reported, as they were reported (superseded ones too)."""
        with self.sessions() as session:
            rows = session.scalars(
                select(Change).where(Change.digest_id == digest_id).order_by(Change.date, Change.commitment_id)
            )
            return change_views(session, rows)
