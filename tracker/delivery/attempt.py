"""At most once: one attempt at one queued delivery, recorded from start to end whatever its channel.

An attempt is counted before it is made (so a crash still counts it); a
channel whose message goes to a far side marks the point of no return just
before the message can arrive; then the attempt is settled: sent, back in the
queue with its error (failed after `max_attempts`), or interrupted when the
far side may have it. A delivery left past the point of no return, by a lost
answer or a run that died, is never sent again by a run, only by
`tracker digest send --resend`.
"""

from __future__ import annotations

from typing import Any

from tracker.delivery.channel import Channel, DeliveryError, DeliveryUncertain
from tracker.model import DeliveryOutcome, DeliveryView, StoredDigest
from tracker.store import Store


class ChannelBroke(RuntimeError):
    """A channel handed a message to its far side without marking the point of no return."""


class Attempt:
    """One try at one delivery. The outbox runs every delivery through one; a channel only calls its
    point of no return."""

    def __init__(self, store: Store, delivery: DeliveryView, max_attempts: int) -> None:
        self._store = store
        self.delivery = delivery
        self._max_attempts = max_attempts
        self.handed_over = False

    @staticmethod
    def left_by_dead_runs(store: Store) -> list[DeliveryView]:
        """Deliveries a dead run left past the point of no return: interrupted, not resent unless asked.

        Called under the run lock, so nobody else is sending them now.
        """
        return store.interrupt_sending()

    def run(self, channel: Channel[Any], stored: StoredDigest) -> DeliveryOutcome:
        """Prepare, start, hand over, settle; what happened, as recorded."""
        report = channel.writes_report
        try:
            prepared = channel.prepare(stored)
        except DeliveryError as exc:
            # Nothing was tried: not counted, still queued.
            return DeliveryOutcome(self.delivery, False, str(exc), report=report)
        # Counted before it is made, so a crash still counts it.
        self._store.start_attempt(self.delivery.id, channel.message_id(stored))
        try:
            delivered = channel.hand_over(prepared, self._point_of_no_return)
        except DeliveryUncertain as exc:
            self._check_marked(channel)
            view = self._store.interrupt(self.delivery.id, str(exc))
            detail = f"{exc}; not resent: tracker digest send --resend {self.delivery.id}"
            return DeliveryOutcome(view, False, detail, report=report)
        except DeliveryError as exc:
            # Refused or not done, and the far side does not hold it: tried again (failed after max_attempts).
            view = self._store.finish_attempt(self.delivery.id, str(exc), self._max_attempts)
            return DeliveryOutcome(view, False, str(exc), report=report)
        self._check_marked(channel)
        view = self._store.finish_attempt(self.delivery.id, None, self._max_attempts)
        return DeliveryOutcome(view, True, delivered.detail, delivered.paths, report=report)

    def _point_of_no_return(self) -> None:
        """From here the far side may hold the message: a lost answer or a dead run leaves it interrupted."""
        self._store.mark_sending(self.delivery.id)
        self.handed_over = True

    def _check_marked(self, channel: Channel[Any]) -> None:
        if channel.far_side and not self.handed_over:
            # A run dying in the window it skipped would have sent it again: kept from any resend, and loud.
            self._store.interrupt(self.delivery.id, "the channel did not mark the point of no return")
            raise ChannelBroke(f"{self.delivery.channel}: handed over without marking the point of no return")


__all__ = ["Attempt", "ChannelBroke"]
