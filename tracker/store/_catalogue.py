"""The catalogue's commitments, kept in step with its file."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from tracker.catalogue import Catalogue
from tracker.schema import Commitment
from tracker.store._base import StoreBase


class CatalogueMixin(StoreBase):
    def sync_catalogue(self, catalogue: Catalogue) -> None:
        try:
            self._sync_catalogue(catalogue)
        except IntegrityError:
            # Another process inserted the same commitments first; now they are there to update.
            self._sync_catalogue(catalogue)

    def _sync_catalogue(self, catalogue: Catalogue) -> None:
        with self.sessions.begin() as session:
            for item in catalogue.commitments:
                row = session.get(Commitment, (catalogue.relationship_id, item.id))
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
