"""Commitments, statements, changes or reviews as JSON or CSV."""

from __future__ import annotations

from collections.abc import Sequence

from tracker.catalogue import Catalogue
from tracker.sanitize import safe_json
from tracker.terminal.listings import (
    CHANGE_CSV,
    STATUS_CSV,
    change_rows,
    status_rows,
)
from tracker.terminal.screen import (
    to_csv,
)
from tracker.timeline.fold import current_statuses as latest_changes
from tracker.views import Views

STATEMENT_CSV = (
    "commitment",
    "date",
    "status",
    "actor",
    "according_to",
    "statement_confidence",
    "rule",
    "rejected",
    "source_name",
    "source_url",
    "article_title",
    "evidence",
)
REVIEW_CSV = (
    "id",
    "kind",
    "commitment",
    "change_id",
    "status",
    "day",
    "reviewer",
    "created_at",
    "note",
    "evidence",
    "article_url",
)


# Each export's rows end with the relationship (ids are unique within one only); the columns before it are as
# they were when a database held one relationship.
RELATIONSHIP = "relationship"


def export(
    views: Views, catalogues: Sequence[Catalogue], what: str, fmt: str, relationship_id: str | None = None
) -> str:
    """Commitments, statements, changes or reviews as JSON or CSV, of `catalogues`' relationships
    (`relationship_id`: of that one)."""
    store = views.store

    if what == "commitments":
        header = (*STATUS_CSV, RELATIONSHIP)
        rows: list[list[object]] = []
        for catalogue in catalogues:
            commitments = [(c.id, c.title) for c in catalogue.commitments]
            latest = latest_changes(views.changes(relationship_id=catalogue.relationship_id))
            rows += [[*row, catalogue.relationship_id] for row in status_rows(commitments, latest)]
        if fmt == "csv":
            return to_csv(header, rows)
        items: list[dict] = [dict(zip(header, row, strict=True)) for row in rows]
    elif what == "statements":
        reviews = store.reviews(relationship_id=relationship_id)
        rejected = {(r.article_url, r.relationship_id, r.commitment_id) for r in reviews if r.kind == "reject"}
        statements = store.statements(relationship_id=relationship_id)
        flags = [(s.source_url, s.relationship_id, s.commitment_id) in rejected for s in statements]
        if fmt == "csv":
            return to_csv(
                (*STATEMENT_CSV, RELATIONSHIP),
                [
                    [
                        s.commitment_id,
                        s.date.isoformat(),
                        s.status,
                        s.actor,
                        s.attribution,
                        s.confidence,
                        s.rule,
                        flag,
                        s.source_name,
                        s.source_url,
                        s.article_title,
                        s.evidence,
                        s.relationship_id,
                    ]
                    for s, flag in zip(statements, flags, strict=True)
                ],
            )
        items = [
            s.as_json() | {"rejected": flag, RELATIONSHIP: s.relationship_id}
            for s, flag in zip(statements, flags, strict=True)
        ]
    elif what == "changes":
        changes = views.changes(relationship_id=relationship_id)
        if fmt == "csv":
            return to_csv(
                (*CHANGE_CSV, RELATIONSHIP),
                [[*row, c.relationship_id] for row, c in zip(change_rows(changes), changes, strict=True)],
            )
        items = [c.as_json() | {RELATIONSHIP: c.relationship_id} for c in changes]
    elif what == "reviews":
        reviews = store.reviews(relationship_id=relationship_id)
        if fmt == "csv":
            return to_csv(
                (*REVIEW_CSV, RELATIONSHIP),
                [[*(r.as_json()[k] for k in REVIEW_CSV), r.relationship_id] for r in reviews],
            )
        items = [r.as_json() | {RELATIONSHIP: r.relationship_id} for r in reviews]
    else:
        raise ValueError(f"cannot export {what!r}")
    return safe_json(items) + "\n"
