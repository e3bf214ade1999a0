"""The store's changes as the desk sees them: each judged under the desk's corroboration policy.

The store gives changes as stored, with the articles that support them; the
rule of how sure that makes a change is `tracker.timeline.corroboration`'s.
This is where the two meet, for every reader of changes (the library face,
the run, the site, exports), so that all of them judge alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from tracker.model import ChangeView, RevisionView
from tracker.timeline.corroboration import CorroborationPolicy, judged, judged_revision

if TYPE_CHECKING:
    from tracker.store import StoreProtocol


@dataclass(frozen=True)
class Views:
    """Changes read from `store` and judged under `policy`."""

    store: StoreProtocol
    policy: CorroborationPolicy

    def changes(
        self,
        since: date | None = None,
        commitment_id: str | None = None,
        limit: int | None = None,
        corroborated: bool = True,
        relationship_id: str | None = None,
    ) -> list[ChangeView]:
        """The current timeline, oldest first (see `StoreProtocol.changes`)."""
        rows = self.store.changes(
            since=since,
            commitment_id=commitment_id,
            limit=limit,
            corroborated=corroborated,
            relationship_id=relationship_id,
        )
        return [judged(row, self.policy) for row in rows]

    def current_changes(self, corroborated: bool = True, until: date | None = None) -> list[ChangeView]:
        """Each commitment's latest current change (on `until`, when given)."""
        return [judged(row, self.policy) for row in self.store.current_changes(corroborated, until)]

    def current_statuses(
        self, corroborated: bool = True, until: date | None = None, relationship_id: str | None = None
    ) -> dict[str, ChangeView]:
        """Where each commitment stands now (or on `until`) and since when, by commitment id.

        Ids are unique within a relationship only: a desk of several names the one it asks about.
        """
        return {
            view.commitment_id: view
            for view in self.current_changes(corroborated, until)
            if relationship_id is None or view.relationship_id == relationship_id
        }

    def pending_alerts(self) -> list[ChangeView]:
        return [judged(row, self.policy) for row in self.store.pending_alerts()]

    def pending_revisions(self) -> list[RevisionView]:
        return [judged_revision(row, self.policy) for row in self.store.pending_revisions()]

    def awaiting_review(self, limit: int = 20, relationship_id: str | None = None) -> list[ChangeView]:
        return [judged(row, self.policy) for row in self.store.awaiting_review(limit, relationship_id)]

    def digest_changes(self, digest_id: int) -> list[ChangeView]:
        return [judged(row, self.policy) for row in self.store.digest_changes(digest_id)]
