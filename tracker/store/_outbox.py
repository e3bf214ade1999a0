"""Delivery: the outbox of digests and the state of each attempt."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import select

from tracker.model import DeliveryState, DeliveryView, StoredDigest
from tracker.schema import Delivery, Digest, utcnow
from tracker.store._base import StoreBase
from tracker.store._rows import delivery_view, stored_digest


class OutboxMixin(StoreBase):
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
            return stored_digest(row) if row else None

    def stored_digests(self) -> list[StoredDigest]:
        """Every recorded digest that kept its payload, oldest first."""
        with self.sessions() as session:
            rows = session.scalars(select(Digest).where(Digest.payload.is_not(None)).order_by(Digest.id))
            return [stored_digest(row) for row in rows]

    def deliveries(self, states: Sequence[str] | None = None, digest_id: int | None = None) -> list[DeliveryView]:
        with self.sessions() as session:
            query = select(Delivery, Digest.as_of).join(Digest, Digest.id == Delivery.digest_id)
            if states is not None:
                query = query.where(Delivery.state.in_(list(states)))
            if digest_id is not None:
                query = query.where(Delivery.digest_id == digest_id)
            return [delivery_view(row, as_of) for row, as_of in session.execute(query.order_by(Delivery.id))]

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
            return delivery_view(row, as_of)

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
                found.append(delivery_view(row, as_of))
            return found

    def interrupt(self, delivery_id: int, error: str) -> DeliveryView:
        """A delivery handed over whose answer was lost or late: interrupted, never resent unless asked."""
        with self.sessions.begin() as session:
            row = session.get_one(Delivery, delivery_id)
            row.state, row.updated_at, row.last_error = DeliveryState.INTERRUPTED, utcnow(), error[:2000]
            as_of = session.get_one(Digest, row.digest_id).as_of
            return delivery_view(row, as_of)

    def requeue(self, delivery_id: int) -> None:
        with self.sessions.begin() as session:
            row = session.get_one(Delivery, delivery_id)
            row.state, row.updated_at = DeliveryState.QUEUED, utcnow()
