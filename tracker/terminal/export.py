"""Commitments, statements, changes or reviews as JSON or CSV."""

from __future__ import annotations

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


def export(views: Views, catalogue: Catalogue, what: str, fmt: str) -> str:
    """Commitments, statements, changes or reviews as JSON or CSV."""
    store = views.store

    if what == "commitments":
        commitments = [(c.id, c.title) for c in catalogue.commitments]
        rows = status_rows(commitments, latest_changes(views.changes()))
        if fmt == "csv":
            return to_csv(STATUS_CSV, rows)
        items: list[dict] = [dict(zip(STATUS_CSV, row, strict=True)) for row in rows]
    elif what == "statements":
        rejected = {(r.article_url, r.commitment_id) for r in store.reviews() if r.kind == "reject"}
        statements = store.statements()
        flags = [(s.source_url, s.commitment_id) in rejected for s in statements]
        if fmt == "csv":
            return to_csv(
                STATEMENT_CSV,
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
                    ]
                    for s, flag in zip(statements, flags, strict=True)
                ],
            )
        items = [s.as_json() | {"rejected": flag} for s, flag in zip(statements, flags, strict=True)]
    elif what == "changes":
        changes = views.changes()
        if fmt == "csv":
            return to_csv(CHANGE_CSV, change_rows(changes))
        items = [c.as_json() for c in changes]
    elif what == "reviews":
        reviews = store.reviews()
        if fmt == "csv":
            return to_csv(REVIEW_CSV, [[r.as_json()[k] for k in REVIEW_CSV] for r in reviews])
        items = [r.as_json() for r in reviews]
    else:
        raise ValueError(f"cannot export {what!r}")
    return safe_json(items) + "\n"
