"""What the library face answers: a commitment's history, the status board, what the reader reads in a text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tracker.model.articles import ExtractedStatement, Rejection
from tracker.model.runs import FeedTrial
from tracker.model.stored import ChangeView, Divergence, ReviewView, SourceView, StatementView


@dataclass(frozen=True)
class StatusBoard:
    """Every commitment of the catalogue (id, title) in its order, and the latest change of those that have one."""

    commitments: tuple[tuple[str, str], ...]
    latest: Mapping[str, ChangeView]

    def as_json(self) -> dict:
        """{commitment_id: {title, status, since, evidence, source_url}}: null where nothing is known yet."""
        board = {}
        for cid, title in self.commitments:
            change = self.latest.get(cid)
            board[cid] = {
                "title": title,
                "status": change.to_status if change else None,
                "since": change.date.isoformat() if change else None,
                "evidence": change.evidence if change else None,
                "source_url": change.source_url if change else None,
            }
        return board


@dataclass(frozen=True)
class History:
    """One commitment's statements and changes (the newest `limit`, when asked), divergences and reviews."""

    commitment_id: str
    title: str
    statements: tuple[StatementView, ...]
    changes: tuple[ChangeView, ...]
    divergences: tuple[Divergence, ...]
    reviews: tuple[ReviewView, ...]
    # Statements left out by the limit asked for.
    earlier: int = 0

    def as_json(self) -> dict:
        return {
            "commitment": self.commitment_id,
            "title": self.title,
            "statements": [s.as_json() for s in self.statements],
            "changes": [c.as_json() for c in self.changes],
            "divergences": [d.as_json() for d in self.divergences],
            "reviews": [r.as_json() for r in self.reviews],
        }


@dataclass(frozen=True)
class Explanation:
    """What the reader takes from a text, and each other mention of a commitment with why it was not taken."""

    statements: tuple[ExtractedStatement, ...]
    not_taken: tuple[Rejection, ...]
    # Whether any commitment was mentioned at all (taken or not).
    mentioned: bool

    def as_json(self) -> dict:
        return {
            "statements": [
                {
                    "commitment": s.commitment_id,
                    "status": s.status,
                    "actor": s.actor,
                    "confidence": s.confidence,
                    "rule": s.rule,
                    "attribution": s.attribution,
                    "path": s.path,
                    "evidence": s.evidence,
                }
                for s in self.statements
            ],
            "not_taken": [
                {"commitment": r.commitment_id, "reason": r.describe(), "path": r.path, "evidence": r.evidence}
                for r in self.not_taken
            ],
        }


@dataclass(frozen=True)
class ReviewOutcome:
    """An analyst's decision as recorded, and the new changes the fold found after it."""

    review: ReviewView
    new_changes: int


@dataclass(frozen=True)
class SourceAdded:
    source: SourceView
    # False: it was followed already.
    created: bool
    # What one fetch of a feed gave as it was added (None: not tried).
    trial: FeedTrial | None = None


@dataclass(frozen=True)
class SourcesImported:
    added: int
    known: int
    # Feeds whose URL carries a secret: not stored (named by the warnings).
    refused: int
